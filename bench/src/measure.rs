//! The figures of `desk bench`, measured on generated data in a temporary
//! directory. Percentiles over many samples, printed as a table or (with
//! `--json`) as one JSON object of named figures. Never asserted in tests:
//! measured here. The names are kept stable: measurement scripts read them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use duty_desk::demo::{self, DemoPlan, Rng};
use duty_desk::desk::ops::{self, CaseOp};
use duty_desk::desk::remote::Remote;
use duty_desk::desk::{clock, identity, Caller, Desk, DeskError, DeskExt, Local};
use duty_desk::domain::lists::ContactKind;
use duty_desk::domain::workflow::Status;
use duty_desk::store::Store;

use crate::{ledger, routine, screen, search, suggest};

/// Named figures in insertion order of groups; BTreeMap keeps JSON stable.
pub type Figures = BTreeMap<String, f64>;

pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}

pub fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Fills a fresh database with `n` generated disputes; returns seconds taken.
fn generate(path: &Path, n: u64) -> anyhow::Result<f64> {
    let store = Store::open(path)?;
    let t = Instant::now();
    demo::fill(
        &store,
        &DemoPlan {
            disputes: n,
            persons: n / 50,
            seed: 42,
            today: clock::now().date_naive(),
            span_days: 365,
            admin_login: identity::current_caller().login,
        },
    )?;
    Ok(t.elapsed().as_secs_f64())
}

/// Open cases a progress note can be added to.
fn noteable(local: &Local) -> anyhow::Result<Vec<String>> {
    let open: Vec<String> = local
        .store()
        .summaries()?
        .into_iter()
        .filter(|s| s.status.is_open() && s.status != Status::PendingClose)
        .map(|s| s.id)
        .collect();
    anyhow::ensure!(!open.is_empty(), "生成的数据里没有未结案件");
    Ok(open)
}

/// Durable single-change commits through the full Desk API path.
fn commits(local: &Local, caller: &Caller, samples: usize) -> anyhow::Result<Vec<f64>> {
    let open = noteable(local)?;
    let mut rng = Rng::new(9);
    let mut out = Vec::with_capacity(samples);
    for i in 0..samples {
        let id = rng.pick(&open).clone();
        let t = Instant::now();
        local.handle(
            caller,
            ops::Note {
                kind: ContactKind::Phone,
                text: format!("电话回访当事人，第{i}次联系"),
            }
            .on(id, None),
        )?;
        out.push(ms(t));
    }
    Ok(out)
}

/// Groups of figures `--only` can pick.
const GROUPS: &[&str] = &[
    "load", "commit", "search", "report", "served", "screen", "ledger", "suggest", "views",
];
/// Finer picks inside the ledger group.
const LEDGER_PICKS: &[&str] = &["xlsx", "csv", "export", "import"];

/// `--only`: the groups of figures to measure (all when absent).
#[derive(Debug, Clone, PartialEq)]
pub struct Only(Vec<String>);

impl Only {
    pub fn parse(text: &str) -> anyhow::Result<Only> {
        let names: Vec<String> = text
            .split([',', '，', ' '])
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        for n in &names {
            let known = GROUPS.contains(&n.as_str())
                || LEDGER_PICKS.contains(&n.as_str())
                || n.split_once('-').is_some_and(|(a, b)| {
                    (a == "ledger" || LEDGER_PICKS.contains(&a)) && LEDGER_PICKS.contains(&b)
                });
            anyhow::ensure!(
                known,
                "不认识的测试组“{n}”，可选：{}，以及 xlsx、csv、export、import 或其组合（如 import-xlsx）",
                GROUPS.join("、")
            );
        }
        anyhow::ensure!(!names.is_empty(), "--only 后面要写测试组名");
        Ok(Only(names))
    }
}

/// What `desk bench` runs.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub quick: bool,
    pub only: Option<Only>,
    /// Keep the generated databases here and reuse them next time.
    pub keep: Option<PathBuf>,
}

impl Plan {
    fn wants(&self, group: &str) -> bool {
        match &self.only {
            None => true,
            Some(Only(names)) => {
                names.iter().any(|n| n == group)
                    || (group == "ledger"
                        && names
                            .iter()
                            .any(|n| LEDGER_PICKS.contains(&n.as_str()) || n.contains('-')))
            }
        }
    }

