//! The service account, its group, and the officers' group.

use nix::unistd::{Gid, Group, User};

use super::Finding;
use crate::deploy::Layout;

pub fn uid_of(login: &str) -> Option<u32> {
    User::from_name(login)
        .ok()
        .flatten()
        .map(|u| u.uid.as_raw())
}

pub fn gid_of(group: &str) -> Option<u32> {
    Group::from_name(group)
        .ok()
        .flatten()
        .map(|g| g.gid.as_raw())
}

pub fn group_name(gid: u32) -> Option<String> {
    Group::from_gid(Gid::from_raw(gid))
        .ok()
        .flatten()
        .map(|g| g.name)
}

/// The accounts in `group`: listed members, and those whose primary group
/// it is (read from the password file, as `getent` would list them).
pub fn members(group: &str) -> Vec<String> {
    let Ok(Some(g)) = Group::from_name(group) else {
        return Vec::new();
    };
    let mut all = g.mem.clone();
    let primary = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in primary.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        if fields.len() > 3 && fields[3].parse::<u32>().ok() == Some(g.gid.as_raw()) {
            all.push(fields[0].to_string());
        }
    }
    all.sort();
    all.dedup();
    all
}

const REINSTALL: &str =
    "重新安装软件包（apt install --reinstall ./duty-desk_….deb 或 rpm -i --replacepkgs …），\
     或 systemd-sysusers /usr/lib/sysusers.d/duty-desk.conf";

/// The service account and both groups exist and are as sysusers makes them.
pub fn check(layout: &Layout) -> Vec<Finding> {
    let user = &layout.service_user;
    let group = &layout.officers_group;
    let mut found = Vec::new();
    match User::from_name(user).ok().flatten() {
        None => found.push(Finding::fail(format!("没有服务账号 {user}"), REINSTALL)),
        Some(u) => {
            let primary = group_name(u.gid.as_raw()).unwrap_or_else(|| u.gid.to_string());
            found.push(if primary == *user {
                Finding::ok(format!("服务账号 {user}（uid {}），主组 {primary}", u.uid))
            } else {
                Finding::warn(
                    format!("服务账号 {user} 的主组是 {primary}，不是它自己的组 {user}"),
                    format!("usermod -g {user} {user}（数据和备份归这个组，值班员不在里面）"),
                )
            });
            let shell = u.shell.to_string_lossy();
            if !(shell.ends_with("nologin") || shell.ends_with("/false")) {
                found.push(Finding::warn(
                    format!("服务账号 {user} 能登录（shell 是 {shell}）"),
                    format!("usermod -s /usr/sbin/nologin {user}"),
                ));
            }
        }
    }
    found.push(match Group::from_name(group).ok().flatten() {
        None => Finding::fail(format!("没有值班员组 {group}"), REINSTALL),
        Some(_) => {
            let members = members(group);
            if members.iter().any(|m| m == user) {
                Finding::fail(
                    format!("服务账号 {user} 在值班员组 {group} 里"),
                    format!("gpasswd -d {user} {group}"),
                )
            } else {
                Finding::ok(format!("值班员组 {group}：{} 个账号", members.len()))
            }
        }
    });
    found
}

/// Whether the caller is in the officers' group (needed to reach the socket).
pub fn own_membership(layout: &Layout) -> Finding {
    let group = &layout.officers_group;
    let Some(gid) = gid_of(group) else {
        return Finding::fail(
            format!("本机没有值班员组 {group}"),
            "请告诉管理员：值班台的软件包可能没有装好",
        );
    };
    let mine = nix::unistd::getgroups().unwrap_or_default();
    let in_group = nix::unistd::getegid().as_raw() == gid || mine.iter().any(|g| g.as_raw() == gid);
    if in_group {
        Finding::ok(format!("您的账号在值班员组 {group} 里"))
    } else {
        Finding::fail(
            format!("您的账号不在值班员组 {group} 里，连不上服务端"),
            format!("请管理员把您加入：gpasswd -a 您的登录名 {group}（重新登录后生效）"),
        )
    }
}
