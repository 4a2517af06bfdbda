//! `desk weights`, `desk period`, `desk rollcall`, `desk queue` and
//! `desk report` as a real process, with the clock pinned by DESK_NOW.

mod common;

use common::cli::Cli;

const MORNING: &str = "2026-11-20T10:00:00+08:00";
const EVENING: &str = "2026-11-20T18:00:00+08:00";

fn at(cli: &Cli, now: &str, args: &[&str]) -> std::process::Output {
    cli.cmd().env("DESK_NOW", now).args(args).output().unwrap()
}

fn ok_at(cli: &Cli, now: &str, args: &[&str]) -> String {
    let out = at(cli, now, args);
    assert!(
        out.status.success(),
        "desk {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails_at(cli: &Cli, now: &str, args: &[&str]) -> String {
    let out = at(cli, now, args);
    assert!(
        !out.status.success(),
        "desk {args:?} should fail: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

fn json_at(cli: &Cli, now: &str, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&ok_at(cli, now, &all)).unwrap()
}

/// Registers a 邻里 dispute in 东河村 and triages it.
fn dispute(cli: &Cli, party: &str, risk: &str, flags: &[&str]) -> String {
    let id = ok_at(
        cli,
        MORNING,
        &[
            "add",
            "dispute",
            "--village",
            "东河村",
            "--category",
            "邻里",
            "--source",
            "来电",
            "--summary",
            "两户因排水沟堵塞争吵",
            "--party",
            party,
        ],
    )
    .trim()
    .to_string();
    let mut args = vec!["triage", id.as_str(), "--risk", risk];
    for f in flags {
        args.extend(["--flag", f]);
    }
    ok_at(cli, MORNING, &args);
    id
}

fn queue_ids(cli: &Cli) -> Vec<String> {
    json_at(cli, MORNING, &["queue"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn weights_change_the_queue_and_only_the_admin_may_change_them() {
    let cli = Cli::with_roster();
    let shown = ok_at(&cli, MORNING, &["weights"]);
    assert!(
        shown.contains("风险极高") && shown.contains("level_critical"),
        "{shown}"
    );
    let threat = dispute(&cli, "甲某", "中", &["扬言极端"]);
    let high = dispute(&cli, "乙某", "高", &[]);
    // 中 25 + 扬言极端 40 = 65 before 高 50; the sign says when it was recorded.
    assert_eq!(queue_ids(&cli), [threat.clone(), high.clone()]);
    let q = ok_at(&cli, MORNING, &["queue"]);
    assert!(
        q.contains("风险中+25、扬言极端（今天）+40")
            || q.contains("扬言极端（今天）+40、风险中+25"),
        "{q}"
    );

    ok_at(&cli, MORNING, &["weights", "set", "扬言极端", "0"]);
    assert_eq!(queue_ids(&cli), [high.clone(), threat.clone()]);
    assert_eq!(json_at(&cli, MORNING, &["weights"])["flag_threat"], 0);
    ok_at(&cli, MORNING, &["weights", "set", "flag_threat", "60"]);
    assert_eq!(queue_ids(&cli), [threat.clone(), high.clone()]);
    let log = ok_at(&cli, MORNING, &["log"]);
    assert!(
        log.contains("修改风险权重") && log.contains("扬言极端：0 → 60"),
        "{log}"
    );

    let e = fails_at(&cli, MORNING, &["weights", "set", "风险很高", "1"]);
    assert!(e.contains("没有名为“风险很高”的权重"), "{e}");
    let e = fails_at(&cli, MORNING, &["weights", "set", "风险高", "很多"]);
    assert!(e.contains("分值“很多”应为整数"), "{e}");
    let e = fails_at(&cli, MORNING, &["weights", "set", "风险高", "-5"]);
    assert!(e.contains("“风险高”应在 0 到 500 之间"), "{e}");

    ok_at(&cli, MORNING, &["weights", "reset"]);
    assert_eq!(json_at(&cli, MORNING, &["weights"])["flag_threat"], 40);

    // Demoted to 值班员 (the file's owner may always edit the roster).
    let me = json_at(&cli, MORNING, &["whoami"])["login"]
        .as_str()
        .unwrap()
        .to_string();
    ok_at(
        &cli,
        MORNING,
        &[
            "roster",
            "add",
            &me,
            "--name",
            "测试员",
            "--unit",
            "综治中心",
            "--role",
            "值班员",
        ],
    );
    let e = fails_at(&cli, MORNING, &["weights", "set", "风险高", "60"]);
    assert!(e.contains("无权修改风险权重：需要管理员角色"), "{e}");
    let e = fails_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "春节",
            "--from",
            "2027-02-01",
            "--to",
            "2027-02-20",
        ],
    );
    assert!(e.contains("无权设置敏感时期"), "{e}");
}

#[test]
fn periods_are_set_listed_and_removed() {
    let cli = Cli::with_roster();
    assert!(ok_at(&cli, MORNING, &["period", "list"]).contains("还没有设置敏感时期"));
    let e = fails_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "春节",
            "--from",
            "2024.13.40",
            "--to",
            "2027-02-20",
        ],
    );
    assert!(e.contains("日期不存在：2024年13月没有40日"), "{e}");
    let e = fails_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "国庆",
            "--from",
            "2026-10-07",
            "--to",
            "2026-10-01",
        ],
    );
    assert!(
        e.contains("结束日期 2026-10-01 早于开始日期 2026-10-07"),
        "{e}"
    );
    let e = fails_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "两会",
            "--from",
            "2026-11-18",
            "--to",
            "2026-11-25",
            "--deadline-factor",
            "2",
        ],
    );
    assert!(e.contains("时限系数“2”不对"), "{e}");
    let out = ok_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "村级换届选举",
            "--from",
            "11月18日",
            "--to",
            "+5天",
            "--deadline-factor",
            "60%",
        ],
    );
    assert!(out.contains("村级换届选举（11月18日至11月25日）"), "{out}");
    ok_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "元旦",
            "--from",
            "2027-01-01",
            "--to",
            "2027-01-03",
        ],
    );
    let list = ok_at(&cli, MORNING, &["period"]);
    assert!(list.contains("进行中") && list.contains("未开始"), "{list}");
    assert!(list.contains("今天处于敏感时期：村级换届选举"), "{list}");
    let j = json_at(&cli, MORNING, &["period", "list"]);
    assert_eq!(j[0]["deadline_percent"], 60);
    assert_eq!(j[0]["active"], true);
    // 中 → 15 days, at 60%: 9.
    let id = dispute(&cli, "丙某", "中", &[]);
    ok_at(
        &cli,
        MORNING,
        &[
            "assign",
            &id,
            "--leader",
            "ld1",
            "--unit",
            "司法所",
            "--person",
            "tj1",
        ],
    );
    let d = json_at(&cli, MORNING, &["show", &id]);
    assert_eq!(d["assignment"]["deadline"], "2026-11-29", "{d}");
    let e = fails_at(&cli, MORNING, &["period", "remove", "春节"]);
    assert!(e.contains("没有名为“春节”的敏感时期"), "{e}");
    ok_at(&cli, MORNING, &["period", "remove", "元旦"]);
    assert_eq!(
        json_at(&cli, MORNING, &["period"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn roll_call_on_the_command_line() {
    let cli = Cli::with_roster();
    ok_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "春节",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-30",
        ],
    );
    ok_at(
        &cli,
        MORNING,
        &[
            "rollcall",
            "record",
            "东河村",
            "--zero",
            "--channel",
            "微信",
        ],
    );
    ok_at(
        &cli,
        MORNING,
        &[
            "rollcall",
            "record",
            "西岗",
            "--news",
            "两户因宅基地争执，已到场",
            "--channel",
            "当面",
        ],
    );
    let e = fails_at(&cli, MORNING, &["rollcall", "record", "北山村", "--zero"]);
    assert!(e.contains("“北山村”不在村(社区)和责任单位名录中"), "{e}");
    let e = fails_at(&cli, MORNING, &["rollcall", "record", "赵庄村"]);
    assert!(e.contains("请说明报告类型"), "{e}");
    let e = fails_at(
        &cli,
        MORNING,
        &["rollcall", "record", "赵庄村", "--zero", "--news", "x"],
    );
    assert!(e.contains("只能选一个"), "{e}");
    let e = fails_at(
        &cli,
        MORNING,
        &[
            "rollcall",
            "record",
            "赵庄村",
            "--zero",
            "--channel",
            "短信",
        ],
    );
    assert!(
        e.contains("报告方式“短信”不在可选范围内，可选：电话、微信、当面"),
        "{e}"
    );
    let e = fails_at(&cli, MORNING, &["rollcall", "--date", "2024.13.40"]);
    assert!(e.contains("日期不存在"), "{e}");

    let morning = json_at(&cli, MORNING, &["rollcall"]);
    assert_eq!(morning["reported"].as_array().unwrap().len(), 2);
    assert!(morning["flagged"].as_array().unwrap().is_empty());
    let evening = ok_at(&cli, EVENING, &["rollcall"]);
    assert!(
        evening.starts_with("2026-11-20 点名（敏感时期：春节；17:00 截止）"),
        "{evening}"
    );
    // Who took the report, by name.
    let me = json_at(&cli, EVENING, &["whoami"]);
    let name = me["name"].as_str().unwrap();
    assert!(
        evening.contains(&format!("西岗村 有情况 当面 10:00 {name}")),
        "{evening}"
    );
    assert!(evening.contains("未报 14：赵庄村、派出所"), "{evening}");
    assert!(
        evening.contains("已过 17:00，14 个未报，请督办"),
        "{evening}"
    );
    let log = ok_at(&cli, EVENING, &["log"]);
    assert!(log.contains("点名登记") && log.contains("东河村"), "{log}");

    ok_at(&cli, MORNING, &["rollcall", "setup", "--hour", "9"]);
    assert!(ok_at(&cli, MORNING, &["rollcall"]).contains("请督办"));
    let e = fails_at(
        &cli,
        MORNING,
        &["rollcall", "setup", "--every-day", "maybe"],
    );
    assert!(e.contains("--every-day 只能是 yes 或 no"), "{e}");
}

#[test]
fn reports_on_the_command_line() {
    let cli = Cli::with_roster();
    ok_at(
        &cli,
        MORNING,
        &[
            "period",
            "add",
            "春节",
            "--from",
            "2026-11-20",
            "--to",
            "2026-11-30",
        ],
    );
    let id = dispute(&cli, "丁某", "高", &["民转刑倾向"]);
    ok_at(
        &cli,
        MORNING,
        &["rollcall", "record", "东河村", "--news", "一户争执，已登记"],
    );

    let daily = ok_at(&cli, EVENING, &["report", "daily"]);
    assert!(
        daily.starts_with(
            "【矛盾纠纷排查日报】\n2026年11月20日 星期五\n敏感时期：春节\n一、新增矛盾纠纷1件\n"
        ),
        "{daily}"
    );
    assert!(
        daily.contains(&format!("{id} 东河村 邻里，风险高，民转刑倾向")),
        "{daily}"
    );
    assert!(daily.contains("东河村：一户争执，已登记"), "{daily}");
    let j = json_at(&cli, EVENING, &["report", "daily"]);
    assert_eq!(j["kind"], "daily");
    assert_eq!(j["figures"]["new_total"], 1);
    assert_eq!(
        j["figures"]["rollcall"]["missing"]
            .as_array()
            .unwrap()
            .len(),
        15
    );

    let zero = ok_at(&cli, EVENING, &["report", "日报", "--date", "2026-11-19"]);
    assert!(zero.starts_with("【矛盾纠纷排查日报·零报告】\n2026年11月19日 星期四\n今日排查无新增矛盾纠纷，零报告。\n"), "{zero}");

    let monthly = ok_at(&cli, EVENING, &["report", "monthly"]);
    assert!(
        monthly.contains("本月台账须于11月28日前报送（还有8天）"),
        "{monthly}"
    );
    assert!(monthly.contains("一、本月新增1件"), "{monthly}");

    let book = cli.dir.path().join("研判.xlsx");
    let analysis = ok_at(
        &cli,
        EVENING,
        &["report", "analysis", "--xlsx", book.to_str().unwrap()],
    );
    assert!(
        analysis.contains("2026年11月下半月（11月16日至11月20日）"),
        "{analysis}"
    );
    assert!(
        analysis.contains(&format!("1. {id} 东河村 邻里 已研判 风险分")),
        "{analysis}"
    );
    {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&book).unwrap();
        assert_eq!(wb.sheet_names(), ["概况", "分类", "重点风险", "趋势"]);
        let risks = wb.worksheet_range("重点风险").unwrap();
        assert_eq!(risks.get((1, 1)).unwrap().to_string(), id);
    }

    let handover = ok_at(&cli, EVENING, &["report", "handover", "--since", "09:00"]);
    assert!(
        handover.starts_with("【交接班】\n本班：11月20日 09:00 至 11月20日 18:00\n"),
        "{handover}"
    );
    assert!(
        handover.contains("点名登记1、登记1、研判1、设置敏感时期1"),
        "{handover}"
    );
    assert!(
        handover.contains("今日点名未报15个（17:00截止）"),
        "{handover}"
    );

    let e = fails_at(&cli, EVENING, &["report", "weekly"]);
    assert!(e.contains("没有“weekly”这种报表"), "{e}");
    let e = fails_at(&cli, EVENING, &["report", "daily", "--date", "2024.13.40"]);
    assert!(e.contains("日期不存在：2024年13月没有40日"), "{e}");
    let e = fails_at(&cli, EVENING, &["report", "daily", "--date", "2026-11-21"]);
    assert!(e.contains("报表日期 2026-11-21 还没到"), "{e}");
    let e = fails_at(&cli, EVENING, &["report", "daily", "--xlsx", "x.xlsx"]);
    assert!(e.contains("--xlsx 只用于研判会分析"), "{e}");
    let e = fails_at(&cli, EVENING, &["report", "handover", "--since", "25:00"]);
    assert!(e.contains("时间“25:00”不存在"), "{e}");
}
