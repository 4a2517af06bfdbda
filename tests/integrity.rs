//! Tampered, damaged and foreign files; backups; a full disk. Each through
//! the real `desk` binary against a real file (and a real `desk serve`).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cli::{add_dispute_args, Cli};
use duty_desk::desk::api::{Request, Response};
use duty_desk::desk::remote::{Pushed, Remote};
use duty_desk::desk::DeskError;

/// Replaces every occurrence of `from` in the file with `to` (same length),
/// as someone with write access to the file would. Returns how many.
fn patch_file(path: &Path, from: &str, to: &str) -> usize {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let (from, to) = (from.as_bytes(), to.as_bytes());
    let mut n = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            n += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    std::fs::write(path, bytes).unwrap();
    n
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A failure an officer can read: not Rust's panic status or text, and in Chinese.
fn assert_chinese_failure(out: &Output, what: &str) {
    let all = text(out);
    assert_ne!(out.status.code(), Some(101), "{what} panicked: {all}");
    assert!(!all.contains("panicked"), "{what}: {all}");
    assert!(!out.status.success(), "{what} should fail: {all}");
    assert!(
        all.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{what}: {all}"
    );
}

fn check(cli: &Cli, db: &Path) -> Output {
    cli.cmd()
        .env("DESK_DB", db)
        .args(["check"])
        .output()
        .unwrap()
}

#[test]
fn a_roster_role_raised_in_the_file_is_found_by_check() {
    let cli = Cli::with_roster();
    cli.ok(&[
        "roster",
        "add",
        "ck1",
        "--name",
        "董文斌",
        "--unit",
        "县综治中心",
        "--role",
        "只读",
    ]);
    assert!(cli.ok(&["check"]).starts_with("检查通过"));
    let patched = patch_file(&cli.db(), "\"role\":\"只读\"", "\"role\":\"领导\"");
    assert!(patched >= 1, "the role is stored as JSON in the file");
    // The edit took: the roster now says 领导.
    assert!(cli.ok(&["roster", "list"]).contains("领导"));
    let out = check(&cli, &cli.db());
    assert!(!out.status.success());
    let all = text(&out);
    assert!(
        all.contains("值班名册中的账号 ck1 与操作日志记下的不符"),
        "{all}"
    );
}

#[test]
fn a_party_phone_edited_in_the_file_is_found_by_check() {
    let cli = Cli::with_roster();
    let mut args = add_dispute_args(
        "东河村",
        "来电",
        "宅基地边界争议",
        "王建国/申请方/13800001234",
    );
    args.push("--json");
    let added: serde_json::Value = serde_json::from_str(&cli.ok(&args)).unwrap();
    let id = added["id"].as_str().unwrap().to_string();
    assert!(patch_file(&cli.db(), "13800001234", "13900001234") >= 1);
    let out = check(&cli, &cli.db());
    assert!(!out.status.success());
    let all = text(&out);
    assert!(
        all.contains(&format!("案件 {id} 与操作日志记下的不符")),
        "{all}"
    );
}

#[test]
fn empty_foreign_and_truncated_files_are_refused_by_every_command() {
    let cli = Cli::with_roster();
    cli.ok(&add_dispute_args("东河村", "来电", "排水沟", "王建国"));
    let dir = cli.dir.path();
    let empty = dir.join("empty.redb");
    std::fs::write(&empty, b"").unwrap();
    let foreign = dir.join("foreign.redb");
    std::fs::write(&foreign, "这不是数据库，是一份值班记录。\n".repeat(500)).unwrap();
    let truncated = dir.join("truncated.redb");
    let whole = std::fs::read(cli.db()).unwrap();
    std::fs::write(&truncated, &whole[..whole.len() / 3]).unwrap();
    for file in [&empty, &foreign, &truncated] {
        for args in [
            &["check"][..],
            &["list", "disputes"],
            &["whoami"],
            &["serve"],
        ] {
            let out = common::cli::run_bounded(
                cli.cmd()
                    .env("DESK_DB", file)
                    .env("DESK_SOCKET", dir.join("other.sock"))
                    .args(args),
            );
            let what = format!("{args:?} on {}", file.display());
            assert_chinese_failure(&out, &what);
            assert!(
                text(&out).contains("不是值班台数据库或已损坏"),
                "{what}: {}",
                text(&out)
            );
        }
        if file == &empty {
            assert_eq!(std::fs::metadata(file).unwrap().len(), 0, "left as it was");
        }
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let cli = Cli::new();
    cli.ok(&[
        "demo",
        "--disputes",
        "60",
        "--persons",
        "10",
        "--seed",
        "5",
        "--today",
        "2026-11-20",
    ]);
    let base = std::fs::read(cli.db()).unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (files, mut refused) = (24, 0);
    for k in 0..files {
        let mut bytes = base.clone();
        for _ in 0..50 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] ^= 1 << (next() % 8);
        }
        let path = cli.dir.path().join(format!("flipped-{k}.redb"));
        std::fs::write(&path, &bytes).unwrap();
        let mut failed = false;
        for args in [&["check"][..], &["list", "disputes"]] {
            let out = common::cli::run_bounded(cli.cmd().env("DESK_DB", &path).args(args));
            if !out.status.success() {
                assert_chinese_failure(&out, &format!("{args:?} on flipped file {k}"));
                failed = true;
            }
        }
        refused += usize::from(failed);
    }
    eprintln!("byte flips: {refused} of {files} files refused, none panicked");
    assert!(
        refused > 0,
        "50 flips in a 60-case file are found at least once"
    );
}

