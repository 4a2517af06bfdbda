//! Key persons on a need-to-know basis through the real binary against a
//! real database file, with the clock pinned (`DESK_NOW`): review expiry,
//! masking after retention, failed visits, break the glass, the access
//! report's anomalies, and a 责任人's TUI start writing no reads of others.

mod common;

use std::process::Output;

use common::cli::Cli;
use common::tmux::Tmux;

const T0: &str = "2026-11-02T10:00:00+08:00";
const T1: &str = "2026-11-20T10:00:00+08:00";
/// More than 365 days after the entry ended at T1.
const T2: &str = "2027-11-21T10:00:00+08:00";
const NIGHT: &str = "2027-11-21T23:10:00+08:00";

fn at(cli: &Cli, now: &str, args: &[&str]) -> Output {
    cli.cmd().env("DESK_NOW", now).args(args).output().unwrap()
}

fn ok(cli: &Cli, now: &str, args: &[&str]) -> String {
    let o = at(cli, now, args);
    assert!(
        o.status.success(),
        "desk {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fails(cli: &Cli, now: &str, args: &[&str]) -> String {
    let o = at(cli, now, args);
    assert!(!o.status.success(), "desk {args:?} should fail");
    String::from_utf8(o.stderr).unwrap()
}

fn json(cli: &Cli, now: &str, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok(cli, now, &all)).unwrap()
}

fn me(cli: &Cli) -> String {
    cli.json(&["whoami"])["login"].as_str().unwrap().to_string()
}

/// The database's owner changes its own role on the roster.
fn become_role(cli: &Cli, login: &str, role: &str) {
    cli.ok(&[
        "roster",
        "add",
        login,
        "--name",
        "测试员",
        "--unit",
        "综治中心",
        "--role",
        role,
    ]);
}

fn add(cli: &Cli, name: &str, officer: &str, review: &str) -> String {
    ok(
        cli,
        T0,
        &[
            "person",
            "add",
            "--name",
            name,
            "--village",
            "西岗村",
            "--category",
            "刑满释放人员",
            "--risk",
            "中",
            "--officer",
            officer,
            "--reason",
            "安置帮教",
            "--review",
            review,
        ],
    )
    .trim()
    .to_string()
}

#[test]
fn review_expiry_failed_visits_and_masking_after_retention() {
    let cli = Cli::with_roster();
    let login = me(&cli);
    let a = add(&cli, "钱某某", "tj1", "2026-11-12");
    for _ in 0..3 {
        ok(
            &cli,
            T0,
            &[
                "person",
                "visit",
                &a,
                "--method",
                "入户",
                "--failed",
                "--reason",
                "外出务工",
            ],
        );
    }
    let bad = fails(
        &cli,
        T0,
        &[
            "person", "visit", &a, "--method", "入户", "--failed", "--reason", "出差",
        ],
    );
    assert!(bad.contains("外出务工、拒绝见面、下落不明、其他"), "{bad}");
    let count = ok(&cli, T0, &["person", "count"]);
    assert!(count.contains("失访 1 人"), "{count}");
    let shown = ok(&cli, T0, &["show", &a]);
    assert!(
        shown.contains("【预警：失访】") && shown.contains("未见面（外出务工）"),
        "{shown}"
    );
    let err = fails(&cli, T0, &["person", "ack", &a]);
    assert!(err.contains("措施"), "{err}");
    ok(&cli, T0, &["person", "ack", &a, "--plan", "联系务工地核实"]);

    // Past the review date: off the active watchlist, 待复核 until decided.
    let p = &json(&cli, T1, &["list", "persons"])[0];
    assert_eq!(p["standing"], "待复核");
    assert_eq!(p["visit_overdue"], false);
    let count = ok(&cli, T1, &["person", "count"]);
    assert!(
        count.contains("在册 0 人") && count.contains("待复核 1 人"),
        "{count}"
    );
    let handover = ok(&cli, T1, &["report", "handover"]);
    assert!(handover.contains("重点人员待复核1人"), "{handover}");
    ok(
        &cli,
        T1,
        &["person", "review", &a, "--reason", "已迁出本镇", "--end"],
    );

    // A year after it ended: 管理员 still sees the entry, nobody else does.
    assert_eq!(json(&cli, T2, &["show", &a])["name"], "钱某某");
    become_role(&cli, &login, "值班员");
    let masked = json(&cli, T2, &["show", &a]);
    assert_eq!(masked["name"], "（已过保存期）");
    assert_eq!(masked["reason"], "（已过保存期）");
    let log = ok(&cli, T2, &["log"]);
    assert!(!log.contains("钱某某"), "{log}");
    assert!(log.contains("（无权查看）"), "{log}");
    // The log names whom it showed (seen in the next listing).
    become_role(&cli, &login, "管理员");
    ok(&cli, T2, &["log"]);
    let log = ok(&cli, T2, &["log"]);
    let named = log
        .lines()
        .find(|l| l.contains("查阅日志所涉重点人员"))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(named.contains(&a), "{named}");
}

