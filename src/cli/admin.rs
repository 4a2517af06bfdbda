//! Keeping the desk: create it (init, demo), run and watch the server, the
//! roster and the lists, the audit log, undo, check and backup, whoami.

use std::path::Path;

use clap::{Args, Subcommand};
use serde_json::json;

use super::cases::explain;
use super::{dates, today, Printed};
use crate::connect;
use crate::desk::api::{unexpected, ListName, UndoInfo};
use crate::desk::remote::Remote;
use crate::desk::{Desk, DeskExt, Request, Response};
use crate::domain::lists::Role;
use crate::domain::officer::Officer;
use crate::print::{audit_lines, officers_table};
use crate::server;

#[derive(Args)]
pub struct Init {
    /// 管理员姓名
    #[arg(long, default_value = "系统管理员")]
    name: String,
    /// 把这个登录名（而不是当前账号）登记为管理员（desk setup 以服务账号建库时用）
    #[arg(long, value_name = "登录名")]
    admin: Option<String>,
}

pub fn init(db: &Path, socket: &Path, a: Init) -> anyhow::Result<Printed> {
    let created = connect::init(db, socket, &a.name, a.admin.as_deref())?;
    let who = match &a.admin {
        Some(login) => format!("{login} 为管理员"),
        None => "当前账号为管理员".to_string(),
    };
    Ok(Printed::new(
        json!({"db": db, "created": created, "admin": a.admin}),
        format!(
            "{}数据库：{}\n已写入默认名录，{who}。下一步：desk lists add village 村名",
            if created { "已新建" } else { "已在用" },
            db.display()
        ),
    ))
}

#[derive(Args)]
pub struct Demo {
    #[arg(long, default_value_t = 300, value_name = "件数")]
    disputes: u64,
    #[arg(long, default_value_t = 40, value_name = "人数")]
    persons: u64,
    #[arg(long, default_value_t = 1, value_name = "种子")]
    seed: u64,
    /// 以哪天为“今天”生成（默认今天）
    #[arg(long, value_name = "日期")]
    today: Option<String>,
    /// 库里已有数据时什么也不做（不报错）
    #[arg(long)]
    if_empty: bool,
}

pub fn demo(db: &Path, socket: &Path, a: Demo) -> anyhow::Result<Printed> {
    let day = dates(a.today.as_deref())?.unwrap_or_else(today);
    let (disputes, persons, seed) = (a.disputes, a.persons, a.seed);
    let args = connect::DemoArgs {
        disputes,
        persons,
        seed,
        today: day,
        if_empty: a.if_empty,
    };
    if let Some(existing) = connect::demo(db, socket, args)? {
        let text = format!(
            "数据库 {} 里已有 {existing} 件案件，未写入演示数据",
            db.display()
        );
        return Ok(Printed::new(json!({"db": db, "existing": existing}), text));
    }
    Ok(Printed::new(
        json!({"db": db, "disputes": disputes, "persons": persons}),
        format!(
            "已写入演示数据：矛盾纠纷 {disputes} 件，重点人员 {persons} 人（种子 {seed}）\n数据库：{}",
            db.display()
        ),
    ))
}

#[derive(Args)]
pub struct Serve {
    /// 若没有服务端在运行，则在后台启动一个，然后返回
    #[arg(long)]
    pub detach: bool,
    /// 数据库未通过检查（记录被改动、审计链断开、文件损坏）时仍然启动；记入服务端日志和操作日志
    #[arg(long)]
    pub accept_damaged: bool,
    /// 备份目录：desk backup 只写到这里（默认：数据库旁的 backups/，权限 0700）
    #[arg(long, value_name = "目录")]
    pub backup_dir: Option<std::path::PathBuf>,
    /// 每个账号最多同时保持的连接数
    #[arg(long, value_name = "个数", default_value_t = server::Limits::default().per_uid)]
    pub max_per_user: usize,
    /// 服务端最多同时保持的连接数（受文件描述符上限约束）
    #[arg(long, value_name = "个数", default_value_t = server::Limits::default().total)]
    pub max_connections: usize,
    /// 不接收变更推送的连接空闲多少秒后断开
    #[arg(long, value_name = "秒", default_value_t = server::Limits::default().idle.as_secs())]
    pub idle_timeout: u64,
}

impl Serve {
    pub fn limits(&self) -> server::Limits {
        server::Limits {
            per_uid: self.max_per_user.max(1),
            total: self.max_connections.max(1),
            idle: std::time::Duration::from_secs(self.idle_timeout.max(1)),
        }
    }
}

