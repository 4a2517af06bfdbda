//! How the CLI reaches the desk: through a running server when one serves the
//! database, else by opening the file directly.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::demo;
use crate::desk::remote::Remote;
use crate::desk::{clock, identity, paths, Desk, DeskError, Local, Session};
use crate::store::{Store, StoreError};

/// Opens the desk for this process's user: the server on `socket` when it
/// serves this database, else the file itself. `explicit_db` says the caller
/// named a database (`--db` or `DESK_DB`), which a server must then match.
pub fn open(
    db: &Path,
    explicit_db: bool,
    socket: Option<PathBuf>,
) -> anyhow::Result<Box<dyn Desk>> {
    let socket = paths::socket(socket);
    match Remote::connect(&socket, false) {
        Ok(remote) => {
            if !explicit_db || Path::new(&remote.db) == paths::absolute(db) {
                return Ok(Box::new(remote));
            }
        }
        // The server answered and said no (not on the roster, too many
        // connections): that is the answer, not a reason to open the file.
        Err(DeskError::Refused(reason)) => anyhow::bail!("{reason}"),
        Err(_) => {}
    }
    match Local::open(db) {
        Ok(local) => Ok(Box::new(Session { local, caller: identity::current_caller() })),
        Err(e) if e.to_string().contains("正被另一个程序使用") => anyhow::bail!(
            "数据库 {} 正由服务端使用，但套接字 {} 上没有它的应答；请用 --socket 指定服务端的套接字",
            db.display(),
            socket.display()
        ),
        Err(e) => Err(e).with_context(|| format!("无法打开数据库 {}", db.display())),
    }
}

/// `desk init`: the default lists and the caller as 管理员. Returns whether the file was new.
pub fn init(db: &Path, admin_name: &str, demo: bool) -> anyhow::Result<bool> {
    let created = !db.exists();
    let store = Store::open(db).with_context(|| format!("无法打开数据库 {}", db.display()))?;
    let me = identity::current_caller();
    let admin = crate::domain::officer::Officer::new(
        &me.login,
        admin_name,
        "综治中心",
        crate::domain::lists::Role::Admin,
    )?;
    store.write(&me.login, clock::now(), |tx| {
        demo::seed_lists(tx, &me.login, demo)?;
        if tx.officer(&me.login)?.is_none() {
            tx.put_officer(&admin)?;
        }
        tx.audit("初始化", "", &format!("默认名录，管理员 {}", me.login));
        Ok::<_, StoreError>(())
    })?;
    Ok(created)
}

/// `desk demo`: only into a database without disputes. With `if_empty`, a
/// database that has data is left alone and its size returned.
pub fn demo(
    db: &Path,
    disputes: u64,
    persons: u64,
    seed: u64,
    today: chrono::NaiveDate,
    if_empty: bool,
) -> anyhow::Result<Option<usize>> {
    let store = Store::open(db).with_context(|| format!("无法打开数据库 {}", db.display()))?;
    let existing = store.summaries()?.len();
    if existing > 0 && if_empty {
        return Ok(Some(existing));
    }
    if existing > 0 {
        anyhow::bail!(
            "数据库 {} 里已有 {existing} 件案件，演示数据只写入空数据库；请用 --db 指定一个新文件",
            db.display()
        );
    }
    let plan = demo::DemoPlan {
        disputes,
        persons,
        seed,
        today,
        span_days: 150,
        admin_login: identity::current_caller().login,
    };
    demo::fill(&store, &plan)?;
    Ok(None)
}
