//! `desk setup`: the first start of a packaged deployment, as root, once.
//! Creates the database as the service account with the named person as
//! 管理员 (or, when it exists, puts that person on the roster as 管理员),
//! adds them to the officers' group, enables and starts the service and the
//! daily backup, and says what to do next. It never touches sshd's
//! configuration: `desk setup sshd` prints the block to review.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use nix::unistd::{Group, User};

use super::{Layout, BACKUP_TIMER_UNIT, SERVICE};

/// Whether systemd runs this machine (as `sd_booted` decides).
pub fn systemd_running() -> bool {
    Path::new("/run/systemd/system").is_dir()
}

/// Runs the first start for `login` (their name `name`); returns what to print.
pub fn run(layout: &Layout, program: &Path, login: &str, name: &str) -> anyhow::Result<String> {
    if !nix::unistd::geteuid().is_root() {
        bail!("desk setup 须以 root 运行（sudo desk setup {login} --name {name}）");
    }
    let service = User::from_name(&layout.service_user).ok().flatten();
    let group = Group::from_name(&layout.officers_group).ok().flatten();
    let (Some(service), Some(group)) = (service, group) else {
        bail!(
            "本机没有服务账号 {} 或值班员组 {}：请先安装软件包（apt install ./duty-desk_….deb 或 rpm -i duty-desk-….rpm）；\
             没有软件包的系统见 README 的附录“手工部署”",
            layout.service_user,
            layout.officers_group
        );
    };
    if User::from_name(login).ok().flatten().is_none() {
        bail!(
            "本机没有账号“{}”：先建好管理员本人的账号（useradd -m -G {} {login} && passwd {login}），再运行 desk setup",
            crate::domain::text::clean_line(login),
            layout.officers_group
        );
    }
    if !layout.data_dir.is_dir() {
        bail!(
            "数据目录 {} 不存在：软件包没有装好，请 systemd-tmpfiles --create /usr/lib/tmpfiles.d/duty-desk.conf 或重新安装",
            layout.data_dir.display()
        );
    }
    let mut said = Vec::new();
    let primary = User::from_name(login).ok().flatten().map(|u| u.gid);
    if !group.mem.iter().any(|m| m == login) && primary != Some(group.gid) {
        run_tool(
            Command::new("gpasswd").args(["-a", login, &layout.officers_group]),
            "gpasswd",
        )?;
        said.push(format!(
            "已把 {login} 加入值班员组 {}（连接服务端需要）",
            layout.officers_group
        ));
    }
    said.push(database(layout, program, &service, login, name)?);
    said.push(start(layout, &service, &group)?);
    said.push(next_steps(layout, login));
    Ok(said.join("\n"))
}

/// Creates the database as the service account, or puts `login` on the
/// roster of the one there.
fn database(
    layout: &Layout,
    program: &Path,
    service: &User,
    login: &str,
    name: &str,
) -> anyhow::Result<String> {
    let db = layout.db();
    let db_arg = db.to_string_lossy().into_owned();
    let socket = layout.socket().to_string_lossy().into_owned();
    let common = ["--db", db_arg.as_str(), "--socket", socket.as_str()];
    if db.exists() {
        as_service(
            layout,
            program,
            service,
            &common,
            &[
                "roster",
                "add",
                login,
                "--name",
                name,
                "--unit",
                "综治中心",
                "--role",
                "管理员",
            ],
        )?;
        return Ok(format!(
            "数据库 {} 已在，已把 {login}（{name}）登记为管理员",
            db.display()
        ));
    }
    as_service(
        layout,
        program,
        service,
        &common,
        &["init", "--admin", login, "--name", name],
    )?;
    Ok(format!(
        "已新建数据库 {}（属 {}），{login}（{name}）为管理员",
        db.display(),
        layout.service_user
    ))
}

