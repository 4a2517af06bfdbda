//! 登记: a new dispute gets the year's next 编号.

use chrono::Datelike;

use super::context::{flags_from_text, in_list};
use super::{Cx, Described, Entry, Op, Spec, Who};
use crate::desk::api::{DeskError, Response};
use crate::desk::local::{committed, keep_reply, Reply};
use crate::domain::dispute::{Dispute, NewDispute};
use crate::domain::record::dispute_id;
use crate::store::Before;

/// Registering takes a `NewDispute`; this names the operation.
pub struct Register;

impl Described for Register {
    const SPEC: Spec = Spec {
        op: Op::Register,
        action: "登记",
        verb: "登记矛盾纠纷",
        done: "已登记",
        cli: "add dispute",
        entry: Entry::Form("登记矛盾纠纷"),
        who: Who::Desk,
    };
}

pub(crate) fn run(cx: &Cx, mut new: NewDispute) -> Result<Reply, DeskError> {
    let spec = &Register::SPEC;
    spec.who.permit(cx.me, None, spec.verb)?;
    new.village = in_list(&cx.lists.villages, "村(社区)", &new.village)?;
    new.category = in_list(&cx.lists.categories, "纠纷类型", &new.category)?;
    let c = cx.local.store().write(cx.by(), cx.now, |tx| {
        for p in &new.parties {
            if let Some(pid) = &p.person_id {
                tx.person(pid)?;
            }
        }
        let year = cx.now.year();
        let id = dispute_id(year, tx.next_seq(&format!("dispute:{year}"))?);
        let summary = new.summary.clone();
        let mut d = Dispute::register(id.clone(), new, cx.by(), cx.now)?;
        flags_from_text(cx, &mut d, &summary);
        tx.put_dispute(&mut d)?;
        tx.remember_undo(spec.action, &id, Before::Dispute(None))?;
        tx.audit(
            spec.action,
            &id,
            &format!("{} {} {}", d.village, d.category, d.title),
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
