//! The flows through the TUI: key events on a real `App` whose requests go
//! to a real `Local` on a temp database, so every form really commits (or is
//! really refused) and its answer comes back as the server's would.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use chrono::TimeZone;
use common::{caller, fixture};
use duty_desk::desk::api::{decode_blob, Request, Response};
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::tui::form::Key;

/// A form field by the name its draft keeps it under.
fn k(name: &str) -> Key {
    Key::parse(name).expect("a field of the form")
}
use duty_desk::desk::{clock, Caller, Local, Notice};
use duty_desk::domain::dispute::Dispute;
use duty_desk::domain::lists::{Outcome, RiskLevel, Tier, WarningFlag};
use duty_desk::domain::workflow::Status;
use duty_desk::tui::app::{App, Out, Overlay, View, Want};
use duty_desk::tui::form::FormKind;
use duty_desk::tui::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The shared database and the change notices every desk gets, as the
/// server broadcasts them.
struct Server {
    local: Local,
    notices: RefCell<Vec<Notice>>,
}

impl Server {
    /// A change made elsewhere (another officer's CLI): its notice goes out.
    fn call(&self, who: &str, req: Request) -> Response {
        let reply = self.local.handle(&caller(who), req).unwrap();
        self.notices.borrow_mut().extend(reply.notice);
        reply.response
    }
}

/// One officer's desk on the shared database.
struct Desk {
    app: App,
    local: Rc<Server>,
    /// Notices already delivered to this desk.
    seen: usize,
    who: Caller,
    searches: common::screen::Searches,
    /// Every key pressed, and of those the characters of typed text: the
    /// keystroke targets count the difference.
    keys: usize,
    text_keys: usize,
}

impl Desk {
    /// A desk that has asked for everything, before any answer came.
    fn loading(local: &Rc<Server>, login: &str) -> Desk {
        let mut d = Desk {
            app: App::new(Keymap::default_map(), clock::now(), false),
            local: local.clone(),
            seen: local.notices.borrow().len(),
            who: caller(login),
            searches: Default::default(),
            keys: 0,
            text_keys: 0,
        };
        d.app.online = true;
        d.app.load();
        d
    }

    fn open(local: &Rc<Server>, login: &str) -> Desk {
        let mut d = Desk::loading(local, login);
        d.pump();
        // A new shift opens on the handover; Esc puts it away.
        if let Some(Overlay::Report { title, .. }) = d.app.overlays.last() {
            assert_eq!(title, "交接班");
            d.key(KeyCode::Esc);
        }
        d
    }

    /// Does what the loop's threads and the server do: answers requests
    /// with the real `Local`, hands back the change notices, runs searches.
    fn pump(&mut self) {
        loop {
            let notices: Vec<Notice> = self.local.notices.borrow()[self.seen..].to_vec();
            self.seen += notices.len();
            let status = self.app.status.clone();
            let committed = !notices.is_empty();
            for n in notices {
                self.app.on_notice(n);
            }
            if committed {
                let (local, who) = (&self.local.local, &self.who);
                self.searches.push(&mut self.app, |req| {
                    local.handle(who, req).and_then(|r| decode_blob(r.response))
                });
            }
            // The flow's own message stays on the status line.
            if status.is_some() {
                self.app.status = status;
            }
            let out: Vec<Out> = self.app.out.drain(..).collect();
            if out.is_empty() {
                return;
            }
            for o in out {
                match o {
                    Out::Request(want, req) => {
                        let result =
                            self.local
                                .local
                                .handle(&self.who, req.clone())
                                .and_then(|r| {
                                    self.local.notices.borrow_mut().extend(r.notice);
                                    decode_blob(r.response)
                                });
                        self.searches.note(&req, &result);
                        self.app.on_reply(want, result);
                    }
                    other => {
                        if self.searches.take(&mut self.app, other).is_some() {
                            panic!("no export expected in these tests");
                        }
                    }
                }
            }
        }
    }

    /// A case's row as the server ranks it.
    fn row_of(&self, id: &str) -> duty_desk::desk::views::Row {
        let query = duty_desk::desk::views::ViewQuery {
            screen: duty_desk::domain::screens::Screen::All,
            search: id.to_string(),
            sort: None,
        };
        let req = Request::View {
            query,
            from: 0,
            limit: 5,
            watch: None,
        };
        match self.local.local.handle(&self.who, req).unwrap().response {
            Response::Window(w) => w.rows.into_iter().find(|r| r.case.id == id).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.press(code, KeyModifiers::NONE)
    }

    fn press(&mut self, code: KeyCode, m: KeyModifiers) -> &mut Self {
        self.keys += 1;
        self.pump();
        self.app.on_key(KeyEvent::new(code, m));
        self.pump();
        self
    }

    fn typed(&mut self, text: &str) -> &mut Self {
        self.text_keys += text.chars().count();
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    fn submit(&mut self) -> &mut Self {
        self.press(KeyCode::Char('s'), KeyModifiers::CONTROL)
    }

    /// Moves the focus to the field labelled `label`.
    fn field(&mut self, label: &str) -> &mut Self {
        for _ in 0..60 {
            if self.form().focused().label == label {
                return self;
            }
            self.key(KeyCode::Tab);
        }
        panic!(
            "no field {label} in {:?}; error {:?}; status {:?}",
            self.form().kind,
            self.form().error,
            self.app.status
        );
    }

    /// Picks in the focused choice by typing `query` (pinyin works).
    fn pick(&mut self, query: &str) -> &mut Self {
        self.key(KeyCode::Enter);
        assert!(
            matches!(self.app.overlays.last(), Some(Overlay::Picker(_))),
            "no picker: {:?} {:?}",
            self.app.status,
            self.app.overlays.last().map(|o| match o {
                Overlay::Form(f) => f.focused().label.clone(),
                _ => "?".into(),
            })
        );
        self.typed(query).key(KeyCode::Enter)
    }

    /// Keys pressed since the last call, besides typed text.
    fn count_keys(&mut self) -> usize {
        let n = self.keys - self.text_keys;
        self.keys = 0;
        self.text_keys = 0;
        n
    }

    fn form(&self) -> &duty_desk::tui::form::Form {
        match self.app.overlays.last() {
            Some(Overlay::Form(f)) => f,
            other => panic!("no form on top: {other:?}"),
        }
    }

    fn has_form(&self) -> bool {
        self.app
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Form(_)))
    }

    fn status(&self) -> String {
        self.app
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default()
    }

    fn screen(&mut self, w: u16, h: u16) -> String {
        common::screen::render(&mut self.app, w, h)
    }

    fn dispute(&self, id: &str) -> Dispute {
        match self
            .local
            .local
            .handle(&caller("admin1"), Request::Dispute { id: id.into() })
            .unwrap()
            .response
        {
            Response::Dispute(d) => *d,
            other => panic!("{other:?}"),
        }
    }

    /// Opens `id` in the detail view (the flows act on it).
    fn go(&mut self, id: &str) -> &mut Self {
        self.key(KeyCode::Char(':'))
            .typed(&format!("go {id}"))
            .key(KeyCode::Enter)
    }
}

fn shared() -> (Rc<Server>, tempfile::TempDir) {
    let f = fixture();
    let server = Server {
        local: f.local,
        notices: RefCell::new(Vec::new()),
    };
    (Rc::new(server), f.dir)
}

/// Registers through the form: village by pinyin, category by pinyin,
/// summary on two lines, one party with a phone.
fn register(d: &mut Desk, party: &str) -> String {
    d.key(KeyCode::Char('n'));
    assert_eq!(d.form().kind, FormKind::Register);
    d.pick("zz") // 赵庄村
        .field("纠纷类型")
        .pick("ll") // 邻里
        .field("矛盾情况")
        .typed("两家因宅前排水沟堵塞争吵，已到现场查看")
        .field("当事人1 姓名")
        .typed(party)
        .field("当事人1 电话")
        .typed("19900001234")
        .submit();
    assert!(!d.has_form(), "form still open: {:?}", d.form().error);
    let status = d.status();
    assert!(status.starts_with("已登记 MD-"), "{status}");
    status.trim_start_matches("已登记 ").to_string()
}

#[test]
fn registration_form_with_pinyin_pickers_saves_one_record() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n')).pick("zz");
    // The status line's clock, fixed for the snapshot.
    d.app.now = clock::china()
        .with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
        .unwrap();
    insta::assert_snapshot!("register_form_80x24", d.screen(80, 24));
    d.key(KeyCode::Esc).key(KeyCode::Enter); // confirm dropping it
    assert!(!d.has_form());
    let id = register(&mut d, "王建国");
    let r = d.dispute(&id);
    assert_eq!(r.village, "赵庄村");
    assert_eq!(r.category, "邻里");
    assert_eq!(r.summary, "两家因宅前排水沟堵塞争吵，已到现场查看");
    assert_eq!(r.parties[0].name, "王建国");
    assert_eq!(r.parties[0].phone.as_deref(), Some("19900001234"));
    // The new case is on this desk's inbox without a reload.
    d.key(KeyCode::Char('1'));
    assert!(d.screen(120, 30).contains(&id));
}

#[test]
fn bad_input_is_marked_next_to_the_field_and_nothing_is_saved() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n')).submit();
    let screen = d.screen(100, 40);
    assert!(screen.contains("村(社区)为必填项"), "{screen}");
    assert!(screen.contains("当事人1 姓名为必填项"), "{screen}");
    assert!(screen.contains("有几项需要修改"), "{screen}");
    // A 500-character name, words that are no count (五个 or 二十余 would
    // be understood), an impossible amount.
    let long: String = "张".repeat(500);
    d.pick("dh")
        .field("纠纷类型")
        .pick("ll")
        .field("矛盾情况")
        .typed("排水沟纠纷")
        .field("当事人1 姓名")
        .typed(&long)
        .field("涉及人数")
        .typed("好几个")
        .field("涉及金额")
        .typed("很多钱")
        .submit();
    let f = d.form();
    let err = |key: &str| f.field(k(key)).unwrap().error.clone().unwrap_or_default();
    assert!(
        err("party1.name").contains("当事人姓名"),
        "{}",
        err("party1.name")
    );
    assert!(err("people").contains("整数"), "{}", err("people"));
    assert!(!err("amount").is_empty());
    let (_, items) = summaries(&local);
    assert!(items.is_empty(), "nothing may be saved");
    // Escape sequences typed into a field never enter it.
    d.field("当事人1 姓名")
        .press(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .typed("\u{1b}[2J赵\u{7}春生");
    assert_eq!(d.form().get(k("party1.name")), "[2J赵春生");
}

