//! The desk's screens on a TestBackend: snapshots of every screen with
//! Chinese fixtures at 80×24 and 160×48, and key handling.

mod common;

use chrono::{Duration, FixedOffset, TimeZone};
use duty_desk::demo::{self, Rng};
use duty_desk::desk::api::{Request, Response, RiskSetup};
use duty_desk::domain::lists::Role;
use duty_desk::domain::lists::{Channel, RollcallKind};
use duty_desk::domain::officer::Officer;
use duty_desk::domain::period::SensitivePeriod;
use duty_desk::domain::risk::RiskWeights;
use duty_desk::domain::rollcall::{self, RollcallEntry, RollcallSettings};
use duty_desk::domain::settings::Settings;
use duty_desk::domain::summary::Summary;
use duty_desk::tui::app::{App, Out, View, Want};
use duty_desk::tui::keymap::Keymap;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn now() -> duty_desk::domain::dispute::Time {
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, 22, 9, 30, 0)
        .unwrap()
}

struct Harness {
    app: App,
    searches: common::screen::Searches,
    records: Vec<duty_desk::domain::dispute::Dispute>,
    /// The desk's server: a real `Local` on a temp database, answering as
    /// of the fixtures' clock.
    local: duty_desk::desk::Local,
    who: duty_desk::desk::Caller,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new(ascii: bool) -> Harness {
        let app = App::new(Keymap::default_map(), now(), ascii);
        let settings = Settings::default();
        let mut rng = Rng::new(5);
        let mut records = Vec::new();
        for i in 1..=60 {
            // A busy month: enough open cases to fill every screen.
            let at = now() - Duration::minutes(rng.below(30 * 24 * 60) as i64);
            records.push(demo::dispute(
                &mut rng,
                format!("MD-2026-{i:06}"),
                at,
                now(),
                &settings,
            ));
        }
        // One open case the tests can name, with a hostile summary that must
        // not reach the terminal.
        let named = records
            .iter_mut()
            .find(|d| d.status.is_open() && d.deadline().is_some())
            .unwrap();
        named.parties[0].name = "张三".into();
        named.parties[1].name = "李四".into();
        named.title = "张三与李四房屋宅基地纠纷".into();
        named.summary = "\u{1b}]0;改标题\u{7}\u{1b}[2J张三与李四因宅基地界址争执".into();
        let mut persons: Vec<_> = (1..=12)
            .map(|i| demo::person(&mut rng, format!("RY-{i:06}"), now()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let local = duty_desk::desk::Local::open(&dir.path().join("desk.redb")).unwrap();
        let officers = demo::roster("admin");
        local
            .store()
            .write("admin", now(), |tx| {
                duty_desk::demo::seed_lists(tx, "admin", true)?;
                for o in &officers {
                    tx.put_officer(o)?;
                }
                for p in &mut persons {
                    tx.put_person(p)?;
                }
                for d in &mut records {
                    tx.put_dispute(d)?;
                }
                tx.audit("生成演示数据", "", "测试用案件与人员");
                Ok::<_, duty_desk::store::StoreError>(())
            })
            .unwrap();
        // 全国两会 is on: the banner shows, the ranks weigh it; two villages
        // have reported, one is missing past the due hour.
        let period = SensitivePeriod::new(
            "全国两会",
            now().date_naive() - Duration::days(2),
            now().date_naive() + Duration::days(5),
            None,
        )
        .unwrap();
        let admin = common::caller("admin");
        local
            .handle_at(
                &admin,
                Request::AddPeriod {
                    period: period.clone(),
                },
                now(),
            )
            .unwrap();
        let mut h = Harness {
            app,
            searches: Default::default(),
            records,
            local,
            who: common::caller("zb1"),
            _dir: dir,
        };
        h.app.online = true;
        h.app.load();
        h.pump();
        // A new shift opens on the handover; it is put away.
        if matches!(
            h.app.overlays.last(),
            Some(duty_desk::tui::app::Overlay::Report { .. })
        ) {
            h.key(KeyCode::Esc);
        }
        let setup = RiskSetup {
            weights: RiskWeights::default(),
            today: now().date_naive(),
            active: vec![period.clone()],
            rollcall: RollcallSettings {
                due_hour: 9,
                every_day: false,
            },
            escalation: Default::default(),
        };
        h.app.on_reply(
            Want::RiskSetup,
            Ok(Response::RiskSetup(Box::new(setup.clone()))),
        );
        let expected: Vec<String> = ["东河村", "西岗村", "赵庄村", "司法所"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let entry = |unit: &str, kind, text: &str, minutes| RollcallEntry {
            unit: unit.into(),
            kind,
            channel: Channel::Phone,
            text: text.into(),
            by: "zb1".into(),
            at: now() - Duration::minutes(minutes),
        };
        let entries = vec![
            entry("东河村", RollcallKind::Zero, "", 50),
            entry(
                "司法所",
                RollcallKind::News,
                "两户因宅基地争执，已派人到场",
                20,
            ),
        ];
        let sheet = rollcall::sheet(
            now().date_naive(),
            &expected,
            &entries,
            &setup.rollcall,
            &[period],
            now(),
        );
        h.app
            .on_reply(Want::Rollcall, Ok(Response::Rollcall(Box::new(sheet))));
        h.pump();
        h
    }

    /// Does what the loop's threads and the server do: answers every
    /// request with the real `Local` (the fixed roll-call and setup stay).
    fn pump(&mut self) {
        loop {
            let out: Vec<Out> = self.app.out.drain(..).collect();
            if out.is_empty() {
                return;
            }
            for o in out {
                let Some(Out::Request(want, req)) = self.searches.take(&mut self.app, o) else {
                    continue;
                };
                if matches!(want, Want::Rollcall | Want::RiskSetup) {
                    continue;
                }
                let result = self
                    .local
                    .handle_at(&self.who, req.clone(), now())
                    .and_then(|r| duty_desk::desk::api::decode_blob(r.response));
                self.searches.note(&req, &result);
                self.app.on_reply(want, result);
            }
        }
    }

    /// The desk as another officer (their 我的, their scope).
    fn as_officer(&mut self, login: &str) {
        self.who = common::caller(login);
        self.app.load();
        self.pump();
    }

    /// The case list's rows as held, in order.
    fn held(&self) -> Vec<duty_desk::desk::views::Row> {
        self.app.data.wins[self.app.view.index()]
            .window
            .as_ref()
            .map(|w| w.rows.clone())
            .unwrap_or_default()
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.pump();
        self
    }

    fn typed(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    fn named_id(&self) -> String {
        self.records
            .iter()
            .find(|d| d.title == "张三与李四房屋宅基地纠纷")
            .unwrap()
            .id
            .clone()
    }

    fn screen(&mut self, w: u16, h: u16) -> String {
        common::screen::render(&mut self.app, w, h)
    }
}

#[test]
fn every_screen_at_80x24_and_160x48() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = Harness::new(false);
        for (i, name) in [
            "mine",
            "inbox",
            "queue",
            "supervision",
            "watchlist",
            "followups",
            "dashboard",
            "rollcall",
        ]
        .iter()
        .enumerate()
        {
            s.key(KeyCode::Char(char::from(b'0' + i as u8)));
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), s.screen(w, h));
        }
        s.key(KeyCode::Char('2'))
            .key(KeyCode::Down)
            .key(KeyCode::Enter);
        insta::assert_snapshot!(format!("detail_{w}x{h}"), s.screen(w, h));
        s.key(KeyCode::Esc).key(KeyCode::Char('?'));
        insta::assert_snapshot!(format!("help_{w}x{h}"), s.screen(w, h));
    }
}

