//! The one state machine of a dispute's life (DOMAIN.md, "A dispute's life").

use super::DomainError;

macro_rules! statuses {
    ($($variant:ident => $label:literal),+ $(,)?) => {
        /// 案件状态.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum Status { $(#[serde(rename = $label)] $variant),+ }

        impl Status {
            pub const ALL: &'static [Status] = &[$(Status::$variant),+];
            pub fn label(self) -> &'static str {
                match self { $(Status::$variant => $label),+ }
            }
        }
    };
}

statuses! {
    Registered => "登记",
    Triaged => "已研判",
    Returned => "已退回",
    Assigned => "已交办",
    InProgress => "调处中",
    Escalated => "已上报",
    PendingClose => "待销号",
    Resolved => "已化解",
    FollowUp => "回访中",
    Archived => "归档",
}

impl Status {
    pub fn parse(text: &str) -> Result<Status, DomainError> {
        let text = text.trim();
        Status::ALL
            .iter()
            .copied()
            .find(|s| s.label() == text)
            .ok_or_else(|| {
                DomainError::invalid(format!(
                    "状态“{text}”不存在，可选：{}",
                    Status::ALL
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join("、")
                ))
            })
    }

    /// Still being worked: counts as 未化解 and can go overdue.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::FollowUp | Status::Archived)
    }

    /// Waiting at the desk for someone to pick it up (the 待处理 inbox).
    pub fn in_inbox(self) -> bool {
        matches!(
            self,
            Status::Registered | Status::Triaged | Status::Returned | Status::Assigned
        )
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Everything that can happen to a dispute. Moves that only add data (notes,
/// packaging, supervision) are here too, so one table says where each is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Triage,
    Assign,
    Accept,
    Reject,
    Package,
    Note,
    Supervise,
    /// 上报: `to_county` when the case leaves the township.
    Escalate {
        to_county: bool,
    },
    /// 交办下级.
    SendDown,
    /// 销号申请; a packaged case waits for its leader's approval.
    Close {
        packaged: bool,
    },
    ApproveClose,
    RejectClose,
    RequestExtension,
    /// 回访; `last` when no further scheduled visit remains.
    FollowUpVisit {
        last: bool,
    },
    Reopen,
    /// 转办 to another unit and 责任人, who must 签收.
    Transfer,
    /// 退回 of a 转办: back to the sender, at work if it was.
    RefuseTransfer {
        back_to_work: bool,
    },
    /// 移送 to another township.
    MoveOut,
    /// 中止 (or its request, for a packaged case).
    Pause,
    /// 恢复办理 after 中止.
    Resume,
}

impl Move {
    pub fn label(self) -> &'static str {
        match self {
            Move::Triage => "研判",
            Move::Assign => "交办",
            Move::Accept => "签收",
            Move::Reject => "退回",
            Move::Package => "包案",
            Move::Note => "添加进展",
            Move::Supervise => "挂牌督办",
            Move::Escalate { .. } => "上报",
            Move::SendDown => "交办下级",
            Move::Close { .. } => "销号",
            Move::ApproveClose => "批准销号",
            Move::RejectClose => "驳回销号",
            Move::RequestExtension => "申请延期",
            Move::FollowUpVisit { .. } => "回访",
            Move::Reopen => "重新打开",
            Move::Transfer => "转办",
            Move::RefuseTransfer { .. } => "退回转办",
            Move::MoveOut => "移送",
            Move::Pause => "中止",
            Move::Resume => "恢复办理",
        }
    }
}