fn summaries(local: &Server) -> (u64, Vec<duty_desk::domain::summary::Summary>) {
    match decode_blob(
        local
            .local
            .handle(&caller("admin1"), Request::Summaries)
            .unwrap()
            .response,
    )
    .unwrap()
    {
        Response::Summaries { revision, items } => (revision, items),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_dispute_goes_through_every_flow_by_keyboard() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "孙玉兰");

    // 研判: the score and its reasons follow the choices live.
    zb.go(&id).key(KeyCode::Char('t'));
    assert_eq!(zb.form().kind, FormKind::Triage);
    let before = zb.form().live[0].clone();
    zb.field("风险等级").key(KeyCode::Right); // 中 → 高
    zb.field("预警情形").pick("mzx"); // 民转刑倾向
    let after = zb.form().live[0].clone();
    assert_ne!(before, after);
    assert!(after.contains("民转刑倾向"), "{after}");
    zb.submit();
    let d = zb.dispute(&id);
    assert_eq!((d.status, d.risk), (Status::Triaged, Some(RiskLevel::High)));

    // 交办 with a deadline typed the way officers write dates.
    zb.key(KeyCode::Char('a'))
        .pick("fzq") // 冯志强（tj1）
        .pick("sfs") // 司法所
        .pick("zgq") // 郑国庆（ld1）
        .field("化解时限");
    let deadline = clock::now().date_naive() + chrono::Days::new(10);
    zb.typed(&deadline.format("%Y年%m月%d日").to_string())
        .submit();
    let d = zb.dispute(&id);
    let a = d.assignment.clone().unwrap();
    assert_eq!(
        (
            a.leader.as_str(),
            a.unit.as_str(),
            a.person.as_str(),
            a.deadline
        ),
        ("ld1", "司法所", "tj1", deadline)
    );

    // 签收 by the responsible person: one key.
    let mut tj = Desk::open(&local, "tj1");
    tj.go(&id).key(KeyCode::Char('s'));
    assert!(tj.status().contains("已签收"), "{}", tj.status());
    assert_eq!(tj.dispute(&id).status, Status::InProgress);

    // 包案 by the leader with a plan of dated steps.
    let mut ld = Desk::open(&local, "ld1");
    ld.go(&id).key(KeyCode::Char('p'));
    // The leader taking it is already there; leaders come before 管理员.
    assert_eq!(ld.form().get(k("leader")), "郑国庆（ld1）");
    ld.key(KeyCode::Enter);
    let Some(Overlay::Picker(p)) = ld.app.overlays.last() else {
        panic!("no picker");
    };
    assert_eq!(
        p.options,
        ["郑国庆（ld1）", "韩立新（ld2）", "林晓燕（admin1）"]
    );
    ld.key(KeyCode::Enter)
        .field("工作专班")
        .key(KeyCode::Enter)
        .typed("fzq")
        .key(KeyCode::Char(' '))
        .key(KeyCode::Enter)
        .field("一案一策");
    let step1 = clock::now().date_naive() + chrono::Days::new(2);
    ld.typed(&format!("{} 召开联合调解会", step1.format("%Y.%m.%d")))
        .key(KeyCode::Enter)
        .typed(&format!(
            "{} 回访双方",
            (step1 + chrono::Days::new(5)).format("%Y-%m-%d")
        ))
        .field("包案时限")
        .typed(&(step1 + chrono::Days::new(20)).to_string())
        .submit();
    assert!(
        !ld.has_form(),
        "{:?}",
        ld.form()
            .fields
            .iter()
            .filter_map(|f| f.error.clone())
            .collect::<Vec<_>>()
    );
    let p = ld.dispute(&id).package.unwrap();
    assert_eq!(p.team, ["tj1"]);
    assert_eq!(p.plan.len(), 2);
    assert_eq!(p.plan[0].text, "召开联合调解会");

    // 进展, then 销号 — a packaged case waits for the leader.
    tj.key(KeyCode::Char('e'))
        .field("方式")
        .key(KeyCode::Right) // 走访 → 电话
        .field("进展情况")
        .typed("电话联系双方，约定周五调解")
        .submit();
    tj.key(KeyCode::Char('c'))
        .field("化解情况")
        .typed("双方签订书面调解协议")
        .submit();
    let d = tj.dispute(&id);
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.status, Status::PendingClose);
    assert_eq!(
        d.closing.as_ref().unwrap().outcome,
        Outcome::WrittenAgreement
    );

    // 审批 by the package leader.
    ld.key(KeyCode::Char('o'))
        .field("批示")
        .typed("同意销号")
        .submit();
    let d = ld.dispute(&id);
    assert_eq!(d.status, Status::Resolved);
    assert_eq!(d.follow_ups.len(), 3);

    // 回访 that finds it flaring again reopens it with one key.
    tj.key(KeyCode::Char('v'))
        .field("有无反弹迹象")
        .key(KeyCode::Char(' '))
        .field("回访情况及所做工作")
        .typed("双方又因排水沟争吵")
        .field("重新办理")
        .key(KeyCode::Char(' '))
        .submit();
    assert!(!tj.has_form(), "{:?}", tj.form().error);
    assert_eq!(tj.dispute(&id).status, Status::InProgress);

    // 上报: the form offers the tier above; the tier moves with a reason.
    zb.key(KeyCode::Char('g'))
        .field("理由")
        .typed("涉及多户，需镇级协调")
        .submit();
    assert_eq!(zb.dispute(&id).tier, Tier::Township);
}

#[test]
fn marked_rows_are_supervised_and_assigned_together() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let ids: Vec<String> = ["甲一", "乙二", "丙三"]
        .iter()
        .map(|p| register(&mut zb, p))
        .collect();
    for id in &ids {
        zb.go(id).key(KeyCode::Char('t')).submit().key(KeyCode::Esc);
    }
    // Risk queue: mark two rows, 督办 both.
    zb.key(KeyCode::Char('2'))
        .key(KeyCode::Home)
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char('d'));
    let supervised: Vec<bool> = ids.iter().map(|i| zb.dispute(i).supervised).collect();
    assert_eq!(
        supervised.iter().filter(|s| **s).count(),
        2,
        "{}",
        zb.status()
    );
    // Mark two again and assign them in one form.
    zb.key(KeyCode::Home)
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char('a'));
    assert!(zb.screen(100, 30).contains("批量 2 件"));
    zb.pick("txy").pick("sfs").pick("zgq").submit(); // 唐秀英（tj2）
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let assigned = ids
        .iter()
        .filter(|i| zb.dispute(i).assignment.is_some_and(|a| a.person == "tj2"))
        .count();
    assert_eq!(assigned, 2);
}

#[test]
fn a_same_sounding_party_in_the_same_village_is_flagged_and_can_be_opened() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let first = register(&mut zb, "张三");
    zb.key(KeyCode::Char('n'))
        .pick("zz")
        .field("当事人1 姓名")
        .typed("章三");
    let live = zb.form().live.join("");
    assert!(live.contains(&first), "{live}");
    assert!(zb.screen(120, 40).contains("按 F3 打开该件"));
    zb.key(KeyCode::F(3));
    assert!(matches!(zb.app.overlays.last(), Some(Overlay::Detail(d)) if d.id == first));
    // Esc goes back to the unfinished form, not past it.
    zb.key(KeyCode::Esc);
    assert_eq!(zb.form().get(k("party1.name")), "章三");
}

#[test]
fn an_unsent_form_is_offered_again_on_the_next_start() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    zb.key(KeyCode::Char('n'))
        .pick("xg")
        .field("矛盾情况")
        .typed("两户因山林界址争执")
        .field("当事人1 姓名")
        .typed("赵春生");
    // The loop sends the draft while the officer types; then the session dies.
    let req = zb.app.draft_request().expect("a draft to save");
    zb.app.out.push(Out::Request(Want::SaveDraft, req));
    zb.pump();
    // Saved as a draft, the form is still the officer's work: Esc asks first.
    zb.key(KeyCode::Esc);
    assert!(matches!(zb.app.overlays.last(), Some(Overlay::Ask(_))));
    zb.key(KeyCode::Esc);
    assert_eq!(zb.form().get(k("party1.name")), "赵春生");
    drop(zb);

    let mut again = Desk::open(&local, "zb1");
    let screen = again.screen(80, 24);
    assert!(screen.contains("没有提交的「登记矛盾纠纷」"), "{screen}");
    again.key(KeyCode::Enter);
    let f = again.form();
    assert_eq!(f.get(k("village")), "西岗村");
    assert_eq!(f.get(k("party1.name")), "赵春生");
    assert_eq!(f.get(k("summary")), "两户因山林界址争执");
    // Sent: the draft is gone, nothing is offered next time.
    again.field("纠纷类型").pick("ll").submit();
    assert!(!again.has_form(), "{:?}", again.form().error);
    let third = Desk::open(&local, "zb1");
    assert!(third.app.overlays.is_empty());
    // Another officer never sees zb1's draft.
    let other = Desk::open(&local, "admin1");
    assert!(other.app.overlays.is_empty());
}

#[test]
fn undo_asks_first_and_reverts_the_last_change() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "刘桂兰");
    zb.go(&id).key(KeyCode::Char('t')).submit();
    assert_eq!(zb.dispute(&id).status, Status::Triaged);
    zb.key(KeyCode::Char('u'));
    assert!(zb.screen(80, 24).contains("撤销您"));
    zb.key(KeyCode::Enter);
    assert!(zb.status().contains("已撤销「研判」"), "{}", zb.status());
    assert_eq!(zb.dispute(&id).status, Status::Registered);
    zb.key(KeyCode::Char('u'));
    assert!(
        zb.status().contains("没有可以撤销的操作"),
        "{}",
        zb.status()
    );
}

