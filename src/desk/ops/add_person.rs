//! 登记重点人员: a person enters the register with a reason and a review
//! date, and gets the next RY- 编号.

use super::context::in_list;
use super::{Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::{DeskError, Response};
use crate::desk::local::{committed, keep_reply, Reply};
use crate::domain::person::{KeyPerson, NewPerson};
use crate::domain::record::person_id;
use crate::store::Before;

/// Registering a key person takes a `NewPerson`; this names the operation.
pub struct AddPerson;

impl Described for AddPerson {
    const SPEC: Spec = Spec {
        op: Op::AddPerson,
        action: "登记重点人员",
        verb: "登记重点人员",
        done: "已登记重点人员",
        cli: "person add",
        entry: Entry::Form("登记重点人员"),
        who: Who::Desk,
    };
}

pub(crate) fn run(cx: &Cx, mut new: NewPerson) -> Result<Reply, DeskError> {
    let spec = &AddPerson::SPEC;
    spec.who.permit(cx.me, None, spec.verb)?;
    new.village = in_list(&cx.lists.villages, "村(社区)", &new.village)?;
    new.officer = cx.roster.worker(&new.officer)?;
    let rules = cx.local.person_rules()?;
    let c = cx.local.store().write(cx.by(), cx.now, |tx| {
        let id = person_id(tx.next_seq("person")?);
        let mut p = KeyPerson::register(id.clone(), new, &rules, cx.by(), cx.now)?;
        tx.put_person(&mut p)?;
        tx.remember_undo(spec.action, &id, Before::Person(None))?;
        tx.audit(
            spec.action,
            &id,
            &format!(
                "{} {} {} 理由：{} 复核日期 {}",
                p.name,
                p.category.label(),
                p.grade().label(),
                p.reason,
                p.review_date
            ),
        );
        keep_reply(tx, &Response::Created(id.clone()));
        Ok::<_, DeskError>(id)
    })?;
    Ok(committed(
        Response::Created(c.value),
        spec.action,
        cx.by(),
        c.revision,
        c.touched,
    ))
}
