//! The TUI's side of the socket: one connection per desk. A writer thread
//! sends the calls in order; a reader thread takes every frame that comes
//! back (replies, change notices, window changes, presence) and reconnects
//! when the connection drops, sending again what may be sent again.

use std::collections::HashMap;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::app::Want;
use super::Event;
use crate::desk::api::{decode_blob, DeskError, Request, Resend};
use crate::desk::remote::{maybe_saved, new_key, Remote};
use crate::desk::wire::{read_frame, write_frame, ClientMsg, ServerMsg, MAX_SERVER_FRAME};
use crate::store::RequestKey;

pub struct Client {
    tx: Sender<Call>,
    socket: PathBuf,
}

/// A call on its way: a change keeps its key when it is sent again.
struct Call {
    want: Want,
    req: Request,
    key: Option<RequestKey>,
    /// Sent once already, on a connection that dropped.
    again: bool,
}

/// The connection the two threads share, and the calls awaiting a reply.
#[derive(Default)]
struct Link {
    state: Mutex<LinkState>,
    up: Condvar,
}

#[derive(Default)]
struct LinkState {
    stream: Option<UnixStream>,
    next_id: u64,
    pending: HashMap<u64, Call>,
}

impl Link {
    fn lock(&self) -> MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// How long a call waits for a dropped connection to come back.
const WAIT_FOR_LINK: Duration = Duration::from_secs(3);
/// The pause between two tries to reconnect.
const RECONNECT_PAUSE: Duration = Duration::from_millis(700);

/// A file to write from the TUI: the ledger (台账) or the key-person register.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    pub persons: bool,
    pub path: PathBuf,
    /// The village the officer's view is narrowed to, for the ledger.
    pub village: Option<String>,
}

