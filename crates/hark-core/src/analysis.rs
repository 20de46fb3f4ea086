//! Domain types of the analysis: what a mention, a category, a sentiment and a theme are, and
//! the shapes the analysis pipeline reads from and writes to the store.
use crate::ids::{random_token, ProjectId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a piece of feedback is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Something does not work as it should.
    Bug,
    /// A request for something new or different.
    FeatureRequest,
    /// Dissatisfaction that is not a defect report (price, policy, quality in general).
    Complaint,
    /// Something the customer likes.
    Praise,
    /// The customer asks something.
    Question,
    /// None of the above.
    Other,
}

impl Category {
    /// Every category, in a fixed order (the order of classifier outputs).
    pub const ALL: [Category; 6] = [
        Category::Bug,
        Category::FeatureRequest,
        Category::Complaint,
        Category::Praise,
        Category::Question,
        Category::Other,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Bug => "bug",
            Category::FeatureRequest => "feature_request",
            Category::Complaint => "complaint",
            Category::Praise => "praise",
            Category::Question => "question",
            Category::Other => "other",
        }
    }

    /// Position in [`Category::ALL`].
    pub fn index(self) -> usize {
        Category::ALL.iter().position(|c| *c == self).unwrap_or(5)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A category name that is not one of [`Category::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown category {0:?} (expected bug, feature_request, complaint, praise, question or other)"
)]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCategory(s.to_string()))
    }
}

/// Polarity label derived from a sentiment score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    /// Score below -[`Sentiment::NEUTRAL_BAND`].
    Negative,
    /// Score within the neutral band.
    Neutral,
    /// Score above [`Sentiment::NEUTRAL_BAND`].
    Positive,
}

impl SentimentLabel {
    /// Every label, from negative to positive (the order of [`FeedbackSummary::sentiment`]).
    pub const ALL: [SentimentLabel; 3] = [
        SentimentLabel::Negative,
        SentimentLabel::Neutral,
        SentimentLabel::Positive,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }

    /// Position in [`SentimentLabel::ALL`].
    pub fn index(self) -> usize {
        match self {
            SentimentLabel::Negative => 0,
            SentimentLabel::Neutral => 1,
            SentimentLabel::Positive => 2,
        }
    }
}

impl fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentiment name that is not one of [`SentimentLabel::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sentiment {0:?} (expected negative, neutral or positive)")]
pub struct UnknownSentiment(pub String);

impl FromStr for SentimentLabel {
    type Err = UnknownSentiment;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SentimentLabel::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownSentiment(s.to_string()))
    }
}

/// A sentiment score in [-1, 1] with its label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sentiment {
    /// -1 very negative … 1 very positive.
    pub score: f32,
    /// The score's label.
    pub label: SentimentLabel,
}

impl Sentiment {
    /// Scores within ±this are neutral.
    pub const NEUTRAL_BAND: f32 = 0.15;

    /// A sentiment from a score, clamped to [-1, 1] (NaN becomes 0).
    pub fn from_score(score: f32) -> Self {
        let score = if score.is_nan() {
            0.0
        } else {
            score.clamp(-1.0, 1.0)
        };
        let label = if score > Self::NEUTRAL_BAND {
            SentimentLabel::Positive
        } else if score < -Self::NEUTRAL_BAND {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        };
        Self { score, label }
    }
}

/// How fine themes are cut: the clustering resolution is halved (coarser) or doubled (finer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThemeGranularity {
    /// Fewer, broader themes.
    Coarser,
    /// What hark chooses for the corpus size.
    #[default]
    Normal,
    /// More, narrower themes.
    Finer,
}

impl ThemeGranularity {
    /// Every granularity, coarsest first.
    pub const ALL: [ThemeGranularity; 3] = [
        ThemeGranularity::Coarser,
        ThemeGranularity::Normal,
        ThemeGranularity::Finer,
    ];

    /// The wire name: `coarser`, `normal` or `finer`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeGranularity::Coarser => "coarser",
            ThemeGranularity::Normal => "normal",
            ThemeGranularity::Finer => "finer",
        }
    }

    /// The granularity of a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == name)
    }

    /// The factor applied to the clustering resolution.
    pub fn resolution_factor(self) -> f64 {
        match self {
            ThemeGranularity::Coarser => 0.5,
            ThemeGranularity::Normal => 1.0,
            ThemeGranularity::Finer => 2.0,
        }
    }
}

/// Who wrote a piece of text in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// The customer whose feedback it is.
    Customer,
    /// Someone answering for the company (support agent, sales rep).
    Staff,
}

