//! The analysis of texts: mentions, their embeddings, categories and sentiment, with the
//! zero-shot models (trained at start-up from the built-in sentences) and, when a project has
//! labelled examples, its learned classifier.
use crate::classify::{item_category, item_sentiment, ItemView, Learned, MentionScore, ZeroShot};
use crate::embed::{EmbedError, Embedder};
use crate::linear::Features;
use crate::mentions;
use crate::seeds::{CATEGORY_SEEDS, SENTIMENT_SEEDS};
use crate::sentiment::{self, SentimentHead};
use hark_core::analysis::{Category, Sentiment};

/// One analysed mention.
#[derive(Debug, Clone)]
pub struct AnalyzedMention {
    /// Which input text it came from (index into the text's units).
    pub unit: usize,
    /// Its text.
    pub text: String,
    /// Unit-length embedding.
    pub embedding: Vec<f32>,
    /// Zero-shot scores; `category` is replaced by the learned one when a model is given.
    pub score: MentionScore,
}

/// The analysis of one text (an item: its customer-written units).
#[derive(Debug, Clone)]
pub struct TextAnalysis {
    /// Mentions in order.
    pub mentions: Vec<AnalyzedMention>,
    /// Overall category and confidence.
    pub category: (Category, f32),
    /// Overall sentiment.
    pub sentiment: Sentiment,
}

/// The embedder with the zero-shot models.
#[derive(Debug)]
pub struct Analyzer {
    embedder: Embedder,
    zero_shot: ZeroShot,
    /// [`sentiment::PROBE`]'s embedding: identifies the model to sentiment heads.
    probe: Vec<f32>,
    sentiment_head: Option<SentimentHead>,
}

impl Analyzer {
    /// Trains the zero-shot models by embedding the built-in sentences (about a second), and
    /// takes the shipped sentiment head when it was trained with this embedding model.
    pub fn new(embedder: Embedder) -> Result<Self, EmbedError> {
        let cat_texts: Vec<(&str, Category)> = CATEGORY_SEEDS
            .iter()
            .flat_map(|(c, ts)| ts.iter().map(move |t| (*t, *c)))
            .collect();
        let pol_texts: Vec<(&str, usize)> = SENTIMENT_SEEDS
            .iter()
            .enumerate()
            .flat_map(|(p, ts)| ts.iter().map(move |t| (*t, p)))
            .collect();
        let cat_vecs = embedder.embed(&cat_texts.iter().map(|(t, _)| *t).collect::<Vec<_>>())?;
        let pol_vecs = embedder.embed(&pol_texts.iter().map(|(t, _)| *t).collect::<Vec<_>>())?;
        let zero_shot = ZeroShot::train(
            embedder.dim(),
            &cat_vecs
                .into_iter()
                .zip(cat_texts.iter().map(|(_, c)| *c))
                .collect::<Vec<_>>(),
            &pol_vecs
                .into_iter()
                .zip(pol_texts.iter().map(|(_, p)| *p))
                .collect::<Vec<_>>(),
        );
        let probe = embedder
            .embed(&[sentiment::PROBE])?
            .into_iter()
            .next()
            .unwrap_or_default();
        let sentiment_head = SentimentHead::built_in_for(&probe);
        Ok(Self {
            embedder,
            zero_shot,
            probe,
            sentiment_head,
        })
    }

    /// [`sentiment::PROBE`]'s embedding under this analyzer's model.
    pub fn probe(&self) -> &[f32] {
        &self.probe
    }

    /// The learned sentiment head in use, if any.
    pub fn sentiment_head(&self) -> Option<&SentimentHead> {
        self.sentiment_head.as_ref()
    }

    /// Replaces the sentiment head (`None`: zero-shot sentiment only).
    pub fn set_sentiment_head(&mut self, head: Option<SentimentHead>) {
        self.sentiment_head = head;
    }

    /// Dimension of the embeddings (the model's).
    pub fn dim(&self) -> usize {
        self.embedder.dim()
    }

    /// The embedder.
    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// Analyses texts, each given as its units (e.g. an item's body and customer parts). All
    /// mentions of the batch are embedded together, so batches of many texts run fastest.
    pub fn analyze(
        &self,
        texts: &[Vec<&str>],
        learned: Option<&Learned>,
    ) -> Result<Vec<TextAnalysis>, EmbedError> {
        let mut out = self.analyze_zero_shot(texts)?;
        if let Some(model) = learned {
            for (analysis, units) in out.iter_mut().zip(texts) {
                apply_learned(analysis, &units.join("\n"), model);
            }
        }
        Ok(out)
    }

