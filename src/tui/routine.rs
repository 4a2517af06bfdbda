//! The sensitive-period side of the desk: the live risk weights and banner,
//! the daily roll-call screen, reports on request, the handover when a
//! shift starts, and the 研判 figures the dashboard draws (the server's 研判会 figures).

use chrono::{DateTime, Duration, FixedOffset};

use super::app::{App, NoteKind, Out, View, Want};
use crate::desk::api::{DraftSlot, Request, RiskSetup};
use crate::domain::reports::{Kind, Spec};
use crate::domain::rollcall::{RollcallEntry, RollcallSheet};

/// Opening the desk this long after the last time starts a new shift: the
/// handover report is shown.
const SHIFT_HOURS: i64 = 8;

/// One line of the roll-call screen.
pub struct RollRow<'a> {
    pub unit: &'a str,
    pub entry: Option<&'a RollcallEntry>,
    /// Still missing after the due hour: for 督办.
    pub flagged: bool,
}

impl App {
    pub(super) fn set_setup(&mut self, setup: RiskSetup) {
        self.weights = setup.weights.clone();
        self.sensitive = setup.banner();
        self.data.setup = Some(setup);
        // Ranks weigh the setup: the list on screen is asked again.
        self.refresh_view();
    }

    pub(super) fn set_rollcall(&mut self, sheet: RollcallSheet) {
        self.data.rollcall = Some(sheet);
        self.rebuild_rows();
    }

    /// The roll-call in screen order: flagged first, then the rest still
    /// missing, then those who reported (有情况 before 零报告).
    pub fn rollcall_rows(&self) -> Vec<RollRow<'_>> {
        let Some(s) = &self.data.rollcall else {
            return Vec::new();
        };
        let mut rows: Vec<RollRow> = s
            .missing
            .iter()
            .map(|u| RollRow {
                unit: u,
                entry: None,
                flagged: s.flagged.contains(u),
            })
            .collect();
        rows.sort_by_key(|r| !r.flagged);
        let mut reported: Vec<&RollcallEntry> = s.reported.iter().collect();
        reported.sort_by_key(|e| (e.kind, e.at));
        rows.extend(reported.into_iter().map(|e| RollRow {
            unit: &e.unit,
            entry: Some(e),
            flagged: false,
        }));
        rows
    }

    /// The reporting unit under the cursor on the roll-call screen.
    pub(super) fn selected_unit(&self) -> Option<String> {
        let i = self.lists[View::Rollcall.index()].selected;
        self.rollcall_rows().get(i).map(|r| r.unit.to_string())
    }

    /// `:report daily|monthly|analysis|handover|access`.
    pub(super) fn ask_report(&mut self, arg: &str) {
        let kind = match Kind::parse(if arg.is_empty() { "daily" } else { arg }) {
            Ok(k) => k,
            Err(e) => return self.say(e.to_string(), true),
        };
        self.request_report(kind);
        self.note(format!("正在生成{}…", kind.label()), NoteKind::Generating);
    }

    fn request_report(&mut self, kind: Kind) {
        let spec = Spec::of(kind);
        self.out
            .push(Out::Request(Want::Report, Request::Report { spec }));
    }

    /// The desk opened: a new shift (first time, or hours since the last)
    /// starts with the handover report.
    pub(super) fn on_shift_mark(&mut self, mark: Option<String>) {
        let last = mark.and_then(|m| DateTime::<FixedOffset>::parse_from_rfc3339(&m).ok());
        let new_shift = last.is_none_or(|t| self.now - t >= Duration::hours(SHIFT_HOURS));
        // Only those the desk would show it to are offered the handover: a
        // 责任人 is not told "无权查看交接班" just for logging in.
        let may_see = self
            .me
            .as_ref()
            .is_some_and(|me| Kind::Handover.readable_by(me.role));
        if new_shift && may_see {
            let spec = Spec::of(Kind::Handover);
            self.out
                .push(Out::Request(Want::Handover, Request::Report { spec }));
        }
        self.out.push(Out::Request(
            Want::SaveDraft,
            Request::SaveDraft {
                slot: DraftSlot::Shift,
                form: None,
                value: Some(self.now.to_rfc3339()),
            },
        ));
    }
}
