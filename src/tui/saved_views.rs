//! Saved views (k9s's saved filters): `:save 名称` keeps the screen, its
//! filter, its 在办/全部 scope and its sort under a name; `:view 名称` brings
//! them back. They live on the server in the officer's `DraftSlot::Views`
//! (one small JSON value per officer), so they follow the officer to any
//! terminal. A screen's own name (`:view 督办`) comes first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::app::{App, Out, View, Want};
use super::sort::{Sort, SortKey};
use crate::desk::api::{DraftSlot, Request};

/// The longest name a saved view may have (it is typed and completed).
const MAX_NAME_CHARS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    /// The screen's label (待处理, 督办 …): labels outlive enum reorderings.
    pub screen: String,
    #[serde(default)]
    pub filter: String,
    #[serde(default)]
    pub everything: bool,
    /// The sort column's heading, if sorted.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub descending: bool,
}

pub type SavedViews = BTreeMap<String, SavedView>;

/// The views as the server keeps them; anything unreadable counts as none.
pub fn parse(text: Option<&str>) -> SavedViews {
    text.and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

impl App {
    /// The first requests ask for the views too (see `App::load`).
    pub(super) fn ask_saved_views(&mut self) {
        self.out.push(Out::Request(
            Want::SavedViews,
            Request::Draft {
                slot: DraftSlot::Views,
            },
        ));
    }

    /// `:save 名称`.
    pub(super) fn save_view(&mut self, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            return self.say("请写出名称，如 :save 东河村逾期", true);
        }
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return self.say(format!("视图名称最多 {MAX_NAME_CHARS} 个字"), true);
        }
        if View::parse(name).is_some() {
            return self.say(format!("“{name}”与屏幕名相同，请换一个名称"), true);
        }
        let l = &self.lists[self.view.index()];
        let view = SavedView {
            screen: self.view.label().to_string(),
            filter: l.filter.text(),
            everything: l.everything,
            sort: l.sort.map(|s| s.key.label().to_string()),
            descending: l.sort.is_some_and(|s| s.descending),
        };
        self.saved_views.insert(name.to_string(), view);
        let value = serde_json::to_string(&self.saved_views).ok();
        self.out.push(Out::Request(
            Want::SaveDraft,
            Request::SaveDraft {
                slot: DraftSlot::Views,
                form: None,
                value,
            },
        ));
        self.say(format!("已保存视图“{name}”，用 :view {name} 打开"), false);
    }

    /// `:view 名称` for a saved view; false when there is none by that name.
    pub(super) fn open_saved_view(&mut self, name: &str) -> bool {
        let Some(v) = self.saved_views.get(name.trim()).cloned() else {
            return false;
        };
        let Some(screen) = View::ALL.iter().copied().find(|s| s.label() == v.screen) else {
            return false;
        };
        self.switch(screen.index());
        let l = &mut self.lists[screen.index()];
        l.everything = v.everything;
        l.sort = v.sort.as_deref().and_then(SortKey::parse).map(|key| Sort {
            key,
            descending: v.descending,
        });
        l.filter.set(&v.filter);
        l.editing = false;
        if v.filter.is_empty() {
            l.filtered = None;
        }
        l.selected = 0;
        l.offset = 0;
        self.run_search(screen);
        self.say(format!("已打开视图“{}”", name.trim()), false);
        true
    }

    /// The names for `:view` completion.
    pub(super) fn saved_view_names(&self) -> impl Iterator<Item = &String> {
        self.saved_views.keys()
    }
}
