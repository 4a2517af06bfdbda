//! Figures of the full-screen desk: the real `desk` binary on a
//! pseudo-terminal (first frame, bytes for a cursor move, bytes while idle,
//! memory).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::measure::{round2, Figures};
use crate::pty::Pty;

/// Drives the real desk on the database `db` served on `socket`.
pub fn screen_figures(
    desk: &Path,
    db: &Path,
    socket: &Path,
    tag: &str,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let mut pty = Pty::spawn(desk, db, socket, 120, 40)?;
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
    figures.insert(format!("move_bytes_{tag}"), pty.bytes_since(before) as f64);

    // Idle: ten seconds with no input, not crossing a minute (the clock would redraw).
    let sec = duty_desk::desk::clock::now()
        .format("%S")
        .to_string()
        .parse::<u64>()
        .unwrap_or(0);
    if sec > 48 {
        std::thread::sleep(Duration::from_secs(61 - sec));
    }
    let idle_from = Instant::now();
    std::thread::sleep(Duration::from_secs(10));
    figures.insert(
        format!("idle_bytes_10s_{tag}"),
        pty.bytes_since(idle_from) as f64,
    );
    quit(&mut pty);
    link_figures(desk, db, socket, tag, figures)
}

/// Bytes over a slow link at 80×24: the most one screen switch writes
/// (`switch_bytes`) and one search keystroke (`search_key_bytes`).
fn link_figures(
    desk: &Path,
    db: &Path,
    socket: &Path,
    tag: &str,
    figures: &mut Figures,
) -> anyhow::Result<()> {
    let mut pty = Pty::spawn(desk, db, socket, 80, 24)?;
    anyhow::ensure!(
        pty.wait_for(b"MD-", Duration::from_secs(30)).is_some(),
        "80×24 的值班台 30 秒内没有显示案件"
    );
    // The search index builds after the first frame.
    std::thread::sleep(Duration::from_secs(3));
    // Whatever opened first (a handover) goes.
    pty.send(b"\x1b")?;
    std::thread::sleep(Duration::from_millis(500));
    let mut most = 0;
    for key in [b"1", b"3", b"4", b"5", b"2"] {
        let before = Instant::now();
        pty.send(key)?;
        std::thread::sleep(Duration::from_millis(700));
        most = most.max(pty.bytes_since(before));
    }
    figures.insert(format!("switch_bytes_{tag}"), most as f64);
    pty.send(b"/z")?;
    std::thread::sleep(Duration::from_millis(1500));
    let before = Instant::now();
    pty.send(b"s")?;
    std::thread::sleep(Duration::from_millis(1500));
    figures.insert(
        format!("search_key_bytes_{tag}"),
        pty.bytes_since(before) as f64,
    );
    pty.send(b"\x1b")?;
    std::thread::sleep(Duration::from_millis(300));
    quit(&mut pty);
    Ok(())
}

/// `q`, then a moment for the desk to end.
fn quit(pty: &mut Pty) {
    let _ = pty.send(b"q");
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = pty.child.try_wait() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
