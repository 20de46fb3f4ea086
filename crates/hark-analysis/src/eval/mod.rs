//! `hark eval`: analysis quality on labelled CSV files, each figure beside a simple baseline
//! computed in the same run (keyword rules, a word lexicon, TF-IDF + k-means).
pub mod baselines;
pub mod data;
pub mod metrics;

use crate::analyzer::{apply_learned, learn_from, sentiment_features, Analyzer, TextAnalysis};
use crate::embed::EmbedError;
use crate::sentiment::{class_of_stars, SentimentHead};
use data::Row;
use hark_core::analysis::{Category, Sentiment, SentimentLabel};

/// Category quality on one test set.
#[derive(Debug, Clone)]
pub struct CategoryScores {
    /// Rows scored.
    pub rows: usize,
    /// Macro-F1 of the model and per label.
    pub model: (f64, Vec<(Category, f64)>),
    /// Macro-F1 of the keyword baseline and per label.
    pub baseline: (f64, Vec<(Category, f64)>),
    /// Labelled examples the model learned from (0: zero-shot).
    pub trained_on: usize,
}

/// Sentiment agreement with star ratings.
#[derive(Debug, Clone, Copy)]
pub struct SentimentScores {
    /// Rows with a rating.
    pub rows: usize,
    /// Spearman correlation of the model's item score with the stars.
    pub model_spearman: f64,
    /// Sign agreement on 1–2 vs 4–5 star rows.
    pub model_polarity: f64,
    /// Same for the lexicon baseline.
    pub baseline_spearman: f64,
    /// Same for the lexicon baseline.
    pub baseline_polarity: f64,
    /// Share of the 3-star rows the model calls neutral.
    pub neutral_recall: f64,
    /// Share of the rows the model calls neutral that have 3 stars.
    pub neutral_precision: f64,
}

/// The labels scored: those in the gold data; predictions outside them count as `other`.
fn gold_labels<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<Category> {
    let mut labels: Vec<Category> = rows.flat_map(|r| r.categories.iter().copied()).collect();
    labels.sort();
    labels.dedup();
    labels
}

fn collapse(c: Category, labels: &[Category]) -> Category {
    if labels.contains(&c) {
        c
    } else {
        Category::Other
    }
}

/// Labelled rows with their (zero-shot) analysis, computed once and reused by every score.
pub struct Analysed {
    /// The rows.
    pub rows: Vec<Row>,
    /// Their analyses, same order.
    pub analyses: Vec<TextAnalysis>,
}

/// Analyses every row (each row is one text).
pub fn analyse_rows(analyzer: &Analyzer, rows: Vec<Row>) -> Result<Analysed, EmbedError> {
    let texts: Vec<Vec<&str>> = rows.iter().map(|r| vec![r.text.as_str()]).collect();
    let analyses = analyzer.analyze_zero_shot(&texts)?;
    Ok(Analysed { rows, analyses })
}

/// Scores categories on `test`: zero-shot when `train` is empty, else after learning from the
/// rows of `train` (multi-label training rows count once per label); `dim` is the embeddings'.
pub fn categories(dim: usize, test: &Analysed, train: &[&Analysed]) -> CategoryScores {
    let examples: Vec<(&TextAnalysis, &str, Category)> = train
        .iter()
        .flat_map(|set| set.rows.iter().zip(&set.analyses))
        .flat_map(|(r, a)| r.categories.iter().map(move |c| (a, r.text.as_str(), *c)))
        .collect();
    let learned = if examples.is_empty() {
        None
    } else {
        learn_from(dim, &examples)
    };
    let scored: Vec<(&Row, &TextAnalysis)> = test
        .rows
        .iter()
        .zip(&test.analyses)
        .filter(|(r, _)| !r.categories.is_empty())
        .collect();
    let labels = gold_labels(scored.iter().map(|(r, _)| *r));
    let gold: Vec<Vec<Category>> = scored.iter().map(|(r, _)| r.categories.clone()).collect();
    let model: Vec<Category> = scored
        .iter()
        .map(|(r, a)| {
            let mut a = (*a).clone();
            if let Some(m) = &learned {
                apply_learned(&mut a, &r.text, m);
            }
            collapse(a.category.0, &labels)
        })
        .collect();
    let baseline: Vec<Category> = scored
        .iter()
        .map(|(r, _)| collapse(baselines::keyword_category(&r.text), &labels))
        .collect();
    CategoryScores {
        rows: scored.len(),
        model: metrics::macro_f1(&gold, &model, &labels),
        baseline: metrics::macro_f1(&gold, &baseline, &labels),
        trained_on: if learned.is_some() { examples.len() } else { 0 },
    }
}

