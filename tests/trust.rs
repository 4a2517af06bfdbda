//! Hardening (issue 13, points 1, 2, 4, 12) and the first run (issue 15):
//! whom a client trusts, the /tmp runtime directory, private file modes, and
//! no database created but by `init` and `demo`. Runs the real binary.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::cli::{add_dispute_args, stop_server, Cli, BIN};
use common::server::wait_for_socket;
use common::tmux::Tmux;

const NOBODY: u32 = 65534;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Root, needed to run a server as `nobody`; or the test fails (`require`).
fn is_root() -> bool {
    common::require(
        common::is_root(),
        "需要 root 才能以 nobody 身份运行冒充的服务端",
    )
}

/// A copy of the binary any account can run (the build tree may be private).
fn shared_bin() -> PathBuf {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("desk-trust-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.join("desk");
        std::fs::copy(BIN, &path).unwrap();
        path
    })
    .clone()
}

/// A server as `nobody` answering on a socket in `shared`, a directory
/// that account may write (like /tmp: world writable, sticky).
struct FakeServer {
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl FakeServer {
    fn socket(&self) -> PathBuf {
        self.dir.path().join("shared/desk.sock")
    }

    fn start() -> FakeServer {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let own = dir.path().join("nobody");
        std::fs::create_dir(&own).unwrap();
        std::os::unix::fs::chown(&own, Some(NOBODY), Some(NOBODY)).unwrap();
        let as_nobody = |args: &[&str]| {
            let mut c = Command::new(shared_bin());
            c.args(args)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", &own)
                .env("DESK_DB", own.join("desk.redb"))
                .env("DESK_SOCKET", shared.join("desk.sock"))
                .uid(NOBODY)
                .gid(NOBODY);
            c
        };
        let out = as_nobody(&["init"]).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let child = as_nobody(&["serve"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let fake = FakeServer { dir, child };
        wait_for_socket(&fake.socket());
        fake
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_server_under_another_account_is_refused_and_told_nothing() {
    if !is_root() {
        return;
    }
    let fake = FakeServer::start();
    let victim = Cli::with_roster();
    let socket = fake.socket();
    let out = victim
        .cmd()
        .args(["--socket", socket.to_str().unwrap()])
        .args(add_dispute_args(
            "东河村",
            "来电",
            "两家因排水沟争吵",
            "王某/申请人/19900001234",
        ))
        .output()
        .unwrap();
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("nobody（uid 65534）"), "{said}");
    assert!(said.contains("不是预期的服务账号"), "{said}");
    assert!(said.contains("root"), "{said}");
    assert!(said.contains("已拒绝连接"), "{said}");
    assert!(!said.contains("os error"), "{said}");
    // Nothing reached the fake server's file, nor was it saved elsewhere.
    let list = victim.json(&["list", "disputes", "--all"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    drop(fake);

    // Named as the service account, the same kind of server is accepted.
    let fake = FakeServer::start();
    let socket = fake.socket();
    let out = victim
        .cmd()
        .args(["--socket", socket.to_str().unwrap(), "whoami"])
        .env("DESK_SERVER_USER", "nobody")
        // No database of our own named: the server's is the one.
        .env_remove("DESK_DB")
        .output()
        .unwrap();
    let said = text(&out);
    assert!(!said.contains("不是预期的服务账号"), "{said}");
    assert!(said.contains("不在值班名册中"), "{said}");
}

#[test]
fn the_desk_refuses_a_strange_server_and_says_why_it_cannot_start() {
    if !is_root() {
        return;
    }
    let fake = FakeServer::start();
    let home = tempfile::tempdir().unwrap();
    let desk = |extra: &str| {
        Tmux::run(
            (80, 24),
            &format!(
                "env -u DESK_DB HOME={} DESK_SOCKET={} {extra} {BIN}; sleep 60",
                home.path().display(),
                fake.socket().display()
            ),
        )
    };
    let t = desk("");
    let screen = t.wait_for("不是预期的服务账号");
    assert!(screen.contains("nobody"), "{screen}");
    assert!(!screen.contains("正在载入"), "{screen}");
    // Accepted as the service account, the desk says this login is not on
    // its roster, and how the owner becomes 管理员, instead of loading forever.
    let t = desk("DESK_SERVER_USER=nobody");
    let screen = t.wait_for("不在值班名册中");
    assert!(screen.contains("管理员"), "{screen}");
    assert!(!screen.contains("正在载入"), "{screen}");
}

#[test]
fn with_a_service_account_named_only_that_account_is_trusted() {
    let cli = Cli::with_roster();
    // A server of our own on the desk's socket.
    cli.ok(&["serve", "--detach"]);
    let me = duty_desk::desk::identity::login_of_uid(nix::unistd::geteuid().as_raw()).unwrap();
    let whoami = |account: &str| {
        let out = cli
            .cmd()
            .arg("whoami")
            .env("DESK_SERVER_USER", account)
            .output()
            .unwrap();
        (out.status.success(), text(&out))
    };
    // Our own server, the socket directory ours: trusted by default, but
    // not when the administrator named another account.
    let (ok, said) = whoami("nobody");
    assert!(!ok, "{said}");
    assert!(said.contains("不是预期的服务账号"), "{said}");
    // That account alone is expected: not the directory's owner, root or us.
    assert!(
        said.contains("不是预期的服务账号（DESK_SERVER_USER 指定的 nobody（uid 65534））"),
        "{said}"
    );
    let (ok, said) = whoami("no-such-account");
    assert!(!ok, "{said}");
    assert!(said.contains("在本机不存在"), "{said}");
    let (ok, said) = whoami(&me);
    assert!(ok, "{said}");
}

#[test]
fn detach_refuses_a_foreign_runtime_directory_even_with_a_socket_that_answers() {
    let cli = Cli::with_roster();
    let uid = nix::unistd::geteuid().as_raw();
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join(format!("duty-desk-{uid}"));
    std::fs::create_dir(&run).unwrap();
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o777)).unwrap();
    // Someone's listener where the desk would look: it accepts, and says nothing.
    let _listener = std::os::unix::net::UnixListener::bind(run.join("desk.sock")).unwrap();
    let out = without_runtime_dir(&cli, tmp.path(), &["serve", "--detach"]);
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("已拒绝使用"), "{said}");
    assert!(!said.contains("已在运行"), "{said}");
}

#[test]
fn the_server_refuses_a_socket_directory_others_may_write() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    for m in [0o770, 0o2770, 0o777] {
        let run = cli.dir.path().join(format!("run{m:o}"));
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(m)).unwrap();
        let socket = run.join("desk.sock");
        let err = cli.fails(&["serve", "--socket", socket.to_str().unwrap()]);
        assert!(err.contains(&format!("权限是 {m:04o}")), "{err}");
        assert!(err.contains("服务端拒绝在这里启动"), "{err}");
        assert!(!socket.exists());
    }
}

/// `desk` with no XDG_RUNTIME_DIR: the socket goes to `$TMPDIR/duty-desk-UID`.
fn without_runtime_dir(cli: &Cli, tmp: &Path, args: &[&str]) -> Output {
    let mut c = cli.cmd();
    c.env_remove("XDG_RUNTIME_DIR")
        .env_remove("DESK_SOCKET")
        .env("TMPDIR", tmp)
        .args(args);
    c.output().unwrap()
}

#[test]
fn a_runtime_directory_made_by_someone_else_is_refused() {
    let clear = !Path::new("/run/duty-desk/desk.sock").exists();
    if common::require(
        clear,
        "本机有 /run/duty-desk/desk.sock：没有 XDG_RUNTIME_DIR 时会连到系统服务",
    ) {
        let cli = Cli::with_roster();
        let uid = nix::unistd::geteuid().as_raw();
        let bad = |prepare: &dyn Fn(&Path), why: &str| {
            let tmp = tempfile::tempdir().unwrap();
            let run = tmp.path().join(format!("duty-desk-{uid}"));
            prepare(&run);
            for args in [&["whoami"][..], &["serve", "--detach"][..]] {
                let out = without_runtime_dir(&cli, tmp.path(), args);
                let said = text(&out);
                assert!(!out.status.success(), "{args:?}: {said}");
                assert!(
                    said.contains(&format!("运行目录 {}", run.display())),
                    "{said}"
                );
                assert!(said.contains(why), "{args:?}: {said}");
                assert!(said.contains("已拒绝使用"), "{said}");
            }
            assert!(!run.join("desk.sock").exists());
        };
        bad(
            &|run| {
                std::fs::create_dir(run).unwrap();
                std::fs::set_permissions(run, std::fs::Permissions::from_mode(0o777)).unwrap();
            },
            "权限是 0777",
        );
        if is_root() {
            bad(
                &|run| {
                    std::fs::create_dir(run).unwrap();
                    std::fs::set_permissions(run, std::fs::Permissions::from_mode(0o700)).unwrap();
                    std::os::unix::fs::chown(run, Some(NOBODY), Some(NOBODY)).unwrap();
                },
                "属于别的账号（uid 65534）",
            );
        }
        let elsewhere = tempfile::tempdir().unwrap();
        bad(
            &|run| std::os::unix::fs::symlink(elsewhere.path(), run).unwrap(),
            "是一个符号链接",
        );
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);

        // A fresh one is made private, and so are the log and the lock in it.
        let tmp = tempfile::tempdir().unwrap();
        let out = without_runtime_dir(&cli, tmp.path(), &["serve", "--detach"]);
        assert!(out.status.success(), "{}", text(&out));
        let run = tmp.path().join(format!("duty-desk-{uid}"));
        assert_eq!(mode(&run), 0o700);
        assert_eq!(mode(&run.join("desk-serve.log")), 0o600);
        assert_eq!(mode(&run.join("desk.sock.lock")), 0o600);
        let out = without_runtime_dir(&cli, tmp.path(), &["whoami"]);
        assert!(out.status.success(), "{}", text(&out));
        stop_server(&run.join("desk.sock"));

        // A log pointing elsewhere is not followed.
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path().join(format!("duty-desk-{uid}"));
        std::fs::create_dir(&run).unwrap();
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, "别人的文件").unwrap();
        std::os::unix::fs::symlink(&victim, run.join("desk-serve.log")).unwrap();
        let out = without_runtime_dir(&cli, tmp.path(), &["serve", "--detach"]);
        let said = text(&out);
        assert!(!out.status.success(), "{said}");
        assert!(said.contains("是符号链接，为安全起见不跟随"), "{said}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "别人的文件");
    }
}

