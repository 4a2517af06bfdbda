//! 添加进展: a contact, a mediation, a talk — what happened on the case.

use serde::{Deserialize, Serialize};

use super::context::{flags_from_text, preview_lines};
use super::{CaseOp, Change, Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::dispute::Dispute;
use crate::domain::lists::ContactKind;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub kind: ContactKind,
    pub text: String,
}

impl Described for Note {
    const SPEC: Spec = Spec {
        op: Op::Note,
        action: "添加进展",
        verb: "添加进展",
        done: "已添加进展",
        cli: "note",
        entry: Entry::Form("添加进展"),
        who: Who::Assignee,
    };
}

impl CaseOp for Note {
    fn apply(self, cx: &Cx, d: &mut Dispute) -> Result<String, DeskError> {
        d.add_note(self.kind, &self.text, cx.by(), cx.now)?;
        flags_from_text(cx, d, &self.text);
        Ok(format!(
            "{}：{}",
            self.kind.label(),
            preview_lines(&self.text)
        ))
    }
}

impl From<Note> for Change {
    fn from(c: Note) -> Change {
        Change::Note(c)
    }
}