#[test]
fn pinyin_filter_help_filter_command_line_ascii_and_small_window() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2'))
        .key(KeyCode::Char('/'))
        .typed("zs");
    let screen = s.screen(80, 24);
    assert!(screen.contains("筛选“zs”"), "{screen}");
    assert!(
        screen.contains("张三与李四"),
        "pinyin initials find 张三: {screen}"
    );
    insta::assert_snapshot!("queue_filter_zs_80x24", screen);
    // Esc clears the filter and goes back to the whole list.
    s.key(KeyCode::Esc);
    assert!(!s.screen(80, 24).contains("筛选“"));

    s.key(KeyCode::Char('?')).typed("交办");
    let help = s.screen(80, 24);
    assert!(
        help.contains("交办") && !help.contains("退出"),
        "help filters by typing: {help}"
    );
    s.key(KeyCode::Esc);

    s.key(KeyCode::Char(':'))
        .typed("go 2026-00005")
        .key(KeyCode::Tab);
    let line = s.screen(80, 24);
    assert!(
        line.contains(":go MD-2026-00005") && line.contains("go MD-2026-000051"),
        "{line}"
    );
    insta::assert_snapshot!("command_completion_80x24", line);
    s.key(KeyCode::Esc);

    let mut a = Harness::new(true);
    a.key(KeyCode::Char('3'));
    let ascii = a.screen(80, 24);
    assert!(ascii.contains("+---") && !ascii.contains('┌'), "{ascii}");
    insta::assert_snapshot!("supervision_ascii_80x24", ascii);

    let small = s.screen(50, 12);
    assert!(small.contains("窗口太小"), "{small}");
}

