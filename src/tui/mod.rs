//! The full-screen desk. A client of `desk serve` on one connection: it
//! holds windows of the server's views (the rows on screen and a few pages
//! around them), which the server keeps current by pushing what changed.
//! Draws only when something changed, one synchronized frame at a time.

mod alert_strip;
pub mod app;
pub mod client;
pub mod copy;
mod data;
pub mod flows;
pub mod form;
mod form_view;
pub mod input;
pub mod keymap;
mod keys;
mod list_view;
mod mine_view;
mod notice;
pub mod overlay;
pub mod picker;
mod presence;
mod reading;
mod reply;
pub mod routine;
mod routine_view;
pub mod saved_views;
pub(crate) mod sort;
pub mod term;
pub mod views;
pub mod windows;

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::Timelike;
use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};
use ratatui::crossterm::terminal::{
    self, BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
    LeaveAlternateScreen,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::Terminal;
use signal_hook::consts::{SIGHUP, SIGTERM};

use crate::desk::api::{DeskError, Response};
use crate::desk::{clock, Notice};
use crate::search::{Doc, Index};
use app::{App, Out, Want};
use keymap::Keymap;
use term::DeskBackend;

pub enum Event {
    Term(TermEvent),
    Reply(Want, Result<Response, DeskError>),
    Notice(Notice),
    /// What changed in a watched window.
    View(crate::desk::views::WindowDelta),
    /// Who has which case open (see `presence`).
    Presence(Vec<crate::desk::api::Viewer>),
    /// The server's check found the database damaged.
    Damaged(String),
    Online(bool, Option<String>),
    Search(u64, Vec<usize>),
    /// The terminal went away (SSH dropped) or a stop signal came.
    Hangup,
    /// An export finished: rows written, or why not.
    Exported(client::ExportJob, Result<usize, String>),
}

pub struct Options {
    pub db: PathBuf,
    pub socket: PathBuf,
    pub keymap: Option<String>,
    pub ascii: bool,
}

/// The key-person register's search (cases are searched on the server).
enum SearchMsg {
    Index(Vec<Doc>),
    Query {
        gen: u64,
        query: String,
        scope: Vec<usize>,
    },
}

fn search_thread(rx: Receiver<SearchMsg>, events: Sender<Event>) {
    let mut persons = Index::default();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let mut query = None;
        for msg in batch {
            match msg {
                SearchMsg::Index(docs) => persons = Index::new(docs),
                q @ SearchMsg::Query { .. } => query = Some(q),
            }
        }
        if let Some(SearchMsg::Query { gen, query, scope }) = query {
            let rows = persons.search(&query, Some(&scope));
            if events.send(Event::Search(gen, rows)).is_err() {
                return;
            }
        }
    }
}

/// How often an unsent form is sent to the server while the officer types.
const DRAFT_EVERY: Duration = Duration::from_millis(300);

/// Set by SIGHUP or SIGTERM.
static STOP: LazyLock<Arc<AtomicBool>> = LazyLock::new(Default::default);

fn restore_terminal() {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

pub fn run(opts: Options) -> anyhow::Result<()> {
    crate::timing::since_start("tui: run");
    // Transparent huge pages make the allocator's memory count in 2 MB
    // steps; a desk holding 100 000 cases stays a quarter smaller without
    // them, at no cost in speed. (The desk runs once per officer.)
    let _ = nix::sys::prctl::set_thp_disable(true);
    crate::server::ensure_running(&opts.db, &opts.socket)?;
    // A server that is not the expected service account, or an account
    // not on the roster (which could do nothing but watch 正在载入…), is
    // told in plain words before the screen opens.
    use crate::desk::{remote::Remote, DeskError};
    // The connection checked here is the desk's one connection.
    let first = match Remote::connect(&opts.socket, true) {
        Err(e @ DeskError::Refused(_)) => return Err(e.into()),
        Ok(Remote {
            officer: Err(e @ DeskError::NotOnRoster(_)),
            ..
        }) => return Err(e.into()),
        Ok(r) => Some(r),
        Err(_) => None,
    };
    let (keymap, keymap_warning) = Keymap::load(opts.keymap.as_deref());

    // Only Chinese reaches the officer: the OS words are left out.
    terminal::enable_raw_mode().map_err(|_| {
        anyhow::anyhow!(
            "无法进入全屏模式：这里不是终端。经 ssh 登录请用 ssh -t；在脚本里请带命令，如 {} list disputes",
            crate::desk::paths::program()
        )
    })?;
    let prev_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        prev_hook(info);
    }));
    // SIGHUP (the SSH session dropped) and SIGTERM end the desk cleanly;
    // unsent form drafts are already on the server.
    for sig in [SIGHUP, SIGTERM] {
        // Cannot fail: both signals may be caught.
        let _ = signal_hook::flag::register(sig, Arc::clone(&STOP));
    }
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout());
    // Clear ourselves: ratatui's clear() asks the terminal where the cursor
    // is, and a slow SSH link may not answer in time.
    let screen = |e: std::io::Error| {
        restore_terminal();
        anyhow::anyhow!("无法打开全屏界面：{}", crate::private_fs::describe(&e))
    };
    execute!(
        out,
        EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All)
    )
    .map_err(screen)?;
    let mut terminal = Terminal::new(DeskBackend::new(out)).map_err(screen)?;
    let result = event_loop(&mut terminal, opts, keymap, keymap_warning, first);
    restore_terminal();
    result
}

