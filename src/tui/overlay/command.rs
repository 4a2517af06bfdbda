//! The `:` command line: go, village, person, view, report, export, with
//! completion. It sits in the hint bar's row while open.

use std::collections::BTreeSet;

use crate::desk::api::Request;
use crate::tui::app::Want;

use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::domain::record::RecordKind;
use crate::tui::app::{App, Out, Overlay, View};
use crate::tui::client::ExportJob;
use crate::tui::input::Input;
use crate::tui::keymap::Action;
use crate::tui::views::accent;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandLine {
    pub input: Input,
    /// What Tab found, shown after the line.
    pub hint: Option<String>,
}

impl CommandLine {
    pub fn type_key(&mut self, key: &KeyEvent) {
        if self.input.edit(key) {
            self.hint = None;
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect) {
        let text = format!(":{}", self.input.text());
        let mut spans = vec![Span::styled(text, accent())];
        if let Some(h) = &self.hint {
            spans.push(Span::styled(
                format!("    {h}"),
                Style::default().fg(Color::DarkGray),
            ));
        }
        f.render_widget(Clear, area);
        f.render_widget(Paragraph::new(Line::from(spans)), area);
        f.set_cursor_position(Position::new(
            area.x + 1 + self.input.caret_column(),
            area.y,
        ));
    }
}

impl App {
    /// Enter on the command line: it closes, then its command runs.
    pub(in crate::tui) fn run_command_line(&mut self) {
        if let Some(Overlay::Command(c)) = self.overlays.pop() {
            self.run_command(&c.input.text());
        }
    }

    /// `:` commands: go 编号, village 村名, person 姓名, view 屏名, help, q.
    pub fn run_command(&mut self, line: &str) {
        let line = line.trim().trim_start_matches(':');
        let (cmd, arg) = line
            .split_once(char::is_whitespace)
            .map(|(c, a)| (c, a.trim()))
            .unwrap_or((line, ""));
        match cmd {
            "" => {}
            "go" | "g" => self.go(arg),
            "village" | "v" | "cun" => self.filter_view(View::Queue, arg),
            "person" | "p" => self.filter_view(View::Watchlist, arg),
            "view" => match View::parse(arg) {
                Some(v) => self.switch(v.index()),
                None if self.open_saved_view(arg) => {}
                None => {
                    let saved: Vec<&str> = self.saved_view_names().map(|s| s.as_str()).collect();
                    let saved = if saved.is_empty() { String::new() } else { format!("；保存的视图：{}", saved.join("、")) };
                    self.say(format!("没有“{arg}”这一屏，可选：我的、待处理、风险队列、督办、重点人员、回访、研判{saved}"), true)
                }
            },
            "save" | "保存" => self.save_view(arg),
            "export" | "导出" => self.export(arg),
            "sort" | "排序" => self.sort_by(arg),
            "scope" | "范围" => match arg {
                "全部" | "all" | "qb" => self.set_scope(true),
                "在办" | "open" | "zb" => self.set_scope(false),
                _ => self.say("请写 :scope 全部 或 :scope 在办", true),
            },
            "report" | "报表" => self.ask_report(arg),
            "help" | "h" => self.act(Action::Help),
            "q" | "quit" => self.quit = true,
            other => self.say(format!("不认识的命令“{other}”，可用：go 编号、village 村名、person 姓名、view 屏名或视图、save 视图名、scope 全部/在办、report 报表、export 文件、help、q"), true),
        }
    }

    /// `:go 编号`: the whole 编号, or part of it (`3001`, `2026-3001`,
    /// `md-2026-3001`), any case, closed and archived too; the newest year
    /// first when the number recurs.
    /// `:go 编号`: a case by its whole or partial 编号; a person by 编号,
    /// with a reason typed after it when outside one's scope (break the glass).
    fn go(&mut self, arg: &str) {
        let (id, reason) = arg
            .trim()
            .split_once(char::is_whitespace)
            .map(|(i, r)| (i.to_uppercase(), r.trim()))
            .unwrap_or((arg.trim().to_uppercase(), ""));
        if RecordKind::of_id(&id) == RecordKind::Person {
            // Persons are not all held here: the desk decides who may see whom.
            return match reason {
                "" => self.open_detail(&id),
                reason => self.open_with_reason(&id, reason),
            };
        }
        if crate::domain::record::parse_dispute_id(&id).is_some() {
            return self.open_detail(&id);
        }
        if crate::domain::record::PartialId::parse(&id).is_none() {
            return self.say(format!("找不到编号 {arg}"), true);
        }
        // Part of a 编号: the server knows every case.
        self.out.push(Out::Request(
            Want::Ids {
                part: id.clone(),
                open: true,
            },
            Request::Ids { part: id },
        ));
    }

