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

/// A figure as the README's table writes it: whole numbers with a space
/// between thousands, others as the bench wrote them.
fn render(x: f64) -> String {
    if x.fract() != 0.0 {
        return format!("{x}");
    }
    let digits = format!("{}", x.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    if x < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Whether `value` meets a target cell ("≤ 300", "≥ 0.85", "0", "—").
fn meets(value: f64, target: &str) -> bool {
    let number = |t: &str| t.trim().replace([' ', ','], "").parse::<f64>().ok();
    let target = target.trim();
    if let Some(t) = target.strip_prefix('≤') {
        number(t).is_none_or(|t| value <= t)
    } else if let Some(t) = target.strip_prefix('≥') {
        number(t).is_none_or(|t| value >= t)
    } else {
        number(target).is_none_or(|t| value == t)
    }
}

#[test]
fn the_readme_figure_table_is_the_committed_bench_run() {
    let root = env!("CARGO_MANIFEST_DIR");
    let run: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/bench/figures.json")).unwrap(),
    )
    .unwrap();
    let (date, machine) = (
        run["date"].as_str().unwrap(),
        run["machine"].as_str().unwrap(),
    );
    let figures = run["figures"].as_object().unwrap();
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let marker = "<!-- figures: bench/figures.json -->";
    let at = readme
        .find(marker)
        .expect("the table's marker in the README");
    let rest = &readme[at + marker.len()..];
    assert!(
        readme[..at].contains(&format!("`bench/figures.json`（{date}，{machine}）")),
        "the table names the run's date and machine"
    );
    let rows: Vec<&str> = rest
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .collect();
    assert!(rows.len() >= 20, "{} rows", rows.len());
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split('|').collect();
        let name = cells[0].split('`').nth(1).expect("a figure's name");
        let value = figures
            .get(name)
            .and_then(|v| v.as_f64())
            .unwrap_or_else(|| panic!("{name} is not in bench/figures.json"));
        let shown = cells[2].trim();
        assert!(
            shown.starts_with(&render(value)),
            "{name}: the README says {shown}, the run {}",
            render(value)
        );
        assert!(
            meets(value, cells[1]),
            "{name} = {value} misses its target {}",
            cells[1]
        );
    }
}
