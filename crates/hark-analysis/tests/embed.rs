//! The embedder against the real all-MiniLM-L6-v2 model: the vectors are the model's (pinned
//! against values from candle-transformers' `BertModel`, which the embedder used before its own
//! forward pass), unit-length, independent of batching and padding, and meaningful.
//!
//! The model folder is `HARK_MODEL_DIR` (which must exist when set: CI sets it), else
//! `<workspace>/hark-data/model`; without either the tests print why and pass.

use std::path::PathBuf;
use std::sync::OnceLock;

use hark_analysis::embed::{Batching, Embedder};

fn model_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HARK_MODEL_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "HARK_MODEL_DIR={} does not exist; run scripts/fetch-model.sh",
            dir.display()
        );
        return Some(dir);
    }
    let default = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../hark-data/model"
    ));
    if default.is_dir() {
        Some(default)
    } else {
        eprintln!(
            "skipped: no model in {} and HARK_MODEL_DIR is not set",
            default.display()
        );
        None
    }
}

/// The embedder, loaded once per test binary.
fn embedder() -> Option<&'static Embedder> {
    static EMBEDDER: OnceLock<Option<Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| model_dir().map(|dir| Embedder::load(&dir).expect("the model loads")))
        .as_ref()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

const CRASH: &str = "The app crashes every time I open the settings page.";
const DARK_MODE: &str = "I love the new dark mode!";
const LONG: &str =
    "I have been using this watch and the companion app for almost two years now, and \
    while the heart rate tracking and the sleep reports used to be reliable, since the last update \
    the synchronisation fails most mornings, the battery drains twice as fast as before, and the \
    support team keeps sending me the same generic troubleshooting steps that do not help at all.";

#[test]
fn vectors_match_the_reference_model() {
    let Some(e) = embedder() else { return };
    // First components from candle-transformers' BertModel with the same pooling.
    let reference: [(&str, [f32; 8]); 2] = [
        (
            CRASH,
            [
                0.018817, -0.03568, 0.007028, 0.00514, -0.022114, 0.008408, -0.058356, 0.074351,
            ],
        ),
        (
            DARK_MODE,
            [
                -0.043136, -0.037338, 0.053482, 0.019621, 0.00637, -0.021355, -0.014392, -0.033665,
            ],
        ),
    ];
    let vectors = e.embed(&[CRASH, DARK_MODE]).expect("embeds");
    for ((text, want), got) in reference.iter().zip(&vectors) {
        for (w, g) in want.iter().zip(got) {
            assert!(
                (w - g).abs() < 2e-5,
                "{text:?}: {:?} vs reference {want:?}",
                &got[..8]
            );
        }
    }
}

#[test]
fn vectors_are_unit_length() {
    let Some(e) = embedder() else { return };
    let texts = [CRASH, DARK_MODE, LONG, "ok", ""];
    let vectors = e.embed(&texts).expect("embeds");
    assert_eq!(vectors.len(), texts.len());
    for (text, v) in texts.iter().zip(&vectors) {
        assert_eq!(v.len(), e.dim());
        assert!(
            (dot(v, v).sqrt() - 1.0).abs() < 1e-5,
            "{text:?} has norm {}",
            dot(v, v).sqrt()
        );
    }
    assert!(e.embed(&[]).expect("embeds nothing").is_empty());
}

#[test]
fn batching_and_padding_do_not_change_a_vector() {
    let Some(e) = embedder() else { return };
    let alone = e.embed(&[DARK_MODE]).expect("embeds");
    let in_batch = e.embed(&[LONG, CRASH, DARK_MODE, "ok"]).expect("embeds");
    assert!(
        e.token_count(LONG).expect("tokenizes") > 4 * e.token_count(DARK_MODE).expect("tokenizes")
    );
    assert!(
        dot(&alone[0], &in_batch[2]) > 0.9999,
        "cosine {}",
        dot(&alone[0], &in_batch[2])
    );
    assert!(dot(&e.embed(&[CRASH]).expect("embeds")[0], &in_batch[1]) > 0.9999);

    // Fixed 128-token padding (the shipped tokenizer's setting) and one text per call.
    let dir = model_dir().expect("the model was found above");
    let padded = Embedder::load(&dir)
        .expect("the model loads")
        .with_batching(Batching {
            max_batch: 1,
            max_batch_tokens: 128,
            pad_to_max: true,
        });
    let padded = padded
        .embed(&[LONG, CRASH, DARK_MODE, "ok"])
        .expect("embeds");
    for (a, b) in in_batch.iter().zip(&padded) {
        assert!(dot(a, b) > 0.9999, "cosine {}", dot(a, b));
    }
}

#[test]
fn paraphrases_are_closer_than_unrelated_sentences() {
    let Some(e) = embedder() else { return };
    let v = e
        .embed(&[
            CRASH,
            "Opening the settings screen makes the application crash.",
            "How do I change the PIN of my card?",
            DARK_MODE,
            "The dark theme is great, thank you!",
        ])
        .expect("embeds");
    let related = [dot(&v[0], &v[1]), dot(&v[3], &v[4])];
    let unrelated = [
        dot(&v[0], &v[2]),
        dot(&v[0], &v[3]),
        dot(&v[1], &v[4]),
        dot(&v[2], &v[4]),
    ];
    for r in related {
        for u in unrelated {
            assert!(
                r > u + 0.2,
                "paraphrase cosine {r} not clearly above unrelated {u}"
            );
        }
    }
}
