//! Issue 25, files: a damaged database never panics anywhere, and `desk
//! check` never changes the file it checks. Seeded corruptions of a small
//! demo database (a few byte ranges overwritten with noise), each given to
//! every command that opens a file and to `desk serve --accept-damaged`,
//! through the real binary with `RUST_BACKTRACE` set as a developer's shell
//! has it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cli::Cli;

/// Seeds run in CI; `DESK_CORRUPTION_SEEDS` runs more (or others: a
/// range `FROM..TO`) when hunting.
const SEEDS: u64 = 40;

fn seeds() -> Vec<u64> {
    let asked = std::env::var("DESK_CORRUPTION_SEEDS").unwrap_or_default();
    match asked.split_once("..") {
        Some((from, to)) => (from.parse().unwrap()..to.parse().unwrap()).collect(),
        None => (1..=asked.parse().unwrap_or(SEEDS)).collect(),
    }
}

/// xorshift64: deterministic noise from a seed, no crate needed.
struct Noise(u64);

impl Noise {
    fn new(seed: u64) -> Noise {
        Noise(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// redb's page size.
const PAGE: u64 = 4096;

/// `base` with one to four byte ranges (up to 64 bytes, now and then up to
/// 600) overwritten with noise.
fn corrupted(base: &[u8], seed: u64) -> Vec<u8> {
    let mut noise = Noise::new(seed);
    let mut bytes = base.to_vec();
    for _ in 0..1 + noise.below(4) {
        // Half the ranges start in a page's header (its kind, key count
        // and child offsets), where redb trusts what it reads the most.
        let at = if noise.below(2) == 0 {
            let pages = bytes.len() as u64 / PAGE;
            (noise.below(pages) * PAGE + noise.below(64)) as usize
        } else {
            noise.below(bytes.len() as u64) as usize
        };
        let longest = if noise.below(4) == 0 { 600 } else { 64 };
        let len = 1 + noise.below(longest) as usize;
        for b in bytes.iter_mut().skip(at).take(len) {
            *b = noise.next() as u8;
        }
    }
    bytes
}

/// A demo database small enough for many seeds; returns it with a case's
/// and a key person's id.
fn demo() -> (Cli, String, String) {
    let cli = Cli::new();
    cli.ok(&[
        "demo",
        "--disputes",
        "40",
        "--persons",
        "8",
        "--seed",
        "3",
        "--today",
        "2026-11-20",
    ]);
    let first = |what: &str| {
        cli.json(&["list", what])[0]["id"]
            .as_str()
            .expect("an id")
            .to_string()
    };
    let (case, person) = (first("disputes"), first("persons"));
    (cli, case, person)
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Three ASCII words in a row: a library's English sentence ("range end
/// index", "found while parsing"), where ours say `desk check` at most.
fn english(s: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for token in s.split(char::is_whitespace) {
        let word = token.trim_matches(|c: char| ",.:;()'\"`".contains(c));
        if word.len() >= 2 && word.chars().all(|c| c.is_ascii_alphabetic()) {
            run.push(word);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// What an officer reads from a process that ran on a damaged file: no
/// panic (Rust's 101, a signal, its text, or our hook's internal-error
/// line), no English library text, and a failure said in Chinese.
fn assert_officer_reads(status: std::process::ExitStatus, err: &str, what: &str) {
    assert!(status.code().is_some(), "{what} died by a signal: {err}");
    assert_ne!(status.code(), Some(101), "{what} panicked: {err}");
    for panic_text in ["panicked", "RUST_BACKTRACE", "stack backtrace", "内部出错"] {
        assert!(!err.contains(panic_text), "{what}: {err}");
    }
    assert_eq!(
        english(err),
        None,
        "{what}: English reached the officer: {err}"
    );
    if !status.success() {
        assert!(
            chinese(err),
            "{what} failed without a Chinese message: {err}"
        );
    }
}

fn on(cli: &Cli, file: &Path, dir: &Path) -> Command {
    let mut c = cli.cmd();
    c.env("DESK_DB", file)
        .env("DESK_SOCKET", dir.join("desk.sock"))
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null());
    c
}

/// Kills the child on drop (a failing test too).
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every command that opens the file, each on its own fresh copy of the
/// damaged bytes. Returns whether any of them refused the file.
fn every_command(cli: &Cli, bytes: &[u8], dir: &Path, ids: (&str, &str)) -> bool {
    let out_file = dir.join("导出.xlsx");
    let out_csv = dir.join("重点人员.csv");
    let commands: Vec<Vec<&str>> = vec![
        vec!["list", "disputes"],
        vec!["list", "persons"],
        vec!["show", ids.0],
        vec!["show", ids.1],
        vec!["check"],
        vec!["log"],
        vec!["whoami"],
        vec!["queue"],
        vec!["export", "ledger", "--out", out_file.to_str().unwrap()],
        vec!["export", "persons", "--out", out_csv.to_str().unwrap()],
        vec!["backup"],
    ];
    let mut refused = false;
    for args in &commands {
        let file = dir.join("desk.redb");
        std::fs::write(&file, bytes).unwrap();
        let out = common::cli::run_bounded(on(cli, &file, dir).args(args));
        let (_, err) = text(&out);
        assert_officer_reads(out.status, &err, &format!("{args:?} in {}", dir.display()));
        refused |= !out.status.success();
    }
    refused
}

/// `desk serve --accept-damaged` on a fresh copy: it either refuses in
/// Chinese or serves (a read and a check through it) until stopped, and its
/// log holds no panic. Returns the log.
fn serve_damaged(cli: &Cli, bytes: &[u8], dir: &Path) -> String {
    let file = dir.join("served.redb");
    std::fs::write(&file, bytes).unwrap();
    let log_path = dir.join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = Killed(
        on(cli, &file, dir)
            .args(["serve", "--accept-damaged"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let socket = dir.join("desk.sock");
    let start = Instant::now();
    let read_log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    while server.0.try_wait().unwrap().is_none() && !socket.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "serve hung: {}",
            read_log()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    if server.0.try_wait().unwrap().is_none() {
        for args in [&["list", "disputes"][..], &["check"]] {
            let out = common::cli::run_bounded(on(cli, &file, dir).args(args));
            let (_, err) = text(&out);
            assert_officer_reads(out.status, &err, &format!("{args:?} through the server"));
        }
        // The background check has spoken (or the server ended) before the stop.
        let start = Instant::now();
        while !["检查通过", "未通过检查"]
            .iter()
            .any(|w| read_log().contains(w))
            && server.0.try_wait().unwrap().is_none()
            && start.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(server.0.id() as i32, libc::SIGTERM) };
    }
    let start = Instant::now();
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let log = read_log();
    assert_officer_reads(
        status,
        &log,
        &format!("serve --accept-damaged in {}", dir.display()),
    );
    let _ = std::fs::remove_file(&socket);
    log
}

#[test]
fn no_seeded_corruption_makes_any_command_panic() {
    let started = Instant::now();
    let (cli, case, person) = demo();
    let base = std::fs::read(cli.db()).unwrap();
    let seeds = seeds();
    // Two workers: the seeds are independent, each in its own directory.
    let results: Vec<(u64, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(2))
            .map(|chunk| {
                let (cli, base, case, person) = (&cli, &base, &case, &person);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| {
                            let dir = cli.dir.path().join(format!("seed-{seed}"));
                            std::fs::create_dir_all(&dir).unwrap();
                            let bytes = corrupted(base, seed);
                            let refused = every_command(cli, &bytes, &dir, (case, person));
                            let log = serve_damaged(cli, &bytes, &dir);
                            (seed, refused || !log.contains("检查通过"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let damaged = results.iter().filter(|(_, d)| *d).count();
    eprintln!(
        "corruption: {} seeds, {damaged} found damaged, none panicked ({:.1} s)",
        results.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(results.len(), seeds.len());
    assert!(
        damaged >= seeds.len() / 4,
        "most seeds hit a page in use: {damaged} of {} found",
        seeds.len()
    );
}

fn copy_of(cli: &Cli, bytes: &[u8], name: &str) -> PathBuf {
    let path = cli.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `desk check` on `file`, with no server: (status, stdout, stderr).
fn check(cli: &Cli, file: &Path) -> (Option<i32>, String, String) {
    let out = common::cli::run_bounded(on(cli, file, cli.dir.path()).arg("check"));
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

#[test]
fn check_leaves_the_file_as_it_found_it() {
    let (cli, _, _) = demo();
    let base = std::fs::read(cli.db()).unwrap();
    let clean = copy_of(&cli, &base, "clean.redb");
    let (code, said, _) = check(&cli, &clean);
    assert_eq!(code, Some(0), "{said}");
    assert!(said.starts_with("检查通过"), "{said}");
    assert!(
        std::fs::read(&clean).unwrap() == base,
        "a clean check changed the file"
    );
    let mut found = 0;
    for seed in 1..=12 {
        let bytes = corrupted(&base, seed);
        let file = copy_of(&cli, &bytes, &format!("damaged-{seed}.redb"));
        let first = check(&cli, &file);
        assert!(
            std::fs::read(&file).unwrap() == bytes,
            "seed {seed}: the first check changed the file: {first:?}"
        );
        let second = check(&cli, &file);
        assert!(
            std::fs::read(&file).unwrap() == bytes,
            "seed {seed}: changed"
        );
        assert_eq!(first, second, "seed {seed}: two checks disagree");
        found += usize::from(first.0 != Some(0));
    }
    assert!(found > 0, "some of the damaged copies fail their check");
}
