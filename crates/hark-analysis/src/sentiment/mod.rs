//! The learned sentiment head: a three-class (negative, neutral, positive) logistic regression
//! over a text's mean mention embedding and its zero-shot mention scores, trained on star-rated
//! reviews (1–2 stars negative, 3 neutral, 4–5 positive).
//!
//! hark ships a head for its default embedding model (`minilm.json`, written by
//! `hark eval --write-sentiment-head`; trained on Mini-BAR and the URR golden set, credited in
//! the README). A head only fits the embedding space it was trained in, so it carries a
//! fingerprint: the embedding of a probe sentence. With any other model the head is not used
//! and sentiment stays zero-shot (the built-in example sentences).
use crate::linear::{dense, Features, LogisticModel, TrainParams};
use hark_core::analysis::{Sentiment, SentimentLabel};
use serde::{Deserialize, Serialize};

#[cfg(test)]
mod tests;

/// Class index of negative texts.
pub const NEGATIVE: usize = 0;
/// Class index of neutral texts.
pub const NEUTRAL: usize = 1;
/// Class index of positive texts.
pub const POSITIVE: usize = 2;

/// The sentence whose embedding identifies an embedding model.
pub const PROBE: &str = "The app crashes every time I open my weekly sleep report.";
/// How many leading dimensions of the probe's embedding a head keeps.
const FINGERPRINT_DIMS: usize = 16;
/// The largest difference per fingerprint dimension that still counts as the same model
/// (batching and SIMD paths differ in the last bits; another model differs by far more).
const FINGERPRINT_TOLERANCE: f32 = 0.01;

/// Features after the mean embedding: the zero-shot scores' mean, minimum and maximum.
const STATS: usize = 3;

/// The head shipped for all-MiniLM-L6-v2.
const BUILT_IN: &str = include_str!("minilm.json");

/// The class of a star rating: 1–2 negative, 3 neutral, 4–5 positive.
pub fn class_of_stars(stars: u8) -> Option<usize> {
    match stars {
        1 | 2 => Some(NEGATIVE),
        3 => Some(NEUTRAL),
        4 | 5 => Some(POSITIVE),
        _ => None,
    }
}

/// What the head sees of a text: the mean of its mentions' embeddings (`dim` long: the
/// model's dimension; longer embeddings are cut, shorter ones zero-filled), then the mean,
/// minimum and maximum of their zero-shot sentiment scores.
pub fn features(dim: usize, embeddings: &[&[f32]], zero_shot: &[f32]) -> Features {
    let n = embeddings.len().max(1) as f32;
    let mut mean = vec![0f32; dim];
    for e in embeddings {
        mean.iter_mut().zip(e.iter()).for_each(|(m, x)| *m += x / n);
    }
    let (sum, min, max) = zero_shot.iter().fold(
        (0f32, f32::INFINITY, f32::NEG_INFINITY),
        |(s, lo, hi), x| (s + x, lo.min(*x), hi.max(*x)),
    );
    let stats = if zero_shot.is_empty() {
        [0.0; 3]
    } else {
        [sum / zero_shot.len() as f32, min, max]
    };
    let mut f: Features = dense(&mean, 0).collect();
    f.extend(dense(&stats, dim as u32));
    f
}

/// A trained sentiment head.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentimentHead {
    /// What it learned from (data sets and their licenses).
    pub trained_on: String,
    /// Examples per class (negative, neutral, positive).
    pub examples: [usize; 3],
    /// The leading dimensions of [`PROBE`]'s embedding under the model it was trained with.
    fingerprint: Vec<f32>,
    model: LogisticModel,
}

impl SentimentHead {
    /// Trains on `(features, class)` examples; `probe` is [`PROBE`]'s embedding under the
    /// model that made the features (its length is the model's dimension).
    pub fn train(examples: &[(Features, usize)], probe: &[f32], trained_on: &str) -> Self {
        let mut counts = [0usize; 3];
        for (_, c) in examples {
            if let Some(n) = counts.get_mut(*c) {
                *n += 1;
            }
        }
        let params = TrainParams {
            c: 1.0,
            steps: 400,
            ..TrainParams::default()
        };
        Self {
            trained_on: trained_on.to_string(),
            examples: counts,
            fingerprint: probe.iter().take(FINGERPRINT_DIMS).copied().collect(),
            model: LogisticModel::train(examples, probe.len() + STATS, 3, params),
        }
    }

    /// The head shipped with hark, if it fits the model whose [`PROBE`] embedding is `probe`.
    pub fn built_in_for(probe: &[f32]) -> Option<Self> {
        let head: Self = serde_json::from_str(BUILT_IN).ok()?;
        head.fits(probe).then_some(head)
    }

    /// Whether this head was trained in the embedding space whose [`PROBE`] embedding is `probe`
    /// (same dimension, same leading values).
    pub fn fits(&self, probe: &[f32]) -> bool {
        self.model.dim() == probe.len() + STATS
            && self.fingerprint.len() == FINGERPRINT_DIMS
            && probe.len() >= FINGERPRINT_DIMS
            && self
                .fingerprint
                .iter()
                .zip(probe)
                .all(|(a, b)| (a - b).abs() <= FINGERPRINT_TOLERANCE)
    }

    /// The embedding dimension it was trained on.
    pub fn dim(&self) -> usize {
        self.model.dim().saturating_sub(STATS)
    }

    /// Class probabilities (negative, neutral, positive).
    pub fn probabilities(&self, features: &[(u32, f32)]) -> [f32; 3] {
        let p = self.model.probabilities(features);
        [0, 1, 2].map(|k| p.get(k).copied().unwrap_or(0.0))
    }

    /// The sentiment of a text from its [`features`].
    pub fn predict(&self, features: &[(u32, f32)]) -> Sentiment {
        Sentiment::from_score(score(self.probabilities(features)))
    }

    /// The head as JSON (what `minilm.json` holds).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// A score in [-1, 1] whose neutral-band label ([`Sentiment::from_score`], which the stores
/// re-apply to stored scores) is the most probable class: p(positive) − p(negative), moved
/// inside the band when neutral wins and outside it when a polarity wins.
fn score(p: [f32; 3]) -> f32 {
    let band = Sentiment::NEUTRAL_BAND;
    let d = p[POSITIVE] - p[NEGATIVE];
    let best = (0..3)
        .max_by(|a, b| p[*a].total_cmp(&p[*b]))
        .unwrap_or(NEUTRAL);
    let s = match best {
        NEUTRAL => d * band * 0.99,
        POSITIVE => band + 0.001 + (1.0 - band - 0.001) * d.max(0.0),
        _ => -(band + 0.001 + (1.0 - band - 0.001) * (-d).max(0.0)),
    };
    debug_assert_eq!(label_of(best), Sentiment::from_score(s).label);
    s
}

fn label_of(class: usize) -> SentimentLabel {
    match class {
        NEGATIVE => SentimentLabel::Negative,
        POSITIVE => SentimentLabel::Positive,
        _ => SentimentLabel::Neutral,
    }
}
