//! The real binary in a real terminal: tmux at 80×24 on demo data. Moves
//! through the screens, searches by pinyin, opens help and a detail, quits.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::cli::{Cli, BIN};
use common::tmux::Tmux;

fn stop_server(cli: &Cli) {
    common::cli::stop_server(&cli.dir.path().join("desk.sock"));
}

#[test]
fn an_officer_moves_through_the_desk_in_tmux() {
    let cli = Cli::new();
    cli.ok(&[
        "demo",
        "--disputes",
        "300",
        "--persons",
        "40",
        "--seed",
        "3",
    ]);
    let t = Tmux::start(&cli, (80, 24), "");
    t.past_handover();
    // 我的 is the first screen.
    let first = t.wait_for("我的 共");
    assert!(first.contains("● 已连接"), "{first}");
    assert!(first.contains("系统管理员（管理员）"), "{first}");
    for line in first.lines() {
        assert!(
            unicode_width::UnicodeWidthStr::width(line) <= 80,
            "line wider than the terminal: {line}"
        );
    }

    t.keys(&["1"]);
    t.wait_for("待处理 共");
    t.keys(&["3"]);
    t.wait_for("督办 共");
    t.keys(&["4"]);
    let watch = t.wait_for("重点人员 共 40 人");
    assert!(watch.contains("下次走访"), "{watch}");
    t.keys(&["5"]);
    t.wait_for("回访 共");
    t.keys(&["6"]);
    t.wait_for("化解率");

    // Pinyin search on the risk queue: the village 赵庄村 by full pinyin.
    t.keys(&["2", "/", "z", "h", "a", "o", "z", "h", "u", "a", "n", "g"]);
    let found = t.wait_for("筛选“zhaozhuang”");
    // List rows, not the 预警 strip above them.
    let rows: Vec<&str> = found
        .lines()
        .filter(|l| l.contains("MD-") && !l.contains("预警"))
        .collect();
    assert!(!rows.is_empty(), "{found}");
    assert!(
        rows.iter().all(|l| l.contains("赵庄村")),
        "every match is in 赵庄村:\n{found}"
    );
    t.keys(&["Enter", "Enter"]);
    let detail = t.wait_for("详情");
    assert!(
        detail.contains("风险分") && detail.contains("赵庄村"),
        "{detail}"
    );
    t.keys(&["Escape"]);
    t.keys(&["Escape"]);
    let cleared = t.wait_for("风险队列 共");
    assert!(!cleared.contains("筛选“"), "{cleared}");

    t.keys(&["?"]);
    let help = t.wait_for("按键一览");
    assert!(help.contains("【全局】"), "{help}");
    t.keys(&["Escape"]);
    t.keys(&[":", "g", "o", " ", "M", "D", "-"]);
    t.wait_for(":go MD-");
    t.keys(&["Escape"]);

    // Resize at any moment redraws; too small says so.
    Command::new("tmux")
        .args([
            "-L",
            &t.socket,
            "resize-window",
            "-t",
            "desk",
            "-x",
            "50",
            "-y",
            "12",
        ])
        .status()
        .unwrap();
    t.wait_for("窗口太小");
    Command::new("tmux")
        .args([
            "-L",
            &t.socket,
            "resize-window",
            "-t",
            "desk",
            "-x",
            "160",
            "-y",
            "48",
        ])
        .status()
        .unwrap();
    let wide = t.wait_for("概要（Enter 看详情）");
    assert!(wide.contains("风险分"), "{wide}");

    t.keys(&["q"]);
    let start = Instant::now();
    while t.alive() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!t.alive(), "q quits the desk");
    stop_server(&cli);
}

#[test]
fn a_bad_keymap_file_is_reported_and_the_default_used() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "5"]);
    let bad = cli.dir.path().join("keymap.toml");
    std::fs::write(
        &bad,
        "list = [\n  { keys = [\"x\"], action = \"fly\", desc = \"飞\" },\n]\n",
    )
    .unwrap();
    let t = Tmux::start(&cli, (160, 30), &format!("--keymap {}", bad.display()));
    let s = t.wait_for("已用默认键位");
    t.past_handover();
    assert!(s.contains("第 2 行：没有“fly”这个动作"), "{s}");
    t.keys(&["4"]);
    t.wait_for("重点人员 共");
    t.keys(&["q"]);
    stop_server(&cli);
}