/// Scores sentiment against star ratings on the rows that have one, as the analyzer gave it.
pub fn sentiment(set: &Analysed) -> SentimentScores {
    sentiment_of(set, |a| a.sentiment)
}

/// Scores a sentiment head's predictions against star ratings.
pub fn sentiment_with(set: &Analysed, head: &SentimentHead) -> SentimentScores {
    sentiment_of(set, |a| head.predict(&sentiment_features(head.dim(), a)))
}

fn sentiment_of(set: &Analysed, predict: impl Fn(&TextAnalysis) -> Sentiment) -> SentimentScores {
    let rated: Vec<(&Row, Sentiment)> = set
        .rows
        .iter()
        .zip(&set.analyses)
        .filter(|(r, _)| r.stars.is_some())
        .map(|(r, a)| (r, predict(a)))
        .collect();
    let stars: Vec<u8> = rated.iter().filter_map(|(r, _)| r.stars).collect();
    let stars_f: Vec<f64> = stars.iter().map(|s| f64::from(*s)).collect();
    let model: Vec<f64> = rated.iter().map(|(_, s)| f64::from(s.score)).collect();
    let lexicon: Vec<f64> = rated
        .iter()
        .map(|(r, _)| baselines::lexicon_score(&r.text))
        .collect();
    let neutral = |s: &Sentiment| s.label == SentimentLabel::Neutral;
    let three = rated.iter().filter(|(r, _)| r.stars == Some(3)).count();
    let called = rated.iter().filter(|(_, s)| neutral(s)).count();
    let both = rated
        .iter()
        .filter(|(r, s)| r.stars == Some(3) && neutral(s))
        .count();
    let share = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    SentimentScores {
        rows: rated.len(),
        model_spearman: metrics::spearman(&model, &stars_f),
        model_polarity: metrics::polarity_accuracy(&model, &stars),
        baseline_spearman: metrics::spearman(&lexicon, &stars_f),
        baseline_polarity: metrics::polarity_accuracy(&lexicon, &stars),
        neutral_recall: share(both, three),
        neutral_precision: share(both, called),
    }
}

/// The apps a set's rows are about.
pub fn apps(set: &Analysed) -> Vec<String> {
    let mut apps: Vec<String> = set.rows.iter().filter_map(|r| r.app.clone()).collect();
    apps.sort();
    apps.dedup();
    apps
}

/// Trains a sentiment head on the star-rated rows of `pool`, leaving out rows about any app
/// in `exclude` (leave-one-app-out); `probe` is the model's probe embedding.
pub fn train_sentiment_head(
    pool: &[&Analysed],
    exclude: &[String],
    probe: &[f32],
    trained_on: &str,
) -> SentimentHead {
    let examples: Vec<_> = pool
        .iter()
        .flat_map(|set| set.rows.iter().zip(&set.analyses))
        .filter(|(r, _)| r.app.as_ref().is_none_or(|a| !exclude.contains(a)))
        .filter(|(_, a)| !a.mentions.is_empty())
        .filter_map(|(r, a)| {
            let class = class_of_stars(r.stars?)?;
            Some((sentiment_features(probe.len(), a), class))
        })
        .collect();
    SentimentHead::train(&examples, probe, trained_on)
}

/// Theme clustering against free labels (intents), at both levels of the hierarchy.
#[derive(Debug, Clone, Copy)]
pub struct ThemeScores {
    /// Rows clustered.
    pub rows: usize,
    /// Distinct gold labels.
    pub labels: usize,
    /// Themes found by the theme engine (it chooses the number itself).
    pub clusters: usize,
    /// NMI and ARI of the themes.
    pub model: (f64, f64),
    /// Broad (parent) themes found.
    pub parents: usize,
    /// NMI and ARI of the broad themes against the labels.
    pub parent_model: (f64, f64),
    /// NMI of the broad themes against the label families (a label's first word:
    /// `card_arrival` → `card`), and how many families there are.
    pub parent_family_nmi: (f64, usize),
    /// NMI and ARI of TF-IDF + k-means given the true number of labels.
    pub baseline: (f64, f64),
    /// Seconds the theme engine's clustering took (embedding excluded).
    pub cluster_seconds: f64,
}