#[test]
fn a_stale_form_is_refused_in_the_form_and_can_be_sent_again() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "周海涛");
    zb.go(&id).key(KeyCode::Char('t'));
    // Meanwhile another officer triages the same case.
    local
        .local
        .handle(
            &caller("admin1"),
            ops::Triage {
                risk: RiskLevel::Low,
                flags: vec![],
                tier: None,
            }
            .on(id.clone(), None),
        )
        .unwrap();
    zb.submit();
    let err = zb.form().error.clone().unwrap_or_default();
    assert!(err.contains("已被他人修改"), "{err}");
    zb.submit();
    assert!(!zb.has_form());
    assert_eq!(zb.dispute(&id).risk, Some(RiskLevel::Medium));
}

#[test]
fn refusals_by_role_are_shown_and_keep_the_form() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "吴晓峰");
    // A role that may never do it is told at once, before any form.
    let mut ro = Desk::open(&local, "ck1");
    ro.go(&id).key(KeyCode::Char('t'));
    assert!(!ro.has_form(), "no form for 只读");
    assert!(
        ro.status().contains("您是“只读”，不能研判"),
        "{}",
        ro.status()
    );
    // A 责任人 may add progress, but only on a case of their own: told
    // at once, and the hint bar does not offer it.
    let mut tj = Desk::open(&local, "tj1");
    tj.go(&id);
    assert!(!tj.screen(80, 24).contains("e 进展"));
    tj.key(KeyCode::Char('e'));
    assert!(!tj.has_form(), "no form for a case not theirs");
    assert!(
        tj.status().contains("这件不是交办给您的，不能添加进展"),
        "{}",
        tj.status()
    );
    assert_eq!(ro.dispute(&id).status, Status::Registered);
    assert!(tj.dispute(&id).notes.is_empty());
}

#[test]
fn key_persons_are_registered_visited_and_reviewed_by_keyboard() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    zb.key(KeyCode::Char('4')).key(KeyCode::Char('n'));
    assert_eq!(zb.form().kind, FormKind::PersonAdd);
    let review = clock::now().date_naive() + chrono::Days::new(90);
    zb.typed("钱小红")
        .field("村(社区)")
        .pick("dh")
        .pick("sh") // 生活困难人员
        .field("联系干部")
        .pick("fzq")
        .field("列管理由")
        .typed("独居老人，子女在外务工，需定期走访帮扶")
        .field("复核日期")
        .typed(&review.format("%Y.%m.%d").to_string())
        .submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let pid = zb
        .status()
        .trim_start_matches("已登记重点人员 ")
        .to_string();
    assert!(pid.starts_with("RY-"), "{pid}");

    let mut tj = Desk::open(&local, "tj1");
    tj.go(&pid)
        .key(KeyCode::Char('v'))
        .field("走访情况")
        .typed("入户走访，生活用品充足")
        .submit();
    assert!(!tj.has_form(), "{:?}", tj.form().error);

    // A dispute names her as a party: linked to the register.
    zb.key(KeyCode::Esc)
        .key(KeyCode::Char('2'))
        .key(KeyCode::Char('n'))
        .pick("dh")
        .field("纠纷类型")
        .pick("ll")
        .field("矛盾情况")
        .typed("与邻居因院墙漏雨争执")
        .field("当事人1 姓名")
        .typed("钱小红")
        .field("涉及重点人员")
        .key(KeyCode::Enter)
        .typed("qxh")
        .key(KeyCode::Char(' '))
        .key(KeyCode::Enter)
        .submit();
    let did = zb.status().trim_start_matches("已登记 ").to_string();
    let linked = zb.dispute(&did);
    assert_eq!(linked.parties[0].person_id.as_deref(), Some(pid.as_str()));
    // It counts in the risk score as a key person's case.
    let reasons = zb.row_of(&did).reasons;
    assert!(
        reasons.iter().any(|(r, _)| r.contains("重点人员")),
        "{reasons:?}"
    );

    zb.go(&pid)
        .key(KeyCode::Char('r'))
        .field("复核结论")
        .key(KeyCode::Right) // 解除列管
        .field("理由")
        .typed("子女已返乡照料")
        .submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let p = match local
        .local
        .handle(
            &caller("admin1"),
            Request::Person {
                id: pid.clone(),
                reason: None,
            },
        )
        .unwrap()
        .response
    {
        Response::Person(p) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(p.visits.len(), 1);
    assert!(!p.is_active());
    // Ended entries leave the watchlist; the history stays.
    zb.key(KeyCode::Esc).key(KeyCode::Char('4'));
    assert!(!zb.screen(120, 30).contains("钱小红"));
}

#[test]
fn impossible_and_past_deadlines_are_refused_in_the_form() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "郭建军");
    zb.go(&id).key(KeyCode::Char('t')).submit();
    zb.key(KeyCode::Char('a'))
        .pick("fzq")
        .pick("sfs")
        .pick("zgq")
        .field("化解时限")
        .typed("2026年2月30日")
        .submit();
    let e = zb
        .form()
        .field(k("deadline"))
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(e.contains("2026年2月没有30日"), "{e}");
    zb.press(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .typed("2024.11.28")
        .submit();
    let e = zb
        .form()
        .field(k("deadline"))
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(e.contains("已过"), "{e}");
    assert!(zb.dispute(&id).assignment.is_none());
    // Left empty, the deadline follows the risk level (中: 15 days).
    zb.press(KeyCode::Char('u'), KeyModifiers::CONTROL).submit();
    let due = zb.dispute(&id).deadline().unwrap();
    assert_eq!(due, clock::now().date_naive() + chrono::Days::new(15));
}

fn start_period(local: &Server, name: &str) {
    let today = clock::now().date_naive();
    let period = duty_desk::domain::period::SensitivePeriod::new(
        name,
        today - chrono::Days::new(1),
        today + chrono::Days::new(6),
        None,
    )
    .unwrap();
    local.call("admin1", Request::AddPeriod { period });
}

#[test]
fn a_sensitive_period_brings_the_banner_and_the_roll_call_by_keyboard() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    assert!(!zb.screen(120, 30).contains("敏感时期"));
    // The 管理员 starts 春节 elsewhere: the banner follows on every screen.
    start_period(&local, "春节");
    zb.pump();
    assert!(zb.screen(120, 30).contains("【敏感时期：春节】"));
    zb.key(KeyCode::Char('4'));
    assert!(zb.screen(120, 30).contains("【敏感时期：春节】"));

    // 点名: every village and unit owes today's report.
    zb.key(KeyCode::Char('7'));
    let screen = zb.screen(120, 30);
    assert!(screen.contains("已报 0/"), "{screen}");
    assert!(
        screen.contains("西岗村") && screen.contains("未报"),
        "{screen}"
    );
    // The cursor's village, 零报告 by phone.
    let first = zb.app.rollcall_rows()[0].unit.to_string();
    zb.key(KeyCode::Char('n'));
    assert_eq!(zb.form().get(k("unit")), first);
    zb.submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    // 有情况 needs what was said; 微信 for the next one.
    zb.key(KeyCode::Down).key(KeyCode::Enter);
    let second = zb.form().get(k("unit"));
    zb.field("报告类型")
        .key(KeyCode::Left)
        .field("报告方式")
        .key(KeyCode::Right)
        .submit();
    let e = zb
        .form()
        .field(k("text"))
        .unwrap()
        .error
        .clone()
        .unwrap_or_default();
    assert!(e.contains("写明情况"), "{e}");
    zb.field("报告内容")
        .typed("两户因宅基地界址争执，已派人到场")
        .submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let sheet = zb.app.data.rollcall.clone().unwrap();
    let got: Vec<(String, &str, &str)> = sheet
        .reported
        .iter()
        .map(|e| (e.unit.clone(), e.kind.label(), e.channel.label()))
        .collect();
    assert!(got.contains(&(first.clone(), "零报告", "电话")), "{got:?}");
    assert!(got.contains(&(second.clone(), "有情况", "微信")), "{got:?}");
    let screen = zb.screen(120, 30);
    assert!(screen.contains("已报 2/"), "{screen}");

    // 日报 from the command line of the desk: the zero report names the village.
    zb.key(KeyCode::Char(':'))
        .typed("report daily")
        .key(KeyCode::Enter);
    let report = match zb.app.overlays.last() {
        Some(Overlay::Report { title, text, .. }) => (title.clone(), text.clone()),
        other => panic!("{other:?}"),
    };
    assert!(report.0.contains("日报"), "{report:?}");
    assert!(report.1.contains(&first), "{report:?}");
    assert!(zb.screen(100, 40).contains("Esc 关闭"));
    zb.key(KeyCode::Esc);
    assert!(zb.app.overlays.is_empty());
    zb.key(KeyCode::Char(':'))
        .typed("report weekly")
        .key(KeyCode::Enter);
    assert!(
        zb.status().contains("没有“weekly”这种报表"),
        "{}",
        zb.status()
    );
}

#[test]
fn the_handover_opens_a_shift_and_changed_weights_rerank_at_once() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let a = register(&mut zb, "甲一");
    let b = register(&mut zb, "乙二");
    // b gets 民转刑倾向 (40 points by default); a the 扬言极端 flag (40).
    for (id, flag) in [(&a, "yyjd"), (&b, "mzx")] {
        zb.go(id)
            .key(KeyCode::Char('t'))
            .field("预警情形")
            .pick(flag)
            .submit();
        zb.key(KeyCode::Esc);
    }
    zb.key(KeyCode::Char('2'));
    let order = |d: &Desk| common::screen::held_ids(&d.app, View::Queue);
    let before = order(&zb);
    assert_eq!(before[0], a, "equal points: the older case first");
    // The 管理员 makes 民转刑倾向 weigh more: b goes first on this desk now.
    local.call(
        "admin1",
        Request::SetWeight {
            key: "民转刑倾向".into(),
            value: 90,
        },
    );
    zb.pump();
    assert_eq!(order(&zb)[0], b, "before {before:?}");

    // A new officer's first desk opens on the handover; the next one, an
    // hour later in the same shift, does not.
    let ld = Desk {
        app: App::new(Keymap::default_map(), clock::now(), false),
        local: local.clone(),
        seen: local.notices.borrow().len(),
        who: caller("ld1"),
        searches: Default::default(),
        keys: 0,
        text_keys: 0,
    };
    let mut ld = ld;
    ld.app.online = true;
    ld.app.load();
    ld.pump();
    let screen = ld.screen(100, 40);
    assert!(screen.contains("交接班"), "{screen}");
    assert!(
        screen.contains(&b),
        "the shift's changes name the case:\n{screen}"
    );
    let again = Desk::open(&local, "ld1");
    assert!(again.app.overlays.is_empty());
}

