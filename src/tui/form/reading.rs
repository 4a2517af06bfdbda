//! What the reader made of the 矛盾情况, on a form. Warning flags read from
//! the text are ticked at once (a missed threat costs more than a false
//! one) and shown with their reason; a flag the officer then removes is
//! never ticked again. The other suggestions (类型, 来源, 当事人, 人数,
//! 金额) are only shown beside their fields until the officer accepts them
//! all with one key; each can still be changed after.

use super::{split_multi, Form, FormKind, Key, PartyPart};
use crate::domain::lists::WarningFlag;
use crate::domain::reading::{NamedParty, Reading, Suggested};
use crate::domain::text::{clean_line, parse_amount};

/// What the form keeps of the reading between keystrokes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadState {
    pub reading: Reading,
    /// Flags the form ticked itself and that are still ticked.
    pub ticked: Vec<WarningFlag>,
    /// Flags the form ticked and the officer removed: never ticked again.
    pub declined: Vec<WarningFlag>,
    /// Rebuilt from a draft: flags were ticked as the text was typed, so a
    /// read flag missing from the draft was removed by the officer.
    pub from_draft: bool,
    /// The 纠纷类型 the form put in itself; replaced as the text changes
    /// until the officer chooses one.
    pub category_filled: Option<String>,
}

impl Form {
    /// Takes a fresh reading of the text. On the registration form the flags
    /// it reads are ticked (unless the officer removed them before) and those
    /// the form ticked that the text no longer gives are unticked; on the
    /// others (研判) they are only shown.
    pub fn take_reading(&mut self, reading: Reading) {
        if self.kind == FormKind::Register {
            self.tick_flags(&reading.flag_values());
            self.fill_category(reading.category.as_ref().map(|c| c.value.as_str()));
        }
        self.read.reading = reading;
        self.note_suggestions();
    }

    /// An empty 纠纷类型 takes the type read from the text, so the officer
    /// only confirms it; one the officer chose is never replaced.
    fn fill_category(&mut self, read: Option<&str>) {
        let now = self.get(Key::Category);
        let ours = self.read.category_filled.as_deref() == Some(now.as_str());
        if !now.is_empty() && !ours {
            self.read.category_filled = None;
            return;
        }
        let next = read.unwrap_or_default();
        if next != now {
            self.set(Key::Category, next);
        }
        self.read.category_filled = read.map(str::to_string);
    }

    fn ticked_flags(&self) -> Vec<WarningFlag> {
        split_multi(&self.get(Key::Flags))
            .iter()
            .filter_map(|f| WarningFlag::parse(f).ok())
            .collect()
    }

    fn tick_flags(&mut self, read: &[WarningFlag]) {
        let mut now = self.ticked_flags();
        let before = now.clone();
        let st = &mut self.read;
        if std::mem::take(&mut st.from_draft) {
            st.declined = read.iter().filter(|f| !now.contains(f)).copied().collect();
        }
        // Removed by the officer since the last reading.
        for f in st.ticked.clone() {
            if !now.contains(&f) {
                st.declined.push(f);
                st.ticked.retain(|x| *x != f);
            }
        }
        // Ticked by the form, no longer in the text (typing on).
        for f in st.ticked.clone() {
            if !read.contains(&f) {
                now.retain(|x| *x != f);
                st.ticked.retain(|x| *x != f);
            }
        }
        for &f in read {
            if !now.contains(&f) && !st.declined.contains(&f) {
                now.push(f);
                st.ticked.push(f);
            }
        }
        if now != before {
            now.sort();
            let text: Vec<&str> = now.iter().map(|f| f.label()).collect();
            self.set(Key::Flags, &text.join("、"));
        }
    }

    /// The grey words beside each field the reading has a suggestion for.
    fn note_suggestions(&mut self) {
        for f in &mut self.fields {
            f.note = None;
        }
        if self.kind != FormKind::Register {
            return;
        }
        let r = self.read.reading.clone();
        let flags = self.flags_note();
        self.note(Key::Flags, flags);
        let source = r.source.as_ref().map(|s| Suggested {
            value: s.value.label().to_string(),
            because: s.because.clone(),
        });
        for (key, s) in [(Key::Category, r.category.clone()), (Key::Source, source)] {
            let note = s.map(|s| suggestion(&s.value, &s.because, self.get(key) == s.value));
            self.note(key, note);
        }
        if let Some(p) = &r.people {
            let same = self.get(Key::People) == p.value.to_string();
            let note = suggestion(&p.value.to_string(), &p.because, same);
            self.note(Key::People, Some(note));
        }
        if let Some(a) = &r.amount_yuan {
            let same = parse_amount(&self.get(Key::Amount)).ok() == Some(a.value);
            let note = suggestion(&amount_text(a), &a.because, same);
            self.note(Key::Amount, Some(note));
        }
        let typed = self.party_names();
        let names = self.party_name_keys();
        for (i, p) in r.parties.iter().enumerate() {
            let Some(&key) = names.get(i) else { break };
            let same = typed.contains(&p.value.name);
            let note = suggestion(&p.value.to_string(), &p.because, same);
            self.note(key, Some(note));
        }
    }

