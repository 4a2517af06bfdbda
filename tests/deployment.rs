//! The packaged deployment's checks (`desk doctor`) on real directories,
//! sockets and backups in a temp directory, and the daily backup's
//! retention (`desk backup --keep-days`) run twice as the timer runs it.
//! The whole package — installed, started as the unit starts it, doctored,
//! upgraded, removed — is tested by `.ci/packages`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::cli::Cli;
use duty_desk::deploy::doctor::{accounts, backups, modes, sshd, Finding, Status};
use duty_desk::deploy::Layout;
use duty_desk::desk::clock;
use duty_desk::desk::identity::{current_uid, login_of_uid};

/// A deployment in `dir` whose service account is this test's own (so no
/// chown is needed) and whose officers' group is this user's own group.
fn layout(dir: &Path) -> Layout {
    let me = login_of_uid(current_uid()).unwrap();
    let group = accounts::group_name(nix::unistd::getegid().as_raw()).unwrap();
    let l = Layout {
        service_user: me,
        officers_group: group,
        data_dir: dir.join("lib"),
        backup_dir: dir.join("backups"),
        runtime_dir: dir.join("run"),
        program: "/usr/bin/desk".into(),
    };
    for d in l.directories() {
        std::fs::create_dir(&d.path).unwrap();
        chmod(&d.path, d.mode);
    }
    l
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn assert_status(f: &Finding, status: Status, words: &[&str]) {
    assert_eq!(f.status, status, "{f:?}");
    for w in words {
        let text = format!("{} {}", f.what, f.fix.as_deref().unwrap_or_default());
        assert!(text.contains(w), "{w:?} not in {f:?}");
    }
}

/// A service account that cannot own a data directory here (the data dir
/// wants it as group too): these tests need the user's group named as the user.
fn own_group_named_as_me() -> bool {
    let me = login_of_uid(current_uid()).unwrap();
    accounts::gid_of(&me) == Some(nix::unistd::getegid().as_raw())
}

#[test]
fn directories_with_the_packaged_modes_pass_and_a_group_writable_runtime_dir_is_named() {
    if !common::require(
        own_group_named_as_me(),
        "本账号的主组须与账号同名（root 即是）",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let l = layout(dir.path());
    let [data, backup, run] = l.directories();
    for d in [&data, &backup, &run] {
        assert_status(&modes::check(d), Status::Ok, &[]);
    }
    // The takeover the Security section warns about.
    chmod(&run.path, 0o2770);
    assert_status(
        &modes::check(&run),
        Status::Fail,
        &[
            "的权限是 2770，应为 0750",
            "换上自己的“服务端”",
            "chmod 00750",
        ],
    );
    // setgid alone does no harm there.
    chmod(&run.path, 0o2750);
    assert_status(&modes::check(&run), Status::Warn, &["多了 setgid"]);
    chmod(&run.path, 0o750);
    // Without setgid, new files are not the service group's: worth a word.
    chmod(&data.path, 0o750);
    assert_status(
        &modes::check(&data),
        Status::Warn,
        &["没有 setgid 位", "chmod 02750"],
    );
    chmod(&backup.path, 0o755);
    assert_status(&modes::check(&backup), Status::Fail, &["0755，应为 0700"]);
    std::fs::remove_dir(&backup.path).unwrap();
    assert_status(
        &modes::check(&backup),
        Status::Fail,
        &["不存在", "systemd-tmpfiles --create"],
    );
    // A symlink put where the runtime directory should be.
    std::fs::remove_dir(&run.path).unwrap();
    std::os::unix::fs::symlink(dir.path(), &run.path).unwrap();
    assert_status(&modes::check(&run), Status::Fail, &["不是目录"]);
}

#[test]
fn the_socket_must_let_the_officers_group_connect_and_no_one_else() {
    if !common::require(
        own_group_named_as_me(),
        "本账号的主组须与账号同名（root 即是）",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let l = layout(dir.path());
    let _listener = std::os::unix::net::UnixListener::bind(l.socket()).unwrap();
    let socket = l.socket_expected();
    chmod(&socket.path, 0o660);
    assert_status(&modes::check(&socket), Status::Ok, &[]);
    chmod(&socket.path, 0o666);
    assert_status(
        &modes::check(&socket),
        Status::Fail,
        &["名册之外的账号也能连上"],
    );
    chmod(&socket.path, 0o600);
    assert_status(&modes::check(&socket), Status::Fail, &["连不上"]);
    // A plain file in its place is not a socket.
    let db = l.db_expected();
    std::fs::write(&db.path, b"x").unwrap();
    chmod(&db.path, 0o640);
    assert_status(&modes::check(&db), Status::Ok, &[]);
    chmod(&db.path, 0o644);
    assert_status(&modes::check(&db), Status::Fail, &["0644", "chmod 0640"]);
}

#[test]
fn accounts_are_named_when_missing_or_mixed_up() {
    let me = login_of_uid(current_uid()).unwrap();
    let mine = accounts::group_name(nix::unistd::getegid().as_raw()).unwrap();
    let mut l = Layout::packaged();
    l.service_user = "duty-desk-nobody-here".into();
    l.officers_group = "desk-group-nobody-made".into();
    let found = accounts::check(&l);
    assert_status(
        &found[0],
        Status::Fail,
        &["没有服务账号 duty-desk-nobody-here"],
    );
    assert_status(
        &found[1],
        Status::Fail,
        &["没有值班员组 desk-group-nobody-made"],
    );
    // The service account in the officers' group: the group is for officers.
    l.service_user = me.clone();
    l.officers_group = mine.clone();
    let found = accounts::check(&l);
    let last = found.last().unwrap();
    assert_status(last, Status::Fail, &["在值班员组", "gpasswd -d"]);
}

/// A real backup of a small database, named as the timer names one made
/// `hours_ago` hours ago.
fn backup_made(l: &Layout, hours_ago: i64) -> PathBuf {
    let db = l.data_dir.join("desk.redb");
    let store = duty_desk::store::Store::open(&db).unwrap();
    let at = clock::now() - chrono::Duration::hours(hours_ago);
    let name = duty_desk::store::backup_name(None, at).unwrap();
    let (file, _) = store.backup(&l.backup_dir, &name).unwrap();
    file
}

#[test]
fn the_newest_backup_must_be_recent_intact_and_private() {
    if !common::require(
        own_group_named_as_me(),
        "本账号的主组须与账号同名（root 即是）",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let l = layout(dir.path());
    let now = clock::now();
    let found = backups::newest(&l, now);
    assert_status(
        &found[1],
        Status::Fail,
        &["还没有每日备份", "duty-desk-backup.timer"],
    );

    let old = backup_made(&l, 40);
    let found = backups::newest(&l, now);
    assert_status(&found[0], Status::Ok, &[]);
    assert_status(&found[1], Status::Fail, &["40 小时前", "每日备份停了"]);
    assert_status(&found[2], Status::Ok, &["检查通过"]);

    let new = backup_made(&l, 2);
    let found = backups::newest(&l, now);
    assert_status(&found[1], Status::Ok, &["2 小时前", "共 2 份"]);
    // A damaged newest backup fails its check.
    let mut bytes = std::fs::read(&new).unwrap();
    let len = bytes.len();
    bytes[len / 2..].fill(0xA5);
    std::fs::write(&new, bytes).unwrap();
    let found = backups::newest(&l, now);
    assert_eq!(found[2].status, Status::Fail, "{:?}", found[2]);
    // A backup others may read is named.
    chmod(&old, 0o644);
    let found = backups::newest(&l, now);
    let name = old.file_name().unwrap().to_str().unwrap();
    assert_status(&found[0], Status::Fail, &["别的账号能读写", name]);
}

#[test]
fn the_disk_must_hold_another_backup() {
    const MB: u64 = 1 << 20;
    let dir = Path::new("/var/lib/duty-desk");
    assert_status(
        &backups::room(dir, 50 * MB, Some(80 * MB)),
        Status::Fail,
        &["不够再写一份备份"],
    );
    assert_status(
        &backups::room(dir, 2000 * MB, Some(800 * MB)),
        Status::Warn,
        &["快满了"],
    );
    assert_status(
        &backups::room(dir, 100 * MB, Some(MB)),
        Status::Warn,
        &["快满了"],
    );
    assert_status(
        &backups::room(dir, 9000 * MB, Some(800 * MB)),
        Status::Ok,
        &[],
    );
}

#[test]
fn sshd_must_force_the_desk_on_the_officers_group() {
    let l = Layout::packaged();
    let confined = "port 22\nforcecommand /usr/bin/desk\npermituserrc no\ndisableforwarding yes\n\
                    setenv DESK_SOCKET=/run/duty-desk/desk.sock\nsetenv DESK_SERVER_USER=duty-desk\n";
    assert_status(
        &sshd::judge(&l, "zb1", confined),
        Status::Ok,
        &["以 zb1 核对"],
    );
    let open = "port 22\nforcecommand none\npermituserrc yes\ndisableforwarding no\n";
    assert_status(
        &sshd::judge(&l, "zb1", open),
        Status::Fail,
        &[
            "forcecommand /usr/bin/desk",
            "setenv DESK_SERVER_USER=duty-desk",
            "desk setup sshd",
        ],
    );
}

/// The timer's service, run twice (and once more keeping no days): old
/// backups named from the clock go, the rest stay.
#[test]
fn backups_older_than_the_kept_days_are_deleted_after_each_backup() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let first = cli.json(&["backup"]);
    let first = PathBuf::from(first["out"].as_str().unwrap());
    let dir = first.parent().unwrap().to_path_buf();
    let named = |hours: i64| {
        let at = clock::now() - chrono::Duration::hours(hours);
        duty_desk::store::backup_name(None, at).unwrap()
    };
    let (old, recent) = (named(30), named(20));
    for name in [
        old.as_str(),
        recent.as_str(),
        "手工-保留.redb",
        "desk-20200101-021500.redb",
    ] {
        std::fs::copy(&first, dir.join(name)).unwrap();
    }
    // Backups are named to the second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run1 = cli.json(&["backup", "--keep-days", "1"]);
    let mut pruned: Vec<String> = run1["pruned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    pruned.sort();
    assert_eq!(
        pruned,
        ["desk-20200101-021500.redb".to_string(), old.clone()]
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run2 = cli.ok(&["backup", "--keep-days", "1"]);
    assert!(run2.contains("没有超过 1 天的旧备份"), "{run2}");
    let left = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let names = left(&dir);
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.contains(&recent) && names.contains(&"手工-保留.redb".to_string()));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let run3 = cli.json(&["backup", "--keep-days", "0"]);
    let newest = PathBuf::from(run3["out"].as_str().unwrap());
    let newest = newest.file_name().unwrap().to_str().unwrap().to_string();
    assert_eq!(left(&dir), [newest, "手工-保留.redb".to_string()]);
}