/// The id on the status line after 已登记.
fn registered_id(screen: &str) -> String {
    let at = screen.find("已登记 MD-").expect("registered") + "已登记 ".len();
    screen[at..at + "MD-2026-000000".len()].to_string()
}

#[test]
fn one_dispute_from_registration_to_follow_up_by_keyboard_in_tmux() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "30", "--persons", "5", "--seed", "4"]);
    let me = cli.json(&["whoami"])["login"].as_str().unwrap().to_string();
    let t = Tmux::start(&cli, (100, 30), "");
    t.past_handover();
    t.wait_for("我的 共");

    // 登记: Chinese typed straight into the pickers and fields.
    t.keys(&["n"]);
    t.wait_for("登记矛盾纠纷");
    t.keys(&["Enter"]);
    t.text("赵庄");
    // Village, then past 来源 to the text; the type after it.
    t.keys(&["Enter", "Tab"]);
    t.text("两户因宅前排水沟堵塞争吵");
    t.keys(&["Tab", "Enter"]);
    t.text("邻里");
    t.keys(&["Enter", "Tab"]);
    t.text("陈卫东");
    t.keys(&["C-s"]);
    let id = registered_id(&t.wait_for("已登记 MD-"));

    t.keys(&[":"]);
    t.text(&format!("go {id}"));
    t.keys(&["Enter"]);
    t.wait_for(&format!("{id} 详情"));

    // 研判 with the score live, then 交办 to myself as leader and person.
    t.keys(&["t"]);
    t.wait_for("风险分");
    t.keys(&["Right", "C-s"]);
    t.wait_for("已研判");
    t.keys(&["a", "Enter"]);
    t.text(&me);
    t.keys(&["Enter", "Enter"]);
    t.text("司法所");
    t.keys(&["Enter", "Enter"]);
    t.text(&me);
    t.keys(&["Enter", "C-s"]);
    t.wait_for("已交办");
    t.keys(&["s"]);
    t.wait_for("已签收");

    // 包案 with a two-step plan, 进展, 销号 and the leader's approval.
    t.keys(&["p", "Enter"]);
    t.text(&me);
    t.keys(&["Enter", "Tab"]);
    t.text("2026.12.01 召开联合调解会");
    t.keys(&["Enter"]);
    t.text("2026年12月05日 回访双方");
    t.keys(&["Tab"]);
    t.text("2026-12-20");
    t.keys(&["C-s"]);
    t.wait_for("已包案");
    t.keys(&["e", "Tab"]);
    t.text("到现场查看排水沟，约双方周五调解");
    t.keys(&["C-s"]);
    t.wait_for("已添加进展");
    t.keys(&["c", "Tab"]);
    t.text("双方签订书面协议，共同出资疏通");
    t.keys(&["C-s"]);
    t.wait_for("已提交销号");
    t.keys(&["o", "Tab"]);
    t.text("同意");
    t.keys(&["C-s"]);
    t.wait_for("已审批");

    // 回访.
    t.keys(&["v"]);
    t.wait_for("回访情况及所做工作");
    for _ in 0..4 {
        t.keys(&["Tab"]);
    }
    t.text("排水沟畅通，双方关系缓和");
    t.keys(&["C-s"]);
    t.wait_for("已记录回访");

    // The ledger from the desk, narrowed to the village the queue shows.
    let out = cli.dir.path().join("赵庄村台账.xlsx");
    t.keys(&["Escape", "2", ":"]);
    t.text("village 赵庄村");
    t.keys(&["Enter", ":"]);
    t.text(&format!("export {}", out.display()));
    t.keys(&["Enter"]);
    let done = t.wait_for("件案件到");
    assert!(done.contains("已导出"), "{done}");
    assert!(out.exists());
    t.keys(&["q"]);
    let check = cli.ok(&["import", "ledger", out.to_str().unwrap(), "--dry-run"]);
    // Every row is one of 赵庄村's cases, this one among them, none bad.
    let village = cli.json(&["list", "disputes", "--village", "赵庄村", "--all"]);
    let n = village.as_array().unwrap().len();
    assert!(check.contains(&format!("共 {n} 行")), "{n}: {check}");
    assert!(check.contains(&format!("编号 {id} 已在库中")), "{check}");
    assert!(check.contains("有错误 0 行"), "{check}");

    let d = cli.json(&["show", &id]);
    assert_eq!(d["village"], "赵庄村");
    assert_eq!(d["parties"][0]["name"], "陈卫东");
    assert_eq!(d["assignment"]["person"], me.as_str());
    assert_eq!(d["package"]["plan"].as_array().unwrap().len(), 2);
    assert_eq!(d["notes"][0]["text"], "到现场查看排水沟，约双方周五调解");
    assert_eq!(d["closing"]["outcome"], "调解成功-书面协议");
    let visited = d["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["visit"].is_null())
        .count();
    assert_eq!(visited, 1, "{d}");
    assert_eq!(d["status"], "回访中");
    let log = cli.ok(&["log"]);
    for action in [
        "登记",
        "研判",
        "交办",
        "签收",
        "包案",
        "添加进展",
        "销号",
        "审批",
        "回访",
    ] {
        assert!(
            log.lines().any(|l| l.contains(&id) && l.contains(action)),
            "log lacks {action} for {id}:\n{log}"
        );
    }
    assert!(log.contains("导出台账"), "{log}");
    stop_server(&cli);
}