    /// A ledger figure: `format` is xlsx or csv, `way` export or import.
    pub fn wants_ledger(&self, format: &str, way: &str) -> bool {
        match &self.only {
            None => true,
            Some(Only(names)) => names.iter().any(|n| {
                let n = n.as_str();
                n == "ledger"
                    || n == format
                    || n == way
                    || n.split_once('-').is_some_and(|(a, b)| {
                        (a == "ledger" || a == way || a == format) && (b == format || b == way)
                    })
            }),
        }
    }
}

/// Open + load all summaries, as a client did at start: each in a fresh
/// process (`desk-bench load`, nothing cached in it), median of 5.
fn load_figure(path: &Path, n: u64, tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let me = std::env::current_exe()?;
    let mut loads = Vec::new();
    for _ in 0..5 {
        let out = std::process::Command::new(&me)
            .arg("load")
            .arg(path)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "载入摘要的进程失败：{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said = String::from_utf8_lossy(&out.stdout);
        let mut words = said.split_whitespace();
        let rows: u64 = words.next().unwrap_or("").parse()?;
        // A kept database has gained the cases earlier runs registered.
        anyhow::ensure!(rows >= n, "摘要条数不符：{rows} < {n}");
        loads.push(words.next().unwrap_or("").parse::<f64>()?);
    }
    figures.insert(
        format!("load_summaries_ms_{tag}"),
        round2(percentile(&mut loads, 50.0)),
    );
    Ok(())
}

/// The figures measured in this process on one database of `n` cases:
/// commits, search, the daily report and the re-rank.
fn in_process(
    local: &Local,
    plan: &Plan,
    n: u64,
    tag: &str,
    figures: &mut Figures,
    progress: &mut dyn FnMut(&str),
) -> anyhow::Result<()> {
    let caller = identity::current_caller();
    if plan.wants("commit") {
        progress(&format!("在 {n} 件的库上测持久提交…"));
        let mut c = commits(local, &caller, 400)?;
        figures.insert(
            format!("commit_p50_ms_{tag}"),
            round2(percentile(&mut c, 50.0)),
        );
        figures.insert(
            format!("commit_p99_ms_{tag}"),
            round2(percentile(&mut c, 99.0)),
        );
    }
    if plan.wants("search") {
        progress(&format!("在 {n} 件上测搜索…"));
        search::search_figures(&local.store().summaries()?, tag, figures)?;
    }
    if plan.wants("report") {
        progress(&format!("在 {n} 件上测日报与重新排序…"));
        routine::daily_report(local, &caller, tag, figures)?;
        routine::rank_after_change(local, tag, figures)?;
        routine::fresh_threat_position(local, &caller, tag, figures)?;
    }
    Ok(())
}