#[test]
fn escape_sequences_in_records_never_reach_the_screen() {
    let mut s = Harness::new(false);
    let id = s.named_id();
    s.key(KeyCode::Char(':'))
        .typed(&format!("go {id}"))
        .key(KeyCode::Enter);
    let screen = s.screen(160, 48);
    assert!(screen.contains("张三与李四因宅基地界址争执"), "{screen}");
    assert!(
        !screen.contains('\u{1b}') && !screen.contains("改标题"),
        "{screen}"
    );
}

#[test]
fn esc_always_goes_back_and_keys_move_through_the_stack() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2'));
    let first = s.app.selected_id().unwrap();
    s.key(KeyCode::Down);
    assert_ne!(s.app.selected_id().unwrap(), first);
    s.key(KeyCode::Enter).key(KeyCode::Char('?'));
    assert_eq!(s.app.overlays.len(), 2);
    for n in [1, 0] {
        s.key(KeyCode::Esc);
        assert_eq!(s.app.overlays.len(), n);
    }
    s.key(KeyCode::Char(':'));
    assert_eq!(s.app.overlays.len(), 1);
    s.key(KeyCode::Esc);
    assert!(s.app.overlays.is_empty());
    // Esc then a view key arriving together over SSH reads as Alt+key.
    s.key(KeyCode::Enter);
    s.app
        .on_key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::ALT));
    assert!(s.app.overlays.is_empty());
    assert_eq!(s.app.view.label(), "重点人员");
    // Marks with space, shown in the title.
    s.key(KeyCode::Char('2'))
        .key(KeyCode::Char(' '))
        .key(KeyCode::Char(' '));
    assert!(s.screen(80, 24).contains("已标记 2"));
    // q quits.
    s.key(KeyCode::Char('q'));
    assert!(s.app.quit);
}

#[test]
fn a_notice_refetches_what_changed() {
    let mut s = Harness::new(false);
    s.app.on_notice(duty_desk::desk::Notice {
        revision: 9,
        action: "交办".into(),
        actor: "zb2".into(),
        touched: vec![duty_desk::store::Touched {
            kind: duty_desk::domain::record::RecordKind::Dispute,
            id: "MD-2026-000005".into(),
        }],
    });
    // The counts and 我的 on screen are asked again; never every case (the
    // list on screen follows by the server's pushes).
    let asked: Vec<&Request> = s
        .app
        .out
        .iter()
        .filter_map(|o| match o {
            Out::Request(_, r) => Some(r),
            _ => None,
        })
        .collect();
    assert!(asked.contains(&&Request::Tally), "{asked:?}");
    assert!(
        asked.iter().any(|r| matches!(r, Request::Mine { .. })),
        "{asked:?}"
    );
    assert!(
        !asked
            .iter()
            .any(|r| matches!(r, Request::Summaries | Request::SummariesOf { .. })),
        "{asked:?}"
    );
    assert!(
        s.screen(120, 24).contains("交办 MD-2026-000005"),
        "status line names the change"
    );
}

