//! 人户分离 (双列管): mark the township where the person's household is
//! registered, so `desk export persons --notify 乡镇` can write its 通报 list.

use serde::{Deserialize, Serialize};

use super::{Change, Cx, Described, Entry, Op, PersonOp, Spec, Who};
use crate::desk::api::DeskError;
use crate::domain::limits::MAX_NAME_CHARS;
use crate::domain::person::KeyPerson;
use crate::domain::text::clean_line;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkHousehold {
    /// The township's name; None clears the mark.
    pub township: Option<String>,
}

impl Described for MarkHousehold {
    const SPEC: Spec = Spec {
        op: Op::MarkHousehold,
        action: "标注人户分离",
        verb: "标注人户分离",
        done: "已标注人户分离",
        cli: "person household",
        entry: Entry::CliOnly,
        who: Who::Desk,
    };
}

impl PersonOp for MarkHousehold {
    fn apply(self, _cx: &Cx, p: &mut KeyPerson) -> Result<String, DeskError> {
        let township = self
            .township
            .map(|t| clean_line(&t))
            .filter(|t| !t.is_empty());
        if township
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_NAME_CHARS)
        {
            return Err(DeskError::Invalid(format!(
                "乡镇名太长（最多 {MAX_NAME_CHARS} 字）"
            )));
        }
        p.household = township.clone();
        Ok(match township {
            Some(t) => format!("{} 户籍在{t}", p.name),
            None => format!("{} 取消人户分离标注", p.name),
        })
    }
}

impl From<MarkHousehold> for Change {
    fn from(c: MarkHousehold) -> Change {
        Change::MarkHousehold(c)
    }
}