#[test]
fn the_assign_forms_default_deadline_is_the_one_the_server_assigns_in_a_sensitive_period() {
    let (local, _dir) = shared();
    start_period(&local, "全国两会");
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "侯春燕");
    zb.go(&id).key(KeyCode::Char('t')).submit(); // 中
    zb.key(KeyCode::Char('a'))
        .pick("fzq")
        .pick("sfs")
        .pick("zgq");
    let hint = zb
        .form()
        .field(k("deadline"))
        .and_then(|f| f.hint.clone())
        .unwrap_or_default();
    zb.submit();
    let due = zb.dispute(&id).deadline().unwrap();
    // The period shortens 中's 15 days; the hint names the same date.
    assert!(
        due < clock::now().date_naive() + chrono::Days::new(15),
        "{due}"
    );
    assert!(
        hint.contains(&due.to_string()),
        "hint {hint}, assigned {due}"
    );
    assert!(hint.contains("全国两会"), "{hint}");
}

#[test]
fn the_summary_is_read_as_typed_flags_ticked_and_the_rest_taken_by_one_key() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n'))
        .pick("zz")
        .field("矛盾情况")
        .typed("张某与李某因拖欠工资3万元发生纠纷，张某扬言要动刀，来电反映");
    let f = d.form();
    let flags = f.get(k("flags"));
    assert!(
        flags.contains("扬言极端"),
        "threats are ticked at once: {flags}"
    );
    let note = |f: &duty_desk::tui::form::Form, key: &str| {
        f.field(k(key)).unwrap().note.clone().unwrap_or_default()
    };
    assert!(
        note(f, "flags").contains("由文字识别：扬言要动刀"),
        "{}",
        note(f, "flags")
    );
    // The type is put in, for the officer to confirm, with its words;
    // nothing else is filled silently: each suggestion stands beside its field.
    assert_eq!(f.get(k("category")), "劳资/欠薪");
    assert!(note(f, "category").contains("文字“拖欠工资”"));
    assert_eq!(f.get(k("party1.name")), "");
    assert_eq!(f.get(k("amount")), "");
    assert!(note(f, "party1.name").contains("建议 张某"));
    assert!(note(f, "amount").contains("建议 3万元"));
    let screen = d.screen(80, 24);
    assert!(screen.contains("文字建议（F4 采用）"), "{screen}");
    assert!(screen.contains("劳资/欠薪 ▾  文字“拖欠工资”"), "{screen}");

    // The officer removes the flags; typing on does not tick them again.
    d.field("预警情形").key(KeyCode::Backspace);
    assert_eq!(d.form().get(k("flags")), "");
    d.field("矛盾情况")
        .key(KeyCode::End)
        .typed("，要求尽快解决");
    let flags = d.form().get(k("flags"));
    assert!(
        !flags.contains("扬言极端"),
        "a removed flag stays off: {flags}"
    );

    // One key takes the rest; each can still be changed.
    d.key(KeyCode::F(4));
    assert!(d.status().contains("已采用文字建议"), "{}", d.status());
    let f = d.form();
    assert_eq!(f.get(k("category")), "劳资/欠薪");
    assert_eq!(f.get(k("source")), "来电");
    assert_eq!(f.get(k("party1.name")), "张某");
    assert_eq!(f.get(k("party2.name")), "李某");
    assert_eq!(f.get(k("amount")), "3万元");
    assert!(f.open_suggestions().is_empty());
    assert!(note(f, "category").contains("文字“拖欠工资”"));
    d.field("纠纷类型").pick("ll");
    assert_eq!(d.form().get(k("category")), "邻里");
    d.submit();
    assert!(!d.has_form(), "form still open: {:?}", d.form().error);
    let id = d.status().trim_start_matches("已登记 ").to_string();
    let r = d.dispute(&id);
    assert_eq!(r.category, "邻里");
    assert_eq!(r.amount, Some(30_000));
    let names: Vec<&str> = r.parties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["张某", "李某"]);

    // 研判 shows what the text gives, with the words.
    d.go(&id).key(KeyCode::Char('t'));
    assert_eq!(d.form().kind, FormKind::Triage);
    let live = d.form().live.join("\n");
    assert!(live.contains("由文字识别：扬言要动刀 → "), "{live}");
}

#[test]
fn flags_the_form_ticked_go_when_the_words_go_and_the_officers_own_stay() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n'))
        .field("预警情形")
        .pick("qxjl") // 情绪激烈, the officer's own
        .field("矛盾情况")
        .typed("两户争吵，一方扬言要动刀");
    let flags = d.form().get(k("flags"));
    assert!(
        flags.contains("扬言极端") && flags.contains("情绪激烈"),
        "{flags}"
    );
    // "扬言要动刀" deleted: the flags it gave go, the officer's stays.
    for _ in 0.."扬言要动刀".chars().count() {
        d.key(KeyCode::Backspace);
    }
    assert_eq!(d.form().get(k("flags")), "情绪激烈");
    // Said again in other words: ticked again (it was never removed by hand).
    d.typed("同归于尽");
    assert!(d.form().get(k("flags")).contains("扬言极端"));
    // The form's own flags are not removed by the reader on a no-threat text.
    d.field("矛盾情况")
        .press(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .typed("双方情绪稳定，无过激言行");
    assert_eq!(d.form().get(k("flags")), "情绪激烈");
    let note = d.form().field(k("flags")).unwrap().note.clone();
    assert_eq!(note, None, "nothing read from this text");

    // A removed flag stays removed in a form taken up again from its draft.
    d.field("矛盾情况")
        .press(KeyCode::Char('u'), KeyModifiers::CONTROL)
        .typed("一方扬言同归于尽");
    assert!(d.form().get(k("flags")).contains("扬言极端"));
    d.field("预警情形").key(KeyCode::Backspace);
    let req = d.app.draft_request().expect("a draft to save");
    d.app.out.push(Out::Request(Want::SaveDraft, req));
    d.pump();
    drop(d);
    let mut again = Desk::open(&local, "zb1");
    again.key(KeyCode::Enter);
    assert_eq!(again.form().get(k("summary")), "一方扬言同归于尽");
    assert_eq!(again.form().get(k("flags")), "");
    again.field("矛盾情况").typed("，又扬言要动刀");
    let flags = again.form().get(k("flags"));
    assert!(!flags.contains("扬言极端"), "{flags}");
}

#[test]
fn another_officers_threat_is_announced_at_once_and_acknowledged_with_one_key() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let mut ld = Desk::open(&local, "ld1");
    let mut tj = Desk::open(&local, "tj1");
    let mut ck = Desk::open(&local, "ck1");
    // 郑国庆 registers a call whose text carries a threat.
    ld.key(KeyCode::Char('n'))
        .pick("zz")
        .field("纠纷类型")
        .pick("ll")
        .field("矛盾情况")
        .typed("来电称邻居扬言要拿刀砍人")
        .field("当事人1 姓名")
        .typed("甲某")
        .submit();
    let id = ld.status().trim_start_matches("已登记 ").to_string();
    assert!(id.starts_with("MD-"), "{id}");
    // 宋雪梅's desk says so at once and shows it in the strip.
    zb.pump();
    assert!(
        zb.status().starts_with(&format!("预警：{id}")),
        "{}",
        zb.status()
    );
    let screen = zb.screen(80, 24);
    assert!(screen.contains("预警 1 件"), "{screen}");
    // 责任人 and 只读 keep no watch: no strip, no announcement.
    for d in [&mut tj, &mut ck] {
        d.pump();
        assert!(!d.status().starts_with("预警"), "{}", d.status());
        assert!(!d.screen(80, 24).contains("预警 1 件"));
    }
    // w on the case acknowledges it; the strip goes.
    zb.go(&id).key(KeyCode::Char('w'));
    assert!(zb.status().contains("已签收预警"), "{}", zb.status());
    let d = zb.dispute(&id);
    assert_eq!(d.alerts[0].acked_by.as_deref(), Some("zb1"));
    zb.key(KeyCode::Esc);
    assert!(!zb.screen(80, 24).contains("预警 1 件"));
}

/// Checks that the popup titled `title` has its left border on every row:
/// a double-width character under it would hide it on a real terminal.
fn left_border_is_whole(screen: &str, title: &str) {
    let column_of = |line: &str, want: char| {
        let mut col = 0;
        for c in line.chars() {
            if c == want {
                return Some(col);
            }
            col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        None
    };
    let char_at = |line: &str, at: usize| {
        let mut col = 0;
        for c in line.chars() {
            if col == at {
                return Some(c);
            }
            col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if col > at {
                return None;
            }
        }
        None
    };
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|l| l.contains(&format!("┌ {title}")))
        .unwrap_or_else(|| panic!("no popup {title}:\n{screen}"));
    let x = column_of(lines[top], '┌').expect("a top-left corner");
    let mut rows = 0;
    for line in &lines[top + 1..] {
        match char_at(line, x) {
            Some('└') => break,
            Some('│') => rows += 1,
            other => panic!("border lost at column {x} ({other:?}):\n{screen}"),
        }
    }
    assert!(rows >= 3, "{screen}");
}