impl Client {
    /// Starts the connection's threads; `first` is a connection already
    /// made (the start-up check's), used instead of a new one.
    pub fn start(socket: PathBuf, events: Sender<Event>, first: Option<Remote>) -> Client {
        let (tx, rx) = channel::<Call>();
        let link = Arc::new(Link::default());
        let (w_link, w_events) = (Arc::clone(&link), events.clone());
        std::thread::Builder::new()
            .name("desk-calls".into())
            .spawn(move || writer(rx, &w_link, &w_events))
            .expect("spawn call thread");
        let (r_socket, again) = (socket.clone(), tx.clone());
        std::thread::Builder::new()
            .name("desk-link".into())
            .spawn(move || reader(r_socket, first, &link, &events, &again))
            .expect("spawn connection thread");
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
        let key = (req.resend() == Resend::WithKey).then(new_key);
        let _ = self.tx.send(Call {
            want,
            req,
            key,
            again: false,
        });
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

/// Whether a newer call makes this one pointless: a window asked again for
/// the same slot (a newer keystroke), 我的 or the counts asked again
/// (several commits in a row), presence told again.
fn superseded(old: &Request, new: &Request) -> bool {
    match (old, new) {
        (Request::View { watch: a, .. }, Request::View { watch: b, .. }) => a.is_some() && a == b,
        (Request::Mine { .. }, Request::Mine { .. })
        | (Request::Tally, Request::Tally)
        | (Request::Looking { .. }, Request::Looking { .. }) => true,
        _ => false,
    }
}

/// Sends the calls in order. Calls queued together are looked over first:
/// one superseded by a later one is answered as cancelled, not sent.
fn writer(rx: Receiver<Call>, link: &Link, events: &Sender<Event>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let keep: Vec<bool> = (0..batch.len())
            .map(|i| {
                !batch[i + 1..]
                    .iter()
                    .any(|c| superseded(&batch[i].req, &c.req))
            })
            .collect();
        for (call, keep) in batch.into_iter().zip(keep) {
            if !keep {
                continue;
            }
            if let Err(call) = send(link, call) {
                // A change sent once before may have been applied then.
                let why = match call.req.resend() {
                    Resend::WithKey | Resend::Never if call.again => {
                        maybe_saved(&call.req, "连接中断")
                    }
                    _ => DeskError::Connection("连接中断，正在重连…".into()),
                };
                if events.send(Event::Reply(call.want, Err(why))).is_err() {
                    return;
                }
            }
        }
    }
}

/// Writes one call once the connection is up (waiting a little for it);
/// the call comes back when there is none.
fn send(link: &Link, call: Call) -> Result<(), Box<Call>> {
    let mut st = link.lock();
    let deadline = std::time::Instant::now() + WAIT_FOR_LINK;
    while st.stream.is_none() {
        let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
            return Err(Box::new(call));
        };
        st = link
            .up
            .wait_timeout(st, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
    st.next_id += 1;
    let id = st.next_id;
    let msg = ClientMsg::Call {
        id,
        req: Box::new(call.req.clone()),
        key: call.key,
    };
    // Pending before written: the reply cannot come first. A failed write
    // leaves it pending: the reader finds the connection gone and settles it.
    st.pending.insert(id, call);
    if let Some(stream) = st.stream.as_mut() {
        if write_frame(stream, &msg).is_err() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
    }
    Ok(())
}

/// Keeps the connection: connects, reads every frame, and after a drop
/// settles the calls left without a reply and connects again.
fn reader(
    socket: PathBuf,
    mut first: Option<Remote>,
    link: &Link,
    events: &Sender<Event>,
    again: &Sender<Call>,
) {
    loop {
        let connected = match first.take() {
            Some(r) => Ok(r),
            None => Remote::connect(&socket, true),
        };
        let why = match connected.map(Remote::into_stream) {
            Ok(stream) => match stream.try_clone() {
                Ok(mut read) => {
                    {
                        let mut st = link.lock();
                        st.stream = Some(stream);
                        link.up.notify_all();
                    }
                    if events.send(Event::Online(true, None)).is_err() {
                        return;
                    }
                    let why = read_all(&mut read, link, events);
                    dropped(link, events, again);
                    why
                }
                Err(e) => Some(crate::private_fs::describe(&e)),
            },
            Err(e) => Some(e.to_string()),
        };
        let Some(why) = why else { return };
        if events
            .send(Event::Online(false, Some(format!("{why}，正在重连…"))))
            .is_err()
        {
            return;
        }
        std::thread::sleep(RECONNECT_PAUSE);
    }
}

/// Reads frames until the connection fails; returns why (None: the
/// screen is gone).
fn read_all(read: &mut UnixStream, link: &Link, events: &Sender<Event>) -> Option<String> {
    loop {
        let event = match read_frame::<ServerMsg>(read, MAX_SERVER_FRAME) {
            Ok(ServerMsg::Reply { id, result }) => {
                let Some(call) = link.lock().pending.remove(&id) else {
                    continue;
                };
                Event::Reply(call.want, result.and_then(decode_blob))
            }
            Ok(ServerMsg::Notice(n)) => Event::Notice(n),
            Ok(ServerMsg::View(d)) => Event::View(d),
            Ok(ServerMsg::Presence(v)) => Event::Presence(v),
            Ok(ServerMsg::Damaged(why)) => Event::Damaged(why),
            Ok(ServerMsg::Bye { reason }) => return Some(format!("连接中断：{reason}")),
            Ok(ServerMsg::Welcome { .. }) => return Some("服务端应答不合协议".into()),
            Err(e) => return Some(format!("连接中断：{e}")),
        };
        if events.send(event).is_err() {
            return None;
        }
    }
}

/// The connection dropped: a call that may be sent again goes once more
/// (a change with its key, which the server applies at most once); the
/// others are answered with what the officer must check.
fn dropped(link: &Link, events: &Sender<Event>, again: &Sender<Call>) {
    let pending: Vec<Call> = {
        let mut st = link.lock();
        st.stream = None;
        let mut calls: Vec<(u64, Call)> = st.pending.drain().collect();
        calls.sort_by_key(|(id, _)| *id);
        calls.into_iter().map(|(_, c)| c).collect()
    };
    for mut call in pending {
        let resend = call.req.resend();
        if resend != Resend::Never && !call.again {
            call.again = true;
            let _ = again.send(call);
            continue;
        }
        let why = match resend {
            Resend::Freely => DeskError::Connection("连接中断".into()),
            Resend::WithKey | Resend::Never => maybe_saved(&call.req, "连接中断"),
        };
        let _ = events.send(Event::Reply(call.want, Err(why)));
    }
}