#[test]
fn status_messages_outrank_the_banner_and_cut_text_ends_in_an_ellipsis() {
    let mut s = Harness::new(false);
    // 全国两会 is on, so the banner competes for the status line.
    s.app.say("已登记 MD-2026-000123", false);
    let screen = s.screen(80, 24);
    let status = screen.lines().nth(23).unwrap();
    assert!(status.contains("已登记 MD-2026-000123"), "{status}");
    s.app.say(
        "导出失败：无法写入 /home/zb1/台账.xlsx（权限不够或磁盘已满）",
        true,
    );
    let screen = s.screen(80, 24);
    let status = screen.lines().nth(23).unwrap();
    assert!(status.contains("（权限不够或磁盘已满）"), "{status}");
    assert!(status.ends_with("2026-11-22 09:30"), "{status}");
    // Without a message the banner is back.
    s.app.status = None;
    assert!(s.screen(80, 24).contains("【敏感时期：全国两会】"));
    // An information line gives way to it by itself, no key needed.
    s.app.say("张某 交办 MD-2026-000009", false);
    assert!(!s.screen(80, 24).contains("【敏感时期：全国两会】"));
    s.app.now += chrono::Duration::minutes(2);
    let status = s.screen(80, 24).lines().nth(23).unwrap().to_string();
    assert!(status.contains("【敏感时期：全国两会】"), "{status}");
    // At the narrowest width the tab bar is cut with …, not mid-word.
    let tabs = s
        .screen(60, 24)
        .lines()
        .nth(1)
        .unwrap()
        .trim_end()
        .to_string();
    assert!(tabs.ends_with('…'), "{tabs}");
    // The 点名 title too.
    s.key(KeyCode::Char('7'));
    let screen = s.screen(80, 24);
    let title = screen.lines().find(|l| l.contains("点名 11-22")).unwrap();
    assert!(title.ends_with("…┐"), "{title}");
}

#[test]
fn a_closed_case_shows_no_risk_score() {
    let mut s = Harness::new(false);
    let closed = s
        .records
        .iter()
        .find(|d| !d.status.is_open())
        .unwrap()
        .id
        .clone();
    let open = s.named_id();
    s.key(KeyCode::Char(':')).typed(&format!("go {closed}"));
    s.key(KeyCode::Enter);
    let screen = s.screen(80, 24);
    assert!(screen.contains(&closed), "{screen}");
    assert!(!screen.contains("风险分"), "{screen}");
    s.key(KeyCode::Esc)
        .key(KeyCode::Char(':'))
        .typed(&format!("go {open}"))
        .key(KeyCode::Enter);
    assert!(s.screen(80, 24).contains("风险分"));
}

#[test]
fn an_esc_glued_to_the_next_key_closes_help_before_the_key_acts() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2')).key(KeyCode::Char('?'));
    // Esc and `/` arriving together read as Alt+/.
    s.app
        .on_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::ALT));
    s.pump();
    s.typed("zsf");
    assert!(s.app.overlays.is_empty(), "{:?}", s.app.overlays);
    let l = &s.app.lists[s.app.view.index()];
    assert_eq!(l.filter.text(), "zsf");
}

#[test]
fn help_pages_with_pgdn_and_pgup() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('?'));
    let first = s.screen(80, 24);
    assert!(first.contains("【全局】"), "{first}");
    s.key(KeyCode::PageDown);
    let next = s.screen(80, 24);
    assert!(!next.contains("【全局】"), "{next}");
    assert_ne!(first, next);
    s.key(KeyCode::PageUp);
    assert_eq!(s.screen(80, 24), first);
}

#[test]
fn reconnecting_says_so_until_the_refresh_is_in() {
    let mut s = Harness::new(false);
    s.app.set_online(false, None);
    s.app.set_online(true, None);
    assert!(s.screen(80, 24).contains("已重新连接，正在刷新"));
    // The window on screen, the strip and the counts are asked again (each
    // window watched anew on the new connection); never every case.
    let asked: Vec<&Request> = s
        .app
        .out
        .iter()
        .filter_map(|o| match o {
            Out::Request(_, r) => Some(r),
            _ => None,
        })
        .collect();
    let watched = asked
        .iter()
        .filter(|r| matches!(r, Request::View { watch: Some(_), .. }))
        .count();
    assert!(watched >= 1, "{asked:?}");
    assert!(
        asked.iter().all(|r| !matches!(
            r,
            Request::Summaries | Request::SummariesOf { .. } | Request::Persons { .. }
        )),
        "{asked:?}"
    );
    s.pump();
    let screen = s.screen(80, 24);
    assert!(!screen.contains("正在刷新"), "{screen}");
}

