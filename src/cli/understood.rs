//! What a command's named values were taken to mean. Every value goes
//! through the one resolver (`domain::names`, `domain::officer::resolve`);
//! every value that names nothing is reported together, and what was
//! understood from an abbreviation is said: "已理解：东河 → 东河村".

use crate::domain::names::{self, How};
use crate::domain::officer::{resolve as resolve_officer, Officer};
use crate::domain::text::parse_people;
use crate::domain::DomainError;

#[derive(Default)]
pub struct Understood {
    pub notes: Vec<String>,
    errors: Vec<String>,
}

impl Understood {
    /// An entry of a township list (村, 单位, 类型); the text as typed when
    /// the list is empty (the desk then decides).
    pub fn listed(&mut self, what: &str, list: &[String], typed: &str) -> String {
        if list.is_empty() {
            return typed.trim().to_string();
        }
        match names::pick(what, list, &[], typed, false) {
            Ok((i, how)) => self.note(typed, &list[i], how),
            Err(e) => {
                self.errors.push(e);
                typed.trim().to_string()
            }
        }
    }

    /// A closed vocabulary's value (`Source::understand` …).
    pub fn label<T: std::fmt::Display>(
        &mut self,
        typed: &str,
        r: Result<(T, How), DomainError>,
    ) -> Option<T> {
        match r {
            Ok((v, how)) => {
                self.note(typed, &v.to_string(), how);
                Some(v)
            }
            Err(e) => {
                self.errors.push(e.to_string());
                None
            }
        }
    }

    /// An officer's login from a login, a name or an abbreviation of it.
    pub fn officer(&mut self, what: &str, officers: &[Officer], typed: &str) -> String {
        let active: Vec<&Officer> = officers.iter().filter(|o| o.active).collect();
        match resolve_officer(&active, typed) {
            Ok((i, how)) => {
                let o = active[i];
                if how != How::Alias {
                    self.note(typed, &format!("{}（{}）", o.name, o.login), how);
                }
                o.login.clone()
            }
            Err(e) => {
                self.errors.push(format!("{what}：{e}"));
                typed.trim().to_string()
            }
        }
    }

    /// 涉及人数 in digits or Chinese (十, 二十余).
    pub fn people(&mut self, typed: Option<&str>) -> u32 {
        let Some(typed) = typed else { return 0 };
        match parse_people(typed) {
            Ok(n) => {
                if n.to_string() != typed.trim() {
                    self.notes.push(format!("{} → {n}", typed.trim()));
                }
                n
            }
            Err(e) => {
                self.errors.push(e.to_string());
                0
            }
        }
    }

    /// Any other check of the command's values, reported with the rest.
    pub fn check<T>(&mut self, r: Result<T, impl std::fmt::Display>) -> Option<T> {
        r.map_err(|e| self.errors.push(e.to_string())).ok()
    }

    fn note(&mut self, typed: &str, entry: &str, how: How) -> String {
        self.notes.extend(names::understood(typed, entry, how));
        entry.to_string()
    }

    /// Fails with every problem at once, one per line; otherwise the
    /// "已理解：…" line (None when everything was typed in full).
    pub fn finish(&self) -> anyhow::Result<Option<String>> {
        if !self.errors.is_empty() {
            anyhow::bail!("{}", self.errors.join("\n"));
        }
        Ok((!self.notes.is_empty()).then(|| format!("已理解：{}", self.notes.join("，"))))
    }
}