/// A `desk serve` child, stopped when dropped (a failing test too).
struct Serving(Child);

impl Serving {
    fn running(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

/// A `desk serve` on `db` with the Cli's socket, its log in `serve.log`.
fn spawn_serve(cli: &Cli, db: &Path, extra: &[&str]) -> Serving {
    let log = std::fs::File::create(cli.dir.path().join("serve.log")).unwrap();
    let child = cli
        .cmd()
        .env("DESK_DB", db)
        .arg("serve")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let socket = cli.dir.path().join("desk.sock");
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "server did not come up: {}",
            std::fs::read_to_string(cli.dir.path().join("serve.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Serving(child)
}

fn stop(server: Serving) {
    drop(server);
}

/// The server's log once it holds `what`, waiting for the background check.
fn serve_log_with(cli: &Cli, what: &str) -> String {
    let start = Instant::now();
    loop {
        let log = std::fs::read_to_string(cli.dir.path().join("serve.log")).unwrap_or_default();
        if log.contains(what) || start.elapsed() > Duration::from_secs(30) {
            return log;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_tampered_file_is_served_for_reading_only_unless_accepted_and_then_logged() {
    let cli = Cli::with_roster();
    cli.ok(&[
        "roster",
        "add",
        "ck1",
        "--name",
        "董文斌",
        "--unit",
        "县综治中心",
        "--role",
        "只读",
    ]);
    cli.ok(&add_dispute_args("东河村", "来电", "排水沟", "王建国"));
    assert!(patch_file(&cli.db(), "\"role\":\"只读\"", "\"role\":\"领导\"") >= 1);
    // A stopped server leaves its file to be recovered at the next open,
    // which re-reads the tampered page: the second run starts from a copy.
    let tampered = cli.dir.path().join("tampered.redb");
    std::fs::copy(cli.db(), &tampered).unwrap();
    // The server serves at once; its check runs behind it and, finding the
    // change, stops every write and tells every desk.
    let server = spawn_serve(&cli, &cli.db(), &[]);
    let mut desk = Remote::connect(&cli.dir.path().join("desk.sock"), true).unwrap();
    let log = serve_log_with(&cli, "未通过检查");
    assert!(log.contains("未通过检查") && log.contains("ck1"), "{log}");
    assert!(log.contains("--accept-damaged"), "{log}");
    let told = (0..50)
        .find_map(
            |_| match desk.next_pushed(Some(Duration::from_millis(100))) {
                Ok(Some(Pushed::Damaged(why))) => Some(why),
                _ => None,
            },
        )
        .expect("the desk is told the file is damaged");
    assert!(told.contains("停止保存"), "{told}");
    // Reading goes on; nothing is saved, and the officer is told why.
    assert!(cli.ok(&["list", "disputes"]).contains("王建国"));
    let refused = cli.run(&add_dispute_args("西岗村", "来电", "漏水", "李四"));
    assert_chinese_failure(&refused, "a write to a damaged file");
    assert!(text(&refused).contains("停止保存"), "{}", text(&refused));
    // A desk that connects later hears it too.
    let mut late = Remote::connect(&cli.dir.path().join("desk.sock"), true).unwrap();
    assert!(matches!(
        late.next_pushed(Some(Duration::from_secs(5))),
        Ok(Some(Pushed::Damaged(_)))
    ));
    stop(server);

    std::fs::copy(&tampered, cli.db()).unwrap();
    let server = spawn_serve(&cli, &cli.db(), &["--accept-damaged"]);
    let serve_log = serve_log_with(&cli, "因 --accept-damaged 仍然照常服务");
    assert!(
        serve_log.contains("因 --accept-damaged 仍然照常服务"),
        "{serve_log}"
    );
    cli.ok(&add_dispute_args("西岗村", "来电", "漏水", "李四"));
    let log = cli.ok(&["log"]);
    stop(server);
    assert!(log.contains("带损坏启动"), "{log}");
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn backups_go_only_into_the_backup_directory_and_replace_nothing() {
    let cli = Cli::with_roster();
    cli.ok(&add_dispute_args("东河村", "来电", "排水沟", "王建国"));
    let backups = cli.dir.path().join("backups");
    let stamped: serde_json::Value = cli.json(&["backup"]);
    let first = PathBuf::from(stamped["out"].as_str().unwrap());
    assert_eq!(first.parent().unwrap(), backups);
    assert!(first
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("desk-"));
    assert_eq!((mode(&backups), mode(&first)), (0o700, 0o600));

    assert!(cli.ok(&["backup", "周一.redb"]).contains("已备份到"));
    let kept = std::fs::read(backups.join("周一.redb")).unwrap();
    cli.ok(&add_dispute_args("西岗村", "来电", "噪音", "李秀兰"));
    let again = cli.fails(&["backup", "周一.redb"]);
    assert!(again.contains("已有“周一.redb”，不覆盖"), "{again}");
    assert_eq!(std::fs::read(backups.join("周一.redb")).unwrap(), kept);

    let outside = cli.dir.path().join("outside.redb");
    for name in [
        "../desk.redb",
        outside.to_str().unwrap(),
        "../../etc/x",
        ".hidden",
    ] {
        let err = cli.fails(&["backup", name]);
        assert!(err.contains("不能用"), "{name}: {err}");
    }
    assert!(!outside.exists());
    // Nothing lost: both cases are in the live file, and the copy reads.
    let rows = cli.json(&["list", "disputes"]);
    assert_eq!(rows.as_array().unwrap().len(), 2);
    let copy = cli
        .cmd()
        .env("DESK_DB", backups.join("周一.redb"))
        .args(["check", "--json"])
        .output()
        .unwrap();
    assert!(copy.status.success(), "{}", text(&copy));
    // The backups are in the audit log.
    let log = cli.ok(&["log"]);
    assert!(log.contains("备份"), "{log}");
}

#[test]
fn a_served_backup_over_the_live_database_is_refused_and_nothing_is_lost() {
    let cli = Cli::with_roster();
    cli.ok(&add_dispute_args("东河村", "来电", "排水沟", "王建国"));
    // The owner points the backup directory at the database's own directory.
    let dir = cli.dir.path().to_str().unwrap().to_string();
    let server = spawn_serve(&cli, &cli.db(), &["--backup-dir", &dir]);
    let err = cli.fails(&["backup", "desk.redb"]);
    cli.ok(&add_dispute_args("西岗村", "来电", "噪音", "李秀兰"));
    let rows = cli.json(&["list", "disputes"]);
    let done = cli.ok(&["backup", "ok.redb"]);
    stop(server);
    assert!(err.contains("正在使用的数据库文件"), "{err}");
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(done.contains(&format!("{dir}/ok.redb")), "{done}");
    assert!(cli.ok(&["check"]).starts_with("检查通过：案件 2 件"));
}

#[test]
fn only_an_admin_may_ask_for_a_backup() {
    let fx = common::fixture();
    for who in ["ck1", "zb1", "ld1"] {
        let refused = fx.call(who, Request::Backup { name: None });
        assert!(
            matches!(refused, Err(DeskError::Forbidden(_))),
            "{who}: {refused:?}"
        );
    }
    let done = fx
        .call(
            "admin1",
            Request::Backup {
                name: Some("管理员.redb".into()),
            },
        )
        .unwrap();
    let Response::BackedUp { file, bytes } = done else {
        panic!("{done:?}")
    };
    assert!(file.ends_with("backups/管理员.redb") && bytes > 0, "{file}");
    let Response::Audit(events) = fx.call("admin1", Request::Audit { since: None }).unwrap() else {
        panic!()
    };
    let last = events.last().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("admin1", "备份", "管理员.redb")
    );
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros to `path` until the disk is full, then gives back `slack`
/// bytes, so a few changes still fit before the disk is full again.
fn fill(path: &Path, slack: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while f.write_all(&chunk).is_ok() {}
    let len = f.metadata().unwrap().len();
    f.set_len(len.saturating_sub(slack)).unwrap();
    let _ = f.sync_all();
}

#[test]
fn a_full_disk_recovers_without_a_restart_and_loses_nothing_acknowledged() {
    let cli = Cli::with_roster();
    let mnt = cli.dir.path().join("small-disk");
    std::fs::create_dir(&mnt).unwrap();
    let tmpfs = Tmpfs::mount(&mnt, "12m");
    // A container without the right to mount: `.ci/run` finds that out,
    // says so in its output and sets DESK_TEST_NO_MOUNT; nothing else
    // lets this test pass without running.
    let no_mount = std::env::var_os("DESK_TEST_NO_MOUNT").is_some();
    if tmpfs.is_none() && no_mount {
        return;
    }
    if !common::require(
        tmpfs.is_some(),
        "需要能挂载 tmpfs（root，且容器允许 mount）",
    ) {
        return;
    }
    let db = mnt.join("desk.redb");
    std::fs::copy(cli.db(), &db).unwrap();
    let on = |args: &[&str]| cli.cmd().env("DESK_DB", &db).args(args).output().unwrap();
    let person = on(&[
        "person",
        "add",
        "--name",
        "赵某",
        "--village",
        "东河村",
        "--category",
        "刑满释放人员",
        "--risk",
        "中",
        "--officer",
        "zb1",
        "--reason",
        "刑满释放后帮教",
        "--review",
        "2027-06-30",
        "--json",
    ]);
    assert!(person.status.success(), "{}", text(&person));
    let person: serde_json::Value = serde_json::from_slice(&person.stdout).unwrap();
    let person_id = person["id"].as_str().unwrap().to_string();
    let mut server = spawn_serve(&cli, &db, &[]);

    fill(&mnt.join("filler"), 256 * 1024);
    let long = "宅前排水沟争议，双方多次争吵。".repeat(30);
    let mut acknowledged = Vec::new();
    let mut refusal = None;
    for i in 0..400 {
        let party = format!("王建国{i}");
        let mut args = add_dispute_args("东河村", "来电", &long, &party);
        args.push("--json");
        let out = on(&args);
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            acknowledged.push(v["id"].as_str().unwrap().to_string());
        } else {
            refusal = Some(text(&out));
            break;
        }
    }
    let refusal = refusal.expect("a full disk refuses a registration");
    assert!(refusal.contains("磁盘已满，未保存"), "{refusal}");
    assert!(refusal.contains("请清理磁盘后重试"), "{refusal}");
    assert!(!refusal.contains("Previous I/O"), "{refusal}");
    // Still full: still refused, in Chinese.
    let again = on(&add_dispute_args("东河村", "来电", "再试一次", "李秀兰"));
    assert!(!again.status.success());
    assert!(text(&again).contains("磁盘已满"), "{}", text(&again));

    std::fs::remove_file(mnt.join("filler")).unwrap();
    assert!(server.running(), "the server stayed up");
    let after = on(&[
        "--json",
        "add",
        "dispute",
        "--village",
        "东河村",
        "--category",
        "邻里",
        "--source",
        "来电",
        "--summary",
        "空间回来后登记",
        "--party",
        "李秀兰",
    ]);
    assert!(
        after.status.success(),
        "no restart needed: {}",
        text(&after)
    );
    let shown = on(&["show", &person_id]);
    assert!(
        shown.status.success(),
        "key-person reads work again: {}",
        text(&shown)
    );
    let rows: serde_json::Value =
        serde_json::from_slice(&on(&["list", "disputes", "--json"]).stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(
            ids.contains(&id.as_str()),
            "{id} was acknowledged and is there"
        );
    }
    assert_eq!(ids.len(), acknowledged.len() + 1);
    let checked = on(&["check"]);
    assert!(server.running(), "the same server all along");
    stop(server);
    assert!(checked.status.success(), "{}", text(&checked));
    eprintln!(
        "full disk: {} registrations acknowledged before the disk filled, all kept",
        acknowledged.len()
    );
}
