//! Every command-line call has a reply time-out: a server that greets and
//! then says nothing is not waited on for ever. A change retries once with
//! the same request key and then says it may have been saved; a read says
//! the server did not answer.

mod common;

use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cli::Cli;
use duty_desk::desk::wire::{
    read_frame, write_frame, ClientMsg, ServerMsg, MAX_CLIENT_FRAME, PROTOCOL_VERSION,
};

/// A server that greets every connection as serving `db`, takes its calls
/// and never answers; the request keys it was sent, in order.
fn silent_server(socket: &std::path::Path, db: String) -> Arc<Mutex<Vec<Option<[u8; 16]>>>> {
    let listener = UnixListener::bind(socket).unwrap();
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&keys);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let (db, seen) = (db.clone(), Arc::clone(&seen));
            std::thread::spawn(move || {
                if read_frame::<ClientMsg>(&mut stream, MAX_CLIENT_FRAME).is_err() {
                    return;
                }
                let welcome = ServerMsg::Welcome {
                    version: PROTOCOL_VERSION,
                    db,
                    officer: Err(duty_desk::desk::DeskError::Store("不用".into())),
                    revision: 1,
                };
                write_frame(&mut stream, &welcome).unwrap();
                while let Ok(ClientMsg::Call { key, .. }) =
                    read_frame::<ClientMsg>(&mut stream, MAX_CLIENT_FRAME)
                {
                    seen.lock().unwrap().push(key);
                }
                // Held open, silent, until the client goes.
                let _ = stream.read(&mut [0u8; 1]);
            });
        }
    });
    keys
}

fn run(cli: &Cli, args: &[&str]) -> (bool, String, Duration) {
    let start = Instant::now();
    let out = cli
        .cmd()
        .env("DESK_REPLY_TIMEOUT", "1")
        .args(args)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said, start.elapsed())
}

#[test]
fn a_silent_server_times_out_a_change_and_a_read_in_chinese() {
    let cli = Cli::with_roster();
    let socket = cli.dir.path().join("desk.sock");
    assert!(UnixStream::connect(&socket).is_err(), "no server yet");
    let db = cli.db().canonicalize().unwrap().display().to_string();
    let keys = silent_server(&socket, db);

    let (ok, said, took) = run(&cli, &["note", "MD-2026-000001", "电话联系双方"]);
    assert!(!ok, "{said}");
    assert!(said.contains("服务端 1 秒内没有应答"), "{said}");
    assert!(said.contains("可能已保存"), "{said}");
    assert!(said.contains("请核对 编号 MD-2026-000001"), "{said}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    // Sent twice (once more after reconnecting), with the same key.
    let sent = keys.lock().unwrap().clone();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].is_some() && sent[0] == sent[1], "{sent:?}");

    let (ok, said, took) = run(&cli, &["list", "disputes"]);
    assert!(!ok, "{said}");
    assert!(said.contains("服务端 1 秒内没有应答，请稍后再试"), "{said}");
    assert!(!said.contains("可能已保存"), "{said}");
    assert!(took < Duration::from_secs(30), "{took:?}");
}
