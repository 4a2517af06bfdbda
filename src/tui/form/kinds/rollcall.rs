//! 登记点名上报: a village's or unit's daily report, taken by the desk.

use super::{choice, labels, Built, Start};
use crate::desk::api::Request;
use crate::domain::lists::{Channel, RollcallKind};
use crate::domain::rollcall::NewRollcall;
use crate::tui::form::{Field, FieldKind, Form, Key, Options};

pub(super) fn fields(_: &Start) -> Vec<Field> {
    vec![
        Field::new(
            Key::Unit,
            "村(社区)/单位",
            true,
            FieldKind::Choice(Options::Reporters),
        ),
        choice(
            Key::Kind,
            "报告类型",
            labels(RollcallKind::ALL, RollcallKind::label),
            RollcallKind::Zero.label(),
        ),
        choice(
            Key::Channel,
            "报告方式",
            labels(Channel::ALL, Channel::label),
            Channel::Phone.label(),
        ),
        Field::new(Key::Text, "报告内容", false, FieldKind::Text).hint("有情况时必填：说了什么"),
    ]
}

pub(super) fn build(f: &mut Form) -> Option<Built> {
    let new = NewRollcall {
        unit: f.get(Key::Unit),
        date: None,
        kind: f.choice(Key::Kind, RollcallKind::parse)?,
        channel: f.choice(Key::Channel, Channel::parse)?,
        text: f.get(Key::Text),
    };
    if new.kind == RollcallKind::News && new.text.is_empty() {
        f.fail(Key::Text, "报告“有情况”须写明情况");
        return None;
    }
    Some(Built::Once {
        request: Request::RecordRollcall { new },
        done: "已登记上报",
    })
}
