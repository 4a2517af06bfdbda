//! Phase timings for profiling: with `DESK_TIMING=1` in the environment,
//! `Phases::mark` prints how long each named phase took to stderr. Off, it
//! costs one branch.

use std::sync::OnceLock;
use std::time::Instant;

fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DESK_TIMING").is_some_and(|v| v == "1"))
}

/// CPU seconds this process has used, all threads, user and system.
fn cpu_secs() -> f64 {
    // SAFETY: getrusage fills the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
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
            eprintln!(
                "[timing] {} {name}: {:.1} ms, cpu {:.1} ms (total {:.1} ms)",
                self.what,
                (now - self.last).as_secs_f64() * 1000.0,
                (cpu - self.cpu) * 1000.0,
                (now - self.start).as_secs_f64() * 1000.0
            );
            self.last = now;
            self.cpu = cpu;
        }
    }
}