/// The state machine: where `mv` takes a dispute in `from`, or why it cannot.
pub fn next(from: Status, mv: Move) -> Result<Status, DomainError> {
    use Move as M;
    use Status as S;
    let refuse = |why: &str| -> Result<Status, DomainError> {
        Err(DomainError::refused(format!(
            "不能{}：{}（当前状态：{}）",
            mv.label(),
            why,
            from.label()
        )))
    };
    let closed = "案件已销号，如纠纷反弹请先重新打开";
    match (mv, from) {
        (M::Reopen, S::Resolved | S::FollowUp | S::Archived) => Ok(S::InProgress),
        (M::Reopen, _) => refuse("只有已销号的案件才能重新打开"),
        (M::FollowUpVisit { last }, S::Resolved | S::FollowUp) => {
            Ok(if last { S::Archived } else { S::FollowUp })
        }
        (M::FollowUpVisit { .. }, S::Archived) => refuse("案件已归档，回访已全部完成"),
        (M::FollowUpVisit { .. }, _) => refuse("案件尚未销号，销号后才回访"),
        (_, S::Resolved | S::FollowUp | S::Archived) => refuse(closed),

        (M::ApproveClose | M::RejectClose, S::PendingClose) => Ok(match mv {
            M::ApproveClose => S::Resolved,
            _ => S::InProgress,
        }),
        (M::ApproveClose | M::RejectClose, _) => refuse("没有待审批的销号申请"),
        (M::Note | M::Resume, _) => Ok(from),
        (_, S::PendingClose) => refuse("已申请销号，正在等待包案领导审批"),
        (M::Transfer | M::Pause, S::Assigned | S::InProgress) => Ok(match mv {
            M::Transfer => S::Assigned,
            _ => from,
        }),
        (M::Transfer | M::Pause, _) => refuse("只有已交办、调处中的案件才能转办或中止"),
        (M::RefuseTransfer { back_to_work }, S::Assigned) => Ok(if back_to_work {
            S::InProgress
        } else {
            S::Assigned
        }),
        (M::RefuseTransfer { .. }, _) => refuse("没有待签收的转办"),
        (M::MoveOut, _) => Ok(S::Archived),

        (M::Triage, S::Registered) => Ok(S::Triaged),
        (M::Triage, _) => Ok(from),
        (_, S::Registered) => refuse("尚未研判，请先研判风险等级"),

        (M::Assign, S::Escalated) => refuse("已上报县级，待县级交办下级后才能交办"),
        (M::Assign, _) => Ok(S::Assigned),
        (M::Accept | M::Reject, S::Assigned) => Ok(match mv {
            M::Accept => S::InProgress,
            _ => S::Returned,
        }),
        (M::Accept | M::Reject, _) => refuse("只有已交办、待签收的案件才能签收或退回"),

        (M::Package | M::Supervise, _) => Ok(from),
        (M::Escalate { to_county: true }, _) => Ok(S::Escalated),
        (M::Escalate { to_county: false }, _) => Ok(from),
        (M::SendDown, S::Escalated) => Ok(S::Triaged),
        (M::SendDown, _) => Ok(from),

        (M::Close { packaged }, S::InProgress) => Ok(if packaged {
            S::PendingClose
        } else {
            S::Resolved
        }),
        (M::Close { .. }, S::Assigned) => refuse("责任人尚未签收"),
        (M::Close { .. }, _) => refuse("案件尚未交办调处"),
        (M::RequestExtension, S::Assigned | S::InProgress) => Ok(from),
        (M::RequestExtension, _) => refuse("案件尚未交办，没有化解时限"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Move as M;
    use Status as S;

    const MOVES: &[Move] = &[
        M::Triage,
        M::Assign,
        M::Accept,
        M::Reject,
        M::Package,
        M::Note,
        M::Supervise,
        M::Escalate { to_county: true },
        M::Escalate { to_county: false },
        M::SendDown,
        M::Close { packaged: true },
        M::Close { packaged: false },
        M::ApproveClose,
        M::RejectClose,
        M::RequestExtension,
        M::FollowUpVisit { last: true },
        M::FollowUpVisit { last: false },
        M::Reopen,
        M::Transfer,
        M::RefuseTransfer { back_to_work: true },
        M::RefuseTransfer {
            back_to_work: false,
        },
        M::MoveOut,
        M::Pause,
        M::Resume,
    ];

    /// The full table, written out by hand: (move, from, expected next or None).
    fn expected(mv: Move, from: Status) -> Option<Status> {
        let open_worked = [
            S::Triaged,
            S::Returned,
            S::Assigned,
            S::InProgress,
            S::Escalated,
        ];
        let closed = [S::Resolved, S::FollowUp, S::Archived];
        match mv {
            M::Reopen => closed.contains(&from).then_some(S::InProgress),
            M::FollowUpVisit { last } => matches!(from, S::Resolved | S::FollowUp)
                .then_some(if last { S::Archived } else { S::FollowUp }),
            M::Note => (!closed.contains(&from)).then_some(from),
            M::ApproveClose => (from == S::PendingClose).then_some(S::Resolved),
            M::RejectClose => (from == S::PendingClose).then_some(S::InProgress),
            M::Triage => match from {
                S::Registered => Some(S::Triaged),
                f if open_worked.contains(&f) => Some(f),
                _ => None,
            },
            M::Assign => matches!(from, S::Triaged | S::Returned | S::Assigned | S::InProgress)
                .then_some(S::Assigned),
            M::Accept => (from == S::Assigned).then_some(S::InProgress),
            M::Reject => (from == S::Assigned).then_some(S::Returned),
            M::Package | M::Supervise | M::Escalate { to_county: false } => {
                open_worked.contains(&from).then_some(from)
            }
            M::Escalate { to_county: true } => open_worked.contains(&from).then_some(S::Escalated),
            M::SendDown => match from {
                S::Escalated => Some(S::Triaged),
                f if open_worked.contains(&f) => Some(f),
                _ => None,
            },
            M::Close { packaged } => (from == S::InProgress).then_some(if packaged {
                S::PendingClose
            } else {
                S::Resolved
            }),
            M::RequestExtension => matches!(from, S::Assigned | S::InProgress).then_some(from),
            M::Transfer => matches!(from, S::Assigned | S::InProgress).then_some(S::Assigned),
            M::Pause => matches!(from, S::Assigned | S::InProgress).then_some(from),
            M::RefuseTransfer { back_to_work } => {
                (from == S::Assigned).then_some(if back_to_work {
                    S::InProgress
                } else {
                    S::Assigned
                })
            }
            // A fresh registration may go to its own township at once.
            M::MoveOut => {
                (from == S::Registered || open_worked.contains(&from)).then_some(S::Archived)
            }
            M::Resume => (!closed.contains(&from)).then_some(from),
        }
    }

    #[test]
    fn every_move_from_every_state_matches_the_table() {
        for &from in Status::ALL {
            for &mv in MOVES {
                let got = next(from, mv);
                match expected(mv, from) {
                    Some(to) => assert_eq!(got.as_ref().ok(), Some(&to), "{mv:?} from {from:?}"),
                    None => {
                        let err = got.expect_err(&format!("{mv:?} from {from:?} must fail"));
                        let text = err.to_string();
                        assert!(text.starts_with(&format!("不能{}：", mv.label())), "{text}");
                        assert!(text.contains(from.label()), "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_happy_path_walks_every_main_state() {
        let mut s = S::Registered;
        for mv in [
            M::Triage,
            M::Assign,
            M::Accept,
            M::Package,
            M::Note,
            M::Close { packaged: true },
            M::ApproveClose,
            M::FollowUpVisit { last: false },
            M::FollowUpVisit { last: true },
        ] {
            s = next(s, mv).unwrap();
        }
        assert_eq!(s, S::Archived);
        assert_eq!(next(s, M::Reopen).unwrap(), S::InProgress);
    }

    #[test]
    fn refusals_say_why_in_chinese() {
        let e = next(S::Registered, M::Assign).unwrap_err().to_string();
        assert_eq!(e, "不能交办：尚未研判，请先研判风险等级（当前状态：登记）");
        let e = next(S::Assigned, M::Close { packaged: false })
            .unwrap_err()
            .to_string();
        assert_eq!(e, "不能销号：责任人尚未签收（当前状态：已交办）");
        let e = next(S::Archived, M::Note).unwrap_err().to_string();
        assert!(e.contains("请先重新打开"), "{e}");
    }

    #[test]
    fn status_labels_parse_and_classify() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.label()).unwrap(), *s);
        }
        assert!(Status::parse("已完成").is_err());
        assert!(S::PendingClose.is_open());
        assert!(!S::FollowUp.is_open());
        assert!(S::Returned.in_inbox());
    }
}
