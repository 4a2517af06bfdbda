//! Phase timings for profiling: with `DESK_TIMING=1` in the environment,
//! `Phases::mark` prints how long each named phase took to stderr. Off, it
//! costs one branch.

use std::sync::OnceLock;
use std::time::Instant;

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::time::TimeVal;
use nix::unistd::{sysconf, SysconfVar};

/// Where timings go: `DESK_TIMING=1` to stderr, `DESK_TIMING=/path` to
/// the end of that file (for a full-screen process, whose stderr is the screen).
fn sink() -> &'static Option<Option<std::path::PathBuf>> {
    static SINK: OnceLock<Option<Option<std::path::PathBuf>>> = OnceLock::new();
    SINK.get_or_init(|| match std::env::var_os("DESK_TIMING") {
        Some(v) if v == "1" => Some(None),
        Some(v) if !v.is_empty() && v != "0" => Some(Some(v.into())),
        _ => None,
    })
}

fn on() -> bool {
    sink().is_some()
}

fn emit(line: &str) {
    match sink() {
        Some(None) => eprintln!("{line}"),
        Some(Some(path)) => {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(f, "{line}");
            }
        }
        None => {}
    }
}

/// Milliseconds since this process started (from /proc), for one-off marks.
pub fn since_start(what: &str) {
    if !on() {
        return;
    }
    let uptime = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok());
    let started = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            rest.split_whitespace().nth(19)?.parse::<f64>().ok()
        });
    let hz = sysconf(SysconfVar::CLK_TCK).ok().flatten().unwrap_or(100) as f64;
    if let (Some(up), Some(start)) = (uptime, started) {
        emit(&format!(
            "[timing] {what}: {:.1} ms since process start",
            (up - start / hz) * 1000.0
        ));
    }
}

/// CPU seconds this process has used, all threads, user and system.
fn cpu_secs() -> f64 {
    let Ok(u) = getrusage(UsageWho::RUSAGE_SELF) else {
        return 0.0;
    };
    let t = |v: TimeVal| v.tv_sec() as f64 + v.tv_usec() as f64 / 1e6;
    t(u.user_time()) + t(u.system_time())
}

/// A stopwatch over consecutive phases of one piece of work.
pub struct Phases {
    what: &'static str,
    start: Instant,
    last: Instant,
    cpu: f64,
}

impl Phases {
    pub fn new(what: &'static str) -> Phases {
        let now = Instant::now();
        Phases {
            what,
            start: now,
            last: now,
            cpu: if on() { cpu_secs() } else { 0.0 },
        }
    }

    /// Ends the phase `name` (started at the previous mark).
    pub fn mark(&mut self, name: &str) {
        if on() {
            let now = Instant::now();
            let cpu = cpu_secs();
            emit(&format!(
                "[timing] {} {name}: {:.1} ms, cpu {:.1} ms (total {:.1} ms)",
                self.what,
                (now - self.last).as_secs_f64() * 1000.0,
                (cpu - self.cpu) * 1000.0,
                (now - self.start).as_secs_f64() * 1000.0
            ));
            self.last = now;
            self.cpu = cpu;
        }
    }
}
