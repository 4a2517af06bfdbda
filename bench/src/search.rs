//! Figures of the search engine on generated summaries: percentiles, and
//! the same strings and queries through a well-kept matcher library.

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

    anchor(&index, items, &qs, tag, figures);
    Ok(())
}

/// Our matcher against nucleo (helix's fuzzy matcher) in this process, on
/// the same strings (each case's names and text, as our index holds them)
/// and the same queries with the pinyin ones left out (nucleo cannot read
/// pinyin): our total time over nucleo's, below 1 when ours is faster.
fn anchor(index: &Index, items: &[Summary], qs: &[String], tag: &str, figures: &mut Figures) {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher};
    let lines: Vec<String> = items
        .iter()
        .map(|s| {
            let d = doc_of(s);
            format!("{} {}", d.names, d.rest)
        })
        .collect();
    let mut matcher = Matcher::new(Config::DEFAULT);
    let (mut ours, mut theirs) = (0.0, 0.0);
    // Queries 0 and 1 of every five are pinyin (see `queries`).
    for q in qs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 5 >= 2)
        .map(|(_, q)| q)
    {
        let t = Instant::now();
        std::hint::black_box(index.search(q, None));
        ours += ms(t);
        let t = Instant::now();
        let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Smart);
        std::hint::black_box(pattern.match_list(lines.iter(), &mut matcher));
        theirs += ms(t);
    }
    // Four places: ours is two orders of magnitude below.
    let ratio = ours / theirs.max(f64::MIN_POSITIVE);
    figures.insert(
        format!("match_vs_nucleo_ratio_{tag}"),
        (ratio * 10_000.0).round() / 10_000.0,
    );
}