#[test]
fn popups_over_chinese_keep_their_left_border_at_80x24() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    let id = register(&mut d, "甲一");
    // The register form's 村(社区) picker over the form's Chinese labels.
    d.key(KeyCode::Char('n')).key(KeyCode::Enter);
    assert!(matches!(d.app.overlays.last(), Some(Overlay::Picker(_))));
    d.app.now = clock::china()
        .with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
        .unwrap();
    let screen = d.screen(80, 24);
    insta::assert_snapshot!("village_picker_80x24", screen);
    left_border_is_whole(&screen, "选择村(社区)");
    d.key(KeyCode::Esc).key(KeyCode::Esc);
    if d.has_form() {
        d.key(KeyCode::Enter);
    }
    // 预警情形 in the triage form: Space ticks in place, › marks the cursor.
    d.go(&id)
        .key(KeyCode::Char('t'))
        .field("预警情形")
        .key(KeyCode::Enter);
    let screen = d.screen(80, 24);
    left_border_is_whole(&screen, "选择预警情形");
    d.key(KeyCode::Down).key(KeyCode::Char(' '));
    let Some(Overlay::Picker(p)) = d.app.overlays.last() else {
        panic!("no picker");
    };
    assert_eq!(p.selected, 1, "Space does not move the cursor");
    assert!(p.chosen.contains(&p.shown[1]));
    let screen = d.screen(80, 24);
    assert!(screen.contains("› [x]"), "{screen}");
    left_border_is_whole(&screen, "选择预警情形");
}

#[test]
fn the_red_line_goes_when_the_last_red_field_is_fixed() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n')).submit();
    assert!(d.form().error.is_some());
    d.pick("dh")
        .field("纠纷类型")
        .pick("ll")
        .field("矛盾情况")
        .typed("排水沟纠纷");
    assert!(d.form().error.is_some(), "a field is still red");
    d.field("当事人1 姓名").typed("甲一");
    let red: Vec<_> = d
        .form()
        .fields
        .iter()
        .filter(|f| f.error.is_some())
        .collect();
    assert!(red.is_empty(), "{red:?}");
    assert_eq!(d.form().error, None);
    assert!(!d.screen(80, 24).contains("有几项需要修改"));
}

#[test]
fn a_responsible_officer_is_not_told_off_for_logging_in() {
    let (local, _dir) = shared();
    let tj = Desk::open(&local, "tj1");
    let status = tj.status();
    assert!(!status.contains("无权"), "{status}");
    assert!(tj.app.overlays.is_empty());
}

#[test]
fn the_detail_names_officers_not_logins() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "甲一");
    zb.go(&id);
    let screen = zb.screen(100, 40);
    assert!(screen.contains("宋雪梅"), "{screen}");
    assert!(!screen.contains("zb1"), "{screen}");
    // `y` on the detail copies what `desk show` prints: the same names.
    zb.key(KeyCode::Char('y'));
    let copied = zb.app.clipboard.take().expect("copied");
    assert!(
        copied.starts_with(&id) && copied.contains("宋雪梅"),
        "{copied}"
    );
}

#[test]
fn the_daily_report_reaches_the_clipboard_in_three_keys_from_any_screen() {
    use duty_desk::domain::reports::{Kind, Spec};
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let id = register(&mut zb, "甲一");
    let daily = match local.call(
        "zb1",
        Request::Report {
            spec: Spec {
                kind: Kind::Daily,
                date: None,
                from: None,
                since: None,
                to: None,
                officer: None,
            },
        },
    ) {
        Response::Report(r) => r.plain().to_string(),
        other => panic!("{other:?}"),
    };
    let y = KeyCode::Char('Y');
    // (where the officer is, the keys from there)
    let mut starts: Vec<(String, Vec<KeyCode>)> =
        (1..=7).map(|v| (format!("屏{v}"), vec![y])).collect();
    starts.push(("详情".into(), vec![y]));
    starts.push(("帮助".into(), vec![KeyCode::Esc, y]));
    starts.push(("命令行".into(), vec![KeyCode::Esc, y]));
    starts.push((
        "填了一半的表单".into(),
        vec![KeyCode::Esc, KeyCode::Enter, y],
    ));
    // The README's "最多 3 个键": the longest path is three keys.
    assert_eq!(starts.iter().map(|(_, k)| k.len()).max(), Some(3));
    for (place, keys) in starts {
        zb.app.overlays.clear();
        zb.app.clipboard = None;
        match place.as_str() {
            "详情" => {
                zb.go(&id);
            }
            "帮助" => {
                zb.key(KeyCode::Char('?'));
            }
            "命令行" => {
                zb.key(KeyCode::Char(':')).typed("go");
            }
            "填了一半的表单" => {
                zb.key(KeyCode::Char('1'))
                    .key(KeyCode::Char('n'))
                    .pick("dh");
            }
            view => {
                let v = view.trim_start_matches('屏').chars().next().unwrap();
                zb.key(KeyCode::Char(v));
            }
        }
        for k in keys {
            zb.key(k);
        }
        assert_eq!(zb.app.clipboard.as_deref(), Some(daily.as_str()), "{place}");
    }
}

/// The realistic phone call: two parties with their phones, two warning
/// signs the officer heard but the text does not say, the village and the
/// source by pinyin, the type the text gives confirmed by passing it.
#[test]
fn a_phone_in_with_two_parties_and_two_flags_takes_twenty_keys_besides_the_text() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.count_keys();
    d.key(KeyCode::Char('n'));
    // Typing on a choice opens its picker; Enter takes the first match
    // and moves on. The pinyin typed into pickers counts as keys.
    let pick = |d: &mut Desk, a: char, b: char| {
        d.key(KeyCode::Char(a))
            .key(KeyCode::Char(b))
            .key(KeyCode::Enter);
    };
    pick(&mut d, 'd', 'h'); // 东河村
    pick(&mut d, 'l', 'd'); // 来电
    d.typed("两家因宅前排水沟堵塞争吵");
    // The type read from the text is in its field, to be confirmed.
    d.key(KeyCode::Tab);
    assert_eq!(d.form().focused().label, "纠纷类型");
    assert_eq!(d.form().focused().text(), "邻里");
    d.key(KeyCode::Tab);
    assert_eq!(d.form().focused().label, "预警情形");
    // Two flags: typed, Space ticks and clears, typed, Enter.
    d.key(KeyCode::Char('m'))
        .key(KeyCode::Char('z'))
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char('k'))
        .key(KeyCode::Char('n'))
        .key(KeyCode::Enter);
    assert_eq!(d.form().focused().label, "当事人1 姓名");
    d.typed("王建国")
        .key(KeyCode::Tab)
        .typed("19900001234")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .typed("李秀兰")
        .key(KeyCode::Tab)
        .typed("19900005678")
        .submit();
    let keys = d.count_keys();
    let status = d.status();
    assert!(status.starts_with("已登记 MD-"), "{status}");
    let r = d.dispute(status.trim_start_matches("已登记 "));
    assert_eq!(
        (r.village.as_str(), r.category.as_str(), r.source),
        ("东河村", "邻里", duty_desk::domain::lists::Source::Call)
    );
    let parties: Vec<(&str, Option<&str>)> = r
        .parties
        .iter()
        .map(|p| (p.name.as_str(), p.phone.as_deref()))
        .collect();
    assert_eq!(
        parties,
        [
            ("王建国", Some("19900001234")),
            ("李秀兰", Some("19900005678"))
        ]
    );
    assert_eq!(
        r.flags,
        [WarningFlag::CriminalTendency, WarningFlag::MassIncident]
    );
    // The README's count: n, two picks of three keys, Tab Tab past the type,
    // m z Space k n Enter, Tab, Tab Tab, Tab, Ctrl-S.
    assert_eq!(keys, 20, "keys besides the text");
}

/// From the text, the flags are two keys away wherever the officer is:
/// the form's own key for them opens their choice at once.
#[test]
fn the_flags_open_from_any_field_with_one_key() {
    let (local, _dir) = shared();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('n'));
    d.key(KeyCode::Char('d'))
        .key(KeyCode::Char('h'))
        .key(KeyCode::Enter);
    d.key(KeyCode::Tab).typed("两家因宅前排水沟堵塞争吵");
    d.count_keys();
    d.key(KeyCode::F(6));
    assert!(
        matches!(d.app.overlays.last(), Some(Overlay::Picker(p)) if p.title == "预警情形"),
        "{:?}",
        d.app.status
    );
    d.key(KeyCode::Char('y'))
        .key(KeyCode::Char('y'))
        .key(KeyCode::Enter);
    assert_eq!(d.count_keys(), 4);
    assert_eq!(d.form().get(k("flags")), "扬言极端");
    // The hint bar names the key on the registration form.
    let screen = d.screen(80, 24);
    assert!(screen.contains("F6 预警情形"), "{screen}");
}

#[test]
fn assigning_takes_the_suggestion_from_history_in_three_keys() {
    let (local, _dir) = shared();
    let triaged = |id: &str| {
        let triage = ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
            tier: None,
        };
        local.call("admin1", triage.on(id.to_string(), None));
    };
    // 东河村's 邻里 cases went to 司法所, mostly to 唐秀英 under 郑国庆.
    let f = fixture_on(&local);
    for person in ["tj2", "tj1", "tj2"] {
        let id = f("东河村");
        triaged(&id);
        let assign = ops::Assign {
            leader: "ld1".into(),
            unit: "司法所".into(),
            person: person.into(),
            deadline: None,
        };
        local.call("admin1", assign.on(id, None));
    }
    let id = f("东河村");
    triaged(&id);
    let mut d = Desk::open(&local, "zb1");
    d.go(&id);
    d.count_keys();
    d.key(KeyCode::Char('a'));
    let live = d.form().live.join("\n");
    assert!(
        live.contains("建议（F4 采用）：牵头领导 郑国庆（ld1）、责任单位 司法所、责任人 唐秀英（tj2）（东河村的邻里纠纷 3 件中 3 件由司法所办理）"),
        "{live}"
    );
    // At 80×24 the suggestion and its reason are on screen with the key.
    let screen = d.screen(80, 24);
    assert!(
        screen.contains("│建议（F4 采用）：牵头领导 郑国庆（ld1）")
            && screen.contains("（东河村的邻里纠纷 3 件中 3 件由司法所办理）"),
        "{screen}"
    );
    let deadline_hint = d
        .form()
        .field(k("deadline"))
        .and_then(|f| f.hint.clone())
        .unwrap_or_default();
    d.key(KeyCode::F(4)).submit();
    assert!(!d.has_form(), "{:?}", d.app.status);
    let keys = d.count_keys();
    // The README's count: a, F4, Ctrl-S.
    assert_eq!(keys, 3, "keys");
    let a = d.dispute(&id).assignment.unwrap();
    assert_eq!(
        (a.leader.as_str(), a.unit.as_str(), a.person.as_str()),
        ("ld1", "司法所", "tj2")
    );
    // The default deadline: the date the form said leaving it empty gives.
    assert!(
        deadline_hint.ends_with(&a.deadline.to_string()),
        "{deadline_hint} / {}",
        a.deadline
    );
    eprintln!("assign with the suggestion: {keys} keys");
}

