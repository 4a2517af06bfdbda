//! 登记矛盾纠纷: where, what, from whom, the parties, and any warning signs.

use super::{choice, labels, Built, Start};
use crate::desk::api::Request;
use crate::desk::ops::Op;
use crate::domain::dispute::{NewDispute, Party};
use crate::domain::lists::{PartyRole, Source, WarningFlag};
use crate::domain::text::{parse_amount, parse_people};
use crate::tui::form::{
    login_of, split_multi, Ctx, Field, FieldKind, Form, Key, Options, PartyPart,
};

/// The three rows of the nth party.
pub(in crate::tui) fn party_fields(n: u8) -> Vec<Field> {
    let role = if n == 1 {
        PartyRole::Applicant
    } else {
        PartyRole::Respondent
    };
    // Name, then phone, then the role (already filled): the two things
    // typed sit next to each other.
    vec![
        Field::new(
            Key::Party(n, PartyPart::Name),
            &format!("当事人{n} 姓名"),
            n == 1,
            FieldKind::Text,
        ),
        Field::new(
            Key::Party(n, PartyPart::Phone),
            &format!("当事人{n} 电话"),
            false,
            FieldKind::Text,
        )
        .hint("可不填"),
        Field::new(
            Key::Party(n, PartyPart::Role),
            &format!("当事人{n} 身份"),
            false,
            FieldKind::Choice(labels(PartyRole::ALL, PartyRole::label)),
        )
        .value(role.label()),
    ]
}

/// The fields in the order of a call: where and how it came, what was
/// said, then what the text gives (type, flags: filled as it is typed, so
/// the officer checks them right below the text), then who.
pub(super) fn fields(_: &Start) -> Vec<Field> {
    let mut f = vec![
        Field::new(
            Key::Village,
            "村(社区)",
            true,
            FieldKind::Choice(Options::Villages),
        ),
        choice(
            Key::Source,
            "来源",
            labels(Source::ALL, Source::label),
            Source::Visit.label(),
        ),
        Field::new(Key::Summary, "矛盾情况", true, FieldKind::Text),
        Field::new(
            Key::Category,
            "纠纷类型",
            true,
            FieldKind::Choice(Options::Categories),
        ),
        Field::new(
            Key::Flags,
            "预警情形",
            false,
            FieldKind::Multi(labels(WarningFlag::ALL, WarningFlag::label)),
        )
        .hint("打字找，空格勾选多项"),
    ];
    f.extend(party_fields(1));
    f.extend(party_fields(2));
    f.push(Field::new(
        Key::AddParty,
        "＋ 再添一位当事人",
        false,
        FieldKind::AddParty,
    ));
    f.extend([
        Field::new(
            Key::Persons,
            "涉及重点人员",
            false,
            FieldKind::Multi(Options::Persons),
        )
        .hint("当事人在重点人员名单上时关联"),
        Field::new(Key::People, "涉及人数", false, FieldKind::Number),
        Field::new(Key::Amount, "涉及金额", false, FieldKind::Text).hint("如 3万元、12000"),
    ]);
    f
}

pub(super) fn build(f: &mut Form, ctx: &Ctx) -> Option<Built> {
    let new = new_dispute(f, ctx)?;
    Some(Built::Once {
        request: Request::Register { new },
        done: Op::Register.spec().done,
    })
}

fn parties(f: &mut Form, ok: &mut bool) -> Vec<Party> {
    let mut parties = Vec::new();
    let groups: Vec<u8> = f.fields.iter().filter_map(|x| x.key.party_name()).collect();
    for n in groups {
        let name = f.get(Key::Party(n, PartyPart::Name));
        let phone = f.get(Key::Party(n, PartyPart::Phone));
        if name.is_empty() {
            if !phone.is_empty() {
                f.fail(Key::Party(n, PartyPart::Name), "填了电话，请同时填姓名");
                *ok = false;
            }
            continue;
        }
        let role =
            PartyRole::parse(&f.get(Key::Party(n, PartyPart::Role))).unwrap_or(PartyRole::Other);
        match Party::new(&name, role, (!phone.is_empty()).then_some(phone.as_str())) {
            Ok(p) => parties.push(p),
            Err(e) => {
                let part = if e.to_string().contains("电话") {
                    PartyPart::Phone
                } else {
                    PartyPart::Name
                };
                f.fail(Key::Party(n, part), e.to_string());
                *ok = false;
            }
        }
    }
    parties
}

/// Links the chosen key persons: to the party of the same name, or as a
/// party of their own.
fn link_persons(f: &mut Form, ctx: &Ctx, parties: &mut Vec<Party>, ok: &mut bool) {
    for pick in split_multi(&f.get(Key::Persons)) {
        let pid = login_of(&pick);
        let Some(p) = ctx.persons.iter().find(|p| p.id == pid) else {
            f.fail(Key::Persons, format!("重点人员名单中没有“{pick}”"));
            *ok = false;
            continue;
        };
        match parties.iter_mut().find(|x| x.name == p.name) {
            Some(x) => x.person_id = Some(p.id.clone()),
            None => parties.push(Party {
                name: p.name.clone(),
                role: PartyRole::Other,
                phone: None,
                person_id: Some(p.id.clone()),
            }),
        }
    }
}

fn people(f: &mut Form, ok: &mut bool) -> u32 {
    match parse_people(&f.get(Key::People)) {
        Ok(n) => n,
        Err(e) => {
            f.fail(Key::People, e.to_string());
            *ok = false;
            0
        }
    }
}

fn amount(f: &mut Form, ok: &mut bool) -> Option<u64> {
    let text = f.get(Key::Amount);
    if text.is_empty() {
        return None;
    }
    match parse_amount(&text) {
        Ok(a) => Some(a),
        Err(e) => {
            f.fail(Key::Amount, e.to_string());
            *ok = false;
            None
        }
    }
}

fn new_dispute(f: &mut Form, ctx: &Ctx) -> Option<NewDispute> {
    let mut ok = true;
    let source = f.choice(Key::Source, Source::parse);
    let mut parties = parties(f, &mut ok);
    link_persons(f, ctx, &mut parties, &mut ok);
    let people_involved = people(f, &mut ok);
    let amount = amount(f, &mut ok);
    let flags = f.flags();
    let (source, flags) = (source?, flags?);
    if !ok {
        return None;
    }
    Some(NewDispute {
        village: f.get(Key::Village),
        category: f.get(Key::Category),
        source: Some(source),
        summary: f.lines(Key::Summary),
        parties,
        people_involved,
        amount,
        flags,
        tier: None,
    })
}
