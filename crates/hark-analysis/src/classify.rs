//! Categories and sentiment of mentions and items.
//!
//! Zero-shot (no labelled data): logistic regressions trained on the built-in example
//! sentences ([`crate::seeds`]) score each mention; lexical cues ([`crate::cues`]) add evidence
//! for requests and defects; an item is a bug or a feature request when one of its mentions is
//! confidently one (feedback mixes praise with one complaint), else its strongest other class.
//!
//! Learned: with labelled examples, a logistic regression over item features — mean mention
//! embedding, the zero-shot scores and cues (max over mentions) and a hashed TF-IDF of the
//! text — trained on the examples plus the built-in sentences (so every category stays known).
use crate::cues::cues;
use crate::linear::{dense, Features, LogisticModel, TrainParams};
use crate::tfidf::{Tfidf, BUCKETS};
use hark_core::analysis::{Category, Sentiment};

/// Added to a mention's feature-request probability when it shows a request cue.
const REQUEST_CUE_BOOST: f32 = 0.3;
/// Added to a mention's bug probability when it shows a defect cue.
const DEFECT_CUE_BOOST: f32 = 0.1;
/// Added to a mention's question probability when it asks something (question mark or a
/// question's opening words).
const QUESTION_CUE_BOOST: f32 = 0.3;
/// An item is a question, before bug and request, when a mention's (boosted) question score
/// reaches this and beats its bug and request scores: asking how to do something is the point
/// of a text even when it names a problem.
const QUESTION_MIN: f32 = 0.65;
/// An item is a bug when a mention's (boosted) bug score reaches this.
const BUG_MIN: f32 = 0.4;
/// An item is a feature request when a mention's (boosted) request score reaches this.
const REQUEST_MIN: f32 = 0.3;

const CLASSES: usize = Category::ALL.len();
const BUG: usize = 0;
const REQUEST: usize = 1;
const QUESTION: usize = 4;

/// What the analysis knows about one mention.
#[derive(Debug, Clone)]
pub struct MentionScore {
    /// Zero-shot class probabilities, in [`Category::ALL`] order (before cue boosts).
    pub probs: [f32; CLASSES],
    /// Cue flags: request, defect, question.
    pub cues: [f32; 3],
    /// Category and confidence.
    pub category: (Category, f32),
    /// Sentiment (the learned head's when the analyzer has one).
    pub sentiment: Sentiment,
    /// The zero-shot sentiment score, kept for the learned head's features.
    pub zero_shot_sentiment: f32,
}

/// The zero-shot models, trained on the built-in sentences.
#[derive(Debug, Clone)]
pub struct ZeroShot {
    category: LogisticModel,
    sentiment: LogisticModel,
}

fn argmax(values: &[f32]) -> (usize, f32) {
    values
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0))
}

impl ZeroShot {
    /// Trains on embedded example sentences: `(embedding, category)` and `(embedding, polarity)`
    /// with polarity 0 positive, 1 negative, 2 neutral; `dim` is the embeddings' length.
    pub fn train(
        dim: usize,
        categories: &[(Vec<f32>, Category)],
        polarities: &[(Vec<f32>, usize)],
    ) -> Self {
        let cat: Vec<(Features, usize)> = categories
            .iter()
            .map(|(e, c)| (dense(e, 0).collect(), c.index()))
            .collect();
        let pol: Vec<(Features, usize)> = polarities
            .iter()
            .map(|(e, p)| (dense(e, 0).collect(), *p))
            .collect();
        let params = TrainParams {
            c: 10.0,
            balanced: false,
            ..TrainParams::default()
        };
        Self {
            category: LogisticModel::train(&cat, dim, CLASSES, params),
            sentiment: LogisticModel::train(&pol, dim, 3, TrainParams { c: 1.0, ..params }),
        }
    }

    /// Scores one mention from its text and embedding.
    pub fn score(&self, text: &str, embedding: &[f32]) -> MentionScore {
        let features: Features = dense(embedding, 0).collect();
        let p = self.category.probabilities(&features);
        let mut probs = [0f32; CLASSES];
        probs.iter_mut().zip(&p).for_each(|(d, s)| *d = *s);
        let cue = cues(text);
        let mut boosted = probs;
        if cue.request {
            boosted[REQUEST] += REQUEST_CUE_BOOST;
        }
        if cue.defect {
            boosted[BUG] += DEFECT_CUE_BOOST;
        }
        if cue.question {
            boosted[QUESTION] += QUESTION_CUE_BOOST;
        }
        let (best, confidence) = argmax(&boosted);
        let s = self.sentiment.probabilities(&features);
        let score = s.first().copied().unwrap_or(0.0) - s.get(1).copied().unwrap_or(0.0);
        MentionScore {
            probs,
            cues: cue.as_features(),
            category: (Category::ALL[best], confidence.min(1.0)),
            sentiment: Sentiment::from_score(score),
            zero_shot_sentiment: score,
        }
    }
}

