//! Figures of the full-screen desk: the real binary on a pseudo-terminal
//! (first frame, bytes for a cursor move, bytes while idle, memory), and the
//! search engine on generated summaries (percentiles, and against fzf).

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{ms, percentile, round2, Figures};
use crate::demo::Rng;
use crate::domain::summary::Summary;
use crate::search::Index;
use crate::tui::app::doc_of;

/// Everything the desk wrote, chunk by chunk, with when it arrived.
type Output = Arc<Mutex<Vec<(Instant, Vec<u8>)>>>;

/// The desk running on a pseudo-terminal, with everything it wrote.
struct Pty {
    child: Child,
    master: std::fs::File,
    output: Output,
}

impl Pty {
    fn spawn(db: &Path, socket: &Path, cols: u16, rows: u16) -> anyhow::Result<Pty> {
        let (mut master, mut slave) = (0, 0);
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors we then own.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &ws,
            )
        };
        anyhow::ensure!(rc == 0, "无法创建伪终端");
        // SAFETY: fresh descriptors from openpty, owned from here on.
        let (master, slave) = unsafe {
            (
                std::fs::File::from_raw_fd(master),
                OwnedFd::from_raw_fd(slave),
            )
        };
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("--db")
            .arg(db)
            .arg("--socket")
            .arg(socket)
            .env("TERM", "xterm-256color")
            .stdin(Stdio::from(slave.try_clone()?))
            .stdout(Stdio::from(slave.try_clone()?))
            .stderr(Stdio::from(slave));
        // SAFETY: setsid and TIOCSCTTY in the child make the pty its terminal.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().context("无法启动值班台")?;
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        let mut reader = master.try_clone()?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((Instant::now(), buf[..n].to_vec()));
            }
        });
        Ok(Pty {
            child,
            master,
            output,
        })
    }

    fn bytes_since(&self, t: Instant) -> usize {
        self.output
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(at, _)| *at >= t)
            .map(|(_, b)| b.len())
            .sum()
    }

    /// When the output first contained `needle`.
    fn wait_for(&self, needle: &[u8], limit: Duration) -> Option<Instant> {
        let start = Instant::now();
        while start.elapsed() < limit {
            {
                let out = self.output.lock().unwrap_or_else(|p| p.into_inner());
                let mut all = Vec::new();
                for (at, chunk) in out.iter() {
                    all.extend_from_slice(chunk);
                    if all.windows(needle.len()).any(|w| w == needle) {
                        return Some(*at);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }

    fn send(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.master.write_all(bytes)?;
        Ok(())
    }

    fn rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Drives the real desk on the database `db` served on `socket`.
pub fn screen_figures(
    db: &Path,
    socket: &Path,
    tag: &str,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut pty = Pty::spawn(db, socket, 120, 40)?;
    let Some(first) = pty.wait_for(b"MD-", Duration::from_secs(30)) else {
        let out = pty.output.lock().unwrap_or_else(|p| p.into_inner());
        let all: Vec<u8> = out.iter().flat_map(|(_, b)| b.clone()).collect();
        let tail = String::from_utf8_lossy(&all[all.len().saturating_sub(600)..]).into_owned();
        anyhow::bail!("值班台 30 秒内没有显示案件；终端输出末尾：{tail:?}");
    };
    figures.insert(
        format!("first_frame_ms_{tag}"),
        round2((first - t0).as_secs_f64() * 1000.0),
    );
    // Let the search index build, then measure memory.
    std::thread::sleep(Duration::from_secs(3));
    figures.insert(format!("rss_mb_{tag}"), round2(pty.rss_mb()));

    // A new shift opens on the handover report: put it away first.
    pty.send(b"\x1b")?;
    std::thread::sleep(Duration::from_millis(500));
    // One cursor move: everything written within half a second of the key.
    let before = Instant::now();
    pty.send(b"\x1b[B")?;
    std::thread::sleep(Duration::from_millis(500));
    figures.insert("move_bytes".into(), pty.bytes_since(before) as f64);

    // Idle: ten seconds with no input, not crossing a minute (the clock would redraw).
    let sec = crate::desk::clock::now()
        .format("%S")
        .to_string()
        .parse::<u64>()
        .unwrap_or(0);
    if sec > 48 {
        std::thread::sleep(Duration::from_secs(61 - sec));
    }
    let idle_from = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    figures.insert("idle_bytes_10s".into(), pty.bytes_since(idle_from) as f64);
    pty.send(b"q")?;
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = pty.child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// Queries officers type: pinyin initials and full pinyin of names and
/// villages, Chinese fragments, 编号 fragments.
fn queries(items: &[Summary], n: usize) -> Vec<String> {
    use pinyin::ToPinyin;
    let mut rng = Rng::new(11);
    (0..n)
        .map(|i| {
            let s = rng.pick(items);
            let name = s.parties.first().cloned().unwrap_or_default();
            match i % 5 {
                0 => name
                    .chars()
                    .filter_map(|c| c.to_pinyin().map(|p| p.first_letter().to_string()))
                    .collect(),
                1 => s
                    .village
                    .chars()
                    .filter_map(|c| c.to_pinyin().map(|p| p.plain().to_string()))
                    .collect(),
                2 => name.chars().take(2).collect(),
                3 => s.id[s.id.len() - 4..].to_string(),
                _ => s.summary.chars().skip(3).take(3).collect(),
            }
        })
        .collect()
}

pub fn search_figures(items: &[Summary], tag: &str, figures: &mut Figures) -> anyhow::Result<()> {
    let docs: Vec<_> = items.iter().map(doc_of).collect();
    let index = Index::new(docs);
    let qs = queries(items, 200);
    let mut times = Vec::with_capacity(qs.len());
    for q in &qs {
        let t = Instant::now();
        let hits = index.search(q, None);
        std::hint::black_box(hits);
        times.push(ms(t));
    }
    figures.insert(
        format!("search_p95_ms_{tag}"),
        round2(percentile(&mut times, 95.0)),
    );
    figures.insert(
        format!("search_p50_ms_{tag}"),
        round2(percentile(&mut times, 50.0)),
    );

    // The same strings through fzf --filter, when fzf is installed.
    if tag == "100k" && Command::new("fzf").arg("--version").output().is_ok() {
        let dir = std::env::temp_dir().join(format!("desk-fzf-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("lines.txt");
        let mut text = String::new();
        for s in items {
            let d = doc_of(s);
            text.push_str(&d.names);
            text.push(' ');
            text.push_str(&d.rest);
            text.push('\n');
        }
        std::fs::write(&file, text)?;
        let sample: Vec<&String> = qs.iter().take(20).collect();
        let (mut ours, mut theirs) = (0.0, 0.0);
        for q in sample {
            let t = Instant::now();
            std::hint::black_box(index.search(q, None));
            ours += ms(t);
            let t = Instant::now();
            let out = Command::new("fzf")
                .arg("--filter")
                .arg(q)
                .stdin(std::fs::File::open(&file)?)
                .stdout(Stdio::null())
                .status()?;
            theirs += ms(t);
            std::hint::black_box(out);
        }
        figures.insert("fzf_filter_ratio_100k".into(), round2(ours / theirs));
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
