//! How many connections the server holds, and for how long: a cap per uid
//! and in all (each connection is a thread, and two file descriptors), an
//! idle timeout for connections that do not take change notices, and the
//! file-descriptor limit raised as far as the system allows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::resource::{getrlimit, setrlimit, Resource};

use crate::desk::api::Request;
use crate::domain::limits::{MAX_DRAFT_BYTES, MAX_LINE_CHARS, MAX_NAME_CHARS, MAX_PARTIES};

/// The server's connection limits (`desk serve` options).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections one uid may hold at once. An officer's desk uses three
    /// (calls, summaries, notices) and each CLI command one, briefly.
    pub per_uid: usize,
    /// Connections in all: bounds the threads (two per connection at most)
    /// and the file descriptors.
    pub total: usize,
    /// A connection that does not take change notices and sends nothing for
    /// this long is closed (a CLI command is done in seconds; a desk's
    /// calls reconnect by themselves).
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_uid: 16,
            total: 256,
            idle: Duration::from_secs(300),
        }
    }
}

/// Raises the soft file-descriptor limit to the hard one, and returns how
/// many connections fit in it: each holds two descriptors (the socket and
/// its clone for writing), and the database, log and listener need a few.
pub fn raise_fd_limit() -> usize {
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return usize::MAX;
    };
    let now = if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        hard
    } else {
        soft
    };
    usize::try_from(now.saturating_sub(64) / 2).unwrap_or(usize::MAX)
}

/// The open connections, by uid.
pub struct Admission {
    limits: Limits,
    open: Mutex<HashMap<u32, usize>>,
    /// A connection closed since the allocator was last trimmed.
    closed: AtomicBool,
}

/// One admitted connection; dropping it frees its place.
pub struct Ticket {
    admission: Arc<Admission>,
    uid: u32,
}

impl Admission {
    pub fn new(limits: Limits) -> Arc<Admission> {
        Arc::new(Admission {
            limits,
            open: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// A place for one more connection of `uid`, or why there is none.
    pub fn admit(self: &Arc<Self>, uid: u32) -> Result<Ticket, String> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(&uid).copied().unwrap_or(0);
        if mine >= self.limits.per_uid {
            return Err(format!(
                "您的账号已有 {mine} 个连接，达到上限 {}；请关闭不用的值班台窗口后再试",
                self.limits.per_uid
            ));
        }
        if total >= self.limits.total {
            return Err(format!(
                "服务端连接已满（{total} 个），请稍后再试；如持续出现请联系管理员"
            ));
        }
        *open.entry(uid).or_insert(0) += 1;
        Ok(Ticket {
            admission: Arc::clone(self),
            uid,
        })
    }

    /// Whether a connection closed since the last call (then memory freed
    /// by it can be handed back).
    pub fn take_closed(&self) -> bool {
        self.closed.swap(false, Ordering::Relaxed)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self
            .admission
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.uid) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.uid);
            }
        }
        self.admission.closed.store(true, Ordering::Relaxed);
    }
}

/// 正在查看: a desk tells the server what it has open when the officer
/// opens a case or a person, a few times a minute. Bursts of this many are
/// taken at once ...
pub const LOOKS_BURST: u32 = 20;
/// ... and this many a second after that; more is refused.
pub const LOOKS_PER_SECOND: u32 = 5;
/// A record id: "MD-2026-000001", a year past a million cases "MD-2026-1000000".
pub const MAX_RECORD_ID: usize = 24;

/// Search text a desk sends at a keystroke (a name, a place, an 编号).
pub const MAX_SEARCH_CHARS: usize = 64;