/// The history suggests 唐秀英 of 司法所, but this case is for 韩立新 of
/// 派出所: the officer types the name, the unit follows from the roster,
/// and the suggestion fills only the leader still empty.
#[test]
fn assigning_someone_else_than_suggested_takes_four_keys_besides_the_name() {
    let (local, _dir) = shared();
    let f = fixture_on(&local);
    let triaged = |id: &str| {
        let triage = ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
            tier: None,
        };
        local.call("admin1", triage.on(id.to_string(), None));
    };
    let old = f("东河村");
    triaged(&old);
    let assign = ops::Assign {
        leader: "ld1".into(),
        unit: "司法所".into(),
        person: "tj2".into(),
        deadline: None,
    };
    local.call("admin1", assign.on(old, None));
    let id = f("东河村");
    triaged(&id);
    let mut d = Desk::open(&local, "zb1");
    d.go(&id);
    d.count_keys();
    d.key(KeyCode::Char('a'));
    assert_eq!(d.form().focused().label, "责任人");
    assert!(d.form().live.join("").contains("责任人 唐秀英（tj2）"));
    d.typed("韩立新").key(KeyCode::Enter);
    assert_eq!(
        d.form().get(k("unit")),
        "派出所",
        "the unit from the roster"
    );
    // What is still offered: the leader alone.
    let live = d.form().live.join("\n");
    assert!(
        live.contains("建议（F4 采用）：牵头领导 郑国庆（ld1）（"),
        "{live}"
    );
    d.key(KeyCode::F(4)).submit();
    assert!(!d.has_form(), "{:?}", d.app.status);
    // a, Enter, F4, Ctrl-S; the name typed to find the person is text.
    assert_eq!(d.count_keys(), 4, "keys besides the name");
    let a = d.dispute(&id).assignment.unwrap();
    assert_eq!(
        (a.leader.as_str(), a.unit.as_str(), a.person.as_str()),
        ("ld1", "派出所", "ld2")
    );

    // Choosing the unit first offers its people first.
    let other = f("东河村");
    triaged(&other);
    d.go(&other).key(KeyCode::Char('a'));
    d.field("责任单位")
        .pick("司法所")
        .field("责任人")
        .key(KeyCode::Enter);
    let Some(Overlay::Picker(p)) = d.app.overlays.last() else {
        panic!("no picker");
    };
    assert_eq!(&p.options[..2], ["冯志强（tj1）", "唐秀英（tj2）"]);
}

/// 研判 moves a case from the bottom of 风险队列 to its top, past the rows
/// the desk holds: the cursor goes with it, in the list and after the detail.
#[test]
fn the_cursor_follows_the_case_through_a_rerank() {
    let (local, _dir) = shared();
    let f = fixture_on(&local);
    let ids: Vec<String> = (0..260).map(|_| f("东河村")).collect();
    for id in &ids[..259] {
        let triage = ops::Triage {
            risk: RiskLevel::Medium,
            flags: vec![],
            tier: None,
        };
        local.call("admin1", triage.on(id.clone(), None));
    }
    let last = ids[259].clone();
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('2')).key(KeyCode::End);
    assert_eq!(d.app.selected_id().as_deref(), Some(last.as_str()));
    // From the list: 研判 it 极高 with a threat.
    d.key(KeyCode::Char('t'))
        .field("风险等级")
        .pick("jg")
        .field("预警情形")
        .pick("yy")
        .submit();
    assert!(!d.has_form(), "{}", d.status());
    assert_eq!(
        d.app.selected_id().as_deref(),
        Some(last.as_str()),
        "the cursor stayed on row {}",
        d.app.lists[d.app.view.index()].selected
    );
    let screen = d.screen(80, 24);
    let row = screen.lines().find(|l| l.contains('▶')).unwrap_or_default();
    assert!(row.contains(&last), "{screen}");

    // From the detail: back to the list, the cursor is on the case.
    d.key(KeyCode::End).key(KeyCode::Up).key(KeyCode::Up);
    let other = d.app.selected_id().unwrap();
    assert_ne!(other, last);
    d.key(KeyCode::Enter)
        .key(KeyCode::Char('t'))
        .field("风险等级")
        .pick("jg")
        .field("预警情形")
        .pick("mz")
        .submit();
    d.key(KeyCode::Esc);
    assert_eq!(d.app.selected_id().as_deref(), Some(other.as_str()));
}

/// Registers a 邻里 case in a village as another officer would.
fn fixture_on(local: &Rc<Server>) -> impl Fn(&str) -> String + '_ {
    move |village| {
        let new = duty_desk::domain::dispute::NewDispute {
            village: village.into(),
            category: "邻里".into(),
            source: Some(duty_desk::domain::lists::Source::Visit),
            summary: "两家因宅前排水沟堵塞发生争吵".into(),
            parties: vec![duty_desk::domain::dispute::Party::new(
                "甲某",
                duty_desk::domain::lists::PartyRole::Applicant,
                None,
            )
            .unwrap()],
            ..Default::default()
        };
        match local.call("admin1", Request::Register { new }) {
            Response::Created(id) => id,
            other => panic!("{other:?}"),
        }
    }
}

/// A case 交办 to tj1 (司法所) and signed for, by the API.
fn working_case(local: &Server) -> String {
    let d = local.call(
        "zb1",
        Request::Register {
            new: common::new_dispute("东河村", &["王建国"]),
        },
    );
    let Response::Created(id) = d else {
        panic!("{d:?}")
    };
    let triage = ops::Triage {
        risk: RiskLevel::Medium,
        flags: vec![],
        tier: None,
    };
    local.call("zb1", triage.on(id.clone(), None));
    let assign = ops::Assign {
        leader: "ld1".into(),
        unit: "司法所".into(),
        person: "tj1".into(),
        deadline: Some(clock::now().date_naive() + chrono::Days::new(5)),
    };
    local.call("zb1", assign.on(id.clone(), None));
    local.call("tj1", ops::Accept.on(id.clone(), None));
    id
}

#[test]
fn a_transfer_by_keyboard_is_accepted_in_two_keys_or_refused_back_to_its_sender() {
    let (local, _dir) = shared();
    let id = working_case(&local);
    // Where a case goes is the desk's decision: its 责任人 is told at the key.
    let mut tj1 = Desk::open(&local, "tj1");
    tj1.go(&id).key(KeyCode::Char('m'));
    assert!(!tj1.has_form());
    assert!(tj1.status().contains("不能转办"), "{}", tj1.status());

    let mut zb1 = Desk::open(&local, "zb1");
    zb1.go(&id)
        .key(KeyCode::Char('m'))
        .pick("pcs") // 派出所
        .pick("txy") // 唐秀英（tj2）
        .field("转办理由")
        .typed("涉及治安")
        .submit();
    assert!(!zb1.has_form(), "{:?}", zb1.form().error);
    assert!(zb1.status().contains("已转办"), "{}", zb1.status());
    assert_eq!(zb1.dispute(&id).assignment.unwrap().person, "tj2");

    // The receiver: 待处理, the case is the row under the cursor, 签收.
    let mut tj2 = Desk::open(&local, "tj2");
    let start = tj2.keys;
    tj2.key(KeyCode::Char('1')).key(KeyCode::Char('s'));
    assert!(tj2.status().contains("已签收"), "{}", tj2.status());
    assert_eq!(tj2.keys - start, 2, "accepting a transfer takes two keys");
    let d = tj2.dispute(&id);
    assert_eq!(d.status, Status::InProgress);
    assert!(d.transfer.is_none());

    // Sent on again by the desk and refused: back to tj2, and the officer
    // who sent it is told why.
    zb1.go(&id)
        .key(KeyCode::Char('m'))
        .pick("sfs")
        .pick("fzq")
        .field("转办理由")
        .typed("退还司法所")
        .submit();
    tj1.go(&id)
        .key(KeyCode::Char('r'))
        .typed("已移交派出所办理")
        .submit();
    let d = tj1.dispute(&id);
    assert_eq!(d.assignment.unwrap().person, "tj2");
    let alert = d.alerts.last().unwrap();
    assert_eq!(alert.note, "转办被退回：已移交派出所办理");
    assert_eq!(alert.to.as_deref(), Some("zb1"));
    tj2.go(&id);
    let screen = tj2.screen(120, 40);
    assert!(screen.contains("退回转办：已移交派出所办理"), "{screen}");
    // The sender finds it in 我的 and in 待处理, the reason in the row,
    // and on top of the detail.
    zb1.key(KeyCode::Esc).key(KeyCode::Char('0'));
    let mine = zb1.screen(120, 40);
    assert!(mine.contains("转办被退回（1）"), "{mine}");
    let row = mine
        .lines()
        .find(|l| l.contains(&id))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("转办退回") && row.contains("退回理由：已移交派出所办理"),
        "{row}"
    );
    zb1.key(KeyCode::Char('1'));
    let inbox = zb1.screen(120, 40);
    assert!(
        inbox
            .lines()
            .any(|l| l.contains(&id) && l.contains("退回理由：已移交派出所办理")),
        "{inbox}"
    );
    zb1.go(&id);
    let detail = zb1.screen(120, 40);
    assert!(
        detail.contains("【待处理】转办被退回：已移交派出所办理"),
        "{detail}"
    );
    // Once the sender moves the case on (here 转办 to someone else), the
    // notice has done its work.
    let again = ops::Transfer {
        to: ops::TransferTo::Unit {
            unit: "司法所".into(),
            person: "tj1".into(),
        },
        reason: "改由冯志强办理".into(),
    };
    local.call("zb1", again.on(id.clone(), None));
    let s = duty_desk::domain::summary::Summary::of(&zb1.dispute(&id));
    assert_eq!(s.alert_note, None);
    zb1.key(KeyCode::Esc).key(KeyCode::Char('0'));
    assert!(zb1.screen(120, 40).contains("转办被退回（0）"));
}