#[test]
fn the_inbox_puts_todays_new_call_above_julys_returned_case() {
    let mut s = Harness::new(false);
    let mut old = s.records[0].clone();
    old.id = "MD-2026-000901".into();
    old.status = duty_desk::domain::workflow::Status::Returned;
    old.registered_at = now() - Duration::days(130);
    let mut new = s.records[0].clone();
    new.id = "MD-2026-000902".into();
    new.status = duty_desk::domain::workflow::Status::Registered;
    new.registered_at = now() - Duration::minutes(20);
    s.local
        .store()
        .write("admin", now(), |tx| {
            tx.put_dispute(&mut old)?;
            tx.put_dispute(&mut new)?;
            tx.audit("登记", "", "测试用案件");
            Ok::<_, duty_desk::store::StoreError>(())
        })
        .unwrap();
    s.key(KeyCode::Char('1'));
    let inbox: Vec<String> = s.held().iter().map(|r| r.case.id.clone()).collect();
    let pos = |id: &str| inbox.iter().position(|r| r == id).unwrap();
    assert!(pos("MD-2026-000902") < pos("MD-2026-000901"), "{inbox:?}");
    assert_eq!(inbox[0], "MD-2026-000902");
}

#[test]
fn pinyin_initials_find_a_category_across_its_slash() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2'))
        .key(KeyCode::Char('/'))
        .typed("lzqx");
    let rows = s.held();
    assert!(!rows.is_empty());
    for r in rows {
        assert_eq!(r.case.category, "劳资/欠薪");
    }
}

#[test]
fn y_copies_the_list_and_a_second_y_shows_it_unboxed() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2')).key(KeyCode::Char('y'));
    let copied = s.app.clipboard.take().expect("copied");
    // What `desk list disputes` prints for these rows: a header, one line
    // per case, the count.
    let rows = s.held().len();
    assert_eq!(
        rows,
        s.app.list_total(View::Queue),
        "the window holds the list"
    );
    assert_eq!(copied.lines().count(), rows + 2, "{copied}");
    assert!(copied.ends_with(&format!("共 {rows} 件")), "{copied}");
    assert!(s.screen(80, 24).contains("已复制"));
    s.key(KeyCode::Char('y'));
    let screen = s.screen(80, 24);
    // The whole screen is the text: no border, no status line.
    assert!(
        !screen.contains('│') && !screen.contains("宋雪梅"),
        "{screen}"
    );
    let top = screen.lines().next().unwrap().trim_end();
    assert!(
        !top.is_empty() && copied.starts_with(top),
        "{top}\n{copied}"
    );
    s.key(KeyCode::Esc);
    // With the clipboard switched off, the first y shows the text.
    s.app.osc52 = false;
    s.key(KeyCode::Char('y'));
    assert!(s.app.clipboard.is_none());
    assert!(!s.screen(80, 24).contains('│'));
}

/// What the desk writes to the terminal for one frame after `act`, at 80×24.
fn bytes_for(s: &mut Harness, act: impl FnOnce(&mut Harness)) -> usize {
    use duty_desk::tui::term::DeskBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u8>::new()));
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut t = Terminal::with_options(
        DeskBackend::new(Sink(out.clone())),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
        },
    )
    .unwrap();
    t.draw(|f| duty_desk::tui::views::draw(f, &mut s.app))
        .unwrap();
    out.borrow_mut().clear();
    act(s);
    t.draw(|f| duty_desk::tui::views::draw(f, &mut s.app))
        .unwrap();
    let n = out.borrow().len();
    n
}

#[test]
fn a_screen_switch_and_a_search_keystroke_stay_small_over_a_slow_link() {
    let mut s = Harness::new(false);
    let mut most = 0;
    for view in ['1', '2', '3', '4', '5', '2'] {
        let n = bytes_for(&mut s, |s| {
            s.key(KeyCode::Char(view));
        });
        assert!(n <= 4096, "switch to {view}: {n} bytes");
        most = most.max(n);
    }
    s.key(KeyCode::Char('2')).key(KeyCode::Char('/'));
    for c in ['z', 's'] {
        let n = bytes_for(&mut s, |s| {
            s.key(KeyCode::Char(c));
        });
        assert!(n <= 2048, "search key {c}: {n} bytes");
    }
    eprintln!("largest screen switch: {most} bytes");
}

