//! A picker: choose one value (or several) from a list by typing part of it,
//! in Chinese or pinyin (`zz` finds 赵庄村), with the arrows and Enter.

use std::collections::BTreeSet;

use super::input::Input;
use crate::domain::names::{resolve, Resolved};
use crate::search::{Doc, Index};

#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub title: String,
    /// The form field the choice goes to.
    pub field: usize,
    pub options: Vec<String>,
    pub filter: Input,
    /// Indexes into `options` matching the filter, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub multi: bool,
    /// Chosen options, for a multi-choice.
    pub chosen: BTreeSet<usize>,
}

impl Picker {
    pub fn new(
        title: &str,
        field: usize,
        options: Vec<String>,
        multi: bool,
        current: &[String],
    ) -> Picker {
        let chosen: BTreeSet<usize> = options
            .iter()
            .enumerate()
            .filter(|(_, o)| current.contains(o))
            .map(|(i, _)| i)
            .collect();
        let selected = if multi {
            0
        } else {
            options
                .iter()
                .position(|o| current.first() == Some(o))
                .unwrap_or(0)
        };
        Picker {
            title: title.to_string(),
            field,
            shown: (0..options.len()).collect(),
            options,
            filter: Input::default(),
            selected,
            multi,
            chosen,
        }
    }

    /// Re-runs the filter: small lists are searched right here, in pinyin too.
    pub fn refilter(&mut self) {
        let q = self.filter.text();
        self.shown = if q.trim().is_empty() {
            (0..self.options.len()).collect()
        } else {
            let docs = self
                .options
                .iter()
                .map(|o| Doc {
                    names: o.clone(),
                    rest: String::new(),
                })
                .collect();
            let mut shown = Index::new(docs).search(q.trim(), None);
            // What the one resolver names (劳资 → 劳资/欠薪, lzqx across
            // "/") comes first, as the CLI and the import would take it.
            if let Resolved::Found { index, .. } = resolve(&self.options, &q) {
                shown.retain(|&i| i != index);
                shown.insert(0, index);
            }
            shown
        };
        self.selected = 0;
    }

    pub fn move_by(&mut self, delta: i64) {
        let n = self.shown.len() as i64;
        if n > 0 {
            self.selected = (self.selected as i64 + delta).clamp(0, n - 1) as usize;
        }
    }

    /// Ticks (or unticks) the highlighted option. In a multi-choice found
    /// by typing, the typed words then go, so the next can be typed at once
    /// (`mz` Space `qt` Enter ticks two flags).
    pub fn toggle(&mut self) {
        if let Some(&i) = self.shown.get(self.selected) {
            if !self.chosen.remove(&i) {
                self.chosen.insert(i);
            }
        }
        if self.multi && !self.filter.is_empty() {
            self.filter = Input::default();
            self.refilter();
        }
    }

    /// The values the picker ends with: the highlighted one, or for a
    /// multi-choice everything ticked, plus the highlighted one when the
    /// officer typed to find it (typing then Enter adds it, no Space needed).
    pub fn result(&self) -> Vec<String> {
        if self.multi && !self.chosen.is_empty() {
            let mut chosen = self.chosen.clone();
            if !self.filter.is_empty() {
                chosen.extend(self.shown.get(self.selected));
            }
            return chosen.iter().map(|&i| self.options[i].clone()).collect();
        }
        self.shown
            .get(self.selected)
            .map(|&i| vec![self.options[i].clone()])
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn villages() -> Vec<String> {
        ["东河村", "西岗村", "赵庄村", "李家湾社区"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn the_resolvers_pick_comes_first() {
        let categories: Vec<String> = ["邻里", "经济债务/借贷", "劳资/欠薪"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut p = Picker::new("纠纷类型", 1, categories, false, &[]);
        for c in "lzqx".chars() {
            p.filter.insert(c);
        }
        p.refilter();
        assert_eq!(p.result(), ["劳资/欠薪"]);
    }

    #[test]
    fn typing_pinyin_or_chinese_narrows_the_choice() {
        let mut p = Picker::new("村(社区)", 0, villages(), false, &[]);
        for c in "zz".chars() {
            p.filter.insert(c);
        }
        p.refilter();
        assert_eq!(p.result(), ["赵庄村"]);
        p.filter.set("湾");
        p.refilter();
        assert_eq!(p.result(), ["李家湾社区"]);
        p.filter.set("不存在的村");
        p.refilter();
        assert!(p.result().is_empty());
    }

    #[test]
    fn a_multi_choice_keeps_what_was_ticked() {
        let current = vec!["西岗村".to_string()];
        let mut p = Picker::new("村", 0, villages(), true, &current);
        p.move_by(3);
        p.toggle();
        assert_eq!(p.result(), ["西岗村", "李家湾社区"]);
        // Typed to find, then Enter: added without a Space.
        p.filter.set("dh");
        p.refilter();
        assert_eq!(p.result(), ["东河村", "西岗村", "李家湾社区"]);
        // Typed, Space, typed again: both ticked, no Space before Enter.
        let mut p = Picker::new("村", 0, villages(), true, &[]);
        p.filter.set("zz");
        p.refilter();
        p.toggle();
        assert!(p.filter.is_empty(), "the typed words go once ticked");
        p.filter.set("湾");
        p.refilter();
        assert_eq!(p.result(), ["赵庄村", "李家湾社区"]);
    }
}