pub fn measure(plan: &Plan, progress: &mut dyn FnMut(&str)) -> anyhow::Result<Figures> {
    let dir = match &plan.keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("无法创建目录 {}", d.display()))?;
            d.clone()
        }
        None => tempfile_dir()?,
    };
    let mut figures = Figures::new();
    if plan.wants("suggest") {
        progress("在标注集上测文字识别…");
        suggest::suggest_figures(&mut figures)?;
    }
    let mut ids_10k = Vec::new();
    let big = if plan.quick { "10k" } else { "100k" };
    let per_size = ["load", "commit", "search", "report"]
        .iter()
        .any(|g| plan.wants(g));
    let sizes: &[(u64, &str)] = if plan.quick {
        &[(10_000, "10k")]
    } else {
        &[(10_000, "10k"), (100_000, "100k")]
    };
    for (n, tag) in sizes {
        let needed = per_size
            || (*tag == "10k" && plan.wants("served"))
            || (*tag == big
                && (plan.wants("screen") || plan.wants("ledger") || plan.wants("views")));
        if !needed {
            continue;
        }
        let path = dir.join(format!("bench-{tag}.redb"));
        if plan.keep.is_some() && path.exists() {
            progress(&format!("复用已生成的 {}", path.display()));
        } else {
            let _ = std::fs::remove_file(&path);
            progress(&format!("生成 {n} 件案件…"));
            let secs = generate(&path, *n)?;
            figures.insert(
                format!("generate_rows_per_s_{tag}"),
                (*n as f64 / secs).round(),
            );
        }

        if plan.wants("load") {
            load_figure(&path, *n, tag, &mut figures)?;
        }

        if plan.wants("served") {
            ready_figure(&path, &dir.join("ready.sock"), tag, &mut figures)?;
        }

        let local = Local::open(&path)?;
        if ids_10k.is_empty() {
            ids_10k = noteable(&local)?;
        }
        in_process(&local, plan, *n, tag, &mut figures, progress)?;
        drop(local);
        figures.insert(
            format!("db_bytes_{tag}"),
            std::fs::metadata(&path)?.len() as f64,
        );
    }
    if plan.wants("served") {
        progress("经服务端测多客户端并发与变更推送…");
        served(
            &dir.join("bench-10k.redb"),
            &dir.join("desk.sock"),
            &ids_10k,
            &mut figures,
        )?;
    }
    if plan.wants("views") {
        progress(&format!("经服务端的视图测 50 个连接（{big}）…"));
        let db = dir.join(format!("bench-{big}.redb"));
        crate::views::measure(&db, &dir.join("views.sock"), big, &mut figures)?;
    }
    if plan.wants("screen") {
        progress(&format!("在伪终端里驱动值班台（{big}）…"));
        let db = dir.join(format!("bench-{big}.redb"));
        let socket = dir.join("screen.sock");
        let _server = ServerProc::start(&db, &socket)?;
        // As an officer finds it: the server running, its read model built.
        ServerProc::wait_for_views(&socket)?;
        screen::screen_figures(&desk_exe()?, &db, &socket, big, &mut figures)?;
    }
    if plan.wants("ledger") {
        let ledger_db = dir.join(format!("bench-{big}.redb"));
        ledger::measure(&ledger_db, &dir, plan, &mut figures, progress)?;
    }
    if plan.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(figures)
}

/// A `desk serve` child for the duration of a measurement.
pub(crate) struct ServerProc(pub(crate) std::process::Child);

impl ServerProc {
    pub(crate) fn start(db: &Path, socket: &Path) -> anyhow::Result<ServerProc> {
        ServerProc::start_with(db, socket, &[])
    }

