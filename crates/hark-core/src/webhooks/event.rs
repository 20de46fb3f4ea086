//! Webhook events: their types, the facts endpoint filters look at, and the `data` of each
//! type. An event is delivered as `{"type", "timestamp", "data"}` (`hark_webhooks::Event`); the shapes are
//! documented with an example each in `docs/webhooks.md`.

use crate::analysis::{Category, Sentiment, ThemeId};
use crate::chat::{ApplicationId, ConversationId, MessageId, Usefulness, UsefulnessReason};
use crate::{ItemId, Timestamp};
use serde::{Deserialize, Serialize};

/// The event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    /// An item was analysed: category, sentiment, the themes of its mentions.
    #[serde(rename = "feedback.analyzed")]
    FeedbackAnalyzed,
    /// Theme discovery found a new theme.
    #[serde(rename = "theme.created")]
    ThemeCreated,
    /// A theme was renamed, merged into another or deleted.
    #[serde(rename = "theme.updated")]
    ThemeUpdated,
    /// A theme's mentions grew week over week past the endpoint's threshold (once per theme
    /// per week).
    #[serde(rename = "theme.rising")]
    ThemeRising,
    /// A vote (or copy) on an AI answer was stored.
    #[serde(rename = "chat_feedback.received")]
    ChatFeedbackReceived,
    /// A NOT_USEFUL vote on an AI answer was stored.
    #[serde(rename = "chat_feedback.not_useful")]
    ChatFeedbackNotUseful,
    /// An application's daily useful rate fell below the endpoint's threshold (once per
    /// application per day).
    #[serde(rename = "chat_quality.dropped")]
    ChatQualityDropped,
    /// A test event sent on request to one endpoint (not subscribable).
    #[serde(rename = "webhook.test")]
    Test,
}

impl EventType {
    /// Every type, in documentation order.
    pub const ALL: [Self; 8] = [
        Self::FeedbackAnalyzed,
        Self::ThemeCreated,
        Self::ThemeUpdated,
        Self::ThemeRising,
        Self::ChatFeedbackReceived,
        Self::ChatFeedbackNotUseful,
        Self::ChatQualityDropped,
        Self::Test,
    ];

    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FeedbackAnalyzed => "feedback.analyzed",
            Self::ThemeCreated => "theme.created",
            Self::ThemeUpdated => "theme.updated",
            Self::ThemeRising => "theme.rising",
            Self::ChatFeedbackReceived => "chat_feedback.received",
            Self::ChatFeedbackNotUseful => "chat_feedback.not_useful",
            Self::ChatQualityDropped => "chat_quality.dropped",
            Self::Test => "webhook.test",
        }
    }

    /// Whether an endpoint may subscribe to it (every type but the test event).
    pub fn is_subscribable(self) -> bool {
        self != Self::Test
    }

    /// The type named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// What endpoint filters look at; `None` where the event has no such fact.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFacts {
    /// The feedback's or theme's category.
    pub category: Option<Category>,
    /// The source id or application id.
    pub source: Option<String>,
    /// The theme's mentions.
    pub mentions: Option<u64>,
    /// This week's mentions over last week's (`theme.rising`).
    pub growth: Option<f64>,
    /// The daily useful rate (`chat_quality.dropped`).
    pub useful_rate: Option<f64>,
}

/// An event to deliver, as the store writes it to the outbox with the change that causes it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    /// Its type.
    pub event_type: EventType,
    /// What endpoint filters look at.
    pub facts: EventFacts,
    /// The `data` member.
    pub data: serde_json::Value,
    /// When it happened.
    pub timestamp: Timestamp,
    /// For events that must happen once (`theme.rising` per theme and week, …): an endpoint
    /// gets at most one event with the same key.
    pub once_key: Option<String>,
}

impl OutboxEvent {
    /// An event of `event_type` with `data`, happening now.
    pub fn new(event_type: EventType, facts: EventFacts, data: &impl Serialize) -> Self {
        Self {
            event_type,
            facts,
            // Through text, so an `f32` keeps its short form (-0.62, not -0.6200000047683716).
            data: serde_json::to_string(data)
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or(serde_json::Value::Null),
            timestamp: Timestamp::now(),
            once_key: None,
        }
    }
}

/// A theme named in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeRef {
    /// Its id.
    pub id: ThemeId,
    /// Its name, or its generated label.
    pub name: String,
}

/// `feedback.analyzed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackAnalyzed {
    /// hark's item id.
    pub item_id: ItemId,
    /// The client's de-duplication key.
    pub unique_id: String,
    /// The source it came through.
    pub source_id: String,
    /// Its category.
    pub category: Category,
    /// Its sentiment.
    pub sentiment: Sentiment,
    /// The themes of its mentions (distinct, in order of mention).
    pub themes: Vec<ThemeRef>,
    /// How many mentions it has.
    pub mentions: usize,
}

/// What happened to a theme (`theme.updated`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChange {
    /// A person named (or unnamed) it.
    Renamed,
    /// Its mentions were moved into another theme, which replaces it.
    Merged,
    /// A person or a re-clustering removed it.
    Deleted,
}

/// `theme.created` and `theme.updated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeEvent {
    /// The theme.
    pub theme: ThemeRef,
    /// Its key phrases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_phrases: Vec<String>,
    /// `theme.updated` only: what happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<ThemeChange>,
    /// `merged` only: the theme that received its mentions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<ThemeRef>,
    /// Its mentions (after the change).
    pub mentions: u64,
}

/// `theme.rising`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeRising {
    /// The theme.
    pub theme: ThemeRef,
    /// Monday 00:00 UTC of the week it rose in.
    pub week: Timestamp,
    /// Mentions this week so far.
    pub this_week: u64,
    /// Mentions last week.
    pub last_week: u64,
    /// `this_week / max(last_week, 1)`.
    pub growth: f64,
}

/// `chat_feedback.received` and `chat_feedback.not_useful`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatFeedbackEvent {
    /// The application.
    pub application_id: ApplicationId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The rated message.
    pub message_id: MessageId,
    /// The end user, when the call named one.
    pub user_id: Option<String>,
    /// The vote, when there was one (a copy alone has none).
    pub usefulness: Option<Usefulness>,
    /// Its reason.
    pub reason: Option<UsefulnessReason>,
    /// The user's comment.
    pub comment: Option<String>,
    /// When the answer was copied, if it was.
    pub message_copied_at: Option<Timestamp>,
}

/// `chat_quality.dropped`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatQualityDropped {
    /// The application.
    pub application_id: ApplicationId,
    /// The UTC day.
    pub day: Timestamp,
    /// Useful votes / all votes that day.
    pub useful_rate: f64,
    /// The endpoint's threshold it fell below.
    pub threshold: f64,
    /// Votes that day.
    pub votes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            let wire = serde_json::to_value(t).expect("serialises");
            assert_eq!(wire, serde_json::json!(t.as_str()));
            assert_eq!(serde_json::from_value::<EventType>(wire).ok(), Some(t));
        }
        for bad in [
            "theme.renamed",
            "",
            "Feedback.Analyzed",
            "feedback.analyzed ",
        ] {
            assert_eq!(EventType::parse(bad), None, "{bad:?}");
        }
    }
}