/// `serve --detach`: makes sure a server runs, then returns.
pub fn serve_detached(db: &Path, socket: &Path) -> anyhow::Result<Printed> {
    let started = server::ensure_running(db, socket)?;
    let said = if started {
        "已在后台启动服务端"
    } else {
        "服务端已在运行"
    };
    Ok(Printed::new(
        json!({"socket": socket, "started": started}),
        format!("{said}：{}", socket.display()),
    ))
}

/// Prints change notices as they come; on a lost connection says so and
/// reconnects when the server is back.
pub fn watch(socket: &Path, json: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let mut remote = Remote::connect(socket, true)?;
    if let Err(e) = &remote.officer {
        anyhow::bail!("{e}");
    }
    eprintln!(
        "正在接收变更（第 {} 版起），按 Ctrl-C 退出",
        remote.revision
    );
    // Who did it, by name (asked once, on a connection of its own).
    let names = Remote::connect(socket, false)
        .ok()
        .and_then(|mut r| <dyn crate::desk::Desk>::officers(&mut r).ok())
        .map(|o| crate::domain::officer::Names::of(&o))
        .unwrap_or_default();
    loop {
        match remote.next_notice(None) {
            Ok(Some(n)) => {
                let kind = n
                    .touched
                    .first()
                    .map(|t| t.kind.as_str())
                    .unwrap_or_default();
                let ids: Vec<&str> = n.touched.iter().map(|t| t.id.as_str()).collect();
                let line = if json {
                    json!({"revision": n.revision, "action": n.action, "actor": n.actor, "kind": kind, "ids": ids}).to_string()
                } else {
                    format!(
                        "#{} {} {} {}",
                        n.revision,
                        names.name(&n.actor),
                        n.action,
                        ids.join(" ")
                    )
                };
                let mut out = std::io::stdout().lock();
                writeln!(out, "{line}")?;
                out.flush()?;
            }
            Ok(None) => {}
            Err(e) => {
                eprintln!("{e}，正在重连…");
                loop {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    if remote.reconnect().is_ok() {
                        eprintln!("已重新连接（第 {} 版）", remote.revision);
                        break;
                    }
                }
            }
        }
    }
}

#[derive(Args)]
pub struct Undo {
    /// 只查看可以撤销什么，不撤销
    #[arg(long)]
    show: bool,
}

pub fn undo(desk: &mut dyn Desk, a: Undo) -> anyhow::Result<Printed> {
    if a.show {
        return match desk.call(Request::LastAction)? {
            Response::Undoable(info) => {
                let text = match &info {
                    None => "没有可以撤销的操作".to_string(),
                    Some(i) => undo_line(i),
                };
                Ok(Printed::new(json!({ "undoable": info }), text))
            }
            other => Err(unexpected(other).into()),
        };
    }
    match desk.call(Request::Undo).map_err(explain)? {
        Response::Undone(i) => Ok(Printed::new(
            json!({"id": i.target, "result": "已撤销", "action": i.action}),
            format!(
                "已撤销 {} 的「{}」：{}",
                i.at.format("%H:%M"),
                i.action,
                i.target
            ),
        )),
        other => Err(unexpected(other).into()),
    }
}

fn undo_line(i: &UndoInfo) -> String {
    let head = format!("{} 的「{}」：{}", i.at.format("%H:%M"), i.action, i.target);
    match &i.blocked {
        None => format!("可以撤销 {head}（desk undo）"),
        Some(why) => format!("不能撤销：{why}"),
    }
}

#[derive(Args)]
pub struct Log {
    #[arg(long, value_name = "日期")]
    since: Option<String>,
}

pub fn log(desk: &mut dyn Desk, a: Log) -> anyhow::Result<Printed> {
    let since = dates(a.since.as_deref())?;
    let names = crate::domain::officer::Names::of(&desk.officers().unwrap_or_default());
    match desk.call(Request::Audit { since })? {
        Response::Audit(events) => Ok(Printed::new(
            serde_json::to_value(&events)?,
            audit_lines(&events, &names).trim_end(),
        )),
        other => Err(unexpected(other).into()),
    }
}

/// Prints what it found; faults make the command fail after printing.
pub fn check(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    match desk.call(Request::Check)? {
        Response::Check(r) => {
            let ok = r.faults.is_empty();
            let text = if ok {
                format!(
                    "检查通过：案件 {} 件，重点人员 {} 人，审计记录 {} 条，审计链完整",
                    r.disputes, r.persons, r.audit_events
                )
            } else {
                format!("发现 {} 处问题：\n{}", r.faults.len(), r.faults.join("\n"))
            };
            let printed = Printed::new(serde_json::to_value(&r)?, text);
            Ok(if ok {
                printed
            } else {
                printed.then_fail("数据库检查未通过")
            })
        }
        other => Err(unexpected(other).into()),
    }
}

