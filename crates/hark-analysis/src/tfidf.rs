//! Hashed TF-IDF of word unigrams and bigrams, the lexical half of the learned classifier.
//!
//! Terms are hashed into [`BUCKETS`] buckets (no vocabulary to store), weighted by sublinear
//! term frequency × smoothed IDF learned from the training texts, and L2-normalised, as
//! scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)` does. Buckets never
//! seen in training are ignored.
use std::collections::HashMap;

/// Number of hash buckets.
pub const BUCKETS: u32 = 1 << 18;

/// Lower-cased word tokens (letters, digits and inner apostrophes).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn fnv1a(parts: &[&str]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            h ^= u64::from(b' ');
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (h % u64::from(BUCKETS)) as u32
}

/// Bucket counts of a text's unigrams and bigrams.
fn term_counts(text: &str) -> HashMap<u32, f32> {
    let w = words(text);
    let mut counts = HashMap::new();
    for (i, word) in w.iter().enumerate() {
        *counts.entry(fnv1a(&[word])).or_insert(0.0) += 1.0;
        if let Some(next) = w.get(i + 1) {
            *counts.entry(fnv1a(&[word, next])).or_insert(0.0) += 1.0;
        }
    }
    counts
}

/// IDF weights learned from a set of texts.
#[derive(Debug, Clone, Default)]
pub struct Tfidf {
    idf: HashMap<u32, f32>,
}

impl Tfidf {
    /// Learns document frequencies from `texts`.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut df: HashMap<u32, f32> = HashMap::new();
        let mut n = 0f32;
        for text in texts {
            n += 1.0;
            for bucket in term_counts(text).into_keys() {
                *df.entry(bucket).or_insert(0.0) += 1.0;
            }
        }
        let idf = df
            .into_iter()
            .map(|(b, d)| (b, ((1.0 + n) / (1.0 + d)).ln() + 1.0))
            .collect();
        Self { idf }
    }

    /// The L2-normalised TF-IDF vector of `text`, bucket indices offset by `offset`.
    pub fn transform(&self, text: &str, offset: u32) -> Vec<(u32, f32)> {
        let mut v: Vec<(u32, f32)> = term_counts(text)
            .into_iter()
            .filter_map(|(b, tf)| {
                self.idf
                    .get(&b)
                    .map(|idf| (b + offset, (1.0 + tf.ln()) * idf))
            })
            .collect();
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        v.sort_by_key(|(b, _)| *b);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_and_split_on_punctuation() {
        assert_eq!(
            words("Don't SYNC—ever, 'ok'"),
            ["don't", "sync", "ever", "ok"]
        );
    }

    #[test]
    fn vectors_are_unit_length_and_rare_terms_weigh_more() {
        let t = Tfidf::fit(["the app crashes", "the app is great", "the app syncs"]);
        let v = t.transform("the app crashes", 0);
        let norm: f32 = v.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        let weight = |w: &str| {
            v.iter()
                .find(|(b, _)| *b == fnv1a(&[w]))
                .map(|(_, x)| *x)
                .unwrap_or(0.0)
        };
        assert!(weight("crashes") > weight("the"));
    }

    #[test]
    fn unseen_terms_are_ignored() {
        let t = Tfidf::fit(["alpha beta"]);
        assert!(t.transform("gamma delta", 0).is_empty());
    }
}