#[test]
fn pausing_takes_two_keys_besides_the_reason_and_one_key_resumes() {
    let (local, _dir) = shared();
    let id = working_case(&local);
    let mut zb1 = Desk::open(&local, "zb1");
    zb1.go(&id);
    let start = zb1.keys;
    zb1.key(KeyCode::Char('z'));
    assert_eq!(zb1.form().kind, FormKind::Pause);
    let reason = "诉讼中";
    zb1.typed(reason).submit();
    let keys = zb1.keys - start - reason.chars().count();
    // z, then Ctrl-S.
    assert_eq!(keys, 2, "keys besides the reason");
    assert!(!zb1.has_form(), "{:?}", zb1.form().error);
    assert!(zb1.status().contains("已中止"), "{}", zb1.status());
    let d = zb1.dispute(&id);
    let p = d.pause.clone().expect("paused");
    assert_eq!(p.reason, "诉讼中");
    assert_eq!(p.until, clock::now().date_naive() + chrono::Days::new(30));
    let screen = zb1.screen(120, 40);
    assert!(screen.contains("【中止】"), "{screen}");

    zb1.key(KeyCode::Char('Z'));
    assert!(zb1.status().contains("已恢复办理"), "{}", zb1.status());
    assert!(zb1.dispute(&id).pause.is_none());

    // The 责任人 asks: told so, and the clock runs until it is decided.
    let mut tj1 = Desk::open(&local, "tj1");
    tj1.go(&id)
        .key(KeyCode::Char('z'))
        .typed("当事人外出")
        .submit();
    assert!(!tj1.has_form(), "{:?}", tj1.form().error);
    assert!(
        tj1.status().contains("已申请中止，待牵头领导或值班员审批"),
        "{}",
        tj1.status()
    );
    let d = tj1.dispute(&id);
    assert!(d.pause.is_none());
    assert!(d.pending_approval().is_some());
    // The case says so in every list until decided, and stays in 督办.
    let s = duty_desk::domain::summary::Summary::of(&d);
    assert_eq!(s.status_label(), "中止申请中");
    assert!(s.clock_runs());
    let row = tj1.screen(120, 40);
    assert!(row.contains("中止申请中"), "{row}");
    // The approver reads what is asked before deciding.
    zb1.go(&id).key(KeyCode::Char('o'));
    assert_eq!(zb1.form().kind, FormKind::Approve);
    let screen = zb1.screen(80, 24);
    assert!(
        screen.contains("【待审批】中止申请（冯志强") && screen.contains("当事人外出"),
        "{screen}"
    );
}

#[test]
fn go_takes_part_of_a_number_and_finds_closed_cases_too() {
    let (local, _dir) = shared();
    let id = working_case(&local);
    let close = ops::Close {
        outcome: Outcome::OralAgreement,
        summary: "双方口头和解".into(),
    };
    local.call("tj1", close.on(id.clone(), None));
    let (year, n) = duty_desk::domain::record::parse_dispute_id(&id).unwrap();
    let mut zb = Desk::open(&local, "zb1");
    for typed in [
        n.to_string(),
        format!("{year}-{n}"),
        format!("md-{year}-{n}"),
    ] {
        zb.key(KeyCode::Esc).go(&typed);
        let screen = zb.screen(120, 40);
        assert!(
            screen.contains(&id) && screen.contains("已化解"),
            ":go {typed}\n{screen}"
        );
    }
    zb.key(KeyCode::Esc).go("9999");
    assert!(zb.status().contains("找不到编号 9999"), "{}", zb.status());
}

#[test]
fn one_note_goes_to_every_marked_row() {
    let (local, _dir) = shared();
    let ids: Vec<String> = (0..3).map(|_| working_case(&local)).collect();
    let mut zb = Desk::open(&local, "zb1");
    // Risk queue: mark two rows, one 进展 for both.
    zb.key(KeyCode::Char('2'))
        .key(KeyCode::Home)
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char('e'));
    assert!(zb.screen(100, 30).contains("批量 2 件"));
    zb.field("进展情况")
        .typed("联合走访三户，约定下周调解")
        .submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let noted: Vec<usize> = ids.iter().map(|i| zb.dispute(i).notes.len()).collect();
    assert_eq!(noted.iter().filter(|n| **n == 1).count(), 2, "{noted:?}");
    assert_eq!(noted.iter().filter(|n| **n == 0).count(), 1, "{noted:?}");
    for id in &ids {
        if let Some(n) = zb.dispute(id).notes.first() {
            assert_eq!(n.text, "联合走访三户，约定下周调解");
        }
    }
}

