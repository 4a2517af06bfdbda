//! A child commits in a loop and is killed with SIGKILL; every change it
//! reported as committed must be there after reopening, and `desk check` passes.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::cli::{add_dispute_args, Cli};

#[test]
fn sigkill_mid_commit_loses_no_acknowledged_change() {
    let cli = Cli::with_roster();
    let mut acknowledged = BTreeSet::new();
    // Kill at different points so some kills land inside a commit.
    for kill_after in [1usize, 37, 120, 251] {
        let mut child = cli
            .bench_cmd()
            .args(["commit-loop"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..kill_after {
            let id = lines.next().expect("child stopped early").unwrap();
            acknowledged.insert(id);
        }
        // SAFETY: plain kill(2) on our own child's pid.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGKILL);
        }
        // Lines already written before the kill were acknowledged too.
        for line in lines.map_while(Result::ok) {
            acknowledged.insert(line);
        }
        let status = child.wait().unwrap();
        assert!(!status.success(), "the child was killed");
    }
    let rows = cli.json(&["list", "disputes"]);
    let stored: BTreeSet<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(acknowledged.len() >= 409);
    // 编号 are never reused, even across crashes.
    let check = cli.ok(&["check"]);
    assert!(check.starts_with("检查通过"), "{check}");
    let next = cli.ok(&add_dispute_args("东河村", "来电", "崩溃后登记", "王建国"));
    assert!(!stored.contains(next.trim()), "{next} reused");
}