/// What each request may name, beyond the frame's own bound
/// (`wire::MAX_CLIENT_FRAME`, 1 MiB). A request past its bound is refused
/// before it reaches the database. Listed for every request, so a new one
/// must say what bounds it.
pub fn bound(req: &Request) -> Result<(), String> {
    let id = |id: &str| {
        (id.len() <= MAX_RECORD_ID)
            .then_some(())
            .ok_or_else(|| "编号过长".to_string())
    };
    match req {
        // Fixed size, or a date, a flag or a small number.
        Request::Whoami
        | Request::Summaries
        | Request::Tally
        | Request::Unwatch { .. }
        | Request::Persons { .. }
        | Request::PersonCounts
        | Request::PersonRules
        | Request::Officers
        | Request::Lists
        | Request::Audit { .. }
        | Request::Check
        | Request::LastAction
        | Request::Undo
        | Request::Draft { .. }
        | Request::RiskSetup
        | Request::ResetWeights
        | Request::Periods
        | Request::Rollcall { .. }
        | Request::SetRollcall { .. }
        | Request::SetEscalation { .. }
        | Request::Sweep
        | Request::Report { .. } => Ok(()),
        // A real record, its officer may see, at a pace (`presence`).
        Request::Looking { .. } => Ok(()),
        // Rows: at most `MAX_WINDOW` a window (clamped); watched slots:
        // `watches::MAX_WATCHES` a connection.
        Request::View { query, .. } => {
            if query.search.chars().count() > MAX_SEARCH_CHARS {
                return Err(format!("搜索内容不能超过 {MAX_SEARCH_CHARS} 个字"));
            }
            Ok(())
        }
        Request::Locate { query, id: i } => {
            if query.search.chars().count() > MAX_SEARCH_CHARS {
                return Err(format!("搜索内容不能超过 {MAX_SEARCH_CHARS} 个字"));
            }
            id(i)
        }
        Request::Mine { .. } => Ok(()),
        Request::Ids { part } => id(part),
        Request::SummariesOf { ids } => {
            if ids.len() > crate::desk::local::MAX_WINDOW as usize {
                return Err("一次查询的案件过多".into());
            }
            ids.iter().try_for_each(|i| id(i))
        }
        Request::Duplicate { village, parties } => {
            if parties.len() > MAX_PARTIES
                || std::iter::once(village)
                    .chain(parties)
                    .any(|n| n.chars().count() > MAX_NAME_CHARS)
            {
                return Err(format!(
                    "当事人最多 {MAX_PARTIES} 个，名称不能超过 {MAX_NAME_CHARS} 个字"
                ));
            }
            Ok(())
        }
        // The draft is enums; the flags at most one of each.
        Request::Preview { id: i, draft } => {
            if draft.flags.len() > 16 {
                return Err("预警情形过多".into());
            }
            id(i)
        }
        Request::AssignHint { id: i } | Request::Dispute { id: i } => id(i),
        Request::Person { id: i, reason } => {
            if reason
                .as_ref()
                .is_some_and(|r| r.chars().count() > MAX_LINE_CHARS)
            {
                return Err(format!("理由不能超过 {MAX_LINE_CHARS} 个字"));
            }
            id(i)
        }
        // Every field checked by the operation against `domain::limits`
        // (names 50, lines 500, texts 5,000 characters, parties 200).
        Request::Register { .. }
        | Request::AddPerson { .. }
        | Request::RosterAdd { .. }
        | Request::ListAdd { .. }
        | Request::SetPersonRules { .. }
        | Request::SetWeight { .. }
        | Request::AddPeriod { .. }
        | Request::RemovePeriod { .. }
        | Request::RecordRollcall { .. }
        | Request::Backup { .. } => Ok(()),
        Request::Change { id: i, .. } => id(i),
        // `MAX_DRAFT_BYTES` a draft, a few slots an officer.
        Request::SaveDraft { value, .. } => {
            if value.as_ref().is_some_and(|v| v.len() > MAX_DRAFT_BYTES) {
                return Err("草稿过大，未保存".into());
            }
            Ok(())
        }
        // Rows and bytes bounded while staging (`MAX_IMPORT_ROWS`,
        // `MAX_STAGED_BYTES`); exports read what the officer may see.
        Request::ImportLedger { .. } | Request::ExportLedger { .. } => Ok(()),
        Request::ExportPersons { notify, .. } => {
            if notify
                .as_ref()
                .is_some_and(|n| n.chars().count() > MAX_LINE_CHARS)
            {
                return Err(format!("说明不能超过 {MAX_LINE_CHARS} 个字"));
            }
            Ok(())
        }
    }
}

/// How often a repeated refusal is written to the log.
pub const REFUSALS_EVERY: Duration = Duration::from_secs(60);

/// Refusals written to the log at most once a minute for each account and
/// kind: the first as it happens, the rest summed once the minute is over.
/// A flood of connections cannot fill the disk through the log.
#[derive(Default)]
pub struct Refusals {
    open: Mutex<HashMap<RefusalKey, Minute>>,
}

