//! Names for clusters: key phrases by class-based TF-IDF, and representative quotes.
//!
//! c-TF-IDF (as in BERTopic) treats all texts of a cluster as one document: a term's score in a
//! cluster is its frequency there × ln(1 + A / f), where A is the average number of terms per
//! cluster and f the term's frequency across all clusters, so words every cluster uses rank low.
//! Terms are lower-cased words and two-word phrases; stop words, one-character words and numbers
//! are dropped, and a phrase never spans a stop word or punctuation.
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::dot;

/// Common English words that never make a key phrase (sorted, space-separated).
const STOP_WORDS: &str = "\
    a about above after again against all also am an and any are aren't as at be because \
    been before being below between both but by can can't cannot could couldn't did didn't \
    do does doesn't doing don't down during each else even ever every few for from further \
    get gets getting got had hadn't has hasn't have haven't having he hello her here hers \
    herself hey hi him himself his how i i'd i'll i'm i've if in into is isn't it it's its \
    itself just let let's like me more most much must my myself no nor not now of off ok \
    okay on once one only or other our ours ourselves out over own please really same she \
    should shouldn't so some still such than thank thanks that that's the their theirs them \
    themselves then there there's these they they're this those through to too under until \
    up us very was wasn't we we're we've were weren't what what's when where which while who \
    whom why will with won't would wouldn't yet you you're you've your yours yourself \
    yourselves";

/// [`STOP_WORDS`] as a set, built once.
fn stop_words() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.split_whitespace().collect())
}

/// Key phrases per cluster, most characteristic first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseParams {
    /// Phrases kept per cluster.
    pub max_phrases: usize,
    /// Phrases joined into the label.
    pub label_phrases: usize,
}

impl Default for PhraseParams {
    fn default() -> Self {
        Self {
            max_phrases: 5,
            label_phrases: 3,
        }
    }
}

/// The terms of one text: kept words, and two-word phrases of adjacent kept words.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // (word, whether only whitespace separates it from the previous word)
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut adjacent = false;
    for ch in text.chars().chain(std::iter::once('\n')) {
        let ch = if ch == '\u{2019}' { '\'' } else { ch };
        if ch.is_alphanumeric() || ch == '\'' {
            current.extend(ch.to_lowercase());
            continue;
        }
        let word = current.trim_matches('\'');
        let word = word.strip_suffix("'s").unwrap_or(word);
        if !word.is_empty() {
            words.push((word.to_string(), adjacent));
            adjacent = true;
        }
        current.clear();
        if !ch.is_whitespace() {
            adjacent = false;
        }
    }
    let kept = |w: &str| {
        w.chars().nth(1).is_some()
            && !w.chars().all(|c| c.is_ascii_digit())
            && !stop_words().contains(w)
    };
    for (i, (word, _)) in words.iter().enumerate() {
        if !kept(word) {
            continue;
        }
        out.push(word.clone());
        if let Some((next, true)) = words.get(i + 1) {
            if kept(next) {
                out.push(format!("{word} {next}"));
            }
        }
    }
    out
}

/// Key phrases of each group of texts by c-TF-IDF (every group counts in the term
/// frequencies, so a group of leftovers may be passed to sharpen the others). A word is not
/// repeated inside a chosen two-word phrase that covers it. Groups without terms get none.
pub fn key_phrases(groups: &[Vec<&str>], params: &PhraseParams) -> Vec<Vec<String>> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut across: Vec<f64> = Vec::new();
    let mut counts: Vec<HashMap<usize, f64>> = Vec::with_capacity(groups.len());
    for texts in groups {
        let mut tf: HashMap<usize, f64> = HashMap::new();
        for term in texts.iter().flat_map(|t| terms(t)) {
            let id = *index.entry(term).or_insert_with_key(|t| {
                names.push(t.clone());
                across.push(0.0);
                names.len() - 1
            });
            *tf.entry(id).or_default() += 1.0;
            across[id] += 1.0;
        }
        counts.push(tf);
    }
    let total: f64 = across.iter().sum();
    let average = if groups.is_empty() {
        0.0
    } else {
        (total / groups.len() as f64).floor()
    };
    counts
        .iter()
        .map(|tf| {
            let mut scored: Vec<(f64, &str, f64)> = tf
                .iter()
                .map(|(&id, &n)| (n * (1.0 + average / across[id]).ln(), names[id].as_str(), n))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            choose(
                scored.into_iter().map(|(_, t, n)| (t, n)),
                params.max_phrases,
            )
        })
        .collect()
}

/// The first `max` of the ranked `(term, frequency)` pairs. A two-word phrase takes the place of
/// a chosen word it contains when it covers at least half of that word's occurrences (else it
/// is skipped, as too narrow); a word inside a chosen phrase, or a variant of one of its words
/// ("currency" after "currencies"), is skipped.
fn choose<'a>(ranked: impl Iterator<Item = (&'a str, f64)>, max: usize) -> Vec<String> {
    let mut chosen: Vec<(&str, f64)> = Vec::new();
    for (term, tf) in ranked {
        if chosen.len() >= max {
            break;
        }
        let Some((a, b)) = term.split_once(' ') else {
            if !chosen
                .iter()
                .any(|(c, _)| c.split(' ').any(|w| variants(w, term)))
            {
                chosen.push((term, tf));
            }
            continue;
        };
        let inside: Vec<usize> = (0..chosen.len())
            .filter(|&i| chosen[i].0 == a || chosen[i].0 == b)
            .collect();
        if inside.iter().any(|&i| tf < chosen[i].1 / 2.0) {
            continue;
        }
        match inside.first() {
            Some(&first) => {
                chosen[first] = (term, tf);
                if let Some(&second) = inside.get(1) {
                    chosen.remove(second);
                }
            }
            None => chosen.push((term, tf)),
        }
    }
    chosen.into_iter().map(|(t, _)| t.to_string()).collect()
}

/// Whether two words look like forms of one word: equal, or sharing a prefix of at least 4
/// characters that leaves at most 2 of the shorter one ("verify" and "verification").
fn variants(a: &str, b: &str) -> bool {
    let shorter = a.chars().count().min(b.chars().count());
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    a == b || common >= 4.max(shorter.saturating_sub(2))
}

/// The label shown for a theme: its first key phrases joined with ", ".
pub fn label(phrases: &[String], params: &PhraseParams) -> String {
    phrases
        .iter()
        .take(params.label_phrases)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to `max` distinct texts (case and surrounding space ignored) of the members most similar
/// to `centroid`, most similar first.
pub fn quotes<'a>(
    members: impl IntoIterator<Item = (&'a str, &'a [f32])>,
    centroid: &[f32],
    max: usize,
) -> Vec<String> {
    let mut scored: Vec<(f32, &str)> = members
        .into_iter()
        .map(|(t, v)| (dot(v, centroid), t))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (_, text) in scored {
        let key = text.trim().to_lowercase();
        if out.len() >= max {
            break;
        }
        if !key.is_empty() && !seen.contains(&key) {
            seen.push(key);
            out.push(text.trim().to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests;