#[test]
fn break_the_glass_and_the_access_report_flags_each_anomaly() {
    let cli = Cli::with_roster();
    let login = me(&cli);
    let a = add(&cli, "孙某某", "tj1", "2027-05-01");
    let b = add(&cli, "周某某", "zb1", "2027-05-01");
    ok(
        &cli,
        T1,
        &["person", "rules", "--burst", "1/10", "--duty-hours", "8-18"],
    );

    // A 责任人 with nobody of their own: an empty list, out of scope refused.
    become_role(&cli, &login, "责任人");
    assert_eq!(json(&cli, T1, &["list", "persons"]), serde_json::json!([]));
    let err = fails(&cli, T1, &["show", &a]);
    assert!(err.contains("--reason"), "{err}");
    let seen = ok(
        &cli,
        T1,
        &["show", &a, "--reason", "群众举报其在本村滋事，核实身份"],
    );
    assert!(seen.contains("孙某某"), "{seen}");
    let err = fails(&cli, T1, &["report", "access"]);
    assert!(err.contains("无权"), "{err}");

    // 只读: counts only.
    become_role(&cli, &login, "只读");
    let err = fails(&cli, T1, &["list", "persons"]);
    assert!(err.contains("统计数字"), "{err}");
    assert!(ok(&cli, T1, &["person", "count"]).contains("在册 2 人"));

    // A 领导 at night, two persons within a minute.
    become_role(&cli, &login, "领导");
    ok(&cli, NIGHT, &["show", &a]);
    ok(&cli, NIGHT, &["show", &b]);
    let r = json(
        &cli,
        NIGHT,
        &[
            "report",
            "access",
            "--from",
            "2026-11-01",
            "--officer",
            &login,
        ],
    );
    let kinds: Vec<&str> = r["figures"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for k in ["BreakGlass", "OffHours", "Burst"] {
        assert!(kinds.contains(&k), "{k} missing: {r}");
    }
    let text = r["text"].as_str().unwrap();
    assert!(
        text.contains("破格查阅")
            && text.contains("值班时间外查阅")
            && text.contains("短时间查阅多人"),
        "{text}"
    );
    // The officer by name, as the roster has it: "测试员", not the login.
    assert!(text.contains("  测试员：查阅"), "{text}");
    assert!(!text.contains(&format!(" {login} ")), "{text}");
    let person = r["figures"]["persons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person"] == a.as_str())
        .unwrap()
        .clone();
    assert_eq!(person["reads"], 2, "{person}");
}

#[test]
fn the_notify_export_writes_only_that_townships_persons() {
    let cli = Cli::with_roster();
    let a = add(&cli, "吴某某", "tj1", "2027-05-01");
    add(&cli, "郑某某", "tj1", "2027-05-01");
    ok(&cli, T1, &["person", "household", &a, "临河镇"]);
    let out = cli.dir.path().join("通报.csv");
    let said = ok(
        &cli,
        T1,
        &[
            "export",
            "persons",
            "--notify",
            "临河镇",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(said.contains("已导出 1 名重点人员"), "{said}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("吴某某") && !text.contains("郑某某"),
        "{text}"
    );
    assert!(text.contains("临河镇"));
    let log = ok(&cli, T1, &["log"]);
    assert!(
        log.contains(&format!("导出重点人员 {a} 通报临河镇 1 人")),
        "{log}"
    );
}

#[test]
fn a_responsible_officers_desk_start_reads_no_one_outside_their_scope() {
    let cli = Cli::with_roster();
    let login = me(&cli);
    let mine = add(&cli, "冯某某", &login, "2027-05-01");
    let other = add(&cli, "陈某某", "tj1", "2027-05-01");
    become_role(&cli, &login, "责任人");
    let t = Tmux::start(&cli, (100, 30), "");
    t.wait_for("已连接");
    t.wait_for("待处理");
    // Started: nothing about persons read yet.
    become_role(&cli, &login, "管理员");
    let log = cli.ok(&["log"]);
    assert!(
        !log.contains("查阅重点人员"),
        "a start reads no one:\n{log}"
    );
    become_role(&cli, &login, "责任人");
    t.keys(&["4"]);
    let screen = t.wait_for("冯某某");
    assert!(!screen.contains("陈某某"), "{screen}");
    t.keys(&["q"]);
    drop(t);
    become_role(&cli, &login, "管理员");
    let events = cli.json(&["log"]);
    let reads: Vec<&serde_json::Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("查阅"))
        // The administrator's own `desk log` above is not the desk's start.
        .filter(|e| e["action"] != "查阅日志所涉重点人员")
        .collect();
    assert!(!reads.is_empty(), "the watchlist was logged");
    for e in reads {
        let target = e["target"].as_str().unwrap();
        assert!(!target.contains(&other), "{e}");
        assert_eq!(target, mine, "{e}");
    }
}
