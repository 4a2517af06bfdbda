//! The help overlay (`?`): every binding of the live keymap and the `:`
//! commands, filtered as the officer types.

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::tui::app::App;
use crate::tui::input::Input;
use crate::tui::keymap::Layer;
use crate::tui::views::{accent, block, clear_popup};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Help {
    pub filter: Input,
    pub scroll: u16,
}

impl Help {
    /// A typed key narrows the list, which starts again from the top.
    pub fn type_key(&mut self, key: &KeyEvent) {
        if self.filter.edit(key) {
            self.scroll = 0;
        }
    }

    pub fn draw(&self, f: &mut Frame, app: &App, area: Rect) {
        let Help { filter, scroll } = self;
        let popup = area;
        clear_popup(f, popup);
        let outer = block(
            app,
            Span::styled(" 帮助：按键一览（输入文字筛选，Esc 关闭） ", accent()),
        );
        let inner = outer.inner(popup);
        f.render_widget(outer, popup);
        let [input, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        let prefix = "筛选：";
        f.render_widget(Paragraph::new(format!("{prefix}{}", filter.text())), input);
        f.set_cursor_position(Position::new(
            input.x + prefix.width() as u16 + filter.caret_column(),
            input.y,
        ));
        let q = filter.text().to_lowercase();
        let mut lines = Vec::new();
        for layer in Layer::ALL {
            let rows: Vec<Line> = app
                .keymap
                .bindings(layer)
                .iter()
                .map(|b| {
                    (
                        b.keys
                            .iter()
                            .map(|k| k.label())
                            .collect::<Vec<_>>()
                            .join(" / "),
                        b.desc.clone(),
                    )
                })
                .filter(|(k, d)| {
                    q.is_empty()
                        || d.contains(&q)
                        || k.to_lowercase().contains(&q)
                        || layer.label().contains(&q)
                })
                .map(|(k, d)| {
                    Line::from(vec![
                        Span::styled(format!("  {k:<16}"), accent()),
                        Span::raw(d),
                    ])
                })
                .collect();
            if !rows.is_empty() {
                lines.push(Line::styled(
                    format!("【{}】", layer.label()),
                    Style::default().add_modifier(Modifier::BOLD),
                ));
                lines.extend(rows);
            }
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "【命令行 :】",
            Style::default().add_modifier(Modifier::BOLD),
        ));
        for (c, d) in [
            ("go 编号", "打开案件或重点人员"),
            ("village 村名", "风险队列按村筛选"),
            ("person 姓名", "重点人员按姓名筛选"),
            ("view 屏名", "切换到某一屏"),
            (
                "export 文件",
                "导出台账（.xlsx/.csv；风险队列按村筛选时只导该村）",
            ),
            ("export persons 文件", "导出重点人员名单（记入日志）"),
            ("q", "退出"),
        ] {
            if q.is_empty() || c.contains(&q) || d.contains(&q) {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {c:<16}"), accent()),
                    Span::raw(d),
                ]));
            }
        }
        f.render_widget(Paragraph::new(lines).scroll((*scroll, 0)), body);
    }
}
