//! 正在查看: what each connection's officer has open. A look names a real
//! record its officer may see, at a bounded rate (`limits`): a desk says it
//! a few times a minute, and every other desk hears it.

use std::time::Instant;

use super::limits::{Rate, LOOKS_BURST, LOOKS_PER_SECOND, MAX_RECORD_ID};
use crate::desk::api::Looking;
use crate::desk::need_to_know::Links;
use crate::desk::Local;
use crate::domain::officer::Officer;
use crate::domain::record::{parse_dispute_id, parse_person_id, RecordKind};

/// One connection's looks.
pub(super) struct Looks {
    rate: Rate,
    /// The key persons this officer may hear of, as of a revision.
    links: Option<(u64, Links)>,
}

impl Looks {
    pub(super) fn new() -> Looks {
        Looks {
            rate: Rate::new(LOOKS_BURST, LOOKS_PER_SECOND),
            links: None,
        }
    }

    /// Whether `me` may tell others they have `at` open now; why not.
    pub(super) fn admit(
        &mut self,
        local: &Local,
        me: Option<&Officer>,
        at: &Looking,
    ) -> Result<(), String> {
        let Some(me) = me else {
            return Err("不在值班名册中，不显示正在查看".into());
        };
        // The id is not echoed: it came from the caller, unchecked.
        let unknown = || "没有这条记录，不显示正在查看".to_string();
        let kind = RecordKind::of_id(&at.id);
        let formed = at.id.len() <= MAX_RECORD_ID
            && match kind {
                RecordKind::Dispute => parse_dispute_id(&at.id).is_some(),
                RecordKind::Person => parse_person_id(&at.id).is_some(),
                RecordKind::Officer | RecordKind::List => false,
            };
        if !formed {
            return Err(unknown());
        }
        // Looked up only at a pace: each look reads the store.
        if !self.rate.take(Instant::now()) {
            return Err("切换太快，“正在查看”稍后再更新".into());
        }
        match kind {
            RecordKind::Dispute => {
                local.store().dispute(&at.id).map_err(|_| unknown())?;
            }
            RecordKind::Person => {
                local.store().person(&at.id).map_err(|_| unknown())?;
                let revision = local.store().revision().unwrap_or(0);
                if self.links.as_ref().is_none_or(|(r, _)| *r != revision) {
                    let links = Links::of(local, me).unwrap_or(Links::None);
                    self.links = Some((revision, links));
                }
                let sees = self.links.as_ref().is_some_and(|(_, l)| l.sees(&at.id));
                // The same answer as for a person that is not there: a
                // refusal must not tell whether the id exists.
                if !sees {
                    return Err(unknown());
                }
            }
            RecordKind::Officer | RecordKind::List => return Err(unknown()),
        }
        Ok(())
    }
}
