//! `desk`: the command line. Parses and hands over to `duty_desk::cli`,
//! where each subcommand is a thin call into the Desk API.

use std::process::ExitCode;

use duty_desk::cli;

/// Loading 100 000 summaries is allocation-bound; mimalloc halves it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // No English panic text reaches an officer; a panic on a damaged
    // database page is caught where the store reads and reported in Chinese.
    duty_desk::store::quiet_panics();
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    // A CLI piped into `head` should end quietly, as Unix tools do; the
    // long-running socket users keep Rust's default (ignore, and see EPIPE).
    if !cli.keeps_running() {
        // SAFETY: setting a signal disposition has no memory effects.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    // A panic outside the store's guards has been reported by the hook; it
    // ends the command with the ordinary failure status, not Rust's 101.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cli::run(cli)));
    let Ok(ran) = ran else {
        return ExitCode::FAILURE;
    };
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: with the terminal gone (SSH dropped) it would panic.
            use std::io::Write;
            let _ = writeln!(std::io::stderr(), "错误：{e:#}");
            ExitCode::FAILURE
        }
    }
}