/// What was analysed: an ingested item (with its parts) or a chat-answer feedback comment.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// `items.id`.
    Item(i64),
    /// `chat_feedback.id`.
    Chat(i64),
}

impl Subject {
    /// `item` or `chat`.
    pub fn kind(self) -> &'static str {
        match self {
            Subject::Item(_) => "item",
            Subject::Chat(_) => "chat",
        }
    }
    /// The row id.
    pub fn id(self) -> i64 {
        match self {
            Subject::Item(id) | Subject::Chat(id) => id,
        }
    }
    /// From the stored kind and id; `None` for an unknown kind.
    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "item" => Some(Subject::Item(id)),
            "chat" => Some(Subject::Chat(id)),
            _ => None,
        }
    }
}

/// One piece of text of a subject, as the store hands it to the analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct TextUnit {
    /// `parts.id` when the text is a conversation part; `None` for the item body or comment.
    pub part_id: Option<i64>,
    /// The text.
    pub text: String,
    /// Who wrote it.
    pub speaker: Speaker,
    /// The writer's identity for distinct-user counts (user id, else email, else author).
    pub user_key: Option<String>,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A queued subject with everything the analysis needs, loaded by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectText {
    /// The project it belongs to.
    pub project: ProjectId,
    /// What it is.
    pub subject: Subject,
    /// Source id (items) or application id (chat feedback).
    pub source: String,
    /// Queue generation seen when claimed; the result is only applied if still current.
    pub generation: i64,
    /// Texts in conversation order.
    pub units: Vec<TextUnit>,
    /// For chat feedback: the usefulness reason (e.g. `NOT_ACCURATE`), as a hint.
    pub reason: Option<String>,
    /// A category set by a person, which the analysis keeps.
    pub user_category: Option<Category>,
}

/// One analysed mention, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionRecord {
    /// Part it came from (`None`: the body or comment).
    pub part_id: Option<i64>,
    /// Position within the subject.
    pub ordinal: u32,
    /// The text of the mention.
    pub text: String,
    /// Speaker identity for distinct-user counts.
    pub user_key: Option<String>,
    /// When it was said.
    pub created_at: Timestamp,
    /// Its sentiment.
    pub sentiment: Sentiment,
    /// Its category and the classifier's confidence in [0, 1].
    pub category: Category,
    /// Confidence of `category`.
    pub confidence: f32,
    /// The theme it was linked to, with the cosine similarity to the theme's centroid.
    pub theme: Option<(ThemeId, f32)>,
    /// Unit-length sentence embedding.
    pub embedding: Vec<f32>,
}

/// The analysis of one subject: its mentions and the roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectAnalysis {
    /// The project.
    pub project: ProjectId,
    /// What was analysed.
    pub subject: Subject,
    /// Generation the result is for (from [`SubjectText::generation`]).
    pub generation: i64,
    /// Source id or application id.
    pub source: String,
    /// The feedback-carrying mentions (may be empty: nothing but greetings).
    pub mentions: Vec<MentionRecord>,
    /// Overall sentiment.
    pub sentiment: Sentiment,
    /// Overall category.
    pub category: Category,
    /// Confidence of `category`.
    pub confidence: f32,
}

/// The stored analysis of an item (or chat feedback), as the read API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct StoredAnalysis {
    /// Overall sentiment.
    pub sentiment: Sentiment,
    /// Overall category.
    pub category: Category,
    /// `model` or `user` (a person set it).
    pub category_source: &'static str,
    /// Confidence of a model category.
    pub confidence: f32,
    /// When it was analysed.
    pub analyzed_at: Timestamp,
    /// The mentions, in order.
    pub mentions: Vec<MentionView>,
}

/// A stored mention as the read API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MentionView {
    /// Mention id.
    pub id: i64,
    /// Text.
    pub text: String,
    /// Sentiment.
    pub sentiment: Sentiment,
    /// Category.
    pub category: Category,
    /// Theme it belongs to, if any.
    pub theme_id: Option<ThemeId>,
    /// Who said it (user id, email or author).
    pub user_key: Option<String>,
    /// When.
    pub created_at: Timestamp,
}

/// A theme's stable id (`th_…`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct ThemeId(pub String);

impl ThemeId {
    /// A new random theme id.
    pub fn generate() -> Self {
        Self(format!("th_{}", random_token(16)))
    }

    /// A new random broad-theme id (`bt_`, so the two levels never share an id).
    pub fn generate_broad() -> Self {
        Self(format!("bt_{}", random_token(16)))
    }
}