/// The login that holds the most open cases in one role of the fixtures
/// (责任人 or 领导), so its 我的 has something in it.
fn busiest(s: &Harness, leader: bool) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let cases: Vec<Summary> = s.records.iter().map(Summary::of).collect();
    for d in cases.iter().filter(|d| d.status.is_open()) {
        let who = if leader { &d.leader } else { &d.person };
        if let Some(login) = who {
            *counts.entry(login.clone()).or_default() += 1;
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).unwrap().0
}

#[test]
fn my_work_is_the_first_screen_for_each_role_and_enter_opens_the_case() {
    for (role, name) in [
        (Role::DutyOfficer, "duty"),
        (Role::Responsible, "responsible"),
        (Role::Leader, "leader"),
    ] {
        let mut s = Harness::new(false);
        assert_eq!(s.app.view, View::Mine, "我的 is the first screen");
        let login = match role {
            Role::Responsible => busiest(&s, false),
            Role::Leader => busiest(&s, true),
            _ => "zb1".to_string(),
        };
        s.as_officer(&login);
        let screen = s.screen(80, 24);
        for g in duty_desk::domain::mine::Group::for_role(role) {
            let (_, n) = s.app.data.mine.iter().find(|(x, _)| x == g).unwrap();
            assert!(
                screen.contains(&format!("{}（{n}）", g.label())),
                "{name}: section {} with its count: {screen}",
                g.label()
            );
        }
        let total: u32 = s.app.data.mine.iter().map(|(_, n)| n).sum();
        assert!(total > 0, "{name}: the fixtures give every role some work");
        assert!(screen.contains(&format!("我的({total})")), "{screen}");
        if role == Role::DutyOfficer {
            assert!(screen.contains("点名未报（2）：西岗村、赵庄村"), "{screen}");
        }
        insta::assert_snapshot!(format!("mine_{name}_80x24"), screen);
        // Enter opens the case under the cursor: the first one listed.
        let first = s.app.selected_id().unwrap();
        assert_eq!(first, s.held()[0].case.id);
        s.key(KeyCode::Down).key(KeyCode::Up).key(KeyCode::Enter);
        let detail = s.screen(80, 24);
        assert!(
            detail.contains(&first),
            "{name}: the detail of {first}: {detail}"
        );
    }
}

/// A closed case of the fixtures, as lists summarise it.
fn closed_case(s: &Harness) -> Summary {
    s.records
        .iter()
        .map(Summary::of)
        .find(|d| !d.status.is_open())
        .expect("the fixtures hold a closed case")
}

/// A search that finds nothing 在办 says whether 全部 has it; in 全部
/// the count is of all cases, not "1 of" the screen's own.
#[test]
fn a_search_empty_in_progress_says_all_cases_have_it() {
    let mut s = Harness::new(false);
    let closed = closed_case(&s);
    s.key(KeyCode::Char('2'))
        .key(KeyCode::Char('/'))
        .typed(&closed.id);
    let screen = s.screen(80, 24);
    assert!(
        screen.contains("这一屏没有；全部案件（含已化解、归档）中有 1 件相近的"),
        "{screen}"
    );
    s.key(KeyCode::Tab);
    let screen = s.screen(80, 24);
    assert!(screen.contains("全部案件中 1 件"), "{screen}");
    assert!(!screen.contains("（共"), "{screen}");
}

