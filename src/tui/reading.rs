//! The text reader on the forms: reads the 矛盾情况 as it is typed (登记)
//! or the case's own (研判), and the one key that accepts the suggestions.
//! What the form does with a reading is `form/reading.rs`.

use super::app::{App, Overlay};
use super::form::{Form, FormKind, Key};
use super::keymap::{Action, Layer};
use crate::domain::reading::{read, Phrases};

impl App {
    /// Reads the form's text with the township's categories.
    pub(super) fn read_form(&self, form: &mut Form) {
        let text = match form.kind {
            FormKind::Register => form.get(Key::Summary),
            _ => form
                .targets
                .first()
                .and_then(|t| self.case(&t.id))
                .map(|s| s.summary)
                .unwrap_or_default(),
        };
        let reading = read(&text, Phrases::shared(), &self.data.lists.categories);
        form.take_reading(reading);
    }

    /// "文字建议（F4 采用）：类型 劳资/欠薪、金额 3万元" while any differ
    /// from the fields.
    pub(super) fn suggestions_line(&self, form: &Form) -> Option<String> {
        let open = form.open_suggestions();
        if open.is_empty() {
            return None;
        }
        let key = self
            .keymap
            .key_label(Layer::Form, Action::AcceptSuggestions)
            .map(|k| format!("（{k} 采用）"))
            .unwrap_or_default();
        Some(match &form.offer {
            Some(offer) => format!("建议{key}：{}（{}）", open.join("、"), offer.reason),
            None => format!("文字建议{key}：{}", open.join("、")),
        })
    }

    /// Fills the fields with every suggestion; each can be changed after.
    pub(super) fn accept_suggestions(&mut self) {
        let filled = match self.overlays.last_mut() {
            Some(Overlay::Form(form)) => form.accept_suggestions(),
            _ => return,
        };
        if filled.is_empty() {
            return self.say("没有待采用的文字建议", false);
        }
        self.after_form_change();
        self.say(
            format!("已采用文字建议：{}（可再修改）", filled.join("、")),
            false,
        );
    }
}
