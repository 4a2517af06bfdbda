//! `desk-bench`'s command line, without measuring anything. Having a test
//! here also makes `cargo test` build the binary, which the crash tests of
//! the desk start as their commit loop.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_desk-bench");

#[test]
fn an_unknown_group_is_refused_before_anything_is_generated() {
    let out = Command::new(BIN)
        .args(["--only", "load,飞行"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不认识的测试组“飞行”"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn help_names_the_options_desk_bench_documents() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in ["--quick", "--json", "--only", "--keep"] {
        assert!(help.contains(option), "{option} missing: {help}");
    }
    // The helper modes are for tests and the bench itself.
    assert!(!help.contains("commit-loop"), "{help}");
}
