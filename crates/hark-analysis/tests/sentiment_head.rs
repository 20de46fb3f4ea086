//! The shipped sentiment head against the real all-MiniLM-L6-v2 model: the analyzer takes it
//! (its fingerprint matches), and it reads plain reviews the way their stars would. The model
//! folder is found as in `embed.rs`; without one the tests print why and pass.

use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_core::analysis::SentimentLabel;
use std::path::PathBuf;

fn analyzer() -> Option<Analyzer> {
    let dir = std::env::var_os("HARK_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../hark-data/model"
            ))
        });
    if !dir.is_dir() {
        assert!(
            std::env::var_os("HARK_MODEL_DIR").is_none(),
            "HARK_MODEL_DIR does not exist"
        );
        eprintln!("skipped: no model in {}", dir.display());
        return None;
    }
    Some(
        Analyzer::new(Embedder::load(&dir).expect("the model loads")).expect("the analyzer builds"),
    )
}

#[test]
fn the_default_model_gets_the_shipped_head_and_it_reads_reviews() {
    let Some(analyzer) = analyzer() else { return };
    let head = analyzer
        .sentiment_head()
        .expect("the shipped head fits all-MiniLM-L6-v2");
    assert!(head.trained_on.contains("Mini-BAR") && head.trained_on.contains("MIT"));
    let texts = [
        "Love this app, it tracks everything perfectly and syncs in seconds.",
        "Useless. It crashes every time I open it and support never answers.",
        "Average app. Nothing special.",
    ];
    let units: Vec<Vec<&str>> = texts.iter().map(|t| vec![*t]).collect();
    let out = analyzer.analyze_zero_shot(&units).expect("analyses");
    let labels: Vec<SentimentLabel> = out.iter().map(|a| a.sentiment.label).collect();
    assert_eq!(
        labels,
        [
            SentimentLabel::Positive,
            SentimentLabel::Negative,
            SentimentLabel::Neutral
        ],
        "{:?}",
        out.iter().map(|a| a.sentiment).collect::<Vec<_>>()
    );
    for a in &out {
        for m in &a.mentions {
            assert_ne!(
                m.score.sentiment.score, m.score.zero_shot_sentiment,
                "mentions use the head too"
            );
        }
    }
}

#[test]
fn without_a_head_sentiment_is_the_zero_shot_one() {
    let Some(mut analyzer) = analyzer() else {
        return;
    };
    analyzer.set_sentiment_head(None);
    let out = analyzer
        .analyze_zero_shot(&[vec!["Great app. Crashes sometimes."]])
        .expect("analyses");
    for m in &out[0].mentions {
        assert_eq!(m.score.sentiment.score, m.score.zero_shot_sentiment);
    }
}