#[test]
fn a_list_sorts_by_any_column_by_command_or_by_the_cycling_key() {
    let (local, _dir) = shared();
    let ids: Vec<String> = (0..3).map(|_| working_case(&local)).collect();
    // Different deadlines: the last registered is due first.
    for (i, id) in ids.iter().enumerate() {
        let extend = ops::Extend {
            deadline: clock::now().date_naive() + chrono::Days::new(30 - 5 * i as u64),
            reason: "需要时间".into(),
        };
        local.call("zb1", extend.on(id.clone(), None));
    }
    let mut zb = Desk::open(&local, "zb1");
    let order = |d: &mut Desk| -> Vec<String> {
        let screen = d.screen(120, 30);
        let mut found: Vec<(usize, String)> = ids
            .iter()
            .map(|id| {
                (
                    screen
                        .find(id.as_str())
                        .unwrap_or_else(|| panic!("row shown: {screen}")),
                    id.clone(),
                )
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect()
    };
    zb.key(KeyCode::Char('2'));
    zb.key(KeyCode::Char(':'))
        .typed("sort 时限")
        .key(KeyCode::Enter);
    assert!(zb.status().contains("按化解时限升序"), "{}", zb.status());
    let rev: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(order(&mut zb), rev);
    // The same column again: descending.
    zb.key(KeyCode::Char(':'))
        .typed("sort 时限")
        .key(KeyCode::Enter);
    assert_eq!(order(&mut zb), ids);
    zb.key(KeyCode::Char(':'))
        .typed("sort 编号")
        .key(KeyCode::Enter);
    assert_eq!(order(&mut zb), ids);
    // S cycles on to the next column and says which.
    zb.key(KeyCode::Char('S'));
    assert!(zb.status().starts_with("按"), "{}", zb.status());
    zb.key(KeyCode::Char(':'))
        .typed("sort 无此列")
        .key(KeyCode::Enter);
    assert!(
        zb.status().contains("没有“无此列”这一列"),
        "{}",
        zb.status()
    );
}

#[test]
fn failed_visits_by_keyboard_raise_lost_contact_acknowledged_with_a_plan() {
    use duty_desk::domain::lists::PersonCategory;
    let (local, _dir) = shared();
    let new = duty_desk::domain::person::NewPerson {
        name: "褚某某".into(),
        village: "东河村".into(),
        category: PersonCategory::Released,
        risk: RiskLevel::Medium,
        officer: "tj1".into(),
        interval_days: None,
        reason: "安置帮教".into(),
        review_date: Some(clock::now().date_naive() + chrono::Days::new(90)),
        phone: None,
        id_number: None,
        grade: None,
        household: None,
    };
    let pid = match local
        .local
        .handle(&caller("zb1"), Request::AddPerson { new })
        .unwrap()
        .response
    {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let mut tj = Desk::open(&local, "tj1");
    for _ in 0..3 {
        tj.go(&pid)
            .key(KeyCode::Char('v'))
            .field("是否见面")
            .pick("外出务工")
            .submit();
        assert!(!tj.has_form(), "{:?}", tj.form().error);
    }
    let read = |who: &str| match local
        .local
        .handle(
            &caller(who),
            Request::Person {
                id: pid.clone(),
                reason: None,
            },
        )
        .unwrap()
        .response
    {
        Response::Person(p) => p,
        other => panic!("{other:?}"),
    };
    let p = read("zb1");
    assert_eq!(p.failed_in_a_row(), 3);
    assert!(p.lost_contact());

    let mut zb = Desk::open(&local, "zb1");
    // The 预警 strip knows whom by id only; 责任人 get no ids.
    assert_eq!(zb.app.data.person_alerts, vec![pid.clone()]);
    assert!(tj.app.data.person_alerts.is_empty());
    zb.key(KeyCode::Char('4')).go(&pid).key(KeyCode::Char('w'));
    assert_eq!(zb.form().kind, FormKind::PersonAck);
    zb.submit();
    assert!(zb.has_form(), "a plan is required to acknowledge 失访");
    zb.field("措施")
        .typed("请村委会联系其家属，每周报告去向")
        .submit();
    assert!(!zb.has_form(), "{:?}", zb.form().error);
    let p = read("ld1");
    assert!(!p.lost_contact());
    assert_eq!(
        p.alerts[0].plan.as_deref(),
        Some("请村委会联系其家属，每周报告去向")
    );
}

#[test]
fn a_person_outside_scope_opens_only_with_a_reason_typed_at_the_prompt() {
    use duty_desk::domain::lists::PersonCategory;
    use duty_desk::tui::overlay::detail::Record;
    let (local, _dir) = shared();
    let new = duty_desk::domain::person::NewPerson {
        name: "卫某某".into(),
        village: "东河村".into(),
        category: PersonCategory::Hardship,
        risk: RiskLevel::Low,
        officer: "tj1".into(),
        interval_days: None,
        reason: "困难帮扶".into(),
        review_date: Some(clock::now().date_naive() + chrono::Days::new(90)),
        phone: None,
        id_number: None,
        grade: None,
        household: None,
    };
    let pid = match local
        .local
        .handle(&caller("zb1"), Request::AddPerson { new })
        .unwrap()
        .response
    {
        Response::Created(id) => id,
        other => panic!("{other:?}"),
    };
    let mut tj2 = Desk::open(&local, "tj2");
    tj2.go(&pid);
    // Refused, and the prompt asks for the reason on the command line.
    match tj2.app.overlays.last() {
        Some(Overlay::Command(c)) => assert_eq!(c.input.text(), format!("go {pid} ")),
        other => panic!("no prompt: {other:?}"),
    }
    tj2.typed("家属来电求助，核实情况").key(KeyCode::Enter);
    let shown = tj2.app.overlays.iter().find_map(|o| match o {
        Overlay::Detail(d) => d.record.clone(),
        _ => None,
    });
    assert!(
        matches!(&shown, Some(Record::Person(p)) if p.name == "卫某某"),
        "{shown:?}"
    );
    // The detail starts by saying how it was opened.
    let screen = tj2.screen(80, 24);
    let first = screen.lines().nth(3).unwrap_or_default();
    assert!(first.contains("【破格查阅】理由：家属来电求助"), "{screen}");
    let events = match local
        .local
        .handle(&caller("admin1"), Request::Audit { since: None })
        .unwrap()
        .response
    {
        Response::Audit(e) => e,
        other => panic!("{other:?}"),
    };
    let glass: Vec<_> = events
        .iter()
        .filter(|e| e.action == "破格查阅重点人员")
        .collect();
    assert_eq!(glass.len(), 1);
    assert_eq!(glass[0].actor, "tj2");
    assert!(glass[0].detail.contains("家属来电求助"));
}

#[test]
fn a_saved_view_keeps_filter_scope_and_sort_on_the_server_for_that_officer() {
    let (local, _dir) = shared();
    let mut zb = Desk::open(&local, "zb1");
    let a = register(&mut zb, "郑东河");
    let b = register(&mut zb, "郑西岗");
    // 风险队列, filtered to 全部, sorted by 编号 descending.
    zb.key(KeyCode::Char('2'))
        .key(KeyCode::Char('/'))
        .typed("郑")
        .key(KeyCode::Tab)
        .key(KeyCode::Enter);
    for _ in 0..2 {
        zb.key(KeyCode::Char(':'))
            .typed("sort 编号")
            .key(KeyCode::Enter);
    }
    zb.key(KeyCode::Char(':'))
        .typed("save 郑家")
        .key(KeyCode::Enter);
    assert!(zb.status().contains("已保存视图“郑家”"), "{}", zb.status());
    // A screen's name is refused as a view's name.
    zb.key(KeyCode::Char(':'))
        .typed("save 督办")
        .key(KeyCode::Enter);
    assert!(zb.status().contains("与屏幕名相同"), "{}", zb.status());

    // The same officer on another terminal: nothing filtered until `:view`.
    let mut again = Desk::open(&local, "zb1");
    assert_eq!(again.app.view, View::Mine);
    again.key(KeyCode::Char(':')).typed("view 郑");
    // Listed in `:` completion.
    assert_eq!(again.app.completions(), ["view 郑家"]);
    again.key(KeyCode::Esc);
    again
        .key(KeyCode::Char(':'))
        .typed("view 郑家")
        .key(KeyCode::Enter);
    assert_eq!(again.app.view, View::Queue);
    let l = &again.app.lists[View::Queue.index()];
    assert_eq!(l.filter.text(), "郑");
    assert!(l.everything);
    let sort = l.sort.expect("sorted");
    assert_eq!(sort.key.label(), "编号");
    assert!(sort.descending);
    let ids: Vec<String> = common::screen::held_ids(&again.app, View::Queue);
    assert_eq!(ids, [b.clone(), a.clone()], "both, 编号 descending");

    // Another officer has no such view.
    let mut ld = Desk::open(&local, "ld1");
    ld.key(KeyCode::Char(':'))
        .typed("view 郑家")
        .key(KeyCode::Enter);
    assert!(ld.status().contains("没有“郑家”这一屏"), "{}", ld.status());
    assert_eq!(ld.app.view, View::Mine);
}

#[test]
fn a_form_the_cases_state_refuses_is_not_opened_and_the_officer_is_told_why_at_once() {
    let (local, _dir) = shared();
    let f = fixture_on(&local);
    // 交办 on a case not yet triaged: 研判 first, then 交办, one flow.
    let fresh = f("东河村");
    let mut zb = Desk::open(&local, "zb1");
    zb.go(&fresh).key(KeyCode::Char('a'));
    assert_eq!(zb.form().kind, FormKind::Triage);
    assert!(
        zb.status().contains("先研判，提交后接着交办"),
        "{}",
        zb.status()
    );
    zb.field("风险等级").pick("zhong").submit();
    assert_eq!(zb.form().kind, FormKind::Assign, "{}", zb.status());
    assert!(zb.status().contains("接着交办"), "{}", zb.status());
    zb.pick("fzq").pick("sfs").pick("zgq").submit();
    assert!(!zb.has_form(), "{}", zb.status());
    let d = zb.dispute(&fresh);
    assert_eq!(d.status, Status::Assigned);
    assert_eq!(d.risk, Some(RiskLevel::Medium));
    // 签收 is the person's: the desk is neither offered it nor lets it through.
    assert!(!zb.screen(80, 24).contains("s 签收"));
    zb.key(KeyCode::Char('s'));
    assert!(
        zb.status().contains("只能由交办给的责任人本人签收"),
        "{}",
        zb.status()
    );
    assert!(zb.dispute(&fresh).assignment.unwrap().accepted_at.is_none());
    // 进展 on a case already closed (回访中).
    let id = working_case(&local);
    let close = ops::Close {
        outcome: Outcome::OralAgreement,
        summary: "双方口头和解".into(),
    };
    local.call("tj1", close.on(id.clone(), None));
    let mut tj1 = Desk::open(&local, "tj1");
    tj1.go(&id).key(KeyCode::Char('e'));
    assert!(!tj1.has_form(), "a 进展 form opened on a closed case");
    assert!(tj1.status().contains("案件已销号"), "{}", tj1.status());
    // What the state allows still opens: 回访 on the same case.
    tj1.key(KeyCode::Char('v'));
    assert!(tj1.has_form(), "{}", tj1.status());
}

#[test]
fn a_late_handover_does_not_cover_what_the_officer_already_opened() {
    let (local, _dir) = shared();
    let mut d = Desk::loading(&local, "zb1");
    // The officer opens the help before the server has answered anything.
    d.app
        .on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    d.pump();
    assert!(
        matches!(d.app.overlays.last(), Some(Overlay::Help(_))),
        "the handover covered the help"
    );
    assert!(d.status().contains("交接班已生成"), "{}", d.status());
    // The next Esc closes what the officer opened, and nothing is left.
    d.key(KeyCode::Esc);
    assert!(d.app.overlays.is_empty());
    // Asked for, it opens.
    d.key(KeyCode::Char(':'))
        .typed("report 交接班")
        .key(KeyCode::Enter);
    assert!(
        matches!(d.app.overlays.last(), Some(Overlay::Report { title, .. }) if title == "交接班"),
        "{}",
        d.status()
    );
    // A key that opened nothing (↓ on the list, n refused) still means the
    // officer is at work: the handover is announced, not opened over them.
    let mut e = Desk::loading(&local, "ld1");
    e.app
        .on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    e.pump();
    assert!(e.app.overlays.is_empty(), "{:?}", e.app.overlays.last());
    assert!(e.status().contains("交接班已生成"), "{}", e.status());
    // `Y`, then a form opened before the report came: the form stays on
    // top, the report is on the clipboard and announced.
    let press = |e: &mut Desk, c: KeyCode| {
        e.app.on_key(KeyEvent::new(c, KeyModifiers::NONE));
    };
    press(&mut e, KeyCode::Char('Y'));
    press(&mut e, KeyCode::Char('n'));
    e.pump();
    assert!(e.has_form(), "{:?}", e.app.overlays.last());
    assert!(e.status().contains("已复制到剪贴板"), "{}", e.status());
    assert!(e
        .app
        .clipboard
        .as_deref()
        .is_some_and(|c| c.starts_with("【")));
}

/// What a case's waits refuse is said before any form opens, and the hint
/// bar does not offer it: a request while another waits, 恢复 when not
/// 中止, 签收预警 with no alert, 转办 from a state that cannot be.
#[test]
fn forms_a_wait_refuses_are_not_opened_or_offered() {
    let (local, _dir) = shared();
    let id = working_case(&local);
    let mut tj = Desk::open(&local, "tj1");
    tj.go(&id);
    let hints = |d: &mut Desk| {
        d.screen(80, 24)
            .lines()
            .nth(22)
            .unwrap_or_default()
            .to_string()
    };
    assert!(!hints(&mut tj).contains("Z 恢复"), "{}", hints(&mut tj));
    tj.key(KeyCode::Char('Z'));
    assert!(tj.status().contains("案件没有中止"), "{}", tj.status());
    // 中止 asked: another request waits for it.
    tj.key(KeyCode::Char('z')).typed("当事人外出").submit();
    assert!(tj.status().contains("已申请中止"), "{}", tj.status());
    for (key, what) in [('z', "中止"), ('c', "销号"), ('x', "延期")] {
        tj.key(KeyCode::Char(key));
        assert!(!tj.has_form(), "{what}: a form opened");
        assert!(
            tj.status().contains("已有待审批的申请，请等审批后再提"),
            "{what}: {}",
            tj.status()
        );
    }
    // No alert on the case: w is neither offered nor opens anything.
    let mut zb = Desk::open(&local, "zb1");
    zb.go(&id);
    assert!(!hints(&mut zb).contains("w 签收预警"), "{}", hints(&mut zb));
    zb.key(KeyCode::Char('w'));
    assert!(zb.status().contains("没有待签收的预警"), "{}", zb.status());
    // 转办 of a case sent back to the desk: refused before the form.
    let other = fixture_on(&local)("东河村");
    let triage = ops::Triage {
        risk: RiskLevel::Low,
        flags: vec![],
        tier: None,
    };
    local.call("zb1", triage.on(other.clone(), None));
    zb.go(&other).key(KeyCode::Char('m'));
    assert!(!zb.has_form(), "a 转办 form on a case never assigned");
    assert!(zb.status().contains("不能转办"), "{}", zb.status());
}

/// After registering from a list, the cursor is on the new case there.
#[test]
fn the_cursor_goes_to_the_case_just_registered() {
    let (local, _dir) = shared();
    let f = fixture_on(&local);
    for _ in 0..30 {
        f("东河村");
    }
    let mut d = Desk::open(&local, "zb1");
    d.key(KeyCode::Char('1')).key(KeyCode::End);
    let id = register(&mut d, "新来电");
    assert_eq!(d.app.selected_id().as_deref(), Some(id.as_str()));
}
