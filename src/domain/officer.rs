//! The roster and what each role may do. The server enforces these rules.

use serde::{Deserialize, Serialize};

use super::limits::MAX_NAME_CHARS;
use super::lists::Role;
use super::names::{self, How, Resolved};
use super::text::{required_line, required_name};
use super::DomainError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Officer {
    /// The system login (the SSH account); the identity on the socket.
    pub login: String,
    pub name: String,
    pub unit: String,
    pub role: Role,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl Officer {
    pub fn new(login: &str, name: &str, unit: &str, role: Role) -> Result<Officer, DomainError> {
        let login = login.trim();
        if login.is_empty()
            || login.len() > 32
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(DomainError::invalid(format!(
                "登录名“{login}”不合格：应为系统账号名（字母、数字、. _ -，最多 32 位）"
            )));
        }
        Ok(Officer {
            login: login.to_string(),
            name: required_name("姓名", name)?,
            unit: required_line("单位", unit, MAX_NAME_CHARS)?,
            role,
            active: true,
        })
    }
}

/// Logins to names, from the roster: what an officer reads names people
/// (郑国庆), not accounts (ld1). The one lookup for detail, history and lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Names(std::collections::HashMap<String, String>);

/// The server's own actor (the sweeper's 自动恢复与督办, a migration): a
/// login no officer may take, named as the system in every log.
pub const SYSTEM_LOGIN: &str = "desk";
pub const SYSTEM_NAME: &str = "系统（自动）";

impl Names {
    pub fn of<'a>(roster: impl IntoIterator<Item = &'a Officer>) -> Names {
        let mut names: std::collections::HashMap<String, String> = roster
            .into_iter()
            .map(|o| (o.login.clone(), o.name.clone()))
            .collect();
        names.insert(SYSTEM_LOGIN.to_string(), SYSTEM_NAME.to_string());
        Names(names)
    }

    /// The name for a login; anything else (a name already, an account no
    /// longer on the roster) as it is.
    pub fn name<'a>(&'a self, login: &'a str) -> &'a str {
        self.0.get(login.trim()).map_or(login, |n| n.as_str())
    }

    /// A log's target: an officer's account with the name beside it ("宋雪梅（zb1）":
    /// the roster's own events are about the account), else with names.
    pub fn target(&self, target: &str) -> String {
        match self.name(target) {
            name if name != target => format!("{name}（{target}）"),
            _ => self.in_text(target),
        }
    }

    /// Text written at the time with logins in it ("交办：牵头领导 ld1 …
    /// 责任人 tj1"): each word that is a roster login reads as the name.
    pub fn in_text(&self, text: &str) -> String {
        let is_login_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        for c in text.chars().chain(std::iter::once('\0')) {
            if is_login_char(c) {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                out.push_str(self.name(&word));
                word.clear();
            }
            if c != '\0' {
                out.push(c);
            }
        }
        out
    }
}

/// What an officer is trying to do, for the permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// 登记, 研判, 交办, 督办, 上报/交办下级, key-person register and review.
    Desk,
    /// 进展, 回访, 销号申请, 延期申请, key-person visits: the assignee may.
    CaseWork,
    /// 签收/退回: the receipt is the person's own word, so only the
    /// 责任人 it was handed to gives it (a 管理员 may, to set records right).
    Receive,
    /// 包案, 审批.
    Lead,
    /// Roster, lists, settings.
    Admin,
}

impl Capability {
    fn needs(self) -> &'static str {
        match self {
            Capability::Desk => "值班员、领导或管理员",
            Capability::CaseWork => "值班员、领导、管理员，或本案的责任人",
            Capability::Receive => "交办给的责任人本人",
            Capability::Lead => "领导或管理员",
            Capability::Admin => "管理员",
        }
    }
}

/// Whether `role` may do `cap`; `own` is true when the case or person is assigned to the caller.
pub fn allows(role: Role, cap: Capability, own: bool) -> bool {
    use Capability as C;
    use Role as R;
    match role {
        R::Admin => true,
        R::Leader => matches!(cap, C::Desk | C::CaseWork | C::Lead) || (cap == C::Receive && own),
        R::DutyOfficer => matches!(cap, C::Desk | C::CaseWork) || (cap == C::Receive && own),
        R::Responsible => matches!(cap, C::CaseWork | C::Receive) && own,
        R::ReadOnly => false,
    }
}

