//! The 预警 strip: cases whose alert nobody has acknowledged, in front of
//! every 值班员, 领导 and 管理员 whatever view they are on, newest first;
//! and the status line when another officer's change raises one.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::app::App;
use crate::domain::lists::Role;
use crate::domain::summary::Summary;
use crate::domain::text::clean_line;

impl App {
    /// Whether this officer keeps watch for alerts (not 责任人 or 只读).
    pub fn watches_alerts(&self) -> bool {
        self.me
            .as_ref()
            .is_some_and(|o| matches!(o.role, Role::DutyOfficer | Role::Leader | Role::Admin))
    }

    /// How many cases carry an open alert, and the newest (`Screen::Alerts`,
    /// as the server keeps it).
    pub fn open_alerts(&self) -> (usize, Option<&Summary>) {
        match &self.data.alerts {
            Some(w) => (w.total as usize, w.rows.first().map(|r| &r.case)),
            None => (0, None),
        }
    }

    /// Cases newly on the strip are said on the status line at once.
    pub(super) fn announce_alerts(&mut self, raised: &[Summary]) {
        if !self.watches_alerts() {
            return;
        }
        if let Some(s) = raised.first() {
            let more = if raised.len() > 1 {
                format!("等 {} 件", raised.len())
            } else {
                String::new()
            };
            self.say(
                format!("预警：{}{more}，请查看并签收（w）", headline(s)),
                true,
            );
        }
    }
}

/// MD-2026-000123 东河村 扬言极端、民转刑倾向
fn headline(s: &Summary) -> String {
    let alarms: Vec<&str> = s
        .flags
        .iter()
        .filter(|f| f.is_alarm())
        .map(|f| f.label())
        .collect();
    format!("{} {} {}", s.id, clean_line(&s.village), alarms.join("、"))
}

/// Rows the strip needs: one while alerts are open, none otherwise.
pub fn height(app: &App) -> u16 {
    u16::from(
        app.watches_alerts() && (app.open_alerts().0 > 0 || !app.data.person_alerts.is_empty()),
    )
}

/// 重点人员预警 2 人（RY-000003 等）: ids only, the strip names nobody.
fn persons_part(app: &App) -> Option<String> {
    let ids = &app.data.person_alerts;
    let first = ids.first()?;
    let more = if ids.len() > 1 { " 等" } else { "" };
    Some(format!("重点人员预警 {} 人（{first}{more}）", ids.len()))
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let (open, first) = app.open_alerts();
    let persons = persons_part(app);
    let style = Style::default()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD);
    let text = match (first, persons) {
        (Some(first), None) => format!(" 预警 {open} 件 · {} · 选中后按 w 签收", headline(first)),
        (Some(first), Some(p)) => format!(
            " 预警 {open} 件 · {} · {p} · 选中后按 w 签收",
            headline(first)
        ),
        (None, Some(p)) => format!(" {p} · :go 编号 打开后按 w 签收"),
        (None, None) => return,
    };
    let line = Line::from(Span::styled(text, style));
    f.render_widget(Paragraph::new(line).style(style), area);
}