/// `desk` as the service account: its uid and group only, a clean
/// environment, as the unit runs it.
fn as_service(
    layout: &Layout,
    program: &Path,
    service: &User,
    common: &[&str],
    args: &[&str],
) -> anyhow::Result<()> {
    let out = Command::new(program)
        .args(common)
        .args(args)
        .uid(service.uid.as_raw())
        .gid(service.gid.as_raw())
        .env_clear()
        .env("HOME", &layout.data_dir)
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env(crate::desk::trust::SERVER_USER_VAR, &layout.service_user)
        .current_dir(&layout.data_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            anyhow!(
                "无法以 {} 运行 {}：{}",
                layout.service_user,
                program.display(),
                describe_io(&e)
            )
        })?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr);
        bail!(
            "以服务账号 {} 运行 desk {} 失败：{}",
            layout.service_user,
            args.first().copied().unwrap_or_default(),
            said.trim().trim_start_matches("错误：")
        );
    }
    Ok(())
}

/// Enables and starts the service and the backup timer under systemd;
/// without it, prepares the runtime directory and says how to start.
fn start(layout: &Layout, service: &User, group: &Group) -> anyhow::Result<String> {
    if systemd_running() {
        run_tool(
            Command::new("systemctl").args(["enable", "--now", SERVICE, BACKUP_TIMER_UNIT]),
            "systemctl",
        )?;
        let socket = layout.socket();
        let start = Instant::now();
        while std::os::unix::net::UnixStream::connect(&socket).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                bail!("已启动 {SERVICE}，但 20 秒内套接字 {} 上没有应答：journalctl -u duty-desk 查看原因", socket.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        return Ok(format!(
            "已启用并启动 {SERVICE}（套接字 {}）和每日备份 {BACKUP_TIMER_UNIT}",
            socket.display()
        ));
    }
    let run = &layout.runtime_dir;
    if !run.exists() {
        std::fs::create_dir(run)
            .map_err(|e| anyhow!("无法新建 {}：{}", run.display(), describe_io(&e)))?;
    }
    nix::unistd::chown(run.as_path(), Some(service.uid), Some(group.gid)).map_err(|e| {
        anyhow!(
            "无法改变 {} 的所有者：{}",
            run.display(),
            describe_io(&std::io::Error::from(e))
        )
    })?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(run, std::fs::Permissions::from_mode(0o750))
        .map_err(|e| anyhow!("无法改变 {} 的权限：{}", run.display(), describe_io(&e)))?;
    Ok(format!(
        "本机没有运行 systemd，没有启动服务。已建好 {}（{}:{}，0750）；请这样启动服务端（与单元相同的账号和参数）：\n  \
         runuser -u {} -g {} -- {}",
        run.display(),
        layout.service_user,
        layout.officers_group,
        layout.service_user,
        layout.officers_group,
        exec_start(layout)
    ))
}

/// The server's command line, as the unit's ExecStart has it.
pub fn exec_start(layout: &Layout) -> String {
    format!(
        "{} serve --db {} --socket {} --backup-dir {}",
        layout.program.display(),
        layout.db().display(),
        layout.socket().display(),
        layout.backup_dir.display()
    )
}

fn next_steps(layout: &Layout, login: &str) -> String {
    let group = &layout.officers_group;
    format!(
        "接下来三步：\n\
         1. 以管理员身份添加村(社区)和责任单位：runuser -u {login} -- desk lists add village 东河村\n\
         2. 添加值班员：useradd -m -G {group} lisi && passwd lisi，\
         再 runuser -u {login} -- desk roster add lisi --name 李四 --unit 派出所 --role 值班员\n\
         3. 让 {group} 组经 SSH 只能进值班台：desk setup sshd 打印要加的设置，审阅后写入 \
         /etc/ssh/sshd_config.d/duty-desk.conf，sshd -t && systemctl reload ssh；最后 desk doctor 检查全部"
    )
}

/// Runs a system tool; its own (English) output is not passed on.
fn run_tool(cmd: &mut Command, name: &str) -> anyhow::Result<()> {
    let ok = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| anyhow!("无法运行 {name}：{}", describe_io(&e)))?
        .success();
    if !ok {
        bail!("{name} 没有成功（{}）；请手工运行它查看原因", describe(cmd));
    }
    Ok(())
}

fn describe_io(e: &std::io::Error) -> String {
    crate::private_fs::describe(e)
}

fn describe(cmd: &Command) -> String {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("{} {}", cmd.get_program().to_string_lossy(), args.join(" "))
}
