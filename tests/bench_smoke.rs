//! The bench runs in CI: a quick run (10 000 cases) gives every figure the
//! README's performance section documents, each a finite number. It checks
//! that the figures exist and mean a number, not how fast this build is
//! (a debug build under test is not what the README measures).

mod common;

use std::collections::BTreeMap;

/// Figures the README documents that a quick run cannot give, and why
/// (none now: the fzf comparison, which needed fzf and 10^5 cases, was
/// replaced by an in-process one).
const FULL_RUN_ONLY: &[(&str, &str)] = &[];

/// A figure's name without its database size (`_10k`, `_100k`, `_1m`) or
/// the README's `_*` for "every size".
fn base(name: &str) -> String {
    let name = name.replace("_*", "");
    let mut parts: Vec<&str> = name.split('_').collect();
    parts.retain(|p| !matches!(*p, "10k" | "100k" | "1m"));
    parts.join("_")
}

/// The figure names the README's performance section quotes in backticks.
fn documented() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("## 性能").expect("the performance section");
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + e);
    let section = &readme[start..end];
    let measured = |t: &str| {
        let units = [
            "_ms",
            "_s",
            "_mb",
            "_bytes",
            "_per_s",
            "_ratio",
            "_position",
            "_p95",
            "_p99",
        ];
        t.contains('_')
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'*')
            && (units.iter().any(|u| base(t).ends_with(u))
                || base(t).starts_with("suggest_")
                || base(t).contains("_ms_")
                || base(t).contains("_p50_")
                || base(t).contains("_p95_")
                || base(t).contains("_p99_"))
    };
    let mut names: Vec<String> = section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| measured(t))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn a_quick_bench_gives_every_documented_figure_as_a_finite_number() {
    let out = std::process::Command::new(common::cli::bench_bin())
        .args(["--quick", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "desk bench --quick failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figures: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("one JSON object of figures");
    for (name, v) in &figures {
        let x = v.as_f64().unwrap_or(f64::NAN);
        assert!(x.is_finite(), "{name} = {v}");
    }
    let given: Vec<String> = figures.keys().map(|k| base(k)).collect();
    let documented = documented();
    assert!(
        documented.len() >= 30,
        "only {} figures found in the README",
        documented.len()
    );
    let missing: Vec<&String> = documented
        .iter()
        .filter(|d| !given.contains(&base(d)))
        .filter(|d| !FULL_RUN_ONLY.iter().any(|(f, _)| base(d) == *f))
        .collect();
    assert!(
        missing.is_empty(),
        "documented but not measured: {missing:?}"
    );
}