    fn note(&mut self, key: Key, note: Option<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.note = note;
        }
    }

    /// The flags read from the text, grouped by the words that gave them:
    /// "由文字识别：扬言要动刀 → 民转刑倾向、扬言极端". On 登记 the ticked
    /// ones; on 研判 all, those not ticked marked "（未勾选）".
    fn flags_note(&self) -> Option<String> {
        let ticked = self.ticked_flags();
        let register = self.kind == FormKind::Register;
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for f in &self.read.reading.flags {
            let on = ticked.contains(&f.value);
            if register && !on {
                continue;
            }
            let label = match on {
                true => f.value.label().to_string(),
                false => format!("{}（未勾选）", f.value.label()),
            };
            match groups.iter_mut().find(|(b, _)| *b == f.because) {
                Some((_, labels)) => labels.push(label),
                None => groups.push((f.because.clone(), vec![label])),
            }
        }
        // Beside the 登记 field the labels are the value itself: one group
        // needs only its words.
        if let [(b, _)] = groups.as_slice() {
            if register {
                return Some(format!("由文字识别：{b}"));
            }
        }
        let parts: Vec<String> = groups
            .iter()
            .map(|(b, labels)| format!("{b} → {}", labels.join("、")))
            .collect();
        (!parts.is_empty()).then(|| format!("由文字识别：{}", parts.join("；")))
    }

    /// The party-name fields in form order.
    fn party_name_keys(&self) -> Vec<Key> {
        self.fields
            .iter()
            .filter(|f| f.key.party_name().is_some())
            .map(|f| f.key)
            .collect()
    }

    /// The suggestions that differ from what the fields hold, as
    /// "类型 劳资/欠薪" words, for the line that offers to accept them.
    pub fn open_suggestions(&self) -> Vec<String> {
        // The history's suggestion fills what the officer has not chosen.
        if let Some(offer) = &self.offer {
            return offer
                .values()
                .into_iter()
                .filter(|(k, _)| self.get(*k).is_empty())
                .map(|(k, v)| format!("{} {v}", self.field(k).map_or("", |f| f.label.as_str())))
                .collect();
        }
        if self.kind != FormKind::Register {
            return Vec::new();
        }
        let r = &self.read.reading;
        let mut out = Vec::new();
        if let Some(c) = r
            .category
            .as_ref()
            .filter(|c| self.get(Key::Category) != c.value)
        {
            out.push(format!("类型 {}", c.value));
        }
        if let Some(s) = r
            .source
            .as_ref()
            .filter(|s| self.get(Key::Source) != s.value.label())
        {
            out.push(format!("来源 {}", s.value.label()));
        }
        let typed = self.party_names();
        let parties: Vec<&str> = r
            .parties
            .iter()
            .map(|p| p.value.name.as_str())
            .filter(|p| !typed.iter().any(|t| t == p))
            .collect();
        if !parties.is_empty() {
            out.push(format!("当事人 {}", parties.join("、")));
        }
        if let Some(p) = r
            .people
            .as_ref()
            .filter(|p| self.get(Key::People) != p.value.to_string())
        {
            out.push(format!("人数 {}", p.value));
        }
        if let Some(a) = r.amount_yuan.as_ref() {
            if parse_amount(&self.get(Key::Amount)).ok() != Some(a.value) {
                out.push(format!("金额 {}", amount_text(a)));
            }
        }
        out
    }

    /// Fills every field the reading suggests (flags are already ticked);
    /// returns the words of what was filled.
    pub fn accept_suggestions(&mut self) -> Vec<String> {
        let filled = self.open_suggestions();
        if filled.is_empty() {
            return filled;
        }
        if let Some(offer) = self.offer.clone() {
            for (k, v) in offer.values() {
                if self.get(k).is_empty() {
                    self.set(k, v);
                }
            }
            return filled;
        }
        let r = self.read.reading.clone();
        if let Some(c) = &r.category {
            self.set(Key::Category, &c.value);
        }
        if let Some(s) = &r.source {
            self.set(Key::Source, s.value.label());
        }
        if let Some(p) = &r.people {
            self.set(Key::People, &p.value.to_string());
        }
        if let Some(a) = &r.amount_yuan {
            if parse_amount(&self.get(Key::Amount)).ok() != Some(a.value) {
                self.set(Key::Amount, &amount_text(a));
            }
        }
        self.fill_parties(&r.parties);
        self.note_suggestions();
        filled
    }

    /// Each suggested party not yet typed goes into the first empty name
    /// row, a new party row when none is left.
    fn fill_parties(&mut self, parties: &[Suggested<NamedParty>]) {
        let focus = self.focus;
        for p in parties {
            if self.party_names().contains(&p.value.name) {
                continue;
            }
            let empty = self.party_name_keys().into_iter().find(|k| {
                clean_line(&self.field(*k).map(|f| f.text()).unwrap_or_default()).is_empty()
            });
            let key = match empty {
                Some(k) => k,
                None => {
                    let before = self.party_name_keys().len();
                    self.add_party();
                    match self.party_name_keys().get(before) {
                        Some(&k) => k,
                        None => break,
                    }
                }
            };
            self.set(key, &p.value.name);
            if let (Some(role), Key::Party(n, _)) = (p.value.role, key) {
                self.set(Key::Party(n, PartyPart::Role), role.label());
            }
        }
        self.focus = focus.min(self.fields.len() - 1);
    }

    /// The read flags' reasons, one line, for 研判's live lines.
    pub fn reading_line(&self) -> Option<String> {
        self.flags_note()
    }
}

/// "文字“拖欠工资”" when the field holds the suggestion, else
/// "建议 劳资/欠薪（文字“拖欠工资”）".
fn suggestion(value: &str, because: &str, same: bool) -> String {
    match (same, because == value) {
        (true, true) => "由文字识别".to_string(),
        (true, false) => format!("文字“{because}”"),
        (false, true) => format!("建议 {value}"),
        (false, false) => format!("建议 {value}（文字“{because}”）"),
    }
}

/// The amount as the officer wrote it ("3万元") when that reads back the
/// same, else in 元.
fn amount_text(a: &Suggested<u64>) -> String {
    match parse_amount(&a.because) {
        Ok(v) if v == a.value => a.because.clone(),
        _ => format!("{}元", a.value),
    }
}
