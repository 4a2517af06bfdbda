//! The TUI's side of the socket: one connection for calls (a worker thread
//! that answers requests in order) and one for change notices, which also
//! tells the screen when the connection drops and comes back.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use super::app::Want;
use super::Event;
use crate::desk::api::{DeskError, Request};
use crate::desk::remote::Remote;
use crate::desk::Desk;

pub struct Client {
    tx: Sender<(Want, Request)>,
    socket: PathBuf,
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
        let calls_socket = socket.clone();
        let notice_socket = socket.clone();
        let calls_events = events.clone();
        std::thread::Builder::new()
            .name("desk-calls".into())
            .spawn(move || calls(calls_socket, rx, calls_events))
            .expect("spawn call thread");
        std::thread::Builder::new()
            .name("desk-notices".into())
            .spawn(move || notices(notice_socket, events))
            .expect("spawn notice thread");
        Client { tx, socket }
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
        let _ = self.tx.send((want, req));
    }
}

fn run_export(
    socket: &std::path::Path,
    job: &ExportJob,
    today: chrono::NaiveDate,
) -> anyhow::Result<usize> {
    use crate::report::{self, Format};
    let format = Format::choose(None, &job.path)?;
    let mut remote = Remote::connect(socket, false)?;
    if job.persons {
        return report::persons::export(&mut remote, format, &job.path, false, today);
    }
    let filter = crate::desk::ledger::LedgerFilter {
        village: job.village.clone(),
        ..Default::default()
    };
    report::ledger::export(&mut remote, format, &job.path, filter)
}

fn calls(socket: PathBuf, rx: Receiver<(Want, Request)>, events: Sender<Event>) {
    let mut remote: Option<Remote> = None;
    for (want, req) in rx {
        // Reads are safe to retry once after a reconnect; the notice thread
        // reports the connection state, so failures here only answer the call.
        let mut result = Err(DeskError::Connection("连接中断".into()));
        for _attempt in 0..2 {
            if remote.is_none() {
                remote = Remote::connect(&socket, false).ok();
            }
            let Some(r) = remote.as_mut() else {
                std::thread::sleep(Duration::from_millis(300));
                continue;
            };
            // Decoding every summary is the heavy part of start-up: do it
            // here, off the screen's thread.
            result = r.call(req.clone()).and_then(crate::desk::api::decode_blob);
            if matches!(result, Err(DeskError::Connection(_))) && req.is_query() {
                remote = None;
                continue;
            }
            break;
        }
        if events.send(Event::Reply(want, result)).is_err() {
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
                    match r.next_notice(None) {
                        Ok(Some(n)) => {
                            if events.send(Event::Notice(n)).is_err() {
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
