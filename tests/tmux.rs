//! The real binary in a real terminal: tmux at 80×24 on demo data. Moves
//! through the screens, searches by pinyin, opens help and a detail, quits.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::cli::{Cli, BIN};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(cli: &Cli, size: (u16, u16), extra: &str) -> Tmux {
        let t = Tmux {
            socket: format!("desk-test-{}-{}", std::process::id(), size.0),
        };
        let cmd = format!(
            "env DESK_DB={} DESK_SOCKET={} HOME={} {BIN} {extra}",
            cli.db().display(),
            cli.dir.path().join("run/desk.sock").display(),
            cli.dir.path().display()
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "new-session",
                "-d",
                "-s",
                "desk",
                "-x",
                &size.0.to_string(),
                "-y",
                &size.1.to_string(),
                &cmd,
            ])
            .status()
            .expect("tmux is installed by .ci/run")
            .success();
        assert!(ok);
        t
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "desk", k])
                .status()
                .unwrap();
            // Separate keys, as a person types: Esc followed at once by a key reads as Alt+key.
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "desk"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "screen never showed “{text}”:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "desk"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn stop_server(cli: &Cli) {
    let sock = cli.dir.path().join("run/desk.sock");
    let _ = Command::new("pkill")
        .args([
            "-TERM",
            "-f",
            &format!(
                "serve --db {} --socket {}",
                cli.db().display(),
                sock.display()
            ),
        ])
        .status();
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
    let first = t.wait_for("风险队列 共");
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
    let rows: Vec<&str> = found.lines().filter(|l| l.contains("MD-")).collect();
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
    assert!(s.contains("第 2 行：没有“fly”这个动作"), "{s}");
    t.keys(&["4"]);
    t.wait_for("重点人员 共");
    t.keys(&["q"]);
    stop_server(&cli);
}
