//! The scriptable CLI, run as a real process on a real database file.

mod common;

use common::cli::{add_dispute_args, Cli};

#[test]
fn help_and_usage_errors_are_in_chinese() {
    let cli = Cli::new();
    let help = cli.ok(&["--help"]);
    assert!(
        help.contains("用法：") && help.contains("命令") && help.contains("选项"),
        "{help}"
    );
    assert!(help.contains("登记") && help.contains("交办"), "{help}");
    // clap's own words too: the usage line and values named in Chinese.
    assert!(help.contains("用法：desk [选项] [命令]"), "{help}");
    let note = cli.ok(&["note", "--help"]);
    assert!(
        note.contains("<编号> <内容>") && !note.contains("<ID>"),
        "{note}"
    );
    // One heading for every option, --version too.
    assert!(
        !help.contains("Options") && help.contains("-V, --version        显示版本"),
        "{help}"
    );
    let out = cli.run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有这个命令"));
    let out = cli.run(&["assign", "MD-2026-000001"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("缺少必填参数"));
}

#[test]
fn register_assign_note_close_and_read_back_as_json() {
    let cli = Cli::with_roster();
    let id = cli
        .ok(&[
            "add",
            "dispute",
            "--village",
            "赵庄村",
            "--category",
            "邻里",
            "--source",
            "群众来访",
            "--summary",
            "两户因排水沟堵塞争吵",
            "--party",
            "王建国",
            "--party",
            "刘桂兰/被申请方/19900001111",
            "--amount",
            "3万元",
        ])
        .trim()
        .to_string();
    assert!(id.starts_with("MD-") && id.ends_with("-000001"), "{id}");
    cli.ok(&[
        "triage",
        &id,
        "--risk",
        "高",
        "--flag",
        "情绪激烈",
        "--tier",
        "镇",
    ]);
    cli.ok(&[
        "assign",
        &id,
        "--leader",
        "ld1",
        "--unit",
        "司法所",
        "--person",
        "tj1",
        "--deadline",
        "+3天",
    ]);
    cli.ok(&["accept", &id]);
    cli.ok(&["note", "1", "电话联系双方，约定周五调解", "--kind", "电话"]);
    cli.ok(&[
        "close",
        &id,
        "--outcome",
        "调解成功-口头协议",
        "--summary",
        "双方口头和解",
    ]);

    let list = cli.json(&["list", "disputes"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    for key in [
        "id",
        "title",
        "summary",
        "village",
        "category",
        "source",
        "status",
        "risk_level",
        "tier",
        "deadline",
        "parties",
    ] {
        assert!(row.get(key).is_some(), "list row lacks {key}: {row}");
    }
    assert_eq!(row["status"], "已化解");
    assert_eq!(row["risk_level"], "高");
    assert_eq!(row["tier"], "镇");
    assert_eq!(row["source"], "群众来访");
    assert_eq!(row["title"], "王建国与刘桂兰邻里纠纷");

    let show = cli.json(&["show", &id]);
    assert_eq!(show["id"], id.as_str());
    assert_eq!(show["amount"], 30000);
    assert_eq!(show["parties"][1]["role"], "被申请方");
    assert_eq!(show["notes"][0]["kind"], "电话");
    assert_eq!(show["closing"]["outcome"], "调解成功-口头协议");
    assert_eq!(show["follow_ups"].as_array().unwrap().len(), 3);

    // The number alone, as :go takes it, for reads and changes alike.
    assert_eq!(cli.json(&["show", "1"])["id"], id.as_str());
    let year = &id[3..7];
    assert_eq!(cli.json(&["show", &format!("{year}-1")])["id"], id.as_str());
    let err = cli.fails(&["show", "77"]);
    assert!(err.contains("找不到编号 77"), "{err}");
    let text = cli.ok(&["show", &id]);
    assert!(
        text.contains("四定：牵头领导 郑国庆") && text.contains("【电话】电话联系双方"),
        "{text}"
    );

    let log = cli.json(&["log", "--since", "今天"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target"] == id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["登记", "研判", "交办", "签收", "添加进展", "销号"]
    );
    // Names, not logins, wherever an officer reads: the log's text, the
    // history's words in JSON (the logins stay in their own fields).
    let me = cli.json(&["whoami"]);
    let (login, name) = (me["login"].as_str().unwrap(), me["name"].as_str().unwrap());
    let log_text = cli.ok(&["log", "--since", "今天"]);
    let assigned = log_text
        .lines()
        .find(|l| l.contains(" 交办 "))
        .unwrap_or_default();
    assert!(
        assigned.contains(name) && assigned.contains("郑国庆") && !assigned.contains(" ld1"),
        "{assigned}"
    );
    assert!(!log_text.contains(&format!(" {login} ")), "{log_text}");
    let entry = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["what"].as_str().unwrap_or_default().starts_with("交办"))
        .unwrap();
    assert_eq!(entry["by"], login);
    assert_eq!(entry["by_name"], name);
    assert!(
        entry["text"].as_str().unwrap().contains("郑国庆"),
        "{entry}"
    );

    let filtered = cli.json(&["list", "disputes", "--status", "调处中"]);
    assert!(filtered.as_array().unwrap().is_empty());
    let err = cli.fails(&["list", "disputes", "--status", "已完成"]);
    assert!(err.contains("状态“已完成”不存在"), "{err}");
}

#[test]
fn dates_in_every_form_and_bad_dates_with_reasons() {
    let cli = Cli::with_roster();
    let id = cli
        .ok(&[
            "add",
            "dispute",
            "--village",
            "东河村",
            "--category",
            "婚姻家庭",
            "--source",
            "来电",
            "--summary",
            "赡养纠纷",
            "--party",
            "李秀英",
        ])
        .trim()
        .to_string();
    cli.ok(&["triage", &id, "--risk", "中"]);
    for (form, message) in [
        ("2024.11.28", "化解时限 2024-11-28 已经过去"),
        ("2024年11月28日", "化解时限 2024-11-28 已经过去"),
        ("2024/11/28", "化解时限 2024-11-28 已经过去"),
        ("2026-02-30", "日期不存在：2026年2月没有30日"),
        ("下周三", "无法识别的日期“下周三”"),
        ("", "日期不能为空"),
    ] {
        let err = cli.fails(&[
            "assign",
            &id,
            "--leader",
            "ld1",
            "--unit",
            "司法所",
            "--person",
            "tj1",
            "--deadline",
            form,
        ]);
        assert!(err.contains(message), "{form}: {err}");
    }
    cli.ok(&[
        "assign",
        &id,
        "--leader",
        "ld1",
        "--unit",
        "司法所",
        "--person",
        "tj1",
        "--deadline",
        "明天",
    ]);
    let show = cli.json(&["show", &id]);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::hours(8) + chrono::Duration::days(1))
        .date_naive()
        .to_string();
    assert_eq!(show["deadline"], tomorrow.as_str());
}

#[test]
fn hostile_text_is_refused_or_cleaned_and_nothing_saved_is_lost() {
    let cli = Cli::with_roster();
    let first = cli
        .ok(&add_dispute_args(
            "东河村",
            "来电",
            "先登记的一件",
            "王建国",
        ))
        .trim()
        .to_string();
    let long = "张".repeat(500);
    let err = cli.fails(&add_dispute_args("东河村", "来电", "x", &long));
    assert!(
        err.contains("当事人姓名过长（500 个字），最多 50 个字"),
        "{err}"
    );
    let err = cli.fails(&add_dispute_args("东河村", "电报", "x", "王建国"));
    assert!(err.contains("来源“电报”不在可选范围内"), "{err}");
    let err = cli.fails(&add_dispute_args("东河村", "来电", "   ", "王建国"));
    assert!(err.contains("矛盾情况不能为空"), "{err}");
    let id = cli
        .ok(&add_dispute_args(
            "东河村",
            "来电",
            "\u{1b}]0;标题\u{7}\u{1b}[2J清屏\u{1b}[31m测试",
            "赵\u{202e}春生",
        ))
        .trim()
        .to_string();
    let show = cli.json(&["show", &id]);
    assert_eq!(show["summary"], "清屏测试");
    assert_eq!(show["parties"][0]["name"], "赵春生");
    // The first record is untouched by the failures in between.
    assert_eq!(cli.json(&["show", &first])["summary"], "先登记的一件");
    assert_eq!(cli.json(&["list", "disputes"]).as_array().unwrap().len(), 2);
}

#[test]
fn check_backup_and_a_tampered_copy() {
    let cli = Cli::with_roster();
    cli.ok(&add_dispute_args("东河村", "来电", "排水沟", "王建国"));
    let out = cli.ok(&["check"]);
    assert!(out.starts_with("检查通过：案件 1 件"), "{out}");
    let backup = cli.dir.path().join("backups").join("desk-备份.redb");
    let b = backup.to_str().unwrap();
    assert!(cli
        .ok(&["backup", "desk-备份.redb"])
        .contains(&format!("已备份到 {b}")));
    let copy = cli
        .cmd()
        .args(["--db", b, "check", "--json"])
        .output()
        .unwrap();
    assert!(copy.status.success());
    let report: serde_json::Value = serde_json::from_slice(&copy.stdout).unwrap();
    assert_eq!(report["disputes"], 1);
    assert_eq!(report["faults"].as_array().unwrap().len(), 0);
    let listed = cli
        .cmd()
        .args(["--db", b, "list", "disputes", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows[0]["summary"], "排水沟");
}

#[test]
fn demo_is_deterministic_per_seed_and_spreads_over_states() {
    let a = Cli::new();
    let b = Cli::new();
    for cli in [&a, &b] {
        cli.ok(&[
            "demo",
            "--disputes",
            "400",
            "--persons",
            "30",
            "--seed",
            "7",
            "--today",
            "2026-11-20",
        ]);
    }
    let la = a.ok(&["list", "disputes", "--json"]);
    assert_eq!(la, b.ok(&["list", "disputes", "--json"]));
    let rows: serde_json::Value = serde_json::from_str(&la).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 400);
    let statuses: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    for s in [
        "登记",
        "已研判",
        "已交办",
        "调处中",
        "待销号",
        "已化解",
        "回访中",
        "归档",
    ] {
        assert!(statuses.contains(s), "no demo case in {s}: {statuses:?}");
    }
    assert!(rows.iter().any(|r| r["supervised"] == true));
    assert!(rows.iter().any(|r| r["packaged"] == true));
    let villages: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["village"].as_str().unwrap())
        .collect();
    assert_eq!(villages.len(), 12);
    let persons = a.json(&["list", "persons"]);
    assert_eq!(persons.as_array().unwrap().len(), 30);
    assert!(persons
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["visit_overdue"] == true));

    let c = Cli::new();
    c.ok(&[
        "demo",
        "--disputes",
        "400",
        "--seed",
        "8",
        "--today",
        "2026-11-20",
    ]);
    assert_ne!(la, c.ok(&["list", "disputes", "--json"]));
    // Demo data goes only into an empty database.
    let err = a.fails(&["demo"]);
    assert!(err.contains("演示数据只写入空数据库"), "{err}");
    a.ok(&["check"]);
}

