//! 包案领导审批: 同意 or 不同意, and a comment.

use super::{choice, owned, Built, Start};
use crate::desk::ops::Decide;
use crate::tui::form::{Field, FieldKind, Form, Key, Options};

const DECISIONS: [&str; 2] = ["同意", "不同意"];

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        choice(
            Key::Decision,
            "审批意见",
            Options::Fixed(owned(&DECISIONS)),
            DECISIONS[0],
        ),
        Field::new(Key::Comment, "批示", false, FieldKind::Text),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    Some(Built::PerTarget(
        Decide {
            approve: f.get(Key::Decision) == DECISIONS[0],
            comment: f.get(Key::Comment),
        }
        .into(),
    ))
}