/// Clusters the rows that have a free label (each row one mention) and scores the clustering;
/// with `size` below the number of such rows, the mean over three random subsets of that size.
pub fn themes(
    analyzer: &Analyzer,
    rows: &[Row],
    sizes: &[usize],
) -> Result<Vec<ThemeScores>, crate::worker::PipelineError> {
    let rows: Vec<&Row> = rows.iter().filter(|r| r.label.is_some()).collect();
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let vectors = analyzer.embedder().embed(&texts)?;
    let mut out = Vec::new();
    for &size in sizes {
        let size = size.min(rows.len());
        let repeats = if size < rows.len() { 3 } else { 1 };
        let mut runs = Vec::new();
        for r in 0..repeats {
            let mut idx: Vec<usize> = (0..rows.len()).collect();
            if size < rows.len() {
                use rand::seq::SliceRandom;
                use rand::SeedableRng;
                idx.shuffle(&mut rand::rngs::StdRng::seed_from_u64(100 + r));
                idx.truncate(size);
            }
            let t: Vec<&str> = idx.iter().map(|&i| texts[i]).collect();
            let gold: Vec<&str> = idx
                .iter()
                .filter_map(|&i| rows[i].label.as_deref())
                .collect();
            let v: Vec<&[f32]> = idx.iter().map(|&i| vectors[i].as_slice()).collect();
            runs.push(theme_run(analyzer.dim(), &t, &gold, &v)?);
        }
        out.push(mean_scores(&runs));
    }
    Ok(out)
}

fn theme_run(
    dim: usize,
    texts: &[&str],
    gold: &[&str],
    vectors: &[&[f32]],
) -> Result<ThemeScores, crate::worker::PipelineError> {
    use crate::themes::metrics::{ari, nmi};
    let flat: Vec<f32> = vectors.iter().flat_map(|v| v.iter().copied()).collect();
    let started = std::time::Instant::now();
    let levels = crate::themes::cluster::cluster_levels(
        &flat,
        dim,
        &crate::themes::ClusterParams::default(),
    )?;
    let cluster_seconds = started.elapsed().as_secs_f64();
    let parent: Vec<usize> = levels
        .fine
        .iter()
        .map(|f| levels.parents.get(*f).copied().unwrap_or(0))
        .collect();
    let families: Vec<&str> = gold
        .iter()
        .map(|l| l.split('_').next().unwrap_or(l))
        .collect();
    let count = |v: &[&str]| {
        let mut d = v.to_vec();
        d.sort();
        d.dedup();
        d.len()
    };
    let baseline = baselines::tfidf_kmeans(texts, count(gold), 0);
    Ok(ThemeScores {
        rows: texts.len(),
        labels: count(gold),
        clusters: levels.fine.iter().max().map_or(0, |m| m + 1),
        model: (nmi(gold, &levels.fine), ari(gold, &levels.fine)),
        parents: levels.parents.iter().max().map_or(0, |m| m + 1),
        parent_model: (nmi(gold, &parent), ari(gold, &parent)),
        parent_family_nmi: (nmi(&families, &parent), count(&families)),
        baseline: (nmi(gold, &baseline), ari(gold, &baseline)),
        cluster_seconds,
    })
}

/// The mean of several runs' scores (counts rounded).
fn mean_scores(runs: &[ThemeScores]) -> ThemeScores {
    let n = runs.len().max(1) as f64;
    let m = |f: &dyn Fn(&ThemeScores) -> f64| runs.iter().map(f).sum::<f64>() / n;
    let c = |f: &dyn Fn(&ThemeScores) -> usize| (m(&|s| f(s) as f64)).round() as usize;
    ThemeScores {
        rows: c(&|s| s.rows),
        labels: c(&|s| s.labels),
        clusters: c(&|s| s.clusters),
        model: (m(&|s| s.model.0), m(&|s| s.model.1)),
        parents: c(&|s| s.parents),
        parent_model: (m(&|s| s.parent_model.0), m(&|s| s.parent_model.1)),
        parent_family_nmi: (m(&|s| s.parent_family_nmi.0), c(&|s| s.parent_family_nmi.1)),
        baseline: (m(&|s| s.baseline.0), m(&|s| s.baseline.1)),
        cluster_seconds: m(&|s| s.cluster_seconds),
    }
}
