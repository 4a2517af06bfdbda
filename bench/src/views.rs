//! Views through a real server's read model: how long until the model is
//! built, a search as one `View` request (typed prefixes, rows decoded in
//! the client), a registration through the server, and how long until 50
//! watching connections each hold their changed window; the server's memory
//! with them connected.

use std::path::Path;
use std::sync::mpsc::channel;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use duty_desk::desk::api::Request;
use duty_desk::desk::remote::{Pushed, Remote};
use duty_desk::desk::views::{ViewQuery, Window};
use duty_desk::desk::DeskExt;
use duty_desk::domain::dispute::{NewDispute, Party};
use duty_desk::domain::lists::{PartyRole, Source};
use duty_desk::domain::screens::Screen;

use crate::measure::{ms, percentile, round2, Figures, ServerProc};
use crate::pty::rss_mb;

const DESKS: usize = 50;
const COMMITS: usize = 100;

fn err(e: duty_desk::desk::DeskError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn window(
    r: &mut Remote,
    screen: Screen,
    search: &str,
    limit: u32,
    watch: Option<u8>,
) -> anyhow::Result<Window> {
    r.ask(Request::View {
        query: ViewQuery {
            screen,
            search: search.to_string(),
            sort: None,
        },
        from: 0,
        limit,
        watch,
    })
    .map_err(err)
}

/// Queries as officers type them: a party's name a character at a time,
/// and its pinyin a letter at a time (up to five).
fn typed_queries(r: &mut Remote) -> anyhow::Result<Vec<String>> {
    let sample = window(r, Screen::All, "", 500, None)?;
    let mut out = Vec::new();
    for row in sample.rows.iter().step_by(25) {
        let Some(name) = row.case.parties.first() else {
            continue;
        };
        let chars: Vec<char> = name.chars().collect();
        for n in 1..=chars.len().min(3) {
            out.push(chars[..n].iter().collect());
        }
        let pinyin = duty_desk::search::pinyin_key(name);
        for n in 1..=pinyin.len().min(5) {
            out.push(pinyin[..n].to_string());
        }
    }
    Ok(out)
}

/// The `i`th case a run registers. Its party is new to the database: a
/// party repeated across runs on the same file would re-rank all its
/// earlier cases at every commit, which is the file's history, not a
/// registration's cost.
fn registration(run: u64, i: usize) -> Request {
    Request::Register {
        new: NewDispute {
            village: "东河村".into(),
            category: "邻里".into(),
            source: Some(Source::Call),
            summary: format!("视图测量第{i}件"),
            parties: vec![Party {
                name: format!("测量{run}-{i}"),
                role: PartyRole::Applicant,
                phone: None,
                person_id: None,
            }],
            ..Default::default()
        },
    }
}

pub fn measure(db: &Path, socket: &Path, tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let started = Instant::now();
    let server = ServerProc::start_with(db, socket, &["--max-per-user", "64"])?;
    let pid = server.0.id();
    let mut probe = Remote::connect(socket, false).map_err(err)?;
    // The first view waits for the model to be built.
    window(&mut probe, Screen::Queue, "", 20, None)?;
    figures.insert(format!("view_ready_ms_{tag}"), round2(ms(started)));
    figures.insert(format!("server_rss_mb_{tag}"), round2(rss_mb(pid)));

    let mut lat = Vec::new();
    for q in typed_queries(&mut probe)? {
        let t = Instant::now();
        window(&mut probe, Screen::Queue, &q, 20, None)?;
        lat.push(ms(t));
    }
    figures.insert(
        format!("view_search_p50_ms_{tag}"),
        round2(percentile(&mut lat, 50.0)),
    );
    figures.insert(
        format!("view_search_p95_ms_{tag}"),
        round2(percentile(&mut lat, 95.0)),
    );

    // 50 desks, each watching the top of 待处理 (where a new case lands).
    let (tx, rx) = channel::<(usize, u64, Instant)>();
    let ready = Arc::new(Barrier::new(DESKS + 1));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let t = Instant::now();
    let desks: Vec<_> = (0..DESKS)
        .map(|k| {
            let (tx, ready, done) = (tx.clone(), Arc::clone(&ready), Arc::clone(&done));
            let socket = socket.to_path_buf();
            std::thread::spawn(move || -> anyhow::Result<()> {
                let watching = Remote::connect(&socket, true)
                    .map_err(err)
                    .and_then(|mut r| window(&mut r, Screen::Inbox, "", 20, Some(0)).map(|_| r));
                // Whether or not it could watch: nobody waits on a failed desk.
                ready.wait();
                let mut r = watching?;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    // Every registration changes 待处理 (its total at least).
                    if let Some(Pushed::View(d)) = r
                        .next_pushed(Some(Duration::from_millis(200)))
                        .map_err(err)?
                    {
                        let _ = tx.send((k, d.state, Instant::now()));
                    }
                }
                Ok(())
            })
        })
        .collect();
    drop(tx);
    ready.wait();
    figures.insert(
        format!("watchers_50_ready_s_{tag}"),
        round2(t.elapsed().as_secs_f64()),
    );

    let mut actor = Remote::connect(socket, false).map_err(err)?;
    let (mut commit, mut change) = (Vec::new(), Vec::new());
    let mut before = window(&mut actor, Screen::Inbox, "", 0, None)?.state;
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for i in 0..COMMITS {
        let t = Instant::now();
        actor.create(registration(run, i)).map_err(err)?;
        commit.push(ms(t));
        // Until every desk holds a window newer than before this commit.
        let mut held = std::collections::HashSet::new();
        let (mut last, mut newest) = (t, before);
        while held.len() < DESKS {
            let (k, state, at) = rx
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| anyhow::anyhow!("30 秒内没有全部收到第 {i} 件的视图变更"))?;
            if state > before && held.insert(k) {
                last = last.max(at);
                newest = newest.max(state);
            }
        }
        before = newest;
        change.push((last - t).as_secs_f64() * 1000.0);
    }
    figures.insert(format!("server_rss_mb_{tag}_50"), round2(rss_mb(pid)));
    figures.insert(
        format!("view_commit_p50_ms_{tag}"),
        round2(percentile(&mut commit, 50.0)),
    );
    figures.insert(
        format!("view_change_p50_ms_{tag}_50"),
        round2(percentile(&mut change, 50.0)),
    );
    figures.insert(
        format!("view_change_p99_ms_{tag}_50"),
        round2(percentile(&mut change, 99.0)),
    );
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for d in desks {
        d.join().map_err(|_| anyhow::anyhow!("测量线程崩溃"))??;
    }
    // The desk itself on the same server: a keystroke to rows, first
    // frames, memory, fifty desks at once.
    crate::desks::search_figures(socket, tag, figures)?;
    crate::desks::pty_figures(&crate::measure::desk_exe()?, db, socket, tag, pid, figures)?;
    Ok(())
}