#[test]
fn the_filter_finds_closed_cases_once_its_scope_is_all() {
    let mut s = Harness::new(false);
    let closed = closed_case(&s);
    // Its title is what the officer remembers: 在办 lists do not hold it.
    s.key(KeyCode::Char('2'))
        .key(KeyCode::Char('/'))
        .typed(&closed.title);
    let ids = |s: &Harness| -> Vec<String> { s.held().iter().map(|r| r.case.id.clone()).collect() };
    assert!(!ids(&s).contains(&closed.id), "{:?}", ids(&s));
    let screen = s.screen(80, 24);
    assert!(screen.contains("筛选（在办）/"), "{screen}");
    assert!(
        screen.contains("Tab 在办/全部"),
        "the hint line says how: {screen}"
    );
    // Tab while filtering: 全部.
    s.key(KeyCode::Tab);
    assert!(ids(&s).contains(&closed.id), "{:?}", ids(&s));
    let screen = s.screen(80, 24);
    assert!(screen.contains("筛选（全部）/"), "{screen}");
    assert!(screen.contains(&closed.id), "{screen}");
    // Enter opens it like any other row.
    s.key(KeyCode::Enter);
    while s.app.selected_id() != Some(closed.id.clone()) {
        s.key(KeyCode::Down);
    }
    s.key(KeyCode::Enter);
    assert!(s.screen(80, 24).contains(closed.status_label()));
    // `:scope 在办` narrows it back.
    s.key(KeyCode::Esc)
        .key(KeyCode::Char(':'))
        .typed("scope 在办")
        .key(KeyCode::Enter);
    assert!(!s.app.lists[View::Queue.index()].everything);
    assert!(!ids(&s).contains(&closed.id), "{:?}", ids(&s));
}