impl fmt::Display for ThemeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A theme: a group of similar mentions.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Theme {
    /// Stable id.
    pub id: ThemeId,
    /// The project.
    #[serde(skip)]
    pub project: ProjectId,
    /// Generated label (key phrases joined).
    pub label: String,
    /// A name given by a person; shown instead of the label when set.
    pub name: Option<String>,
    /// Key phrases, most characteristic first.
    pub key_phrases: Vec<String>,
    /// Pinned ("saved") themes are never dissolved by re-clustering.
    pub pinned: bool,
    /// Up to a few mention texts closest to the centroid.
    pub quotes: Vec<String>,
    /// Unit-length centroid of its mentions.
    #[serde(skip)]
    pub centroid: Vec<f32>,
    /// The broad theme it belongs to; `null` when it shares one with no other theme.
    pub parent_id: Option<ThemeId>,
    /// When it was first discovered.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A broad theme: nearby themes grouped (the upper level of the two-level hierarchy). It has
/// no mentions of its own; its mentions are its children's.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BroadTheme {
    /// Stable id (`bt_…`).
    pub id: ThemeId,
    /// The project.
    #[serde(skip)]
    pub project: ProjectId,
    /// Generated label (its children's most shared key phrases).
    pub label: String,
    /// Key phrases, most shared among its children first.
    pub key_phrases: Vec<String>,
    /// Its themes (at least two when computed; fewer when people merged or deleted some since).
    pub children: Vec<ThemeId>,
    /// Unit-length mean of its children's centroids.
    #[serde(skip)]
    pub centroid: Vec<f32>,
    /// When it was first computed.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Filters for theme metrics and mention listings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MentionFilter {
    /// Mentions said at or after this.
    pub from: Option<Timestamp>,
    /// Mentions said before this.
    pub to: Option<Timestamp>,
    /// Only this source (or application) id.
    pub source: Option<String>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only this theme.
    pub theme: Option<ThemeId>,
    /// Only the themes of this broad theme.
    pub broad: Option<ThemeId>,
    /// Only mentions said in items, or only those in chat-feedback comments.
    pub kind: Option<SubjectKind>,
}

/// What a mention was said in: an item or a chat-feedback comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// An ingested item.
    Item,
    /// The comment of a chat feedback.
    Chat,
}

impl SubjectKind {
    /// `item` or `chat`, as [`Subject::kind`] stores it.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Item => Subject::Item(0).kind(),
            SubjectKind::Chat => Subject::Chat(0).kind(),
        }
    }

    /// The API's name: `item` or `comment` (a chat feedback's comment).
    pub fn api_name(self) -> &'static str {
        match self {
            SubjectKind::Item => "item",
            SubjectKind::Chat => "comment",
        }
    }

    /// Parses [`SubjectKind::api_name`].
    pub fn from_api_name(name: &str) -> Option<Self> {
        [SubjectKind::Item, SubjectKind::Chat]
            .into_iter()
            .find(|k| k.api_name() == name)
    }
}

/// Counts of one theme (or all mentions) within a filter.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ThemeMetrics {
    /// The theme (`None`: mentions in no theme).
    pub theme_id: Option<ThemeId>,
    /// Mentions.
    pub mentions: u64,
    /// Distinct speakers (by user key).
    pub distinct_users: u64,
    /// Distinct sources.
    pub sources: u64,
    /// Mean sentiment score.
    pub avg_sentiment: f32,
    /// Mentions per category.
    pub categories: Vec<(Category, u64)>,
    /// Mentions per ISO week (Monday 00:00 UTC start), oldest first.
    pub weekly: Vec<WeekCount>,
}

/// Mentions in one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct WeekCount {
    /// Monday 00:00 UTC of the week.
    pub week: Timestamp,
    /// Mentions that week.
    pub mentions: u64,
}

/// A labelled text to learn categories from (a correction or an imported row).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledExample {
    /// Its text.
    pub text: String,
    /// The right category.
    pub category: Category,
    /// `correction` or `import`.
    pub origin: &'static str,
    /// Its embedding, once computed.
    pub embedding: Option<Vec<f32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentiment_labels_parse_their_wire_names() {
        for label in SentimentLabel::ALL {
            assert_eq!(label.as_str().parse::<SentimentLabel>(), Ok(label));
            assert_eq!(SentimentLabel::ALL[label.index()], label);
            let json = serde_json::to_string(&label).unwrap_or_default();
            assert_eq!(json, format!("\"{label}\""));
        }
        let err = "Neutral".parse::<SentimentLabel>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown sentiment \"Neutral\" (expected negative, neutral or positive)"
        );
    }
}