#[test]
fn a_form_survives_the_terminal_dying_mid_registration() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "5", "--seed", "5"]);
    let t = Tmux::start(&cli, (80, 24), "");
    t.past_handover();
    t.wait_for("我的 共");
    t.keys(&["n", "Enter"]);
    t.text("赵庄");
    // Village, then past 来源 to the text; the type after it.
    t.keys(&["Enter", "Tab"]);
    t.text("两户因山林界址争执，扬言要动手");
    t.keys(&["Tab", "Enter"]);
    t.text("山林");
    t.keys(&["Enter", "Tab"]);
    t.text("何秋菊");
    // The terminal goes the moment the last keystroke is on screen.
    t.wait_for("何秋菊");
    // Returns once the desk has saved the form and ended.
    t.hang_up();
    drop(t);

    let again = Tmux::start(&cli, (80, 24), "");
    let offer = again.wait_for("没有提交的「登记矛盾纠纷」");
    assert!(offer.contains("Enter 继续填写"), "{offer}");
    again.keys(&["Enter"]);
    let form = again.wait_for("何秋菊");
    assert!(form.contains("赵庄村"), "{form}");
    assert!(form.contains("两户因山林界址争执"), "{form}");
    again.keys(&["C-s"]);
    let id = registered_id(&again.wait_for("已登记 MD-"));
    again.keys(&["q"]);
    let d = cli.json(&["show", &id]);
    assert_eq!(d["parties"][0]["name"], "何秋菊");
    stop_server(&cli);
}

#[test]
fn y_puts_the_daily_report_on_tmuxs_clipboard_as_desk_report_prints_it() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "5", "--seed", "5"]);
    let t = Tmux::start(&cli, (80, 24), "");
    // tmux takes OSC 52 into its paste buffer with set-clipboard on.
    let set = Command::new("tmux")
        .args(["-L", &t.socket, "set", "-g", "set-clipboard", "on"])
        .status()
        .unwrap();
    assert!(set.success());
    t.past_handover();
    t.wait_for("我的 共");
    t.keys(&["Y"]);
    t.wait_for("日报已复制到剪贴板");
    let buffer = Command::new("tmux")
        .args(["-L", &t.socket, "show-buffer"])
        .output()
        .unwrap();
    let copied = String::from_utf8(buffer.stdout).unwrap();
    let printed = cli.ok(&["report", "daily"]);
    assert!(copied.starts_with("【"), "{copied}");
    assert_eq!(copied.trim_end(), printed.trim_end());
    t.keys(&["q"]);
    stop_server(&cli);
}

#[test]
fn the_desk_ends_soon_after_its_terminal_closes_even_without_a_hangup_signal() {
    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "5", "--seed", "5"]);
    let pid_file = cli.dir.path().join("desk.pid");
    // Started by a shell that stays (not exec'd), the desk is not the
    // session leader: closing the terminal sends it no SIGHUP, only EOF/EIO.
    let cmd = format!(
        "sh -c 'env DESK_DB={} DESK_SOCKET={} HOME={} {BIN} </dev/tty & echo $! > {}; wait'",
        cli.db().display(),
        cli.dir.path().join("desk.sock").display(),
        cli.dir.path().display(),
        pid_file.display()
    );
    let t = Tmux::run((80, 24), &cmd);
    t.past_handover();
    t.wait_for("我的 共");
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_string();
    let running = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    assert!(running());
    t.hang_up();
    // Before, it lived on until its clock's next redraw failed (up to a
    // minute); the bound is generous for a loaded machine.
    let start = std::time::Instant::now();
    while running() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the desk still runs after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    stop_server(&cli);
}
