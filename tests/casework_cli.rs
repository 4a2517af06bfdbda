//! Casework with the real `desk` binary against a real database file:
//! transfer / accept / reject, 移送 with its ledger packet imported by the
//! other township, pause / resume, the escalation thresholds and sweep.

mod common;

use common::cli::{add_dispute_args, Cli};

fn working_case(cli: &Cli) -> String {
    let id = cli
        .ok(&add_dispute_args(
            "东河村",
            "群众来访",
            "两户因排水沟争吵",
            "王建国",
        ))
        .trim()
        .to_string();
    cli.ok(&["triage", &id, "--risk", "中", "--tier", "镇"]);
    cli.ok(&[
        "assign",
        &id,
        "--leader",
        "ld1",
        "--unit",
        "司法所",
        "--person",
        "tj1",
    ]);
    cli.ok(&["accept", &id]);
    id
}

#[test]
fn transfer_then_refuse_and_accept_on_the_command_line() {
    let cli = Cli::with_roster();
    let id = working_case(&cli);
    let out = cli.ok(&[
        "transfer",
        &id,
        "--unit",
        "派出所",
        "--person",
        "zb1",
        "--reason",
        "涉及治安",
    ]);
    assert!(out.contains("已转办，等对方签收"), "{out}");
    let show = cli.ok(&["show", &id]);
    assert!(
        show.contains("【转办待签收】司法所 冯志强 → 派出所 宋雪梅：涉及治安"),
        "{show}"
    );

    cli.ok(&["reject", &id, "--reason", "不属治安"]);
    let d = cli.json(&["show", &id]);
    assert_eq!(d["assignment"]["person"], "tj1");
    assert_eq!(d["status"], "调处中");
    let alert = d["alerts"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(alert["note"], "转办被退回：不属治安");
    // The officer who sent it hears why.
    assert_eq!(alert["to"], cli.json(&["whoami"])["login"]);

    cli.ok(&[
        "transfer",
        &id,
        "--unit",
        "派出所",
        "--person",
        "zb1",
        "--reason",
        "再次转办",
    ]);
    cli.ok(&["accept", &id]);
    let d = cli.json(&["show", &id]);
    assert_eq!(d["assignment"]["person"], "zb1");
    assert_eq!(d["assignment"]["unit"], "派出所");
    assert!(d["transfer"].is_null());
    let log = cli.ok(&["log"]);
    for word in ["转办", "退回", "签收"] {
        assert!(log.contains(word), "{word} missing from the log:\n{log}");
    }

    // Neither a unit without a person nor nothing at all.
    let err = cli.fails(&["transfer", &id, "--unit", "派出所", "--reason", "x"]);
    assert!(err.contains("--person"), "{err}");
}

#[test]
fn a_move_writes_a_ledger_packet_the_other_township_imports() {
    let here = Cli::with_roster();
    let id = working_case(&here);
    here.ok(&["lists", "add", "township", "北关镇"]);
    let packet = here.dir.path().join("packet.xlsx");
    let out = here.ok(&[
        "transfer",
        &id,
        "--township",
        "北关镇",
        "--reason",
        "当事人住北关镇",
        "--out",
        packet.to_str().unwrap(),
    ]);
    assert!(out.contains("已移送") && out.contains("北关镇"), "{out}");
    assert!(packet.is_file());
    let d = here.json(&["show", &id]);
    assert_eq!(d["status"], "归档");
    assert_eq!(d["moved_to"], "北关镇");

    let there = Cli::with_roster();
    let out = there.json(&["import", "ledger", packet.to_str().unwrap()]);
    assert_eq!(out["written"], true, "{out}");
    let ids = out["ids"].as_array().unwrap();
    assert_eq!(ids.len(), 1, "{out}");
    let moved = there.json(&["show", ids[0].as_str().unwrap()]);
    assert_eq!(moved["village"], "东河村");
    assert_eq!(moved["parties"][0]["name"], "王建国");

    // An unknown case writes no packet.
    let none = here.dir.path().join("none.xlsx");
    let err = here.fails(&[
        "transfer",
        "MD-2026-999999",
        "--township",
        "北关镇",
        "--reason",
        "x",
        "--out",
        none.to_str().unwrap(),
    ]);
    assert!(err.contains("找不到"), "{err}");
    assert!(!none.exists());
}

#[test]
fn pause_resume_thresholds_and_sweep_on_the_command_line() {
    let cli = Cli::with_roster();
    let id = working_case(&cli);
    let out = cli.ok(&["pause", &id, "--reason", "诉讼中", "--until", "+10天"]);
    assert!(out.contains("已中止"), "{out}");
    let show = cli.ok(&["show", &id]);
    assert!(
        show.contains("【中止】") && show.contains("诉讼中"),
        "{show}"
    );
    let err = cli.fails(&["pause", &id, "--reason", "又一次", "--until", "+3天"]);
    assert!(err.contains("已经中止"), "{err}");
    cli.ok(&["resume", &id]);
    assert!(cli.json(&["show", &id])["pause"].is_null());

    assert_eq!(
        cli.ok(&["escalation"]).trim(),
        "黄牌 逾期 1–3 天，橙牌 4–7 天，红牌 8 天以上"
    );
    let out = cli.ok(&["escalation", "--orange", "3", "--red", "6"]);
    assert!(out.contains("橙牌 3–5 天，红牌 6 天以上"), "{out}");
    let err = cli.fails(&["escalation", "--red", "2"]);
    assert!(err.contains("不合理"), "{err}");
    assert!(cli.ok(&["log"]).contains("设置黄橙红牌"));

    // Nothing is overdue or due to resume today.
    let out = cli.json(&["sweep"]);
    assert_eq!(out["resumed"].as_array().unwrap().len(), 0);
    assert_eq!(out["red"].as_array().unwrap().len(), 0);
}