/// The zero-shot category of an item from its mentions' scores.
pub fn item_category(mentions: &[MentionScore]) -> (Category, f32) {
    if mentions.is_empty() {
        return (Category::Other, 0.0);
    }
    let mut best = [0f32; CLASSES];
    for m in mentions {
        let boosted = [
            m.probs[BUG] + DEFECT_CUE_BOOST * m.cues[1],
            m.probs[REQUEST] + REQUEST_CUE_BOOST * m.cues[0],
        ];
        best[BUG] = best[BUG].max(boosted[0]);
        best[REQUEST] = best[REQUEST].max(boosted[1]);
        for (k, (b, p)) in best.iter_mut().zip(&m.probs).enumerate().skip(2) {
            let boost = if k == QUESTION {
                QUESTION_CUE_BOOST * m.cues[2]
            } else {
                0.0
            };
            *b = b.max(*p + boost);
        }
    }
    let is_bug = best[BUG] >= BUG_MIN;
    let is_request = best[REQUEST] >= REQUEST_MIN;
    if best[QUESTION] >= QUESTION_MIN
        && best[QUESTION] > best[BUG]
        && best[QUESTION] > best[REQUEST]
    {
        (Category::Question, best[QUESTION].min(1.0))
    } else if is_request && (!is_bug || best[REQUEST] > best[BUG]) {
        (Category::FeatureRequest, best[REQUEST].min(1.0))
    } else if is_bug {
        (Category::Bug, best[BUG].min(1.0))
    } else {
        let (k, p) = argmax(&best[2..]);
        (Category::ALL[k + 2], p.min(1.0))
    }
}

/// The sentiment of an item: the mean of its mentions' scores.
pub fn item_sentiment(mentions: &[MentionScore]) -> Sentiment {
    if mentions.is_empty() {
        return Sentiment::from_score(0.0);
    }
    let sum: f32 = mentions.iter().map(|m| m.sentiment.score).sum();
    Sentiment::from_score(sum / mentions.len() as f32)
}

/// A text with its analysed mentions, as the learned classifier sees it.
pub struct ItemView<'a> {
    /// The whole text (for TF-IDF).
    pub text: &'a str,
    /// Mention embeddings.
    pub embeddings: &'a [Vec<f32>],
    /// Mention scores, same order.
    pub scores: &'a [MentionScore],
}

/// A per-project classifier learned from labelled examples. It knows the categories it saw;
/// where it answers `other`, a category it has no examples of (praise, say) is taken from the
/// zero-shot decision.
#[derive(Debug, Clone)]
pub struct Learned {
    /// Where the features start: the embedding's length, then the probabilities, cues, TF-IDF.
    layout: Layout,
    tfidf: Tfidf,
    model: LogisticModel,
    classes: Vec<Category>,
}

/// The learned model's feature layout: the mean embedding (`dim` values) first, then the
/// zero-shot probabilities, the cues and the hashed TF-IDF.
#[derive(Debug, Clone, Copy)]
struct Layout {
    dim: usize,
}

impl Layout {
    fn probs(self) -> u32 {
        self.dim as u32
    }
    fn cues(self) -> u32 {
        self.probs() + CLASSES as u32
    }
    fn tfidf(self) -> u32 {
        self.cues() + 3
    }
    fn len(self) -> usize {
        self.tfidf() as usize + BUCKETS as usize
    }
}

impl Learned {
    /// Trains on labelled items whose mention embeddings are `dim` long; `None` unless at
    /// least two categories have examples.
    pub fn train(dim: usize, examples: &[(ItemView<'_>, Category)]) -> Option<Self> {
        let mut classes: Vec<Category> = examples.iter().map(|(_, c)| *c).collect();
        classes.sort();
        classes.dedup();
        if classes.len() < 2 {
            return None;
        }
        let layout = Layout { dim };
        let tfidf = Tfidf::fit(examples.iter().map(|(v, _)| v.text));
        let rows: Vec<(Features, usize)> = examples
            .iter()
            .filter_map(|(v, c)| {
                let class = classes.iter().position(|k| k == c)?;
                Some((features(layout, &tfidf, v), class))
            })
            .collect();
        let model =
            LogisticModel::train(&rows, layout.len(), classes.len(), TrainParams::default());
        Some(Self {
            layout,
            tfidf,
            model,
            classes,
        })
    }

    /// The category of an item (or of one mention, as a one-mention item) and its probability;
    /// `zero_shot` is the zero-shot decision, used where this model answers `other`.
    pub fn predict(&self, item: &ItemView<'_>, zero_shot: (Category, f32)) -> (Category, f32) {
        let features = features(self.layout, &self.tfidf, item);
        let (k, p) = argmax(&self.model.probabilities(&features));
        let category = self.classes.get(k).copied().unwrap_or(Category::Other);
        if category == Category::Other && !self.classes.contains(&zero_shot.0) {
            return zero_shot;
        }
        (category, p)
    }
}

/// An item's features. An embedding of another length than the layout's (a model switched
/// without re-analysis) is cut or zero-filled to it, so it can never spill into the other
/// features.
fn features(layout: Layout, tfidf: &Tfidf, item: &ItemView<'_>) -> Features {
    let n = item.embeddings.len().max(1) as f32;
    let mut mean = vec![0f32; layout.dim];
    for e in item.embeddings {
        mean.iter_mut().zip(e).for_each(|(m, x)| *m += x / n);
    }
    let mut probs = [0f32; CLASSES];
    let mut cue = [0f32; 3];
    for s in item.scores {
        probs
            .iter_mut()
            .zip(&s.probs)
            .for_each(|(d, x)| *d = d.max(*x));
        cue.iter_mut()
            .zip(&s.cues)
            .for_each(|(d, x)| *d = d.max(*x));
    }
    let mut f: Features = dense(&mean, 0).collect();
    f.extend(dense(&probs, layout.probs()));
    f.extend(dense(&cue, layout.cues()));
    f.extend(tfidf.transform(item.text, layout.tfidf()));
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_indices_name_their_categories() {
        assert_eq!(Category::ALL[BUG], Category::Bug);
        assert_eq!(Category::ALL[REQUEST], Category::FeatureRequest);
        assert_eq!(Category::ALL[QUESTION], Category::Question);
    }
}