#[test]
fn databases_exports_and_backups_are_private() {
    // The default place under HOME: every directory desk makes is 0700.
    let cli = Cli::new();
    let out = cli
        .cmd()
        .env_remove("DESK_DB")
        .env_remove("XDG_DATA_HOME")
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let home = cli.dir.path();
    for d in [".local", ".local/share", ".local/share/duty-desk"] {
        assert_eq!(mode(&home.join(d)), 0o700, "{d}");
    }
    assert_eq!(mode(&home.join(".local/share/duty-desk/desk.redb")), 0o600);

    let cli = Cli::new();
    cli.ok(&["demo", "--disputes", "20", "--persons", "3"]);
    assert_eq!(mode(&cli.db()), 0o600);
    let out = |name: &str| cli.dir.path().join(name);
    cli.ok(&[
        "export",
        "ledger",
        "--out",
        out("台账.xlsx").to_str().unwrap(),
    ]);
    cli.ok(&[
        "export",
        "ledger",
        "--out",
        out("台账.csv").to_str().unwrap(),
    ]);
    cli.ok(&[
        "export",
        "persons",
        "--out",
        out("重点人员.xlsx").to_str().unwrap(),
    ]);
    cli.ok(&["backup", "备份.redb"]);
    let backups = cli.db().parent().unwrap().join("backups");
    assert_eq!(mode(&backups), 0o700);
    assert_eq!(mode(&backups.join("备份.redb")), 0o600);
    for f in ["台账.xlsx", "台账.csv", "重点人员.xlsx"] {
        assert_eq!(mode(&out(f)), 0o600, "{f}");
    }
    // An export over an old world-readable file makes it private too.
    std::fs::set_permissions(out("台账.csv"), std::fs::Permissions::from_mode(0o644)).unwrap();
    cli.ok(&[
        "export",
        "ledger",
        "--out",
        out("台账.csv").to_str().unwrap(),
    ]);
    assert_eq!(mode(&out("台账.csv")), 0o600);

    // The deployed layout: a setgid directory shares with its group.
    let lib = out("lib");
    std::fs::create_dir(&lib).unwrap();
    std::fs::set_permissions(&lib, std::fs::Permissions::from_mode(0o2750)).unwrap();
    cli.ok(&[
        "export",
        "ledger",
        "--out",
        lib.join("台账.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(mode(&lib.join("台账.xlsx")), 0o640);
}

#[test]
fn no_command_but_init_and_demo_creates_a_database() {
    let cli = Cli::new();
    for args in [
        &["whoami"][..],
        &["list", "disputes"],
        &["lists", "add", "village", "东河村"],
    ] {
        let err = cli.fails(args);
        assert!(
            err.contains("没有找到服务端，也没有找到数据库"),
            "{args:?}: {err}"
        );
        assert!(err.contains(cli.db().to_str().unwrap()), "{err}");
        assert!(
            err.contains(cli.dir.path().join("desk.sock").to_str().unwrap()),
            "{err}"
        );
        assert!(
            err.contains("desk init") && err.contains("desk demo"),
            "{err}"
        );
        assert!(err.contains("--db") && err.contains("--socket"), "{err}");
        assert!(!cli.db().exists(), "{args:?} created the database");
    }
    // The server neither.
    let err = cli.fails(&["serve"]);
    assert!(err.contains("服务端不新建数据库"), "{err}");
    let err = cli.fails(&["serve", "--detach"]);
    assert!(err.contains("没有找到服务端，也没有找到数据库"), "{err}");
    assert!(!cli.db().exists());

    // A mistyped --db beside a real database.
    cli.ok(&["init"]);
    let typo = cli.dir.path().join("deks.redb");
    let err = cli.fails(&["--db", typo.to_str().unwrap(), "list", "disputes"]);
    assert!(err.contains("没有找到服务端，也没有找到数据库"), "{err}");
    assert!(err.contains(typo.to_str().unwrap()), "{err}");
    assert!(!typo.exists());
    // … and through a running server of another database.
    cli.ok(&["serve", "--detach"]);
    let err = cli.fails(&["--db", typo.to_str().unwrap(), "list", "disputes"]);
    assert!(err.contains(typo.to_str().unwrap()), "{err}");
    assert!(!typo.exists());
    stop_server(&cli.dir.path().join("desk.sock"));
}

#[test]
fn the_first_run_of_the_desk_says_what_to_do() {
    let cli = Cli::new();
    let t = Tmux::run(
        (80, 24),
        &format!(
            "env DESK_DB={} DESK_SOCKET={} HOME={} {BIN}; sleep 60",
            cli.db().display(),
            cli.dir.path().join("desk.sock").display(),
            cli.dir.path().display()
        ),
    );
    let screen = t.wait_for("desk demo");
    assert!(
        screen.contains("没有找到服务端，也没有找到数据库"),
        "{screen}"
    );
    assert!(screen.contains("desk init"), "{screen}");
    assert!(screen.contains("管理员"), "{screen}");
    assert!(!screen.contains("正在载入"), "{screen}");
    assert!(!cli.db().exists());
}

#[test]
fn init_and_demo_work_while_a_server_runs() {
    let cli = Cli::new();
    let socket = cli.dir.path().join("desk.sock");
    cli.ok(&["init"]);
    cli.ok(&["serve", "--detach"]);
    let before = std::fs::read_to_string(cli.dir.path().join("desk-serve.log")).unwrap();
    // Again, with the server holding the file.
    let said = cli.ok(&["init"]);
    assert!(said.contains("已在用数据库"), "{said}");
    // The first user is 管理员 and can add villages at once.
    cli.ok(&["lists", "add", "village", "东河村"]);
    let said = cli.ok(&["demo", "--if-empty", "--disputes", "12", "--persons", "2"]);
    assert!(said.contains("已写入演示数据"), "{said}");
    // The server is back, serving the demo data.
    wait_for_socket(&socket);
    let r = duty_desk::desk::remote::Remote::connect(&socket, false).unwrap();
    let me = r.officer.clone().unwrap();
    assert_eq!(me.role, duty_desk::domain::lists::Role::Admin);
    let list = cli.json(&["list", "disputes", "--all"]);
    assert_eq!(list.as_array().unwrap().len(), 12);
    let said = cli.ok(&["demo", "--if-empty"]);
    assert!(said.contains("已有 12 件案件"), "{said}");
    let log = std::fs::read_to_string(cli.dir.path().join("desk-serve.log")).unwrap();
    assert!(
        log.len() > before.len() && !log.contains("Database already open"),
        "{log}"
    );
    stop_server(&socket);
}

#[test]
fn an_empty_village_list_accepts_no_village() {
    let cli = Cli::new();
    cli.ok(&["init"]);
    let err = cli.fails(&add_dispute_args(
        "东河村",
        "来电",
        "两家因排水沟争吵",
        "王某",
    ));
    assert!(err.contains("名录里还没有任何村(社区)"), "{err}");
    assert!(err.contains("desk lists add"), "{err}");
    let list = cli.json(&["list", "disputes", "--all"]);
    assert_eq!(list.as_array().unwrap().len(), 0);
    cli.ok(&["lists", "add", "village", "东河村"]);
    cli.ok(&add_dispute_args(
        "东河村",
        "来电",
        "两家因排水沟争吵",
        "王某",
    ));
}

#[test]
fn the_owner_off_the_roster_is_told_to_become_admin_others_to_ask_one() {
    use duty_desk::desk::api::{Request, Response};
    use duty_desk::desk::{Caller, DeskError, Local};
    let dir = tempfile::tempdir().unwrap();
    let local = Local::open(&dir.path().join("desk.redb")).unwrap();
    let root = Caller {
        login: "root".into(),
        uid: 0,
    };
    let Err(DeskError::NotOnRoster(said)) = local.handle(&root, Request::Whoami) else {
        panic!("root is on no roster yet");
    };
    assert!(
        said.contains("desk roster add root") && said.contains("--role 管理员"),
        "{said}"
    );
    assert!(!said.contains("值班员"), "{said}");
    let stranger = Caller {
        login: "zb9".into(),
        uid: 4_000_009,
    };
    let Err(DeskError::NotOnRoster(said)) = local.handle(&stranger, Request::Whoami) else {
        panic!("zb9 is not on the roster");
    };
    assert!(
        said.contains("请联系综治中心管理员") && said.contains("--role 值班员"),
        "{said}"
    );
    // Following the advice, the first user may add villages at once.
    let me = duty_desk::domain::officer::Officer::new(
        "root",
        "系统管理员",
        "综治中心",
        duty_desk::domain::lists::Role::Admin,
    )
    .unwrap();
    local
        .handle(&root, Request::RosterAdd { officer: me })
        .unwrap();
    let added = local.handle(
        &root,
        Request::ListAdd {
            list: duty_desk::desk::api::ListName::Villages,
            value: "东河村".into(),
            force: false,
        },
    );
    assert!(added.is_ok(), "{:?}", added.err());
    assert!(matches!(
        local.handle(&root, Request::Whoami).unwrap().response,
        Response::Officer(o) if o.role == duty_desk::domain::lists::Role::Admin
    ));
}