#[derive(Args)]
pub struct Backup {
    /// 备份文件名（只写名字，放在备份目录里；不写则按时间命名）
    #[arg(value_name = "文件名")]
    name: Option<String>,
    /// 备份后删除备份目录里超过这么多天的按时间命名的备份（desk-年月日-时分秒.redb；刚写的这份和自己起名的不删）
    #[arg(long, value_name = "天数")]
    keep_days: Option<u32>,
}

pub fn backup(desk: &mut dyn Desk, a: Backup) -> anyhow::Result<Printed> {
    let (file, bytes) = match desk.call(Request::Backup { name: a.name })? {
        Response::BackedUp { file, bytes } => (file, bytes),
        other => return Err(unexpected(other).into()),
    };
    let written = format!("已备份到 {file}（{bytes} 字节）");
    let Some(days) = a.keep_days else {
        return Ok(Printed::new(json!({"out": file, "bytes": bytes}), written));
    };
    let path = Path::new(&file);
    let dir = path.parent().unwrap_or(Path::new("."));
    match crate::store::prune_backups(dir, days, crate::desk::clock::now(), path) {
        Ok(deleted) => {
            let names: Vec<String> = deleted
                .iter()
                .map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned())
                .collect();
            let text = match names.len() {
                0 => format!("{written}\n没有超过 {days} 天的旧备份"),
                n => format!(
                    "{written}\n已删除 {n} 份超过 {days} 天的旧备份：{}",
                    names.join("、")
                ),
            };
            Ok(Printed::new(
                json!({"out": file, "bytes": bytes, "pruned": names}),
                text,
            ))
        }
        Err(e) => Ok(Printed::new(json!({"out": file, "bytes": bytes}), written).then_fail(
            format!(
                "备份已写好，但清理旧备份时出错：备份目录 {} {}。请以服务账号运行（systemctl start duty-desk-backup）",
                dir.display(),
                crate::private_fs::describe(&e)
            ),
        )),
    }
}

#[derive(Subcommand)]
pub enum RosterCmd {
    /// 加入或修改名册（数据库所有者、root 或管理员可用）
    Add {
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        unit: String,
        #[arg(long, value_name = "管理员|领导|值班员|责任人|只读")]
        role: String,
    },
    /// 列出名册
    List,
}

pub fn roster(desk: &mut dyn Desk, cmd: RosterCmd) -> anyhow::Result<Printed> {
    match cmd {
        RosterCmd::Add {
            login,
            name,
            unit,
            role,
        } => {
            let officer = Officer {
                login: login.clone(),
                name,
                unit,
                role: Role::parse(&role)?,
                active: true,
            };
            desk.call(Request::RosterAdd { officer })?;
            Ok(Printed::new(
                json!({"login": login}),
                format!("已加入名册：{login}"),
            ))
        }
        RosterCmd::List => {
            let officers = desk.officers()?;
            Ok(Printed::new(
                serde_json::to_value(&officers)?,
                officers_table(&officers).trim_end(),
            ))
        }
    }
}

#[derive(Subcommand)]
pub enum ListsCmd {
    /// 新增一项：village|unit|category 名称
    Add {
        #[arg(value_name = "village|unit|category")]
        list: String,
        value: String,
        /// 与已有的一项相近（如已有东河村再加东河村委会）时仍然加入
        #[arg(long)]
        force: bool,
    },
    /// 显示名录
    Show,
}

pub fn lists(desk: &mut dyn Desk, cmd: ListsCmd) -> anyhow::Result<Printed> {
    match cmd {
        ListsCmd::Add { list, value, force } => {
            let list = match list.as_str() {
                "village" | "村" => ListName::Villages,
                "unit" | "单位" => ListName::Units,
                "category" | "类型" => ListName::Categories,
                "township" | "乡镇" => ListName::Townships,
                other => {
                    anyhow::bail!("没有名录“{other}”，可选：village、unit、category、township")
                }
            };
            desk.call(Request::ListAdd {
                list,
                value: value.clone(),
                force,
            })?;
            Ok(Printed::new(
                json!({"added": value}),
                format!("已加入{}：{value}", list.label()),
            ))
        }
        ListsCmd::Show => {
            let l = desk.lists()?;
            Ok(Printed::new(
                serde_json::to_value(&l)?,
                format!(
                    "村(社区)：{}\n责任单位：{}\n纠纷类型：{}",
                    l.villages.join("、"),
                    l.units.join("、"),
                    l.categories.join("、")
                ),
            ))
        }
    }
}

pub fn whoami(desk: &mut dyn Desk) -> anyhow::Result<Printed> {
    let me = desk.whoami()?;
    Ok(Printed::new(
        serde_json::to_value(&me)?,
        format!(
            "{}  {}  {}  {}",
            me.login,
            me.name,
            me.unit,
            me.role.label()
        ),
    ))
}
