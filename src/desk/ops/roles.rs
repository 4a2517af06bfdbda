//! The role table the README shows, made from the operations' own rules
//! (`Who`): the documentation cannot say other than the code does.

use super::Op;
use crate::domain::access::{scope, Scope};
use crate::domain::lists::Role;
use crate::domain::officer::{allows, Capability};

/// The table, as Markdown: what each role may do on any record, what only
/// on its own, and whom of the key persons it sees.
pub fn table() -> String {
    let mut out = String::from(
        "| 角色 | 任何案件、人员都可以 | 只对交办给本人的案件、本人联系的人员 | 重点人员看得到谁 |\n\
         |---|---|---|---|\n",
    );
    for &role in Role::ALL {
        let verbs = |own: bool| -> Vec<&str> {
            Op::ALL
                .iter()
                .map(|op| op.spec())
                .filter(|s| s.who.allows(role, own) && (!own || !s.who.allows(role, false)))
                .map(|s| s.verb)
                .collect()
        };
        let mut any = verbs(false);
        if allows(role, Capability::Admin, false) {
            any.push("维护名册、名录和设置");
        }
        let own = verbs(true);
        let or_none = |v: Vec<&str>| {
            if v.is_empty() {
                "—".to_string()
            } else {
                v.join("、")
            }
        };
        let sees = match scope(role) {
            Scope::Register => "全部",
            Scope::Own => "自己联系的，加上交办给自己的在办案件所涉的；其他人只能写理由破格查阅",
            Scope::Counts => "只看统计数字，不看人",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            role.label(),
            or_none(any),
            or_none(own),
            sees
        ));
    }
    out
}