    /// [`Analyzer::analyze`] with the zero-shot models only.
    pub fn analyze_zero_shot(&self, texts: &[Vec<&str>]) -> Result<Vec<TextAnalysis>, EmbedError> {
        let mut owners = Vec::new();
        let mut pieces = Vec::new();
        for (t, units) in texts.iter().enumerate() {
            for (u, unit) in units.iter().enumerate() {
                for m in mentions::split(unit) {
                    owners.push((t, u));
                    pieces.push(m);
                }
            }
        }
        let vectors = self
            .embedder
            .embed(&pieces.iter().map(String::as_str).collect::<Vec<_>>())?;
        let mut out: Vec<Vec<AnalyzedMention>> = vec![Vec::new(); texts.len()];
        for (((t, unit), text), embedding) in owners.into_iter().zip(pieces).zip(vectors) {
            let score = self.zero_shot.score(&text, &embedding);
            out[t].push(AnalyzedMention {
                unit,
                text,
                embedding,
                score,
            });
        }
        Ok(out
            .into_iter()
            .map(|mentions| {
                let scores: Vec<MentionScore> = mentions.iter().map(|m| m.score.clone()).collect();
                let mut analysis = TextAnalysis {
                    category: item_category(&scores),
                    sentiment: item_sentiment(&scores),
                    mentions,
                };
                if let Some(head) = &self.sentiment_head {
                    apply_sentiment_head(&mut analysis, head);
                }
                analysis
            })
            .collect())
    }

    /// Learns a project classifier from labelled texts; `None` unless two categories have examples.
    pub fn learn(&self, examples: &[(String, Category)]) -> Result<Option<Learned>, EmbedError> {
        let texts: Vec<Vec<&str>> = examples.iter().map(|(t, _)| vec![t.as_str()]).collect();
        let analysed = self.analyze_zero_shot(&texts)?;
        let labelled: Vec<(&TextAnalysis, &str, Category)> = analysed
            .iter()
            .zip(examples)
            .map(|(a, (t, c))| (a, t.as_str(), *c))
            .collect();
        Ok(learn_from(self.dim(), &labelled))
    }
}

fn scores_of(analysis: &TextAnalysis) -> (Vec<Vec<f32>>, Vec<MentionScore>) {
    (
        analysis
            .mentions
            .iter()
            .map(|m| m.embedding.clone())
            .collect(),
        analysis.mentions.iter().map(|m| m.score.clone()).collect(),
    )
}

/// Learns a classifier from already analysed texts (embeddings `dim` long) with their full text
/// and category; texts without mentions are skipped.
pub fn learn_from(dim: usize, examples: &[(&TextAnalysis, &str, Category)]) -> Option<Learned> {
    let parts: Vec<(Vec<Vec<f32>>, Vec<MentionScore>)> =
        examples.iter().map(|(a, _, _)| scores_of(a)).collect();
    let views: Vec<(ItemView<'_>, Category)> = examples
        .iter()
        .zip(&parts)
        .filter(|(_, (e, _))| !e.is_empty())
        .map(|((_, text, c), (e, s))| {
            (
                ItemView {
                    text,
                    embeddings: e,
                    scores: s,
                },
                *c,
            )
        })
        .collect();
    Learned::train(dim, &views)
}

/// Replaces the zero-shot categories of an analysed text (`full_text`: its units joined) by the
/// learned model's.
pub fn apply_learned(analysis: &mut TextAnalysis, full_text: &str, model: &Learned) {
    if analysis.mentions.is_empty() {
        return;
    }
    let (embeddings, scores) = scores_of(analysis);
    analysis.category = model.predict(
        &ItemView {
            text: full_text,
            embeddings: &embeddings,
            scores: &scores,
        },
        analysis.category,
    );
    for m in &mut analysis.mentions {
        let own = std::slice::from_ref(&m.score);
        let view = ItemView {
            text: &m.text,
            embeddings: std::slice::from_ref(&m.embedding),
            scores: own,
        };
        m.score.category = model.predict(&view, item_category(own));
    }
}

/// The sentiment head's view of an analysed text (its mentions' embeddings, `dim` long, and
/// zero-shot sentiment scores).
pub fn sentiment_features(dim: usize, analysis: &TextAnalysis) -> Features {
    let embeddings: Vec<&[f32]> = analysis
        .mentions
        .iter()
        .map(|m| m.embedding.as_slice())
        .collect();
    let zero_shot: Vec<f32> = analysis
        .mentions
        .iter()
        .map(|m| m.score.zero_shot_sentiment)
        .collect();
    sentiment::features(dim, &embeddings, &zero_shot)
}

/// Sets the sentiment of a text and of each of its mentions (as a one-mention text) from a
/// learned head.
pub fn apply_sentiment_head(analysis: &mut TextAnalysis, head: &SentimentHead) {
    if analysis.mentions.is_empty() {
        return;
    }
    let dim = head.dim();
    analysis.sentiment = head.predict(&sentiment_features(dim, analysis));
    for m in &mut analysis.mentions {
        let f = sentiment::features(
            dim,
            &[m.embedding.as_slice()],
            &[m.score.zero_shot_sentiment],
        );
        m.score.sentiment = head.predict(&f);
    }
}
