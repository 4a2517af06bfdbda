//! The TUI's side of the socket: one connection for calls (a worker thread
//! that answers requests in order) and one for change notices, which also
//! tells the screen when the connection drops and comes back.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::app::Want;
use super::Event;
use crate::desk::api::{DeskError, Request};
use crate::desk::remote::{Pushed, Remote};
use crate::desk::Desk;

pub struct Client {
    tx: Sender<(Want, Request)>,
    /// Requests for every summary go on a connection of their own, so the
    /// big one starts at once instead of after the small ones.
    bulk: Sender<(Want, Request)>,
    gate: Arc<Gate>,
    socket: PathBuf,
}

/// Full summary loads in flight. A request for some summaries waits until
/// none is, so its (newer) answer is never overwritten by an older full one.
#[derive(Default)]
struct Gate {
    loads: Mutex<u32>,
    done: Condvar,
}

impl Gate {
    fn wait_clear(&self) {
        let mut n = self.loads.lock().unwrap_or_else(|p| p.into_inner());
        while *n > 0 {
            n = self.done.wait(n).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn change(&self, by: i32) {
        let mut n = self.loads.lock().unwrap_or_else(|p| p.into_inner());
        *n = n.saturating_add_signed(by);
        self.done.notify_all();
    }
}

/// A file to write from the TUI: the ledger (台账) or the key-person register.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub persons: bool,
    pub path: PathBuf,
    /// The village the officer's view is narrowed to, for the ledger.
    pub village: Option<String>,
}

impl Client {
    pub fn start(socket: PathBuf, events: Sender<Event>) -> Client {
        let (tx, rx) = channel::<(Want, Request)>();
        let (bulk, bulk_rx) = channel::<(Want, Request)>();
        let gate = Arc::new(Gate::default());
        for (name, rx, gate) in [
            ("desk-calls", rx, Arc::clone(&gate)),
            ("desk-load", bulk_rx, Arc::clone(&gate)),
        ] {
            let calls_socket = socket.clone();
            let calls_events = events.clone();
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || calls(calls_socket, rx, calls_events, &gate))
                .expect("spawn call thread");
        }
        let notice_socket = socket.clone();
        std::thread::Builder::new()
            .name("desk-notices".into())
            .spawn(move || notices(notice_socket, events))
            .expect("spawn notice thread");
        Client {
            tx,
            bulk,
            gate,
            socket,
        }
    }

    /// Writes an export on its own connection and thread: 100 000 rows take
    /// seconds, and the screen must not wait. The server records the export.
    pub fn export(&self, job: ExportJob, today: chrono::NaiveDate, events: Sender<Event>) {
        let socket = self.socket.clone();
        let _ = std::thread::Builder::new()
            .name("desk-export".into())
            .spawn(move || {
                let result = run_export(&socket, &job, today).map_err(|e| format!("{e:#}"));
                let _ = events.send(Event::Exported(job, result));
            });
    }

    pub fn send(&self, want: Want, req: Request) {
        if matches!(req, Request::Summaries) {
            self.gate.change(1);
            if self.bulk.send((want, req)).is_err() {
                self.gate.change(-1);
            }
        } else {
            let _ = self.tx.send((want, req));
        }
    }
}

fn run_export(
    socket: &std::path::Path,
    job: &ExportJob,
    today: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    use crate::files::{self, Format};
    let format = Format::choose(None, &job.path)?;
    let mut remote = Remote::connect(socket, false)?;
    if job.persons {
        return files::persons::export(&mut remote, format, &job.path, false, None, today);
    }
    let filter = crate::desk::ledger::LedgerFilter {
        village: job.village.clone(),
        ..Default::default()
    };
    files::ledger::export(&mut remote, format, &job.path, filter)
}

fn calls(socket: PathBuf, rx: Receiver<(Want, Request)>, events: Sender<Event>, gate: &Gate) {
    let mut remote: Option<Remote> = None;
    for (want, req) in rx {
        let load = matches!(req, Request::Summaries);
        // Changed summaries wait for a full load in flight (see `Gate`); so
        // does the key-person register, which would only slow the load down
        // (both need the same two cores) for a screen that is not shown first.
        if matches!(req, Request::SummariesOf { .. } | Request::Persons { .. }) {
            gate.wait_clear();
        }
        // Reads are safe to retry once after a reconnect (`Remote::call`
        // retries changes itself, with their request key); the notice thread
        // reports the connection state, so failures here only answer the call.
        let mut result = Err(DeskError::Connection("连接中断".into()));
        for _attempt in 0..2 {
            if remote.is_none() {
                match Remote::connect(&socket, false) {
                    Ok(r) => remote = Some(r),
                    // Refused (not on the roster, too many connections): say why.
                    Err(e @ DeskError::Refused(_)) => {
                        result = Err(e);
                        break;
                    }
                    Err(_) => {}
                }
                crate::timing::since_start("tui: connected");
            }
            let Some(r) = remote.as_mut() else {
                std::thread::sleep(Duration::from_millis(300));
                continue;
            };
            if load {
                crate::timing::since_start("tui: load starts");
            }
            let mut t = crate::timing::Phases::new("tui call");
            result = if load {
                // Decoding every summary is the heavy part of start-up: do it
                // here, off the screen's thread, straight from the frame.
                r.load_summaries()
            } else {
                r.call(req.clone()).and_then(crate::desk::api::decode_blob)
            };
            t.mark(if load { "load summaries" } else { "call" });
            if matches!(result, Err(DeskError::Connection(_))) && req.is_query() {
                remote = None;
                continue;
            }
            break;
        }
        let gone = events.send(Event::Reply(want, result)).is_err();
        if load {
            gate.change(-1);
            // The reply frame this thread read is freed: give it back.
            super::release_memory();
        }
        if gone {
            return;
        }
    }
}

fn notices(socket: PathBuf, events: Sender<Event>) {
    loop {
        match Remote::connect(&socket, true) {
            Ok(mut r) => {
                if events.send(Event::Online(true, None)).is_err() {
                    return;
                }
                loop {
                    match r.next_pushed(None) {
                        Ok(Some(p)) => {
                            let event = match p {
                                Pushed::Change(n) => Event::Notice(n),
                                Pushed::Presence(v) => Event::Presence(v),
                                Pushed::Damaged(why) => Event::Damaged(why),
                                // The desk does not watch windows yet.
                                Pushed::View(_) => continue,
                            };
                            if events.send(event).is_err() {
                                return;
                            }
                        }
                        Ok(None) => {}
                        Err(e) => {
                            if events
                                .send(Event::Online(false, Some(format!("{e}，正在重连…"))))
                                .is_err()
                            {
                                return;
                            }
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if events
                    .send(Event::Online(false, Some(format!("{e}，正在重连…"))))
                    .is_err()
                {
                    return;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(700));
    }
}