#[test]
fn the_detail_names_who_else_has_the_case_open_and_tells_the_server_what_is_open() {
    use duty_desk::desk::api::{Looking, Viewer};
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2')).key(KeyCode::Enter);
    let id = s.app.looking().expect("a detail is open").id;
    assert_eq!(s.app.selected_id().as_deref(), Some(id.as_str()));
    s.app.tell_looking();
    let told = |app: &App| -> Vec<Option<Looking>> {
        app.out
            .iter()
            .filter_map(|o| match o {
                Out::Request(Want::Looking, Request::Looking { at }) => Some(at.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        told(&s.app),
        [Some(Looking {
            id: id.clone(),
            editing: false
        })]
    );
    s.app.out.clear();
    // Nothing changed: nothing more is sent.
    s.app.tell_looking();
    assert!(told(&s.app).is_empty());
    let other = s.app.data.officers["tj1"].clone();
    let me = s.app.me.clone().unwrap();
    let viewer = |o: &Officer, editing: bool| Viewer {
        login: o.login.clone(),
        name: o.name.clone(),
        at: Looking {
            id: id.clone(),
            editing,
        },
    };
    s.app
        .on_presence(vec![viewer(&other, true), viewer(&me, false)]);
    let screen = s.screen(80, 24);
    let line = screen.lines().next().unwrap();
    assert!(
        line.contains(&format!("{}正在编辑", other.name)),
        "{screen}"
    );
    // Oneself is not named.
    assert!(!line.contains(&me.name), "{screen}");
    // Back to the list: the server hears the case is closed here.
    s.key(KeyCode::Esc);
    s.app.tell_looking();
    assert_eq!(told(&s.app), [None]);
    assert!(!s.screen(80, 24).contains("正在编辑"));
    // A form on the case is editing it, and shows the others too (进展:
    // a form every open state of the case allows).
    s.key(KeyCode::Enter).key(KeyCode::Char('e'));
    assert_eq!(
        s.app.looking(),
        Some(Looking {
            id: id.clone(),
            editing: true
        })
    );
    let screen = s.screen(80, 24);
    assert!(screen.contains("添加进展"), "a form is open: {screen}");
    // Apart from the crumbs, even where the line is cut.
    let top = s.screen(80, 24).lines().next().unwrap().to_string();
    assert!(
        top.contains(&format!("添加进展  {}正在编辑", other.name)),
        "{top}"
    );
    // A narrow line cuts the crumbs, not the name.
    let top = s.screen(60, 24).lines().next().unwrap().to_string();
    assert!(top.contains(&format!("…  {}正在编辑", other.name)), "{top}");
}

/// A 只读 account sees the desk but is offered no action: the hint bar
/// lists none, and a key that starts one says at once why not, before any
/// form is filled in.
#[test]
fn a_read_only_account_is_offered_no_actions_and_told_at_once() {
    let mut s = Harness::new(false);
    let officer = s.app.data.officers["ck1"].clone();
    assert_eq!(officer.role, Role::ReadOnly);
    s.app.on_reply(Want::Whoami, Ok(Response::Officer(officer)));
    let screen = s.screen(80, 24);
    let hints = screen.lines().nth(22).unwrap_or_default().to_string();
    assert!(hints.contains("帮助"), "{screen}");
    for offered in ["登记", "研判", "交办", "签收", "退回"] {
        assert!(!hints.contains(offered), "{offered} offered: {hints}");
    }
    insta::assert_snapshot!("mine_read_only_80x24", screen);
    for key in ['n', 't', 'a', 'e'] {
        s.key(KeyCode::Char(key));
        let after = s.screen(80, 24);
        assert!(
            after.contains("您是“只读”，不能"),
            "{key}: refused at once: {after}"
        );
        assert!(
            !after.contains("Ctrl-S 提交"),
            "{key}: no form opened: {after}"
        );
        s.key(KeyCode::Esc);
    }
}

#[test]
fn a_long_list_is_held_a_window_at_a_time_and_end_fetches_the_last_rows() {
    let mut s = Harness::new(false);
    // 400 more open cases: the queue is longer than one window.
    let mut more: Vec<_> = (0..400)
        .map(|k| {
            let mut d = s.records[0].clone();
            d.id = format!("MD-2026-{:06}", 1000 + k);
            d.status = duty_desk::domain::workflow::Status::Registered;
            d
        })
        .collect();
    s.local
        .store()
        .write("admin", now(), |tx| {
            for d in &mut more {
                tx.put_dispute(d)?;
            }
            tx.audit("登记", "", "测试用案件");
            Ok::<_, duty_desk::store::StoreError>(())
        })
        .unwrap();
    s.key(KeyCode::Char('2'));
    let total = s.app.list_total(View::Queue);
    assert!(total > 400, "{total}");
    assert!(s.held().len() < total, "only a window is held");
    s.screen(80, 24);
    s.key(KeyCode::End);
    let screen = s.screen(80, 24);
    let last = s.app.selected_id().expect("the last row is held");
    assert!(
        screen.contains(&last) && !screen.contains("  …"),
        "{screen}"
    );
    // Keys faster than the replies: End while the window for a PageDown
    // run is still on its way. Once the replies are in, the end is held.
    s.key(KeyCode::Home);
    s.screen(80, 24);
    for _ in 0..8 {
        s.app
            .on_key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
    }
    s.app
        .on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE));
    s.pump();
    let screen = s.screen(80, 24);
    assert_eq!(s.app.selected_id(), Some(last.clone()), "{screen}");
    assert!(!screen.contains("  …"), "{screen}");
    // Back to the top, and down a page at a time: every row drawn is held.
    s.key(KeyCode::Home);
    for _ in 0..12 {
        s.key(KeyCode::PageDown);
        let screen = s.screen(80, 24);
        assert!(!screen.contains("  …"), "{screen}");
    }
}

/// At 200×60 the queue's 主要原因 takes its share of the room (it stayed
/// 22 columns wide before), and the 风险 column holds 未研判 whole.
#[test]
fn the_queue_uses_a_wide_screen_for_its_reasons() {
    let mut s = Harness::new(false);
    s.key(KeyCode::Char('2'));
    for (w, h) in [(200, 60), (80, 24)] {
        let screen = s.screen(w, h);
        let header = screen.lines().find(|l| l.contains("主要原因")).unwrap();
        let from = header.find("主要原因").unwrap();
        let to = header.find("标题").unwrap();
        let reasons = unicode_width::UnicodeWidthStr::width(&header[from..to]);
        if w == 200 {
            assert!(reasons > 40, "{header}");
        } else {
            assert!(reasons >= 22, "{header}");
        }
        assert!(!screen.contains("未…"), "{screen}");
    }
}

/// Filtering 我的 counts against 我的's own whole, not the matches again.
#[test]
fn a_filter_in_my_work_counts_against_my_work() {
    let mut s = Harness::new(false);
    let whole: u32 = s.app.data.mine.iter().map(|(_, n)| *n).sum();
    assert!(whole > 1);
    let id = s.app.selected_id().expect("a case in 我的");
    s.key(KeyCode::Char('/')).typed(&id);
    let screen = s.screen(80, 24);
    assert!(screen.contains(&format!("（共 {whole} 件）")), "{screen}");
}
