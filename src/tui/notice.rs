//! What another officer's change (a notice from the server) and the
//! connection coming and going do to the model.

use super::app::{App, NoteKind, Out, Overlay, View, Want};
use crate::desk::api::Request;
use crate::desk::Notice;
use crate::domain::record::RecordKind;

impl App {
    /// Another officer's change: refetch what it touched.
    pub fn on_notice(&mut self, n: Notice) {
        let disputes: Vec<String> = n
            .touched
            .iter()
            .filter(|t| t.kind == RecordKind::Dispute)
            .map(|t| t.id.clone())
            .collect();
        if self.me.as_ref().is_some_and(|me| me.login == n.actor) {
            self.own_changes.extend(disputes.iter().cloned());
        }
        // The list on screen and the strip follow by the server's pushes;
        // the counts, 我的 and the dashboard are asked again.
        if !disputes.is_empty() {
            self.ask_tally();
            match self.view {
                View::Mine if self.query_of(View::Mine).is_none() => self.refresh_view(),
                View::Dashboard => self.ask_dashboard(),
                _ => {}
            }
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::Person) {
            self.out
                .push(Out::Request(Want::PersonAlerts, Request::PersonCounts));
        }
        // A new list state of a register already shown (logged once more).
        if self.data.persons_asked && n.touched.iter().any(|t| t.kind == RecordKind::Person) {
            self.out.push(Out::Request(
                Want::Persons,
                Request::Persons {
                    include_ended: false,
                },
            ));
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::List) {
            self.out.push(Out::Request(Want::Lists, Request::Lists));
            self.out
                .push(Out::Request(Want::RiskSetup, Request::RiskSetup));
            self.out.push(Out::Request(
                Want::Rollcall,
                Request::Rollcall { date: None },
            ));
        }
        if n.touched.iter().any(|t| t.kind == RecordKind::Officer) {
            self.out
                .push(Out::Request(Want::Officers, Request::Officers));
        }
        // An open detail of a changed record is refreshed too.
        let open: Vec<String> = self
            .overlays
            .iter()
            .filter_map(|o| match o {
                Overlay::Detail(d) if n.touched.iter().any(|t| t.id == d.id) => Some(d.id.clone()),
                _ => None,
            })
            .collect();
        for id in open {
            self.fetch(&id);
        }
        // By name; the server's own sweep is 系统（自动）.
        let who = self.data.names.name(&n.actor).to_string();
        // The officer's own change already has its message.
        if self.me.as_ref().is_some_and(|m| m.login == n.actor) {
            return;
        }
        // Records an officer knows by number; a person of the roster by
        // name; settings and lists by the action alone (their keys are code).
        let ids: Vec<String> = n
            .touched
            .iter()
            .filter_map(|t| match t.kind {
                RecordKind::Dispute | RecordKind::Person => Some(t.id.clone()),
                RecordKind::Officer => Some(self.data.names.name(&t.id).to_string()),
                RecordKind::List => None,
            })
            .collect();
        self.say(format!("{who} {} {}", n.action, ids.join(" ")), false);
    }

    pub fn set_online(&mut self, online: bool, why: Option<String>) {
        let was = self.online;
        self.online = online;
        if !online {
            self.say(why.unwrap_or_else(|| "连接中断，正在重连…".into()), true);
        } else if !was && self.dropped {
            // Notices may have been missed while away: load everything again.
            self.note("已重新连接，正在刷新", NoteKind::Refreshing);
            // The register is fetched again only when the watchlist is next opened.
            self.data.persons_asked = false;
            self.load();
            // The server forgot the old connection's presence: tell it again.
            self.told_looking = None;
        }
        self.dropped |= was && !online;
    }
}
