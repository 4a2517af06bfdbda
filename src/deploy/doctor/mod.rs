//! `desk doctor`: checks a running deployment and says, for each finding,
//! what is wrong and how to put it right, in Chinese. Root, the service
//! account and a 管理员 see every check they can make; anyone else learns
//! only what concerns them (their own group, whether the server lets them
//! in), never the roster, the backups or the machine's configuration.
//!
//! Each check is a small function over paths and names, so the tests can
//! hold it to a deployment built in a temp directory.

pub mod accounts;
pub mod backups;
pub mod modes;
pub mod server;
pub mod sshd;

use serde::Serialize;

use super::Layout;
use crate::desk::identity::{current_uid, login_of_uid};

/// How a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Works, but worth a look.
    Warn,
    /// Wrong: `desk doctor` exits non-zero.
    Fail,
    /// Not checked: this account may not look (said why).
    Skipped,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skipped => "-",
        }
    }
}

/// One thing found, in Chinese, with how to fix it when it needs fixing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub status: Status,
    pub what: String,
    pub fix: Option<String>,
}

impl Finding {
    pub fn ok(what: impl Into<String>) -> Finding {
        Finding {
            status: Status::Ok,
            what: what.into(),
            fix: None,
        }
    }

    pub fn warn(what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status: Status::Warn,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            status: Status::Fail,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn skipped(what: impl Into<String>) -> Finding {
        Finding {
            status: Status::Skipped,
            what: what.into(),
            fix: None,
        }
    }
}

/// Who runs the doctor, which decides what it may be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Viewer {
    Root,
    Service,
    Admin,
    Other,
}

impl Viewer {
    pub fn label(self) -> &'static str {
        match self {
            Viewer::Root => "root",
            Viewer::Service => "服务账号",
            Viewer::Admin => "管理员",
            Viewer::Other => "值班人员",
        }
    }

    /// Root and the service account may read the data and backup
    /// directories; a 管理员 sees only what the server shows.
    fn reads_files(self) -> bool {
        match self {
            Viewer::Root | Viewer::Service => true,
            Viewer::Admin | Viewer::Other => false,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub viewer: Viewer,
    pub login: String,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }
}

/// Every check this caller may see, against `layout`.
pub fn run(layout: &Layout) -> Report {
    let uid = current_uid();
    let login = login_of_uid(uid).unwrap_or_else(|| format!("uid {uid}"));
    let service_uid = accounts::uid_of(&layout.service_user);
    let mut reached = server::reach(layout);
    let viewer = if uid == 0 {
        Viewer::Root
    } else if service_uid == Some(uid) {
        Viewer::Service
    } else if server::is_admin(&reached) {
        Viewer::Admin
    } else {
        Viewer::Other
    };
    let findings = match viewer {
        Viewer::Other => for_an_officer(layout, &reached),
        Viewer::Root | Viewer::Service | Viewer::Admin => {
            for_a_keeper(layout, viewer, &mut reached)
        }
    };
    Report {
        viewer,
        login,
        findings,
    }
}

/// What anyone may know: their own groups and whether the server lets them in.
fn for_an_officer(layout: &Layout, reached: &server::Reached) -> Vec<Finding> {
    vec![
        accounts::own_membership(layout),
        server::as_officer(layout, reached),
        Finding::skipped(
            "其余检查（账号、目录与权限、备份、磁盘、sshd、名册）只对 root、服务账号和管理员显示",
        ),
    ]
}

/// Everything, for root, the service account and a 管理员.
fn for_a_keeper(layout: &Layout, viewer: Viewer, reached: &mut server::Reached) -> Vec<Finding> {
    let mut all = accounts::check(layout);
    for dir in layout.directories() {
        all.push(modes::check(&dir));
    }
    let db = layout.db_expected();
    all.push(if viewer.reads_files() {
        modes::check(&db)
    } else {
        Finding::skipped(format!(
            "数据库文件 {}：只有 root 和服务账号能查看它的权限",
            db.path.display()
        ))
    });
    all.push(modes::check(&layout.socket_expected()));
    all.extend(server::check(layout, reached, viewer));
    let now = crate::desk::clock::now();
    if viewer.reads_files() {
        all.extend(backups::newest(layout, now));
    } else {
        all.push(Finding::skipped(format!(
            "备份：备份目录 {} 只有 root 和服务账号能进，请以 root 运行 desk doctor 检查备份",
            layout.backup_dir.display()
        )));
    }
    let db_size = std::fs::metadata(layout.db()).ok().map(|m| m.len());
    all.extend(backups::disk(layout, db_size));
    all.push(match viewer {
        Viewer::Root => sshd::check(layout, std::path::Path::new(sshd::SSHD)),
        Viewer::Service | Viewer::Admin | Viewer::Other => {
            Finding::skipped("sshd 设置：sshd -T 只有 root 能运行，请以 root 运行 desk doctor 检查")
        }
    });
    all
}
