//! Township-configurable rules, stored in the database.

use serde::{Deserialize, Serialize};

use super::lists::RiskLevel;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Default 化解时限 in days for 低, 中, 高, 极高.
    #[serde(default = "default_deadline_days")]
    pub deadline_days: [u32; 4],
    /// 回访 offsets after 销号, in days.
    #[serde(default = "default_follow_ups")]
    pub follow_up_days: Vec<u32>,
}

fn default_deadline_days() -> [u32; 4] {
    [30, 15, 7, 3]
}

fn default_follow_ups() -> Vec<u32> {
    vec![7, 30, 90]
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            deadline_days: default_deadline_days(),
            follow_up_days: default_follow_ups(),
        }
    }
}

impl Settings {
    pub fn deadline_days_for(&self, risk: RiskLevel) -> u32 {
        let i = RiskLevel::ALL.iter().position(|r| *r == risk).unwrap_or(0);
        self.deadline_days[i]
    }
}