pub fn check(officer: &Officer, cap: Capability, own: bool, what: &str) -> Result<(), DomainError> {
    if allows(officer.role, cap, own) {
        return Ok(());
    }
    let why = if cap == Capability::Receive {
        "只能由交办给的责任人本人签收或退回".to_string()
    } else if officer.role == Role::Responsible && cap == Capability::CaseWork {
        "责任人只能处理交办给自己的案件或人员".to_string()
    } else {
        format!("需要{}角色", cap.needs())
    };
    Err(DomainError::forbidden(format!(
        "无权{what}：{why}，您当前是“{}”。如需调整请联系管理员",
        officer.role.label()
    )))
}

/// The one way a typed officer (login, name, an unambiguous part of the
/// name, its pinyin) becomes one of `officers`: the index and how it was
/// understood, or the officer's message.
pub fn resolve(officers: &[&Officer], typed: &str) -> Result<(usize, How), String> {
    let labels: Vec<&str> = officers.iter().map(|o| o.name.as_str()).collect();
    let logins: Vec<(usize, &str)> = officers
        .iter()
        .enumerate()
        .map(|(i, o)| (i, o.login.as_str()))
        .collect();
    let shown = typed.trim();
    let named = |ix: &[usize]| {
        ix.iter()
            .map(|&i| format!("{}（{}）", officers[i].name, officers[i].login))
            .collect::<Vec<_>>()
            .join("、")
    };
    match names::resolve_with(&labels, &logins, typed) {
        Resolved::Found { index, how } => Ok((index, how)),
        Resolved::Ambiguous(ix) => Err(format!("“{shown}”可以指 {}，请写全", named(&ix))),
        Resolved::Unknown(near) if near.is_empty() => Err(format!(
            "名册中没有“{shown}”，请用 desk roster list 查看登录名"
        )),
        Resolved::Unknown(near) => Err(format!("名册中没有“{shown}”，是不是：{}", named(&near))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_replace_logins_and_leave_the_rest() {
        let roster = [Officer::new("ld1", "郑国庆", "综治中心", Role::Leader).unwrap()];
        let names = Names::of(&roster);
        assert_eq!(names.name("ld1"), "郑国庆");
        assert_eq!(names.name("张三"), "张三");
        assert_eq!(names.name("gone1"), "gone1");
        assert_eq!(
            names.in_text("交办：牵头领导 ld1 责任人 ld10，ld1。MD-2026-000001"),
            "交办：牵头领导 郑国庆 责任人 ld10，郑国庆。MD-2026-000001"
        );
        // The sweeper's and the migration's actor reads as the system.
        assert_eq!(names.name(SYSTEM_LOGIN), "系统（自动）");
    }

    #[test]
    fn each_role_has_exactly_its_rights() {
        use Capability as C;
        let caps = [C::Desk, C::CaseWork, C::Lead, C::Admin];
        let table: [(Role, [bool; 4], [bool; 4]); 5] = [
            // (role, allowed when not own, allowed when own)
            (Role::Admin, [true; 4], [true; 4]),
            (
                Role::Leader,
                [true, true, true, false],
                [true, true, true, false],
            ),
            (
                Role::DutyOfficer,
                [true, true, false, false],
                [true, true, false, false],
            ),
            (Role::Responsible, [false; 4], [false, true, false, false]),
            (Role::ReadOnly, [false; 4], [false; 4]),
        ];
        for (role, other, own) in table {
            for (i, cap) in caps.iter().enumerate() {
                assert_eq!(allows(role, *cap, false), other[i], "{role:?} {cap:?}");
                assert_eq!(allows(role, *cap, true), own[i], "{role:?} {cap:?} own");
            }
        }
    }

    #[test]
    fn refusal_names_the_needed_role() {
        let o = Officer::new("guest", "访客", "综治中心", Role::ReadOnly).unwrap();
        let e = check(&o, Capability::Lead, false, "包案")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "无权包案：需要领导或管理员角色，您当前是“只读”。如需调整请联系管理员"
        );
        let r = Officer::new("tj1", "调解员", "司法所", Role::Responsible).unwrap();
        let e = check(&r, Capability::CaseWork, false, "添加进展")
            .unwrap_err()
            .to_string();
        assert!(e.contains("责任人只能处理交办给自己的案件"), "{e}");
        assert!(Officer::new("bad name", "x", "y", Role::ReadOnly).is_err());
    }
}
