//! Every field a form can have, by a typed key: a misspelt key does not
//! compile. Drafts keep a field by its `name()`, so a draft saved before a
//! form changed shape still finds its fields.

/// One part of a party's three rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyPart {
    Name,
    Role,
    Phone,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Village,
    Category,
    Source,
    Summary,
    /// The nth party (from 1).
    Party(u8, PartyPart),
    AddParty,
    Persons,
    People,
    Amount,
    Flags,
    Risk,
    Tier,
    Leader,
    Unit,
    Person,
    Deadline,
    Reason,
    Team,
    Plan,
    Kind,
    Text,
    To,
    Outcome,
    Decision,
    Comment,
    Method,
    Honoured,
    Satisfaction,
    Rebound,
    Finding,
    Met,
    Reopen,
    Name,
    Officer,
    Review,
    Phone,
    IdNumber,
    Date,
    Next,
    Channel,
    Submit,
}

/// The keys that are one word (all but the parties'), for reading drafts.
const WORDS: &[Key] = &[
    Key::Village,
    Key::Category,
    Key::Source,
    Key::Summary,
    Key::AddParty,
    Key::Persons,
    Key::People,
    Key::Amount,
    Key::Flags,
    Key::Risk,
    Key::Tier,
    Key::Leader,
    Key::Unit,
    Key::Person,
    Key::Deadline,
    Key::Reason,
    Key::Team,
    Key::Plan,
    Key::Kind,
    Key::Text,
    Key::To,
    Key::Outcome,
    Key::Decision,
    Key::Comment,
    Key::Method,
    Key::Honoured,
    Key::Satisfaction,
    Key::Rebound,
    Key::Finding,
    Key::Met,
    Key::Reopen,
    Key::Name,
    Key::Officer,
    Key::Review,
    Key::Phone,
    Key::IdNumber,
    Key::Date,
    Key::Next,
    Key::Channel,
    Key::Submit,
];

const PARTS: [(PartyPart, &str); 3] = [
    (PartyPart::Name, "name"),
    (PartyPart::Role, "role"),
    (PartyPart::Phone, "phone"),
];

impl Key {
    /// A one-word key's name (None for a party's rows).
    fn word(self) -> Option<&'static str> {
        Some(match self {
            Key::Village => "village",
            Key::Category => "category",
            Key::Source => "source",
            Key::Summary => "summary",
            Key::AddParty => "add_party",
            Key::Persons => "persons",
            Key::People => "people",
            Key::Amount => "amount",
            Key::Flags => "flags",
            Key::Risk => "risk",
            Key::Tier => "tier",
            Key::Leader => "leader",
            Key::Unit => "unit",
            Key::Person => "person",
            Key::Deadline => "deadline",
            Key::Reason => "reason",
            Key::Team => "team",
            Key::Plan => "plan",
            Key::Kind => "kind",
            Key::Text => "text",
            Key::To => "to",
            Key::Outcome => "outcome",
            Key::Decision => "decision",
            Key::Comment => "comment",
            Key::Method => "method",
            Key::Honoured => "honoured",
            Key::Satisfaction => "satisfaction",
            Key::Rebound => "rebound",
            Key::Finding => "finding",
            Key::Met => "met",
            Key::Reopen => "reopen",
            Key::Name => "name",
            Key::Officer => "officer",
            Key::Review => "review",
            Key::Phone => "phone",
            Key::IdNumber => "id_number",
            Key::Date => "date",
            Key::Next => "next",
            Key::Channel => "channel",
            Key::Submit => "submit",
            Key::Party(..) => return None,
        })
    }

    /// The name a draft keeps the field under.
    pub fn name(self) -> String {
        match self {
            Key::Party(n, part) => {
                let part = PARTS.iter().find(|(p, _)| *p == part).map(|(_, s)| *s);
                format!("party{n}.{}", part.unwrap_or("name"))
            }
            word => word.word().unwrap_or_default().to_string(),
        }
    }

    pub fn parse(name: &str) -> Option<Key> {
        if let Some((n, part)) = name
            .strip_prefix("party")
            .and_then(|rest| rest.split_once('.'))
        {
            let n: u8 = n.parse().ok()?;
            let part = PARTS.iter().find(|(_, s)| *s == part)?.0;
            return Some(Key::Party(n, part));
        }
        WORDS.iter().copied().find(|k| k.word() == Some(name))
    }

    /// Whether this is a party's name row, and whose.
    pub fn party_name(self) -> Option<u8> {
        match self {
            Key::Party(n, PartyPart::Name) => Some(n),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_through_its_draft_name() {
        for &key in WORDS {
            assert_eq!(Key::parse(&key.name()), Some(key));
        }
        assert_eq!(Key::IdNumber.name(), "id_number");
        let party = Key::Party(3, PartyPart::Phone);
        assert_eq!(party.name(), "party3.phone");
        assert_eq!(Key::parse("party3.phone"), Some(party));
        assert_eq!(Key::parse("party3.age"), None);
        assert_eq!(Key::parse("deadlin"), None);
    }
}