#[test]
fn key_person_cli_requires_reason_and_review_date() {
    let cli = Cli::with_roster();
    let err = cli.fails(&person_add_args("", "+180天", &[]));
    assert!(err.contains("列管理由不能为空"), "{err}");
    let err = cli.fails(&person_add_args("反复信访", "昨天", &[]));
    assert!(
        err.contains("复核日期") && err.contains("必须在今天之后"),
        "{err}"
    );
    let id = cli
        .ok(&person_add_args(
            "反复信访",
            "+180天",
            &["--phone", "19900002222"],
        ))
        .trim()
        .to_string();
    assert_eq!(id, "RY-000001");
    cli.ok(&[
        "person",
        "visit",
        &id,
        "--method",
        "入户",
        "--finding",
        "情绪稳定，诉求已解释",
    ]);
    let p = cli.json(&["show", &id]);
    assert_eq!(p["visits"].as_array().unwrap().len(), 1);
    assert_eq!(
        p["interval_days"], 7,
        "高 (from the risk level) is visited weekly"
    );
    let log = cli.ok(&["log"]);
    assert!(log.contains("查阅重点人员 RY-000001"), "{log}");
}

/// `desk person add` arguments for the same high-risk petitioner, varying
/// the reason, the review date and any extra options.
fn person_add_args<'a>(reason: &'a str, review: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "person",
        "add",
        "--name",
        "周德华",
        "--village",
        "西岗村",
        "--category",
        "高风险信访人员",
        "--risk",
        "高",
        "--officer",
        "tj1",
        "--reason",
        reason,
        "--review",
        review,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn undo_from_the_cli_within_ten_minutes_only() {
    let cli = Cli::with_roster();
    let at = |t: &str| {
        let mut c = cli.cmd();
        c.env("DESK_NOW", format!("2026-11-22T{t}:00+08:00"));
        c
    };
    let run = |t: &str, args: &[&str]| {
        let out = at(t).args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let add = common::cli::add_dispute_args("东河村", "群众来访", "两户因排水沟争吵", "孙玉兰");
    let (ok, id) = run("09:00", &add);
    assert!(ok, "{id}");
    let id = id.trim().to_string();
    let (ok, out) = run("09:01", &["triage", &id, "--risk", "中"]);
    assert!(ok, "{out}");
    let (ok, out) = run("09:05", &["undo", "--show"]);
    assert!(ok && out.contains("可以撤销 09:01 的「研判」"), "{out}");
    let (ok, out) = run("09:12", &["undo"]);
    assert!(!ok && out.contains("超过 10 分钟不能撤销"), "{out}");
    let (ok, out) = run("09:10", &["undo", "--json"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["action"], "研判");
    let d = cli.json(&["show", &id]);
    assert_eq!(d["status"], "登记");
    let log = cli.ok(&["log"]);
    assert!(
        log.lines().any(|l| l.contains("撤销") && l.contains(&id)),
        "{log}"
    );
}

#[test]
fn suggest_reads_the_text_with_reasons_and_add_takes_the_category() {
    let cli = Cli::with_roster();
    let text = "张某与李某因拖欠工资3万元发生纠纷，张某扬言要动刀，来电反映";
    let out = cli.ok(&["suggest", text]);
    assert!(
        out.contains("纠纷类型：劳资/欠薪（文字“拖欠工资”）"),
        "{out}"
    );
    assert!(
        out.contains("预警情形：扬言极端（文字“扬言要动刀”）"),
        "{out}"
    );
    assert!(out.contains("当事人：张某"), "{out}");
    let v = cli.json(&["suggest", text]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys.len(),
        6,
        "exactly category, flags, people, amount_yuan, parties, reasons: {v}"
    );
    assert_eq!(v["category"], "劳资/欠薪");
    assert!(
        v["flags"].as_array().unwrap().contains(&"扬言极端".into()),
        "{v}"
    );
    assert_eq!(v["amount_yuan"], 30000);
    assert!(v["people"].is_null(), "{v}");
    assert_eq!(v["parties"], serde_json::json!(["张某", "李某"]));
    let threat = v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "扬言极端")
        .unwrap();
    assert_eq!(threat["field"], "预警情形");
    assert_eq!(threat["because"], "扬言要动刀");
    let none = cli.ok(&["suggest", "今天例行巡查"]);
    assert!(none.contains("没有"), "{none}");

    // Registration without --category: the read category, said on stderr.
    let add = |summary: &'static str| -> Vec<&'static str> {
        vec![
            "add",
            "dispute",
            "--village",
            "东河村",
            "--source",
            "来电",
            "--summary",
            summary,
            "--party",
            "王某",
        ]
    };
    let out = cli.run(&add("王某反映被拖欠工资8000元"));
    assert!(out.status.success());
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(id.starts_with("MD-"), "{id}");
    let note = String::from_utf8(out.stderr).unwrap();
    assert!(
        note.contains("类型按文字“拖欠工资”定为 劳资/欠薪"),
        "{note}"
    );
    assert_eq!(cli.json(&["show", &id])["category"], "劳资/欠薪");
    let v = cli.json(&add("两户因拖欠工资争吵"));
    assert_eq!(v["category_read"]["value"], "劳资/欠薪", "{v}");
    assert_eq!(v["category_read"]["because"], "拖欠工资", "{v}");
    let err = cli.fails(&add("今天例行巡查"));
    assert!(err.contains("请用 --category 写明"), "{err}");
}

#[test]
fn show_and_log_keep_a_notes_lines_and_name_officers_not_logins() {
    let cli = Cli::with_roster();
    let args = add_dispute_args("东河村", "来电", "两户因院墙争执", "何秋菊");
    let id = cli.ok(&args).trim().to_string();
    cli.ok(&["triage", &id, "--risk", "中"]);
    cli.ok(&[
        "assign",
        &id,
        "--leader",
        "ld1",
        "--unit",
        "司法所",
        "--person",
        "tj1",
        "--deadline",
        "+5天",
    ]);
    cli.ok(&["note", &id, "上午到现场查看\n下午约双方面谈\n暂未达成一致"]);
    let show = cli.ok(&["show", &id]);
    // The note keeps its three lines, the later ones indented under it.
    assert!(
        show.contains("上午到现场查看\n    下午约双方面谈\n    暂未达成一致"),
        "{show}"
    );
    // Names from the roster, not logins: the 四定 line, who wrote what, and
    // the logins inside history written at the time ("交办：牵头领导 ld1…").
    let four = show.lines().find(|l| l.starts_with("四定")).unwrap();
    assert!(
        four.contains("牵头领导 郑国庆") && four.contains("责任人 冯志强"),
        "{show}"
    );
    let assigned = show.lines().find(|l| l.contains("交办：")).unwrap();
    assert!(
        assigned.contains("郑国庆") && !assigned.contains("ld1"),
        "{show}"
    );
    assert!(show.contains("系统管理员 【走访】上午到现场查看"), "{show}");
    let log = cli.ok(&["log"]);
    let note = log
        .lines()
        .position(|l| l.contains("添加进展"))
        .expect("the note is in the log");
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        lines[note].contains("上午到现场查看") && lines[note + 1].trim() == "下午约双方面谈",
        "{log}"
    );
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn abbreviations_register_against_the_listed_names_and_say_so() {
    let cli = Cli::with_roster();
    let out = cli.run(&[
        "add",
        "dispute",
        "--village",
        "东河",
        "--category",
        "经济债务",
        "--source",
        "来访",
        "--summary",
        "两户因借款到期未还争吵",
        "--party",
        "甲某",
        "--people",
        "十",
        "--flag",
        "qxjl",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let said = stderr(&out);
    assert!(
        said.contains(
            "已理解：东河 → 东河村，经济债务 → 经济债务/借贷，来访 → 群众来访，十 → 10，qxjl → 情绪激烈"
        ),
        "{said}"
    );
    let d = cli.json(&["show", &id]);
    assert_eq!(
        (
            &d["village"],
            &d["category"],
            &d["source"],
            &d["people_involved"]
        ),
        (
            &serde_json::json!("东河村"),
            &serde_json::json!("经济债务/借贷"),
            &serde_json::json!("群众来访"),
            &serde_json::json!(10)
        ),
        "{d}"
    );
    assert_eq!(d["flags"], serde_json::json!(["情绪激烈"]), "{d}");
    // Initials cross "/" (劳资/欠薪), and "余" gives the stated base.
    let json = cli.json(&[
        "add",
        "dispute",
        "--village",
        "zz",
        "--category",
        "lzqx",
        "--source",
        "来电",
        "--summary",
        "工地拖欠工资",
        "--party",
        "乙某",
        "--people",
        "二十余",
    ]);
    let d = cli.json(&["show", json["id"].as_str().unwrap()]);
    assert_eq!(
        (d["village"].as_str(), d["category"].as_str()),
        (Some("赵庄村"), Some("劳资/欠薪"))
    );
    assert_eq!(d["people_involved"], 20);
    assert_eq!(json["understood"][0], "zz → 赵庄村", "{json}");
}

#[test]
fn every_bad_value_in_one_command_is_reported_at_once() {
    let cli = Cli::with_roster();
    let out = cli.run(&[
        "add",
        "dispute",
        "--village",
        "北山村",
        "--category",
        "经济",
        "--source",
        "飞鸽传书",
        "--summary",
        "两户争吵",
        "--party",
        "甲某",
        "--people",
        "好多",
        "--flag",
        "乱来",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = stderr(&out);
    for wanted in [
        // Shares only 村 with the list: no suggestion of every village.
        "村(社区)“北山村”不在名录中，请先由管理员加入名录",
        "来源“飞鸽传书”不在可选范围内，可选：主动排查、",
        "涉及人数“好多”应为整数",
        "预警情形“乱来”不在可选范围内",
    ] {
        assert!(said.contains(wanted), "{wanted} missing from: {said}");
    }
    assert!(!said.contains("东河村、西岗村"), "{said}");
    // 经济 is a unique part of 经济债务/借贷: understood, not an error.
    assert!(!said.contains("经济"), "{said}");
    assert!(cli
        .json(&["list", "disputes"])
        .as_array()
        .unwrap()
        .is_empty());
    // A near miss is suggested by its distinctive part.
    let said = cli.fails(&add_dispute_args("东湖村", "来访", "两户争吵", "甲某"));
    assert!(said.contains("是不是：东河村"), "{said}");
}

#[test]
fn officers_by_name_or_pinyin_and_units_by_part_when_assigning() {
    let cli = Cli::with_roster();
    let id = cli
        .ok(&add_dispute_args("东河村", "群众来访", "两户争吵", "甲某"))
        .trim()
        .to_string();
    let said = stderr(&cli.run(&["triage", &id, "--risk", "gao", "--tier", "zhen"]));
    assert!(said.contains("已理解：gao → 高，zhen → 镇"), "{said}");
    let out = cli.run(&[
        "assign",
        &id,
        "--leader",
        "郑国庆",
        "--unit",
        "司法",
        "--person",
        "fzq",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("已理解：司法 → 司法所，fzq → 冯志强（tj1）"),
        "{}",
        stderr(&out)
    );
    let d = cli.json(&["show", &id]);
    assert_eq!(
        (
            d["assignment"]["leader"].as_str(),
            d["assignment"]["person"].as_str()
        ),
        (Some("ld1"), Some("tj1")),
        "{d}"
    );
    let said = cli.fails(&[
        "assign", &id, "--leader", "zzz", "--unit", "北山", "--person", "tj1",
    ]);
    assert!(said.contains("牵头领导：名册中没有“zzz”"), "{said}");
    assert!(said.contains("责任单位“北山”不在名录中"), "{said}");
}

#[test]
fn version_help_and_the_nearest_command() {
    let cli = Cli::new();
    let v = cli.ok(&["--version"]);
    assert_eq!(v.trim(), format!("desk {}", env!("CARGO_PKG_VERSION")));
    let said = cli.fails(&["add", "disput"]);
    assert!(
        said.contains("没有这个命令 disput，是不是 dispute？"),
        "{said}"
    );
    let said = cli.fails(&["asign"]);
    assert!(said.contains("是不是 assign？"), "{said}");
    let help = cli.ok(&["add", "dispute", "--help"]);
    for wanted in [
        "desk lists show",
        "群众来访",
        "网络(微信/抖音)",
        "民转刑倾向",
        "十、二十余",
        "3.5万元",
        "调处层级",
        "在册重点人员",
    ] {
        assert!(help.contains(wanted), "{wanted} missing from: {help}");
    }
    // Every option has a description, aligned in display columns
    // (Chinese counts two): the descriptions start in one column.
    let starts: Vec<usize> = help
        .lines()
        .filter(|l| l.trim_start().starts_with("--"))
        .map(|l| {
            let t = l.trim_start();
            let gap = t
                .find("  ")
                .unwrap_or_else(|| panic!("option without a description: {l}"));
            let desc = gap + t[gap..].find(|c: char| c != ' ').unwrap();
            l.len() - t.len() + unicode_width::UnicodeWidthStr::width(&t[..desc])
        })
        .collect();
    assert!(starts.len() >= 10, "{help}");
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "{starts:?}\n{help}"
    );
}

/// A socket that is there but does not answer is a server restarting: the
/// officer is told to wait, not to create a new database.
#[test]
fn a_silent_server_is_waited_for_not_replaced_by_a_new_database() {
    let cli = Cli::new();
    let sock = cli.dir.path().join("desk.sock");
    let _bound = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    drop(_bound);
    assert!(sock.exists());
    let err = cli.fails(&["list", "disputes"]);
    assert!(err.contains("服务端暂时没有应答（可能正在重启）"), "{err}");
    assert!(!err.contains("init"), "{err}");
    assert!(!cli.db().exists(), "nothing was created");
}

/// A name the desk would read as one already listed is refused until the
/// admin says it really is another (`--force`): 东河村委会 beside 东河村
/// would make `dh` ambiguous.
#[test]
fn a_near_duplicate_list_entry_needs_force() {
    let cli = Cli::with_roster();
    let err = cli.fails(&["lists", "add", "village", "东河村委会"]);
    assert!(
        err.contains("“东河村委会”和名录里的“东河村”会被当成同一个") && err.contains("--force"),
        "{err}"
    );
    assert!(!cli.ok(&["lists", "show"]).contains("东河村委会"));
    cli.ok(&["lists", "add", "village", "东河村委会", "--force"]);
    assert!(cli.ok(&["lists", "show"]).contains("东河村委会"));
    // The log names the list in words, not its key.
    let log = cli.ok(&["log"]);
    let line = log
        .lines()
        .find(|l| l.contains("新增村(社区)：东河村委会"))
        .unwrap();
    assert!(line.contains("维护名录 村(社区)"), "{line}");
}

/// The desk started where there is no terminal (ssh without -t, a script)
/// says so in Chinese, with what to do; no OS words reach the officer.
#[test]
fn the_desk_without_a_terminal_says_what_to_do_in_chinese() {
    let cli = Cli::with_roster();
    let out = cli
        .cmd()
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    common::cli::stop_server(&cli.dir.path().join("desk.sock"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("这里不是终端") && err.contains("ssh -t"),
        "{err}"
    );
    assert!(!err.contains("os error") && !err.is_ascii(), "{err}");
}

/// `serve --detach` says whether it started the server or found one.
#[test]
fn serve_detach_says_whether_it_started_one() {
    let cli = Cli::with_roster();
    let first = cli.ok(&["serve", "--detach"]);
    let again = cli.ok(&["serve", "--detach"]);
    common::cli::stop_server(&cli.dir.path().join("desk.sock"));
    assert!(first.starts_with("已在后台启动服务端"), "{first}");
    assert!(again.starts_with("服务端已在运行"), "{again}");
}
