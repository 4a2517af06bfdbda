//! Figures of the desk as an officer meets it, on a served database: the
//! real `desk` on pseudo-terminals (first frame, memory after a search, 50
//! desks started at once, the server's memory with them), and a keystroke in the filter until its rows are
//! drawn, through the desk's own client and the server (`search_p95_ms_*`).

use std::path::Path;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use duty_desk::tui::app::{App, Out, View};
use duty_desk::tui::client::Client;
use duty_desk::tui::keymap::Keymap;
use duty_desk::tui::Event;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::measure::{ms, percentile, round2, Figures};
use crate::pty::Pty;

const DESKS: usize = 50;
/// A case row under the cursor: the list is on screen (not only the 预警
/// strip, which names a case too).
const ROW: &[u8] = "▶ MD-".as_bytes();

/// `first_frame_ms_{tag}`, `desk_rss_mb_{tag}` (after its first frame and a
/// search) and `desks_50_ready_s_{tag}`, on the real binary at 80×24.
pub fn pty_figures(
    desk: &Path,
    db: &Path,
    socket: &Path,
    tag: &str,
    server: u32,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut pty = Pty::spawn(desk, db, socket, 80, 24)?;
    let first = pty
        .wait_for(ROW, Duration::from_secs(30))
        .ok_or_else(|| anyhow::anyhow!("值班台 30 秒内没有显示案件"))?;
    figures.insert(
        format!("first_frame_ms_{tag}"),
        round2((first - t0).as_secs_f64() * 1000.0),
    );
    // Whatever opened first (the handover) goes; then 风险队列 and a search.
    for keys in [&b"\x1b"[..], b"2", b"/", b"z", b"s"] {
        pty.send(keys)?;
        std::thread::sleep(Duration::from_millis(400));
    }
    std::thread::sleep(Duration::from_secs(1));
    figures.insert(format!("desk_rss_mb_{tag}"), round2(pty.rss_mb()));
    let _ = pty.send(b"\x1bq");
    drop(pty);

    // Fifty officers open their desks at the same moment.
    let t = Instant::now();
    let desks: Vec<_> = (0..DESKS)
        .map(|_| {
            let (desk, db, socket) = (desk.to_path_buf(), db.to_path_buf(), socket.to_path_buf());
            std::thread::spawn(move || -> anyhow::Result<(Instant, Pty)> {
                let pty = Pty::spawn(&desk, &db, &socket, 80, 24)?;
                let at = pty
                    .wait_for(ROW, Duration::from_secs(60))
                    .ok_or_else(|| anyhow::anyhow!("有值班台 60 秒内没有显示案件"))?;
                Ok((at, pty))
            })
        })
        .collect();
    let mut last = t;
    let mut open = Vec::new();
    for d in desks {
        let (at, pty) = d.join().map_err(|_| anyhow::anyhow!("测量线程崩溃"))??;
        last = last.max(at);
        open.push(pty);
    }
    figures.insert(
        format!("desks_50_ready_s_{tag}"),
        round2((last - t).as_secs_f64()),
    );
    // The server with fifty real desks connected, each watching its list.
    std::thread::sleep(Duration::from_secs(1));
    figures.insert(
        format!("server_rss_mb_{tag}_desks"),
        round2(crate::pty::rss_mb(server)),
    );
    for mut p in open {
        let _ = p.send(b"\x1bq");
    }
    Ok(())
}

/// The desk's model with its real client: effects sent, events taken in.
struct Driven {
    app: App,
    client: Client,
    events: Receiver<Event>,
}

impl Driven {
    fn start(socket: &Path) -> Driven {
        let (tx, events) = channel();
        let client = Client::start(socket.to_path_buf(), tx, None);
        let mut app = App::new(Keymap::default_map(), duty_desk::desk::clock::now(), false);
        app.online = true;
        app.load();
        Driven {
            app,
            client,
            events,
        }
    }

    /// Sends what the desk asked for and takes in events until `done`.
    fn until(&mut self, done: impl Fn(&App) -> bool) -> anyhow::Result<()> {
        loop {
            for o in self.app.out.drain(..) {
                if let Out::Request(want, req) = o {
                    self.client.send(want, req);
                }
            }
            if done(&self.app) {
                return Ok(());
            }
            let e = self
                .events
                .recv_timeout(Duration::from_secs(30))
                .map_err(|_| anyhow::anyhow!("值班台 30 秒内没有收到应答"))?;
            match e {
                Event::Reply(want, result) => self.app.on_reply(want, result),
                Event::View(d) => self.app.on_view_delta(d),
                Event::Notice(n) => self.app.on_notice(n),
                Event::Online(on, why) => self.app.set_online(on, why),
                Event::Term(_)
                | Event::Presence(_)
                | Event::Damaged(_)
                | Event::Search(..)
                | Event::Hangup
                | Event::Exported(..) => {}
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// `search_p50_ms_{tag}` / `search_p95_ms_{tag}`: a keystroke in 风险队列's
/// filter until the desk holds the new rows and has drawn them (80×24).
/// Names typed a character at a time, and their pinyin a letter at a time.
pub fn search_figures(socket: &Path, tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let mut d = Driven::start(socket);
    d.until(|a| a.data.loaded)?;
    while !d.app.overlays.is_empty() {
        d.key(KeyCode::Esc);
    }
    d.key(KeyCode::Char('2'));
    d.until(|a| a.data.wins[View::Queue.index()].window.is_some())?;
    let names: Vec<String> = d.app.data.wins[View::Queue.index()]
        .window
        .iter()
        .flat_map(|w| w.rows.iter())
        .step_by(3)
        .filter_map(|r| r.case.parties.first().cloned())
        .take(15)
        .collect();
    let mut queries: Vec<String> = Vec::new();
    for name in &names {
        queries.push(name.chars().take(3).collect());
        queries.push(
            duty_desk::search::pinyin_key(name)
                .chars()
                .take(5)
                .collect(),
        );
    }
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24))?;
    let mut lat = Vec::new();
    for q in queries {
        d.key(KeyCode::Char('/'));
        for c in q.chars() {
            let t = Instant::now();
            d.key(KeyCode::Char(c));
            d.until(|a| !a.data.wins[View::Queue.index()].waiting)?;
            term.draw(|f| duty_desk::tui::views::draw(f, &mut d.app))?;
            lat.push(ms(t));
            if std::env::var("DESK_BENCH_SLOW").is_ok() && ms(t) > 40.0 {
                eprintln!("slow {:?} {c} {:.1}", q, ms(t));
            }
        }
        d.key(KeyCode::Esc);
        d.until(|a| !a.data.wins[View::Queue.index()].waiting)?;
    }
    figures.insert(
        format!("search_p50_ms_{tag}"),
        round2(percentile(&mut lat, 50.0)),
    );
    figures.insert(
        format!("search_p95_ms_{tag}"),
        round2(percentile(&mut lat, 95.0)),
    );
    Ok(())
}
