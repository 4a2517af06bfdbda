//! Owners, groups and modes of the deployment's directories and files.

use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, MetadataExt};

use super::accounts::{gid_of, group_name, uid_of};
use super::Finding;
use crate::deploy::{Expected, Kind, MadeBy};
use crate::desk::identity::login_of_uid;

/// Holds the path to what `e` says: there, of its kind, not a symlink, the
/// right owner and group, and no mode bit beyond `e.mode`.
pub fn check(e: &Expected) -> Finding {
    let path = e.path.display();
    let label = e.kind.label();
    let meta = match std::fs::symlink_metadata(&e.path) {
        Ok(m) => m,
        Err(err) if err.kind() == ErrorKind::PermissionDenied => {
            return Finding::skipped(format!("{label} {path}：本账号无权查看"))
        }
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Finding::fail(format!("{label} {path} 不存在"), missing_fix(e))
        }
        Err(err) => {
            return Finding::fail(
                format!(
                    "{label} {path} 读不了：{}",
                    crate::private_fs::describe(&err)
                ),
                "检查磁盘和文件系统",
            )
        }
    };
    let kind_ok = match e.kind {
        Kind::Directory => meta.file_type().is_dir(),
        Kind::File => meta.file_type().is_file(),
        Kind::Socket => meta.file_type().is_socket(),
    };
    if meta.file_type().is_symlink() || !kind_ok {
        return Finding::fail(
            format!("{path} 不是{label}（可能有人放了别的东西冒充）"),
            format!("查明来历后删除它（rm {path}），再 systemctl restart duty-desk"),
        );
    }
    let owner = login_of_uid(meta.uid()).unwrap_or_else(|| format!("uid {}", meta.uid()));
    let group = group_name(meta.gid()).unwrap_or_else(|| format!("gid {}", meta.gid()));
    let owner_ok = uid_of(&e.owner) == Some(meta.uid());
    let group_ok = gid_of(&e.group) == Some(meta.gid());
    if !owner_ok || !group_ok {
        return Finding::fail(
            format!(
                "{label} {path} 属 {owner}:{group}，应属 {}:{}",
                e.owner, e.group
            ),
            format!("chown {}:{} {path}", e.owner, e.group),
        );
    }
    let mode = meta.mode() & 0o7777;
    let extra = mode & !e.mode;
    if extra != 0 && extra & !0o3000 == 0 {
        return Finding::warn(
            format!(
                "{label} {path} 的权限是 {mode:04o}，应为 {:04o}：多了 setgid 或粘滞位",
                e.mode
            ),
            chmod_fix(e),
        );
    }
    if extra != 0 {
        return Finding::fail(
            format!(
                "{label} {path} 的权限是 {mode:04o}，应为 {:04o}：{}",
                e.mode,
                too_open(e, extra)
            ),
            chmod_fix(e),
        );
    }
    let missing = e.mode & !mode;
    if e.kind == Kind::Socket && missing & 0o060 != 0 {
        return Finding::fail(
            format!(
                "套接字 {path} 的权限是 {mode:04o}，{} 组的值班员连不上",
                e.group
            ),
            "systemctl restart duty-desk（服务端重建套接字，0660）",
        );
    }
    if e.kind == Kind::Directory && missing & 0o2000 != 0 {
        return Finding::warn(
            format!(
                "{label} {path} 的权限是 {mode:04o}，没有 setgid 位：新建的库和备份不归 {} 组",
                e.group
            ),
            chmod_fix(e),
        );
    }
    Finding::ok(format!("{label} {path}：{owner}:{group}，{mode:04o}"))
}

/// Why bits beyond the expected mode are dangerous here.
fn too_open(e: &Expected, extra: u32) -> &'static str {
    match e.kind {
        Kind::Directory if extra & 0o022 != 0 => {
            "别的账号能在里面删除、替换文件——例如删掉套接字、换上自己的“服务端”收集值班员输入的内容"
        }
        Kind::Socket => "名册之外的账号也能连上服务端",
        Kind::Directory | Kind::File => "别的账号能读到或改动敏感个人信息",
    }
}

fn chmod_fix(e: &Expected) -> String {
    let path = e.path.display();
    match e.kind {
        Kind::Socket => "systemctl restart duty-desk（服务端重建套接字，0660）".to_string(),
        // GNU chmod keeps a directory's setgid bit unless the numeric
        // mode has five digits.
        Kind::Directory => format!("chmod {:05o} {path}", e.mode),
        Kind::File => format!("chmod {:04o} {path}", e.mode),
    }
}

fn missing_fix(e: &Expected) -> String {
    match e.made_by {
        MadeBy::Service => {
            "systemctl start duty-desk（服务端启动时建好）；不成功时 journalctl -u duty-desk 查看原因"
                .to_string()
        }
        MadeBy::Tmpfiles => format!(
            "systemd-tmpfiles --create /usr/lib/tmpfiles.d/duty-desk.conf（或 install -d -o {} -g {} -m {:04o} {}）",
            e.owner,
            e.group,
            e.mode,
            e.path.display()
        ),
        MadeBy::Setup => "第一次使用：desk setup 登录名 --name 姓名（以 root 运行）".to_string(),
    }
}
