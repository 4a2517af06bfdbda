//! The one rule for suggesting a 交办 (四定): who handled cases like this
//! before. The unit that most often handled this category in this village
//! (in the whole township when the village has none), the person of that
//! unit who most often did, and the leader most often over that unit's
//! cases. The reason is said, so the officer can judge it.

use std::collections::HashMap;

/// One earlier assignment: what the case was and who took it.
#[derive(Clone, Copy)]
pub struct Past<'a> {
    pub village: &'a str,
    pub category: &'a str,
    pub leader: Option<&'a str>,
    /// The 责任人's login.
    pub person: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AssignHint {
    pub leader: Option<String>,
    pub unit: String,
    pub person: Option<String>,
    /// "东河村的邻里纠纷 3 件中 2 件由司法所办理".
    pub reason: String,
}

/// The suggestion for a `category` case in `village`, from `past` cases;
/// `unit_of` gives a 责任人's unit (the roster's). None with no history.
pub fn suggest<'a>(
    past: impl Iterator<Item = Past<'a>> + Clone,
    village: &str,
    category: &str,
    unit_of: impl Fn(&str) -> Option<String>,
) -> Option<AssignHint> {
    let handled = |p: &Past| p.category == category && p.person.is_some();
    let here: Vec<Past> = past
        .clone()
        .filter(|p| handled(p) && p.village == village)
        .collect();
    let (cases, place) = if here.is_empty() {
        (past.filter(|p| handled(p)).collect::<Vec<_>>(), "全镇")
    } else {
        (here, village)
    };
    let units: Vec<Option<String>> = cases.iter().map(|p| p.person.and_then(&unit_of)).collect();
    let unit = most(units.iter().flatten().map(String::as_str))?;
    let theirs: Vec<&Past> = cases
        .iter()
        .zip(&units)
        .filter(|(_, u)| u.as_deref() == Some(unit.as_str()))
        .map(|(p, _)| p)
        .collect();
    let reason = format!(
        "{place}的{category}纠纷 {} 件中 {} 件由{unit}办理",
        cases.len(),
        theirs.len()
    );
    Some(AssignHint {
        leader: most(theirs.iter().filter_map(|p| p.leader)),
        person: most(theirs.iter().filter_map(|p| p.person)),
        unit,
        reason,
    })
}

/// The most frequent value; the first seen among equals.
fn most<'a>(values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for v in values {
        match at.get(v) {
            Some(&i) => counts[i].1 += 1,
            None => {
                at.insert(v, counts.len());
                counts.push((v, 1));
            }
        }
    }
    // max_by_key keeps the last of equals; reversed, the first seen wins.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past<'a>(v: &'a str, c: &'a str, l: &'a str, p: &'a str) -> Past<'a> {
        Past {
            village: v,
            category: c,
            leader: Some(l),
            person: Some(p),
        }
    }

    fn unit_of(login: &str) -> Option<String> {
        let unit = match login {
            "tj1" | "tj2" => "司法所",
            "mj1" => "派出所",
            _ => return None,
        };
        Some(unit.to_string())
    }

    #[test]
    fn the_unit_that_most_often_handled_this_category_in_this_village() {
        let cases = [
            past("东河村", "邻里", "ld1", "tj1"),
            past("东河村", "邻里", "ld2", "mj1"),
            past("东河村", "邻里", "ld1", "tj2"),
            past("东河村", "邻里", "ld1", "tj2"),
            // Elsewhere or another category: not counted for 东河村 邻里.
            past("西岗村", "邻里", "ld2", "mj1"),
            past("西岗村", "邻里", "ld2", "mj1"),
            past("西岗村", "邻里", "ld2", "mj1"),
            past("东河村", "劳资/欠薪", "ld2", "mj1"),
        ];
        let hint = suggest(cases.iter().copied(), "东河村", "邻里", unit_of).unwrap();
        assert_eq!(
            hint,
            AssignHint {
                leader: Some("ld1".into()),
                unit: "司法所".into(),
                person: Some("tj2".into()),
                reason: "东河村的邻里纠纷 4 件中 3 件由司法所办理".into(),
            }
        );
        // A village with no such case: the township's history.
        let hint = suggest(cases.iter().copied(), "赵庄村", "邻里", unit_of).unwrap();
        assert_eq!(hint.unit, "派出所");
        assert_eq!(hint.reason, "全镇的邻里纠纷 7 件中 4 件由派出所办理");
        assert_eq!(hint.person.as_deref(), Some("mj1"));
        // No history at all: no suggestion.
        assert_eq!(
            suggest(cases.iter().copied(), "东河村", "物业", unit_of),
            None
        );
    }
}
