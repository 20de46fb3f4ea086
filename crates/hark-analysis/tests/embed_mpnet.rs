//! The embedder against the real all-mpnet-base-v2 model (MPNet: relative position bias,
//! RoBERTa-style positions, 768-d): the vectors are the model's, pinned against values from
//! PyTorch sentence-transformers (6.3, transformers 5.25, `max_seq_length` 128 as hark cuts),
//! and independent of batching and padding.
//!
//! The model folder is `HARK_MPNET_MODEL_DIR` (which must exist when set), else
//! `<workspace>/hark-data/model-mpnet` (`scripts/fetch-model.sh "" mpnet`, 438 MB); without
//! either the tests print why and pass.

use std::path::PathBuf;
use std::sync::OnceLock;

use hark_analysis::embed::{Batching, Embedder};

fn model_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HARK_MPNET_MODEL_DIR") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "HARK_MPNET_MODEL_DIR={} does not exist; run scripts/fetch-model.sh \"\" mpnet",
            dir.display()
        );
        return Some(dir);
    }
    let default = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../hark-data/model-mpnet"
    ));
    if default.is_dir() {
        Some(default)
    } else {
        eprintln!(
            "skipped: no MPNet model in {} and HARK_MPNET_MODEL_DIR is not set (fetch it with scripts/fetch-model.sh \"\" mpnet)",
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
const PIN: &str = "How do I change the PIN of my card?";

#[test]
fn vectors_match_sentence_transformers() {
    let Some(e) = embedder() else { return };
    assert_eq!(e.dim(), 768);
    // First components of `SentenceTransformer("all-mpnet-base-v2").encode(...)`.
    let reference: [(&str, [f32; 8]); 3] = [
        (
            CRASH,
            [
                -0.063058, -0.052251, 0.003754, 0.001547, 0.012338, 0.029793, -0.012877, 0.022619,
            ],
        ),
        (
            DARK_MODE,
            [
                -0.028336, 0.004987, -0.011768, -0.036823, -0.019424, 0.001436, -0.004489, 0.068603,
            ],
        ),
        (
            PIN,
            [
                -0.007615, -0.053272, 0.003663, 0.024864, -0.01808, 0.003783, 0.002324, -0.050871,
            ],
        ),
    ];
    let vectors = e.embed(&[CRASH, DARK_MODE, PIN]).expect("embeds");
    for ((text, want), got) in reference.iter().zip(&vectors) {
        assert_eq!(got.len(), 768);
        assert!((dot(got, got).sqrt() - 1.0).abs() < 1e-5);
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
fn batching_and_padding_do_not_change_a_vector() {
    let Some(e) = embedder() else { return };
    let texts = [CRASH, DARK_MODE, PIN, "ok"];
    let together = e.embed(&texts).expect("embeds");
    // One text per call, padded to 128 rows: the relative bias must see real distances only.
    let dir = model_dir().expect("the model was found above");
    let padded = Embedder::load(&dir)
        .expect("the model loads")
        .with_batching(Batching {
            max_batch: 1,
            max_batch_tokens: 128,
            pad_to_max: true,
        })
        .embed(&texts)
        .expect("embeds");
    for (a, b) in together.iter().zip(&padded) {
        assert!(dot(a, b) > 0.9999, "cosine {}", dot(a, b));
    }
}