/// Whose refusals, of which kind.
type RefusalKey = (u32, &'static str);
/// When the minute began, and the refusals since its first.
type Minute = (std::time::Instant, u64);

impl Refusals {
    /// Notes one refusal of `kind` for `uid`: whether to log it now, and
    /// the sums of minutes just over, to log first.
    pub fn note(
        &self,
        uid: u32,
        kind: &'static str,
        now: std::time::Instant,
    ) -> (bool, Vec<String>) {
        let over = self.over(now);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.get_mut(&(uid, kind)) {
            Some((_, more)) => {
                *more += 1;
                (false, over)
            }
            None => {
                open.insert((uid, kind), (now, 0));
                (true, over)
            }
        }
    }

    /// The sums of the minutes that are over ("…又拒绝 N 次"), forgotten once said.
    pub fn over(&self, now: std::time::Instant) -> Vec<String> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let mut said = Vec::new();
        open.retain(|&(uid, kind), &mut (since, more)| {
            let done = now.saturating_duration_since(since) >= REFUSALS_EVERY;
            if done && more > 0 {
                said.push(format!(
                    "uid {uid}：此后一分钟内又{kind} {more} 次，未逐条记录"
                ));
            }
            !done
        });
        said
    }
}

/// A token bucket: `burst` at once, `per_second` after that.
pub struct Rate {
    burst: f64,
    per_second: f64,
    tokens: f64,
    at: std::time::Instant,
}

impl Rate {
    pub fn new(burst: u32, per_second: u32) -> Rate {
        Rate {
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            tokens: f64::from(burst),
            at: std::time::Instant::now(),
        }
    }

    /// Whether one more may go now (then it is counted).
    pub fn take(&mut self, now: std::time::Instant) -> bool {
        let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_past_their_bound_are_refused() {
        use crate::desk::views::ViewQuery;
        use crate::domain::screens::Screen;
        let view = |search: String| Request::View {
            query: ViewQuery {
                screen: Screen::Queue,
                search,
                sort: None,
            },
            from: 0,
            limit: 50,
            watch: None,
        };
        assert!(bound(&view("张三".into())).is_ok());
        assert!(bound(&view("张".repeat(MAX_SEARCH_CHARS + 1)))
            .unwrap_err()
            .contains("搜索内容"));
        let ids = |part: String| Request::Ids { part };
        assert!(bound(&ids("2026-0001".into())).is_ok());
        assert!(bound(&ids("9".repeat(1 << 19))).is_err());
        let many = Request::SummariesOf {
            ids: vec!["MD-2026-000001".into(); 10_000],
        };
        assert!(bound(&many).is_err());
    }

    #[test]
    fn refusals_are_logged_once_a_minute_and_summed() {
        let r = Refusals::default();
        let t0 = std::time::Instant::now();
        assert_eq!(r.note(7, "拒绝连接", t0), (true, vec![]));
        for i in 1..=500 {
            let (log, over) = r.note(7, "拒绝连接", t0 + Duration::from_millis(i));
            assert!(!log && over.is_empty());
        }
        // Another account, or another kind, is its own.
        assert!(r.note(8, "拒绝连接", t0).0);
        assert!(r.note(7, "断开", t0).0);
        let later = t0 + REFUSALS_EVERY;
        let (log, over) = r.note(7, "拒绝连接", later);
        assert!(log);
        assert_eq!(
            over,
            vec!["uid 7：此后一分钟内又拒绝连接 500 次，未逐条记录"]
        );
        assert!(r.over(later).is_empty(), "said once");
    }

    #[test]
    fn a_rate_takes_its_burst_then_its_pace() {
        let t0 = std::time::Instant::now();
        let mut r = Rate::new(3, 2);
        assert!((0..3).all(|_| r.take(t0)));
        assert!(!r.take(t0));
        assert!(r.take(t0 + Duration::from_millis(500)));
        assert!(!r.take(t0 + Duration::from_millis(600)));
        // Idle for long: back to the burst, no more.
        let later = t0 + Duration::from_secs(60);
        assert!((0..3).all(|_| r.take(later)));
        assert!(!r.take(later));
    }

    #[test]
    fn a_uid_at_its_cap_is_refused_while_others_get_in() {
        let a = Admission::new(Limits {
            per_uid: 2,
            total: 3,
            idle: Duration::from_secs(1),
        });
        let t1 = a.admit(1000).unwrap();
        let _t2 = a.admit(1000).unwrap();
        assert!(a.admit(1000).err().unwrap().contains("达到上限 2"));
        let _t3 = a.admit(1001).unwrap();
        assert!(a.admit(1002).err().unwrap().contains("连接已满"));
        assert!(!a.take_closed());
        drop(t1);
        assert!(a.take_closed());
        assert!(a.admit(1000).is_ok());
    }
}
