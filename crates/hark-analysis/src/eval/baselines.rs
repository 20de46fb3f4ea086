//! Simple baselines computed in the same evaluation run: keyword rules for categories, a word
//! lexicon for sentiment, TF-IDF + k-means for themes. They show what the model adds.
use crate::cues::cues;
use crate::tfidf::{words, Tfidf};
use hark_core::analysis::Category;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::collections::HashMap;

/// Keyword rules: a request phrasing → feature request, a defect word → bug, praise words →
/// praise, a question mark → question, else other.
pub fn keyword_category(text: &str) -> Category {
    let c = cues(text);
    if c.request {
        Category::FeatureRequest
    } else if c.defect {
        Category::Bug
    } else if lexicon_score(text) > 0.0 {
        Category::Praise
    } else if c.question {
        Category::Question
    } else {
        Category::Other
    }
}

const POSITIVE: &[&str] = &[
    "good",
    "great",
    "love",
    "loved",
    "loves",
    "like",
    "likes",
    "nice",
    "excellent",
    "amazing",
    "awesome",
    "perfect",
    "best",
    "easy",
    "helpful",
    "useful",
    "fantastic",
    "wonderful",
    "happy",
    "fast",
    "accurate",
    "recommend",
    "thanks",
    "thank",
    "beautiful",
    "simple",
    "reliable",
    "enjoy",
    "enjoyed",
    "fine",
    "cool",
    "brilliant",
    "super",
    "satisfied",
    "convenient",
    "intuitive",
    "smooth",
    "works",
    "improved",
    "better",
];
const NEGATIVE: &[&str] = &[
    "bad",
    "terrible",
    "awful",
    "hate",
    "hated",
    "worst",
    "poor",
    "useless",
    "broken",
    "crash",
    "crashes",
    "crashing",
    "slow",
    "bug",
    "bugs",
    "buggy",
    "error",
    "errors",
    "problem",
    "problems",
    "issue",
    "issues",
    "annoying",
    "disappointed",
    "disappointing",
    "fail",
    "fails",
    "failed",
    "wrong",
    "horrible",
    "waste",
    "frustrating",
    "difficult",
    "confusing",
    "lost",
    "missing",
    "stopped",
    "ugly",
    "expensive",
    "uninstall",
    "rubbish",
    "garbage",
    "freezes",
    "laggy",
    "worse",
    "cannot",
    "can't",
    "unable",
];
const NEGATORS: &[&str] = &[
    "not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "won't", "nothing",
];

/// Lexicon sentiment: (positive − negative word hits) / hits, a negator flipping the next
/// three words; 0 when no word is in the lexicon.
pub fn lexicon_score(text: &str) -> f64 {
    let (mut score, mut hits, mut flip) = (0f64, 0f64, 0usize);
    for w in words(text) {
        let sign = if flip > 0 { -1.0 } else { 1.0 };
        flip = flip.saturating_sub(1);
        if NEGATORS.contains(&w.as_str()) {
            flip = 3;
        } else if POSITIVE.contains(&w.as_str()) {
            score += sign;
            hits += 1.0;
        } else if NEGATIVE.contains(&w.as_str()) {
            score -= sign;
            hits += 1.0;
        }
    }
    if hits == 0.0 {
        0.0
    } else {
        score / hits
    }
}

/// TF-IDF (unigrams and bigrams) + spherical k-means with `k` clusters (k-means++ seeding,
/// fixed seed, 30 iterations): a cluster label per text.
pub fn tfidf_kmeans(texts: &[&str], k: usize, seed: u64) -> Vec<usize> {
    if texts.is_empty() || k == 0 {
        return vec![0; texts.len()];
    }
    let tfidf = Tfidf::fit(texts.iter().copied());
    // Compact the hashed buckets that occur into dense column numbers.
    let mut columns: HashMap<u32, usize> = HashMap::new();
    let docs: Vec<Vec<(usize, f32)>> = texts
        .iter()
        .map(|t| {
            tfidf
                .transform(t, 0)
                .into_iter()
                .map(|(b, v)| {
                    let next = columns.len();
                    (*columns.entry(b).or_insert(next), v)
                })
                .collect()
        })
        .collect();
    let dim = columns.len().max(1);
    let k = k.min(docs.len());
    let mut rng = StdRng::seed_from_u64(seed);
    let dot = |doc: &[(usize, f32)], c: &[f32]| doc.iter().map(|(i, v)| v * c[*i]).sum::<f32>();
    let to_dense = |doc: &[(usize, f32)]| {
        let mut c = vec![0f32; dim];
        doc.iter().for_each(|(i, v)| c[*i] = *v);
        c
    };
    // k-means++ seeding on cosine distance.
    let mut centroids = vec![to_dense(&docs[rng.gen_range(0..docs.len())])];
    let mut nearest: Vec<f32> = docs.iter().map(|d| 1.0 - dot(d, &centroids[0])).collect();
    while centroids.len() < k {
        let total: f32 = nearest.iter().map(|d| d.max(0.0)).sum();
        let pick = if total > 0.0 {
            let mut r = rng.gen_range(0.0..total);
            nearest.iter().position(|d| {
                r -= d.max(0.0);
                r <= 0.0
            })
        } else {
            None
        }
        .unwrap_or_else(|| rng.gen_range(0..docs.len()));
        let c = to_dense(&docs[pick]);
        for (n, d) in nearest.iter_mut().zip(&docs) {
            *n = n.min(1.0 - dot(d, &c));
        }
        centroids.push(c);
    }
    let mut labels = vec![0usize; docs.len()];
    for _ in 0..30 {
        for (l, d) in labels.iter_mut().zip(&docs) {
            *l = (0..k)
                .max_by(|a, b| dot(d, &centroids[*a]).total_cmp(&dot(d, &centroids[*b])))
                .unwrap_or(0);
        }
        for (j, c) in centroids.iter_mut().enumerate() {
            let mut sum = vec![0f32; dim];
            for (d, _) in docs.iter().zip(&labels).filter(|(_, l)| **l == j) {
                d.iter().for_each(|(i, v)| sum[*i] += v);
            }
            let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                *c = sum.into_iter().map(|x| x / norm).collect();
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_handles_negation() {
        assert!(lexicon_score("I love it, great app") > 0.0);
        assert!(lexicon_score("not good at all") < 0.0);
        assert_eq!(lexicon_score("it is a calendar"), 0.0);
    }

    #[test]
    fn keyword_rules_pick_requests_before_defects() {
        assert_eq!(
            keyword_category("Please add a fix for the crash"),
            Category::FeatureRequest
        );
        assert_eq!(keyword_category("It keeps crashing"), Category::Bug);
        assert_eq!(keyword_category("Great app"), Category::Praise);
    }

    #[test]
    fn kmeans_separates_disjoint_vocabularies() {
        let texts = [
            "card arrival late",
            "card arrival when",
            "card late arrival",
            "refund money back",
            "money refund please",
            "refund my money",
        ];
        let l = tfidf_kmeans(&texts, 2, 7);
        assert_eq!(l[0], l[1]);
        assert_eq!(l[1], l[2]);
        assert_eq!(l[3], l[4]);
        assert_ne!(l[0], l[3]);
    }
}
