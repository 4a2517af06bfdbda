//! Figures of the search engine on generated summaries: percentiles, and
//! the same queries against fzf when it is installed.

use std::process::{Command, Stdio};
use std::time::Instant;

use duty_desk::demo::Rng;
use duty_desk::domain::summary::Summary;
use duty_desk::search::Index;
use duty_desk::tui::app::doc_of;

use crate::measure::{ms, percentile, round2, Figures};

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
        format!("match_p95_ms_{tag}"),
        round2(percentile(&mut times, 95.0)),
    );
    figures.insert(
        format!("match_p50_ms_{tag}"),
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