fn event_loop(
    terminal: &mut Terminal<DeskBackend<BufWriter<std::io::Stdout>>>,
    opts: Options,
    keymap: Keymap,
    keymap_warning: Option<String>,
    first: Option<crate::desk::remote::Remote>,
) -> anyhow::Result<()> {
    let (tx, rx) = channel::<Event>();
    spawn_input(tx.clone())?;
    let (search_tx, search_rx) = channel::<SearchMsg>();
    let search_events = tx.clone();
    std::thread::Builder::new()
        .name("desk-search".into())
        .spawn(move || search_thread(search_rx, search_events))?;
    let client = client::Client::start(opts.socket.clone(), tx.clone(), first);

    let mut app = App::new(keymap, clock::now(), opts.ascii);
    app.osc52 = std::env::var("DESK_CLIPBOARD").map_or(true, |v| v.trim() != "off");
    if let Some(w) = keymap_warning {
        app.say(w, true);
    }
    app.load();
    crate::timing::since_start("tui: event loop");
    let mut dirty = true;
    let mut timed = false;
    let mut last_draft = std::time::Instant::now();
    // Drafts sent and not yet answered: the desk waits for them on its way out.
    let mut drafts_in_flight = 0usize;
    loop {
        // An unsent form goes to the server as the officer types (at most
        // every DRAFT_EVERY), so a dropped session loses nothing.
        if last_draft.elapsed() >= DRAFT_EVERY {
            if let Some(req) = app.draft_request() {
                app.out.push(Out::Request(Want::SaveDraft, req));
                last_draft = std::time::Instant::now();
            }
        }
        // Effects first: requests and searches leave before we draw.
        drafts_in_flight += send_effects(&mut app, &client, &search_tx, &tx);
        if app.quit || STOP.load(Ordering::SeqCst) || tty_gone() {
            save_last_draft(&mut app, &client, &rx, drafts_in_flight);
            return Ok(());
        }
        if dirty {
            if let Err(e) = draw(terminal, &mut app) {
                // The terminal went away (the SSH session dropped): the form
                // being typed reaches the server before the desk ends.
                save_last_draft(&mut app, &client, &rx, drafts_in_flight);
                return Err(e);
            }
            dirty = false;
            if app.data.loaded && !timed {
                timed = true;
                crate::timing::since_start("tui: first frame with cases");
            }
            if !app.out.is_empty() {
                // Drawing learnt the page's height: rows to ask for.
                continue;
            }
        }
        // Sleep until an event or the next minute (the clock shows minutes).
        let now = clock::now();
        let mut wait = Duration::from_secs(60 - now.second() as u64).min(Duration::from_secs(1));
        if app.draft_pending() {
            // Wake to send the form's last keystrokes even if no key follows.
            wait = wait.min(DRAFT_EVERY.saturating_sub(last_draft.elapsed()));
        }
        let first = match rx.recv_timeout(wait) {
            Ok(e) => Some(e),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let fresh = clock::now();
        if fresh.format("%H:%M").to_string() != app.now.format("%H:%M").to_string() {
            app.now = fresh;
            dirty = true;
        }
        // Collapse what is queued into one frame, but draw at least every
        // frame's worth of work: a big reply must not hold back the screen.
        let batch = std::time::Instant::now();
        for e in first
            .into_iter()
            .chain(std::iter::from_fn(|| rx.try_recv().ok()))
        {
            if matches!(e, Event::Reply(Want::SaveDraft, _)) {
                drafts_in_flight = drafts_in_flight.saturating_sub(1);
            }
            dirty |= handle(&mut app, e);
            app.tell_looking();
            if batch.elapsed() > Duration::from_millis(16) {
                break;
            }
        }
    }
}

/// Whether the terminal has gone (its window or SSH session closed). The
/// kernel sends SIGHUP only to the session leader, so a desk started from a
/// script may never get one, and crossterm's reader keeps retrying a tty
/// that reads EOF or EIO; the loop (awake at least every second) asks here.
fn tty_gone() -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
    let gone = PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL;
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(_) => fds[0].revents().is_some_and(|r| r.intersects(gone)),
        Err(_) => false,
    }
}