    /// The server's 编号 for `:go` (open the newest; say the others) or
    /// for its completion (shown when the command line still asks).
    pub(in crate::tui) fn on_ids(&mut self, part: String, open: bool, ids: Vec<String>) {
        if !open {
            self.data.ids = Some((part, ids));
            return self.complete();
        }
        let partial = crate::domain::record::PartialId::parse(&part);
        let found: Vec<&String> = ids
            .iter()
            .filter(|id| partial.as_ref().is_some_and(|p| p.matches(id)))
            .collect();
        let Some(first) = found.first().map(|s| s.to_string()) else {
            return self.say(format!("找不到编号 {part}"), true);
        };
        let others: Vec<&str> = found[1..].iter().map(|s| s.as_str()).collect();
        self.open_detail(&first);
        if !others.is_empty() {
            self.say(
                format!("打开 {first}；同号的还有 {}", others.join("、")),
                false,
            );
        }
    }

    /// `:export 台账.xlsx` writes the ledger (narrowed to the village the
    /// risk queue is filtered to, when it is one); `:export persons 文件`
    /// the key-person register. xlsx or csv by the file's ending.
    fn export(&mut self, arg: &str) {
        let (persons, path) = match arg.split_once(char::is_whitespace) {
            Some(("persons" | "重点人员", p)) => (true, p.trim()),
            _ => (false, arg),
        };
        if path.is_empty() {
            return self.say(
                "请写出文件名，如 :export 台账.xlsx 或 :export persons 重点人员.csv",
                true,
            );
        }
        if !(path.ends_with(".xlsx") || path.ends_with(".csv")) {
            return self.say(format!("“{path}”：文件名须以 .xlsx 或 .csv 结尾"), true);
        }
        let filter = self.lists[View::Queue.index()].filter.text();
        let village = self
            .data
            .lists
            .villages
            .iter()
            .find(|v| **v == filter.trim())
            .cloned();
        let what = match (&village, persons) {
            (_, true) => "重点人员名单".to_string(),
            (Some(v), false) => format!("{v}的台账"),
            (None, false) => "台账".to_string(),
        };
        self.out.push(Out::Export(ExportJob {
            persons,
            path: std::path::PathBuf::from(path),
            village,
        }));
        self.say(format!("正在导出{what}到 {path}…"), false);
    }

    pub fn on_exported(&mut self, job: &ExportJob, result: Result<usize, String>) {
        let path = job.path.display();
        match result {
            Ok(n) if job.persons => self.say(format!("已导出 {n} 名重点人员到 {path}"), false),
            Ok(n) => self.say(format!("已导出 {n} 件案件到 {path}"), false),
            Err(e) => self.say(format!("导出失败：{e}"), true),
        }
    }

    fn filter_view(&mut self, view: View, text: &str) {
        self.switch(view.index());
        let l = &mut self.lists[view.index()];
        l.filter.set(text);
        l.editing = false;
        if text.is_empty() {
            l.filtered = None;
        }
        self.run_search(view);
    }

