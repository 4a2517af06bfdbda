//! The reader's quality on the labelled set of ledger-style descriptions.
//! These are quality targets from issue 12, not timings.

use duty_desk::domain::lists::DEFAULT_CATEGORIES;
use duty_desk::domain::reading::{score_set, Phrases};

const SET: &str = include_str!("data/readings.toml");

fn categories() -> Vec<String> {
    DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()
}

#[test]
fn the_labelled_set_meets_the_targets() {
    let score = score_set(SET, &Phrases::builtin(), &categories()).unwrap();
    let report = format!(
        "cases {} · category {:.3} · danger recall {:.3} · flag precision {:.3} · details {:.3}\n\
         recall per flag: {:?}\n{}",
        score.cases,
        score.category_accuracy,
        score.danger_recall,
        score.flag_precision,
        score.detail_accuracy,
        score.flag_recall,
        score.mistakes.join("\n")
    );
    println!("{report}");
    assert!(score.cases >= 150, "{report}");
    assert!(score.category_accuracy >= 0.85, "{report}");
    assert!(score.danger_recall >= 0.95, "{report}");
    assert!(score.flag_precision >= 0.85, "{report}");
}

#[test]
fn the_set_covers_every_category_and_flag() {
    let cases = duty_desk::domain::reading::parse_set(SET).unwrap();
    for category in DEFAULT_CATEGORIES {
        let n = cases.iter().filter(|c| c.category == *category).count();
        assert!(n >= 3, "{category}: {n}");
    }
    for flag in duty_desk::domain::lists::WarningFlag::ALL {
        assert!(cases.iter().any(|c| c.flags.contains(flag)), "{flag}");
    }
    assert!(cases.iter().filter(|c| c.flags.is_empty()).count() >= 50);
}