/// Reads the terminal on its own thread. Polled, so a hang-up signal wakes
/// the loop at once: with the terminal gone a read may never return.
fn spawn_input(tx: Sender<Event>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("desk-input".into())
        .spawn(move || loop {
            if STOP.load(Ordering::SeqCst) {
                let _ = tx.send(Event::Hangup);
                return;
            }
            let polled = event::poll(Duration::from_millis(100)).and_then(|ready| {
                if ready {
                    event::read().map(Some)
                } else {
                    Ok(None)
                }
            });
            match polled {
                Ok(None) => {}
                Ok(Some(e)) => {
                    if tx.send(Event::Term(e)).is_err() {
                        return;
                    }
                }
                Err(_) => {
                    let _ = tx.send(Event::Hangup);
                    return;
                }
            }
        })
        .map(drop)
}

/// Sends what the app queued: requests to the server, exports to their
/// thread, index updates and queries to the search thread. Returns how many
/// drafts it sent.
fn send_effects(
    app: &mut App,
    client: &client::Client,
    search_tx: &Sender<SearchMsg>,
    events: &Sender<Event>,
) -> usize {
    let today = app.today();
    let mut drafts = 0;
    for o in app.out.drain(..) {
        match o {
            Out::Request(want, req) => {
                drafts += usize::from(want == Want::SaveDraft);
                client.send(want, req)
            }
            Out::Export(job) => client.export(job, today, events.clone()),
            Out::Index(docs) => {
                let _ = search_tx.send(SearchMsg::Index(docs));
            }
            Out::Search { gen, query, scope } => {
                let _ = search_tx.send(SearchMsg::Query { gen, query, scope });
            }
        }
    }
    drafts
}

/// On the way out (the terminal went away): the last keystrokes of a form
/// reach the server, and drafts already sent are answered, before the
/// process ends.
fn save_last_draft(
    app: &mut App,
    client: &client::Client,
    rx: &Receiver<Event>,
    mut in_flight: usize,
) {
    if let Some(req) = app.draft_request() {
        client.send(Want::SaveDraft, req);
        in_flight += 1;
    }
    let deadline = std::time::Instant::now() + Duration::from_millis(800);
    while in_flight > 0 {
        let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
            return;
        };
        match rx.recv_timeout(left) {
            Ok(Event::Reply(Want::SaveDraft, _)) => in_flight -= 1,
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

fn handle(app: &mut App, e: Event) -> bool {
    match e {
        Event::Term(TermEvent::Key(k)) if k.kind != KeyEventKind::Release => app.on_key(k),
        Event::Term(TermEvent::Resize(..)) => {}
        Event::Term(_) => return false,
        Event::Reply(want, result) => app.on_reply(want, result),
        Event::Notice(n) => app.on_notice(n),
        Event::View(d) => app.on_view_delta(d),
        Event::Presence(v) => app.on_presence(v),
        Event::Damaged(why) => app.on_damaged(why),
        Event::Online(on, why) => {
            if on == app.online && !on {
                return false;
            }
            app.set_online(on, why)
        }
        Event::Search(gen, rows) => app.on_search(gen, rows),
        Event::Hangup => app.quit = true,
        Event::Exported(job, result) => app.on_exported(&job, result),
    }
    true
}

fn draw(
    terminal: &mut Terminal<DeskBackend<BufWriter<std::io::Stdout>>>,
    app: &mut App,
) -> anyhow::Result<()> {
    execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
    terminal.draw(|f| views::draw(f, app))?;
    if let Some(text) = app.clipboard.take() {
        terminal
            .backend_mut()
            .write_all(copy::osc52(&text).as_bytes())?;
    }
    execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
    terminal.backend_mut().flush()?;
    Ok(())
}
