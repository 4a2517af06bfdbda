//! The detail of one record (a dispute or a key person), fetched when it
//! opens and refetched when a notice touches it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::desk::api::Request;
use crate::domain::dispute::Dispute;
use crate::domain::lists::Role;
use crate::domain::person::KeyPerson;
use crate::domain::record::RecordKind;
use crate::print;
use crate::tui::app::{App, Out, Overlay, Want};
use crate::tui::input::Input;
use crate::tui::overlay::command::CommandLine;
use crate::tui::views::{accent, block, warn};

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Dispute(Box<Dispute>),
    Person(Box<KeyPerson>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    /// 编号 of a dispute (MD-…) or a person (RY-…).
    pub id: String,
    pub record: Option<Record>,
    pub error: Option<String>,
    pub scroll: u16,
    /// An open case's 风险分 with its reasons, as the server ranks it.
    pub score: Option<crate::domain::risk::Score>,
    /// Opened by breaking the glass, with this reason: said on top, and
    /// given again when the record is read again.
    pub glass: Option<String>,
}

impl Detail {
    pub(in crate::tui) fn new(id: &str) -> Detail {
        Detail {
            id: id.to_string(),
            record: None,
            error: None,
            scroll: 0,
            score: None,
            glass: None,
        }
    }
}

impl App {
    pub fn open_detail(&mut self, id: &str) {
        self.overlays.retain(|o| !matches!(o, Overlay::Detail(_)));
        self.overlays.push(Overlay::Detail(Detail::new(id)));
        self.fetch(id);
    }

    /// Break the glass: opens a person outside the officer's scope with
    /// the reason typed at the prompt (`:go RY-… 理由`); the desk logs it.
    pub(in crate::tui) fn open_with_reason(&mut self, id: &str, reason: &str) {
        self.overlays.retain(|o| !matches!(o, Overlay::Detail(_)));
        let mut d = Detail::new(id);
        d.glass = Some(reason.to_string());
        self.overlays.push(Overlay::Detail(d));
        self.fetch(id);
    }

    /// Only a 责任人 is refused a person for scope; 只读 sees no one at all.
    pub(in crate::tui) fn may_break_glass(&self, id: &str) -> bool {
        RecordKind::of_id(id) == RecordKind::Person
            && self
                .me
                .as_ref()
                .is_some_and(|m| m.role == Role::Responsible)
    }

    /// The prompt for a break-the-glass reason: the command line, filled in.
    pub(in crate::tui) fn ask_glass_reason(&mut self, id: &str) {
        self.overlays.push(Overlay::Command(CommandLine {
            input: Input::with_text(&format!("go {id} ")),
            hint: Some("确需查看请写明理由后按 Enter（记入操作日志）；Esc 放弃".into()),
        }));
    }

    /// Asks for the record behind an open detail.
    pub(in crate::tui) fn fetch(&mut self, id: &str) {
        let want = Want::Record(id.to_string());
        let glass = self.overlays.iter().find_map(|o| match o {
            Overlay::Detail(d) if d.id == id => d.glass.clone(),
            _ => None,
        });
        let req = match RecordKind::of_id(id) {
            RecordKind::Person => Request::Person {
                id: id.to_string(),
                reason: glass,
            },
            RecordKind::Dispute | RecordKind::Officer | RecordKind::List => {
                Request::Dispute { id: id.to_string() }
            }
        };
        self.out.push(Out::Request(want, req));
    }

    /// The record arrived (or could not be read): every open detail of it shows that.
    pub(in crate::tui) fn fill_detail(&mut self, id: &str, record: Result<Record, String>) {
        // An open case's score is the server's (its ranks weigh every case).
        if let Ok(Record::Dispute(x)) = &record {
            if x.status.is_open() {
                let s = crate::domain::summary::Summary::of(x);
                let draft = crate::desk::views::TriageDraft {
                    risk: s.risk,
                    tier: None,
                    flags: s.flags,
                };
                self.out.push(Out::Request(
                    Want::Score(id.to_string()),
                    Request::Preview {
                        id: id.to_string(),
                        draft,
                    },
                ));
            }
        }
        for o in &mut self.overlays {
            if let Overlay::Detail(d) = o {
                if d.id == id {
                    match &record {
                        Ok(r) => {
                            d.record = Some(r.clone());
                            d.error = None;
                        }
                        Err(e) => d.error = Some(e.clone()),
                    }
                }
            }
        }
    }
}

pub fn draw(f: &mut Frame, app: &App, d: &Detail, area: Rect) {
    let outer = block(app, Span::styled(format!(" {} 详情 ", d.id), accent()));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let today = app.today();
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &d.error {
        lines.push(Line::styled(e.clone(), warn()));
    }
    if let Some(why) = &d.glass {
        lines.push(Line::styled(
            format!(
                "【破格查阅】理由：{}（已记入操作日志，查阅情况报表可见）",
                crate::domain::text::clean_line(why)
            ),
            warn(),
        ));
    }
    match &d.record {
        None if d.error.is_none() => lines.push(Line::raw("正在读取…")),
        None => {}
        Some(Record::Dispute(dispute)) => {
            // A closed case has no risk to weigh: no red score.
            let open = dispute.status.is_open();
            if let Some(sc) = d.score.as_ref().filter(|_| open) {
                let reasons: Vec<String> = sc
                    .reasons
                    .iter()
                    .map(|(r, p)| format!("{r} +{p}"))
                    .collect();
                lines.push(Line::styled(
                    format!("风险分 {}：{}", sc.total, reasons.join("，")),
                    warn(),
                ));
                if sc.lateness > 0 {
                    let late: Vec<String> = sc
                        .late_reasons
                        .iter()
                        .map(|(r, p)| format!("{r} +{p}"))
                        .collect();
                    lines.push(Line::raw(format!(
                        "时限压力 {}：{}",
                        sc.lateness,
                        late.join("，")
                    )));
                }
            }
            for text in print::dispute_text(dispute, today, &app.data.names).lines() {
                lines.push(styled_detail_line(text));
            }
        }
        Some(Record::Person(p)) => {
            for text in print::person_text(p, today, &app.data.names).lines() {
                lines.push(styled_detail_line(text));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((d.scroll, 0)),
        inner,
    );
}

fn styled_detail_line(text: &str) -> Line<'static> {
    let text = text.to_string();
    if text.starts_with("【")
        || text.contains("【已逾期】")
        || text.contains("【挂牌督办】")
        || text.contains("已过复核日期")
    {
        Line::styled(text, warn())
    } else if let Some((head, rest)) = text
        .split_once('：')
        .filter(|(h, _)| !h.starts_with(' ') && h.chars().count() <= 6)
    {
        Line::from(vec![
            Span::styled(
                format!("{head}："),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(rest.to_string()),
        ])
    } else {
        Line::raw(text)
    }
}
