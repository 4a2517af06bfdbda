//! What a reply from the desk does to the model. Each reply comes back with
//! the `Want` it was asked with; the match names every `Want`, so a new one
//! does not compile until its reply is handled here.

use super::app::{App, Overlay, Record, View, Want};
use crate::desk::api::{DeskError, Response};
use crate::domain::officer::Names;

impl App {
    pub fn on_reply(&mut self, want: Want, result: Result<Response, DeskError>) {
        use Response as R;
        match (want, result) {
            // These take failures too: the form, the batch or the detail shows them.
            (Want::Flow { kind, target, done }, result) => {
                self.on_flow((kind, target, done), result)
            }
            (Want::Direct(id), result) => self.on_direct(id, result),
            (Want::Record(id), result) => self.on_record(&id, result),
            (Want::SaveDraft | Want::Looking, Ok(_)) => {}
            (Want::Whoami, Ok(R::Officer(o))) => {
                // 我的 depends on who is asking.
                self.me = Some(o);
                self.rebuild_rows();
            }
            (Want::Officers, Ok(R::Officers(list))) => {
                self.data.names = Names::of(&list);
                self.data.officers = list.into_iter().map(|o| (o.login.clone(), o)).collect();
            }
            (
                Want::Window {
                    view,
                    gen,
                    query,
                    limit,
                },
                Ok(R::Window(w)),
            ) => self.on_window(view, gen, Some(query), *w, limit),
            (Want::Mine { gen, limit }, Ok(R::Mine(m))) => self.on_mine(gen, *m, limit),
            (Want::Window { view, gen, .. }, Err(e)) => self.window_failed(view, gen, e),
            (Want::Mine { gen, .. }, Err(e)) => self.window_failed(View::Mine, gen, e),
            (Want::Alerts, Ok(R::Window(w))) => self.on_alerts(*w),
            (Want::Tally, Ok(R::Tally(t))) => self.data.tally = *t,
            (Want::Dashboard, Ok(R::Report(r))) => {
                if let crate::domain::reports::Figures::Analysis(a) = r.figures {
                    self.data.analysis = Some(a);
                }
            }
            (Want::Ids { part, open }, Ok(R::Ids(ids))) => self.on_ids(part, open, ids),
            (Want::Locate { view, id }, Ok(R::Located(at))) => self.on_located(view, &id, at),
            (Want::Elsewhere { view, search }, Ok(R::Window(w))) => {
                self.lists[view.index()].elsewhere = Some((search, w.total))
            }
            (Want::Live(ask), result) => self.on_live(ask, result),
            (Want::Score(id), Ok(R::Row(row))) => self.on_score(&id, row.map(|r| r.score())),
            (Want::Lists, Ok(R::Lists(l))) => self.data.lists = l,
            (Want::Draft, Ok(R::Draft(d))) => {
                if !self.overlays.iter().any(|o| matches!(o, Overlay::Form(_))) {
                    self.on_draft(d)
                }
            }
            (Want::LastAction, Ok(R::Undoable(info))) => self.on_last_action(info),
            (Want::Undo, Ok(R::Undone(i))) => {
                self.say(format!("已撤销「{}」{}", i.action, i.target), false)
            }
            (Want::RiskSetup, Ok(R::RiskSetup(setup))) => self.set_setup(*setup),
            (Want::Rollcall, Ok(R::Rollcall(sheet))) => self.set_rollcall(*sheet),
            (Want::Report, Ok(R::Report(r))) => self.on_report(*r),
            (Want::Handover, Ok(R::Report(r))) => self.on_handover(*r),
            (Want::ShiftMark, Ok(R::Draft(mark))) => self.on_shift_mark(mark),
            (Want::Persons, Ok(R::Persons(p))) => self.set_persons(p),
            (Want::PersonAlerts, Ok(R::PersonCounts(c))) => self.data.person_alerts = c.alerts,
            (Want::PersonCounts, Ok(R::PersonCounts(c))) => self.say(
                format!(
                    "重点人员：在册 {} 人，逾期未访 {} 人，失访 {} 人，待复核 {} 人（只读账号只看统计数字）",
                    c.active, c.standing.overdue, c.standing.lost, c.standing.review_due
                ),
                false,
            ),
            (Want::SavedViews, Ok(R::Draft(text))) => {
                self.saved_views = super::saved_views::parse(text.as_deref())
            }
            (
                Want::SaveDraft
                | Want::Looking
                | Want::Whoami
                | Want::Officers
                | Want::Window { .. }
                | Want::Mine { .. }
                | Want::Alerts
                | Want::Tally
                | Want::Dashboard
                | Want::Ids { .. }
                | Want::Locate { .. }
                | Want::Elsewhere { .. }
                | Want::Score(_)
                | Want::Lists
                | Want::Draft
                | Want::LastAction
                | Want::Undo
                | Want::RiskSetup
                | Want::Rollcall
                | Want::Report
                | Want::Handover
                | Want::ShiftMark
                | Want::SavedViews
                | Want::Persons
                | Want::PersonCounts
                | Want::PersonAlerts,
                result,
            ) => self.unexpected(result),
        }
    }

    /// A failure, or an answer of the wrong kind, to a request nothing else
    /// reports on: the status line says so.
    fn unexpected(&mut self, result: Result<Response, DeskError>) {
        match result {
            Err(e) => self.say(e.to_string(), true),
            Ok(_) => self.say("服务端应答异常", true),
        }
    }

    /// A window that could not be had: the list says so and may be asked
    /// again (moving the cursor, switching back).
    fn window_failed(&mut self, view: View, gen: u64, e: DeskError) {
        let win = &mut self.data.wins[view.index()];
        if win.asked == gen {
            win.waiting = false;
            self.lists[view.index()].searching = false;
        }
        self.say(e.to_string(), true);
    }

    /// An open detail's score came.
    fn on_score(&mut self, id: &str, score: Option<crate::domain::risk::Score>) {
        for o in &mut self.overlays {
            if let Overlay::Detail(d) = o {
                if d.id == id {
                    d.score = score.clone();
                }
            }
        }
    }

    /// The record behind an open detail, or why it could not be read.
    fn on_record(&mut self, id: &str, result: Result<Response, DeskError>) {
        match result {
            Ok(Response::Dispute(d)) => self.fill_detail(id, Ok(Record::Dispute(d))),
            Ok(Response::Person(p)) => self.fill_detail(id, Ok(Record::Person(p))),
            Err(DeskError::Forbidden(e)) if self.may_break_glass(id) => {
                self.fill_detail(id, Err(e));
                self.ask_glass_reason(id);
            }
            Err(e) => self.fill_detail(id, Err(e.to_string())),
            other => self.unexpected(other),
        }
    }
}
