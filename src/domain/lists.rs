//! The closed vocabularies of the desk. Each value is stored and shown by its
//! Chinese label, so the database, the JSON output and the screen agree.

use super::DomainError;

/// Declares an enum whose serde form and display form are the Chinese label.
macro_rules! labelled {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $label)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value an officer named: its label, or what the one
            /// resolver (`names`) makes of an abbreviation or its pinyin;
            /// the error lists the accepted values.
            pub fn parse(text: &str) -> Result<Self, DomainError> {
                Self::understand(text).map(|(v, _)| v)
            }

            /// [`Self::parse`], saying how the text was understood.
            pub fn understand(text: &str) -> Result<(Self, super::names::How), DomainError> {
                let labels: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                super::names::pick($what, &labels, &[], text, true)
                    .map(|(i, how)| (Self::ALL[i], how))
                    .map_err(DomainError::invalid)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

labelled!(
    /// 来源: how a dispute reached the centre.
    Source, "来源" {
        Screening => "主动排查",
        GridReport => "网格员上报",
        Visit => "群众来访",
        Call => "来电",
        Online => "网络(微信/抖音)",
        HigherAssigned => "上级交办",
        DepartmentReferral => "部门移送",
        Petition => "信访转办",
    }
);

labelled!(
    /// 预警情形: the warning signs the plans single out.
    WarningFlag, "预警情形" {
        CriminalTendency => "民转刑倾向",
        ThreatExtreme => "扬言极端",
        MassIncident => "可能引发群体性事件",
        DeepGrievance => "积怨较深",
        Agitated => "情绪激烈",
        RepeatPetition => "重复信访",
        BypassPetition => "越级上访",
    }
);

labelled!(
    /// 风险等级.
    RiskLevel, "风险等级" {
        Low => "低",
        Medium => "中",
        High => "高",
        Critical => "极高",
    }
);

labelled!(
    /// 调处层级: 小事不出村，大事不出镇，矛盾不上交.
    Tier, "层级" {
        Village => "村",
        Township => "镇",
        County => "县",
    }
);

impl Tier {
    pub fn rank(self) -> u8 {
        match self {
            Tier::Village => 0,
            Tier::Township => 1,
            Tier::County => 2,
        }
    }
}

labelled!(
    /// 当事人身份.
    PartyRole, "当事人身份" {
        Applicant => "申请方",
        Respondent => "被申请方",
        Other => "其他",
    }
);

labelled!(
    /// 化解结果 recorded at 销号.
    Outcome, "化解结果" {
        WrittenAgreement => "调解成功-书面协议",
        OralAgreement => "调解成功-口头协议",
        JudicialConfirmation => "司法确认",
        Litigation => "引导诉讼",
        Arbitration => "仲裁",
        AdministrativeReview => "行政复议",
        Declined => "不予受理并解释",
        Unresolved => "暂无法化解-落实稳控帮扶",
    }
);

impl Outcome {
    /// Counted as 化解 for 化解率; 暂无法化解 is closed under watch, not resolved.
    pub fn is_resolved(self) -> bool {
        !matches!(self, Outcome::Unresolved)
    }

    /// Counted as 调解成功 for 调解成功率.
    pub fn is_mediated(self) -> bool {
        matches!(
            self,
            Outcome::WrittenAgreement | Outcome::OralAgreement | Outcome::JudicialConfirmation
        )
    }
}

labelled!(
    /// 联系方式 of a progress note.
    ContactKind, "进展方式" {
        Visit => "走访",
        Phone => "电话",
        MediationMeeting => "调解会",
        JointMediation => "联合调解",
        Other => "其他",
    }
);

labelled!(
    /// How a follow-up or key-person visit was made.
    VisitMethod, "走访方式" {
        Home => "入户",
        Phone => "电话",
        AtStation => "到所",
    }
);

labelled!(
    /// 重点人员类别 (seed 002).
    PersonCategory, "人员类别" {
        MentalDisorder => "严重精神障碍患者",
        Released => "刑满释放人员",
        CommunityCorrection => "社区矫正对象",
        ThreeLossOneBias => "三失一偏人员",
        HighRiskPetitioner => "高风险信访人员",
        Hardship => "生活困难人员",
        Floating => "流动人口",
    }
);

labelled!(
    /// 危险等级 of a key person: the health system's 0–5 for 严重精神障碍患者,
    /// 低/中/高 for everyone else (`PersonGrade::fits` says which).
    PersonGrade, "危险等级" {
        G0 => "0级",
        G1 => "1级",
        G2 => "2级",
        G3 => "3级",
        G4 => "4级",
        G5 => "5级",
        Low => "低",
        Medium => "中",
        High => "高",
    }
);

labelled!(
    /// Why a visit did not meet the person (未见面).
    FailReason, "未见面原因" {
        Away => "外出务工",
        Refused => "拒绝见面",
        Missing => "下落不明",
        Other => "其他",
    }
);

labelled!(
    /// 角色 of an officer; decides what they may do.
    Role, "角色" {
        Admin => "管理员",
        Leader => "领导",
        DutyOfficer => "值班员",
        Responsible => "责任人",
        ReadOnly => "只读",
    }
);

labelled!(
    /// How a village's daily report reached the desk (点名).
    Channel, "报告方式" {
        Phone => "电话",
        WeChat => "微信",
        InPerson => "当面",
    }
);

labelled!(
    /// 有情况 or 零报告: the daily report's answer.
    RollcallKind, "报告类型" {
        News => "有情况",
        Zero => "零报告",
    }
);

/// The dispute categories named in the plans. Categories are data (a township
/// may add its own), so this is only the default list seeded into the store.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "婚姻家庭",
    "恋爱情感",
    "邻里",
    "房屋宅基地",
    "山林土地",
    "土地承包流转",
    "经济债务/借贷",
    "劳资/欠薪",
    "征地拆迁",
    "医疗卫生(医患)",
    "交通事故/损害赔偿",
    "物业",
    "生产经营/合同",
    "环境污染",
    "涉企",
    "涉农",
    "教育/校园",
    "涉法涉诉",
    "信访",
    "村务管理",
    "其他",
];

/// Responsible units named in DOMAIN.md, seeded by `desk init`.
pub const DEFAULT_UNITS: &[&str] = &[
    "综治中心",
    "派出所",
    "司法所",
    "信访办",
    "综合执法队",
    "应急办",
    "民政所",
    "社保所",
    "妇联",
    "自然资源所",
    "中心校",
    "卫生院",
    "市场监管所",
    "村(社区)调委会",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_through_parse_and_serde() {
        for level in RiskLevel::ALL {
            assert_eq!(RiskLevel::parse(level.label()).unwrap(), *level);
            let json = serde_json::to_string(level).unwrap();
            assert_eq!(json, format!("\"{}\"", level.label()));
        }
        assert_eq!(
            Outcome::parse(" 司法确认 ").unwrap(),
            Outcome::JudicialConfirmation
        );
    }

    #[test]
    fn unknown_label_lists_the_choices() {
        let err = Tier::parse("省").unwrap_err().to_string();
        assert!(err.contains("层级“省”不在可选范围内"), "{err}");
        assert!(err.contains("村、镇、县"), "{err}");
    }

    #[test]
    fn outcome_classes() {
        assert!(!Outcome::Unresolved.is_resolved());
        assert!(Outcome::Declined.is_resolved());
        assert!(!Outcome::Declined.is_mediated());
        assert!(Outcome::OralAgreement.is_mediated());
    }
}
