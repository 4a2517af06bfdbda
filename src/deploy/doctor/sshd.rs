//! Whether sshd confines the officers' group to the desk: asked of sshd
//! itself (`sshd -T` for a member of the group), so an Include, a Match
//! order or a typo is seen as sshd sees it.

use std::path::Path;
use std::process::{Command, Stdio};

use super::Finding;
use crate::deploy::Layout;

pub const SSHD: &str = "/usr/sbin/sshd";

const SHOW: &str =
    "desk setup sshd 打印要加的设置：审阅后写入 /etc/ssh/sshd_config.d/duty-desk.conf，\
     再 sshd -t && systemctl reload ssh";

pub fn check(layout: &Layout, sshd: &Path) -> Finding {
    if !sshd.exists() {
        return Finding::warn(
            format!("本机没有 sshd（{}）：值班员不能经 SSH 登录", sshd.display()),
            "apt install openssh-server（openEuler：dnf install openssh-server），然后 desk setup sshd",
        );
    }
    let group = &layout.officers_group;
    let Some(probe) = super::accounts::members(group).into_iter().next() else {
        return Finding::warn(
            format!("{group} 组里还没有账号，无法核对 sshd 对这个组的限制"),
            format!("useradd -m -G {group} 登录名，再运行 desk doctor"),
        );
    };
    let out = Command::new(sshd)
        .args(["-T", "-C"])
        .arg(format!("user={probe},host=localhost,addr=127.0.0.1"))
        .stdin(Stdio::null())
        .output();
    let out = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            return Finding::fail(
                "sshd 读不了自己的设置（sshd -t 会指出哪一行有错）",
                "sshd -t 找出错误并改正",
            )
        }
    };
    judge(layout, &probe, &out)
}

/// What `sshd -T` printed for `probe` (a member of the group), held to the
/// Match block `desk setup sshd` prints.
pub fn judge(layout: &Layout, probe: &str, effective: &str) -> Finding {
    let has = |line: &str| {
        effective
            .lines()
            .any(|l| l.trim().eq_ignore_ascii_case(line))
    };
    let wanted = [
        format!("forcecommand {}", layout.program.display()),
        "permituserrc no".to_string(),
        "disableforwarding yes".to_string(),
        format!(
            "setenv {}={}",
            crate::desk::trust::SERVER_USER_VAR,
            layout.service_user
        ),
    ];
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|w| !has(w))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        return Finding::ok(format!(
            "sshd 把 {} 组（以 {probe} 核对）限定在值班台：ForceCommand、SetEnv、禁止转发都在",
            layout.officers_group
        ));
    }
    Finding::fail(
        format!(
            "sshd 没有把 {} 组限定在值班台（以 {probe} 核对，缺：{}）：组里的人登录后能得到 shell 或转发端口",
            layout.officers_group,
            missing.join("；")
        ),
        SHOW,
    )
}