    /// With extra `desk serve` options (the 50 connections of one account
    /// need `--max-per-user`).
    pub(crate) fn start_with(
        db: &Path,
        socket: &Path,
        args: &[&str],
    ) -> anyhow::Result<ServerProc> {
        let child = std::process::Command::new(desk_exe()?)
            .arg("serve")
            .args(args)
            .arg("--db")
            .arg(db)
            .arg("--socket")
            .arg(socket)
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("无法启动服务端")?;
        let server = ServerProc(child);
        let start = Instant::now();
        while std::os::unix::net::UnixStream::connect(socket).is_err() {
            anyhow::ensure!(start.elapsed().as_secs() < 10, "服务端没有启动");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl ServerProc {
    /// Until the server answers a view (its read model is built).
    pub(crate) fn wait_for_views(socket: &Path) -> anyhow::Result<()> {
        use duty_desk::desk::DeskExt;
        let mut r = duty_desk::desk::remote::Remote::connect(socket, false)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let _: duty_desk::desk::views::Window = r
            .ask(duty_desk::desk::api::Request::View {
                query: duty_desk::desk::views::ViewQuery::of(
                    duty_desk::domain::screens::Screen::Queue,
                ),
                from: 0,
                limit: 1,
                watch: None,
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    }
}

impl Drop for ServerProc {
    /// Stopped as a service is (SIGTERM): the server closes its file
    /// cleanly, so the next start measured needs no recovery.
    fn drop(&mut self) {
        use nix::sys::signal::{kill, Signal};
        use nix::unistd::Pid;
        let _ = kill(Pid::from_raw(self.0.id() as i32), Signal::SIGTERM);
        for _ in 0..300 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `server_ready_ms_{tag}`: from starting `desk serve` on a file it has
/// not seen in this process until it answers a call (median of 3). The
/// full check of every record runs after that, behind the server.
fn ready_figure(db: &Path, socket: &Path, tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let mut samples = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let _server = ServerProc::start(db, socket)?;
        let mut r = Remote::connect(socket, false).map_err(|e| anyhow::anyhow!("{e}"))?;
        r.whoami().map_err(|e| anyhow::anyhow!("{e}"))?;
        samples.push(ms(t));
    }
    figures.insert(
        format!("server_ready_ms_{tag}"),
        round2(percentile(&mut samples, 50.0)),
    );
    Ok(())
}

/// Starts a real `desk serve` on `db` and measures, through the socket:
/// 8 clients × 200 durable commands, and commit → notice latency.
fn served(db: &Path, socket: &Path, ids: &[String], figures: &mut Figures) -> anyhow::Result<()> {
    let _server = ServerProc::start(db, socket)?;
    {
        let t = Instant::now();
        let workers: Vec<_> = (0..8)
            .map(|c| {
                let (socket, ids) = (socket.to_path_buf(), ids.to_vec());
                std::thread::spawn(move || -> Result<(), DeskError> {
                    let mut r = Remote::connect(&socket, false)?;
                    let mut rng = Rng::new(c);
                    for i in 0..200 {
                        let id = rng.pick(&ids).clone();
                        r.call(
                            ops::Note {
                                kind: ContactKind::Visit,
                                text: format!("并发测试{c}-{i}"),
                            }
                            .on(id, None),
                        )?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| anyhow::anyhow!("客户端线程崩溃"))??;
        }
        figures.insert(
            "ops_per_s_8_clients_10k".into(),
            (1600.0 / t.elapsed().as_secs_f64()).round(),
        );

        let mut watcher = Remote::connect(socket, true)?;
        let mut actor = Remote::connect(socket, false)?;
        let mut rng = Rng::new(99);
        let mut lat = Vec::new();
        for i in 0..300 {
            let id = rng.pick(ids).clone();
            let t = Instant::now();
            actor.call(
                ops::Note {
                    kind: ContactKind::Phone,
                    text: format!("推送测试{i}"),
                }
                .on(id, None),
            )?;
            loop {
                match watcher.next_notice(Some(std::time::Duration::from_secs(5)))? {
                    Some(n) if n.actor == caller_login() && n.action == "添加进展" => break,
                    Some(_) => continue,
                    None => anyhow::bail!("5 秒内没有收到变更推送"),
                }
            }
            lat.push(ms(t));
        }
        figures.insert(
            "notice_p50_ms_10k".into(),
            round2(percentile(&mut lat, 50.0)),
        );
        figures.insert(
            "notice_p99_ms_10k".into(),
            round2(percentile(&mut lat, 99.0)),
        );
        Ok(())
    }
}

/// The `desk` the figures are of: the one built beside this binary, as
/// `desk bench` finds `desk-bench` beside itself.
pub fn desk_exe() -> anyhow::Result<PathBuf> {
    let desk = std::env::current_exe()?.with_file_name("desk");
    anyhow::ensure!(
        desk.is_file(),
        "找不到值班台程序 {}：desk-bench 要与 desk 放在同一目录，请在源码目录运行 cargo build --release",
        desk.display()
    );
    Ok(desk)
}

fn caller_login() -> String {
    identity::current_caller().login
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let base = std::env::var_os("DESK_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("desk-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("无法创建临时目录 {}", dir.display()))?;
    Ok(dir)
}

pub fn run(plan: Plan, json: bool) -> anyhow::Result<()> {
    let mut progress = |m: &str| eprintln!("{m}");
    let figures = measure(&plan, &mut progress)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!("{:<32} {:>14}", "指标", "数值");
        for (k, v) in &figures {
            println!("{k:<32} {v:>14}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(only: &str) -> Plan {
        Plan {
            only: Some(Only::parse(only).unwrap()),
            ..Plan::default()
        }
    }

    #[test]
    fn only_picks_groups_and_ledger_parts() {
        let p = plan("screen，import-xlsx");
        assert!(p.wants("screen") && p.wants("ledger") && !p.wants("load"));
        assert!(p.wants_ledger("xlsx", "import"));
        assert!(!p.wants_ledger("csv", "import") && !p.wants_ledger("xlsx", "export"));
        assert!(Plan::default().wants("served"));
        assert!(Only::parse(" , ").is_err());
    }
}
