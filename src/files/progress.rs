//! A plain-text progress bar on stderr for large files. On a terminal it
//! redraws one line; into a pipe or a log it prints a line per tenth.

use std::io::{IsTerminal, Write};

pub struct Progress {
    what: &'static str,
    total: u64,
    shown: u64,
    tty: bool,
    on: bool,
}

/// Files smaller than this finish before a bar would be read.
const MIN_ROWS: u64 = 2000;

impl Progress {
    pub fn new(what: &'static str, total: u64) -> Progress {
        Progress {
            what,
            total,
            shown: u64::MAX,
            tty: std::io::stderr().is_terminal(),
            on: total >= MIN_ROWS,
        }
    }

    /// A better idea of the total (a file is counted as it is read).
    pub fn set_total(&mut self, total: u64) {
        if total != self.total {
            self.total = total;
            self.on = total >= MIN_ROWS;
            self.shown = u64::MAX;
        }
    }

    pub fn set(&mut self, done: u64) {
        if !self.on || self.total == 0 {
            return;
        }
        let step = if self.tty { 100 } else { 10 };
        let at = done.min(self.total) * step / self.total;
        if at == self.shown {
            return;
        }
        self.shown = at;
        let pct = done.min(self.total) * 100 / self.total;
        let filled = (pct / 5) as usize;
        let bar = format!("{}{}", "#".repeat(filled), ".".repeat(20 - filled));
        let mut err = std::io::stderr().lock();
        let line = format!("{} [{bar}] {pct:>3}% {done}/{} 行", self.what, self.total);
        let _ = if self.tty {
            write!(err, "\r{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
    }

    pub fn finish(&mut self) {
        if self.on && self.tty && self.shown != u64::MAX {
            let _ = writeln!(std::io::stderr());
        }
        self.on = false;
    }
}