    /// Tab in the command line: the command word, then its argument.
    pub(in crate::tui) fn complete(&mut self) {
        if let Some(part) = self.ids_wanted() {
            self.out.push(Out::Request(
                Want::Ids {
                    part: part.clone(),
                    open: false,
                },
                Request::Ids { part },
            ));
            if let Some(Overlay::Command(CommandLine { hint, .. })) = self.overlays.last_mut() {
                *hint = Some("正在查找编号…".into());
            }
            return;
        }
        let candidates = self.completions();
        if let Some(Overlay::Command(CommandLine { input, hint })) = self.overlays.last_mut() {
            match candidates.as_slice() {
                [] => *hint = Some("没有可补全的内容".into()),
                [one] => input.set(one),
                many => {
                    let prefix = common_prefix(many);
                    if prefix.chars().count() > input.text().chars().count() {
                        input.set(&prefix);
                    }
                    *hint = Some(
                        many.iter()
                            .take(8)
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join("  "),
                    );
                }
            }
        }
    }

    /// The `:go` text whose 编号 the server has not yet given.
    fn ids_wanted(&self) -> Option<String> {
        let Some(Overlay::Command(CommandLine { input, .. })) = self.overlays.last() else {
            return None;
        };
        let text = input.text();
        let (cmd, arg) = text.split_once(' ')?;
        let part = arg.trim().to_uppercase();
        let known = self.data.ids.as_ref().is_some_and(|(p, _)| *p == part);
        (cmd == "go" && !part.is_empty() && !known).then_some(part)
    }

    pub fn completions(&self) -> Vec<String> {
        let Some(Overlay::Command(CommandLine { input, .. })) = self.overlays.last() else {
            return Vec::new();
        };
        let text = input.text();
        let commands = [
            "go ", "village ", "person ", "view ", "save ", "sort ", "scope ", "report ",
            "export ", "help", "q",
        ];
        match text.split_once(' ') {
            None => commands
                .iter()
                .filter(|c| c.starts_with(&text))
                .map(|c| c.to_string())
                .collect(),
            Some((cmd, arg)) => {
                let arg_up = arg.to_uppercase();
                let options: Vec<String> = match cmd {
                    "go" => {
                        // 编号 come from the server (`on_ids` completes again).
                        // Completion extends what is typed: partial numbers
                        // (`5` for MD-2026-000005) are `:go`'s, not Tab's.
                        let mut ids: Vec<String> = match &self.data.ids {
                            Some((part, ids)) if *part == arg_up => ids
                                .iter()
                                .filter(|id| id.contains(&arg_up))
                                .cloned()
                                .collect(),
                            _ => Vec::new(),
                        };
                        ids.sort();
                        ids.extend(
                            self.data
                                .persons
                                .iter()
                                .filter(|p| p.id.contains(&arg_up))
                                .take(10)
                                .map(|p| p.id.clone()),
                        );
                        ids
                    }
                    "sort" => crate::domain::screens::SortKey::ALL
                        .iter()
                        .map(|k| k.label().to_string())
                        .filter(|k| k.starts_with(arg))
                        .collect(),
                    "village" => {
                        let mut v: Vec<String> = self
                            .data
                            .lists
                            .villages
                            .iter()
                            .filter(|v| v.contains(arg))
                            .cloned()
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect();
                        v.truncate(50);
                        v
                    }
                    "person" => self
                        .data
                        .persons
                        .iter()
                        .filter(|p| p.name.contains(arg))
                        .map(|p| p.name.clone())
                        .take(50)
                        .collect(),
                    "scope" => ["全部", "在办"]
                        .iter()
                        .filter(|r| r.starts_with(arg))
                        .map(|r| r.to_string())
                        .collect(),
                    "report" => ["daily", "monthly", "analysis", "handover", "access"]
                        .iter()
                        .filter(|r| r.starts_with(arg))
                        .map(|r| r.to_string())
                        .collect(),
                    "view" => View::ALL
                        .iter()
                        .map(|v| v.label().to_string())
                        .chain(self.saved_view_names().cloned())
                        .filter(|v| v.starts_with(arg))
                        .collect(),
                    _ => Vec::new(),
                };
                options.into_iter().map(|o| format!("{cmd} {o}")).collect()
            }
        }
    }
}

fn common_prefix(items: &[String]) -> String {
    let first: Vec<char> = items[0].chars().collect();
    let mut n = first.len();
    for s in &items[1..] {
        n = n.min(
            s.chars()
                .zip(first.iter())
                .take_while(|(a, b)| a == *b)
                .count(),
        );
    }
    first[..n].iter().collect()
}
