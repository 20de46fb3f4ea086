//! The events hark sends, their typed data, and the message body.
//!
//! A message body is `{"type": "...", "timestamp": "...", "data": {...}}`, the Standard
//! Webhooks payload shape. Each event type has a data struct here; [`Event::new`] turns one into
//! the body's JSON. The examples in the docs of each struct are the ones in `docs/webhooks.md`.

use hark_core::analysis::{Category, Sentiment, ThemeId};
use hark_core::chat::{ApplicationId, ConversationId, MessageId, Usefulness, UsefulnessReason};
use hark_core::{ItemId, SourceId, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The prefix of message ids (the `webhook-id` header).
pub const MESSAGE_ID_PREFIX: &str = "msg_";

/// A fresh message id: `msg_` + 24 random lowercase alphanumerics (~124 bits).
///
/// Generate it once, when the event is recorded, and send the same id on every attempt:
/// receivers de-duplicate retries on it.
pub fn generate_message_id() -> String {
    format!("{MESSAGE_ID_PREFIX}{}", hark_core::ids::random_token(24))
}

/// What happened. The wire name is the Standard Webhooks `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    /// A feedback item was analysed: category, sentiment and themes are known.
    #[serde(rename = "feedback.analyzed")]
    FeedbackAnalyzed,
    /// The theme engine found a new theme.
    #[serde(rename = "theme.created")]
    ThemeCreated,
    /// A theme was renamed, merged into another, or deleted.
    #[serde(rename = "theme.updated")]
    ThemeUpdated,
    /// A theme's mentions grew markedly this week compared with the last.
    #[serde(rename = "theme.rising")]
    ThemeRising,
    /// A vote on an AI answer arrived.
    #[serde(rename = "chat_feedback.received")]
    ChatFeedbackReceived,
    /// A vote on an AI answer arrived and it says "not useful".
    #[serde(rename = "chat_feedback.not_useful")]
    ChatFeedbackNotUseful,
    /// An application's daily useful rate fell below its threshold.
    #[serde(rename = "chat_quality.dropped")]
    ChatQualityDropped,
    /// A test event sent on request to one endpoint; not subscribable.
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

/// An event type name that hark does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event type {0:?}; known types: {known}", known = EventType::ALL.map(EventType::as_str).join(", "))]
pub struct UnknownEventType(pub String);

impl EventType {
    /// Every event type, in documentation order.
    pub const ALL: [EventType; 8] = [
        EventType::FeedbackAnalyzed,
        EventType::ThemeCreated,
        EventType::ThemeUpdated,
        EventType::ThemeRising,
        EventType::ChatFeedbackReceived,
        EventType::ChatFeedbackNotUseful,
        EventType::ChatQualityDropped,
        EventType::WebhookTest,
    ];

    /// The wire name, e.g. `feedback.analyzed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::FeedbackAnalyzed => "feedback.analyzed",
            EventType::ThemeCreated => "theme.created",
            EventType::ThemeUpdated => "theme.updated",
            EventType::ThemeRising => "theme.rising",
            EventType::ChatFeedbackReceived => "chat_feedback.received",
            EventType::ChatFeedbackNotUseful => "chat_feedback.not_useful",
            EventType::ChatQualityDropped => "chat_quality.dropped",
            EventType::WebhookTest => "webhook.test",
        }
    }

    /// Whether an endpoint may subscribe to it (every type but the test event).
    pub fn is_subscribable(self) -> bool {
        self != EventType::WebhookTest
    }

    /// The type with this wire name (exact, case-sensitive).
    pub fn parse(name: &str) -> Result<Self, UnknownEventType> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
            .ok_or_else(|| UnknownEventType(name.to_string()))
    }
}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message body as sent: `{"type", "timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened (RFC 3339, UTC).
    pub timestamp: Timestamp,
    /// The type's data: one of the structs of this module, as JSON.
    pub data: serde_json::Value,
}

/// The data of one event type.
pub trait EventData: Serialize {
    /// The event type this data belongs to.
    const TYPE: EventType;
}

impl Event {
    /// The event for `data`, which happened at `timestamp`.
    pub fn new<D: EventData>(data: &D, timestamp: Timestamp) -> Self {
        Self {
            event_type: D::TYPE,
            timestamp,
            data: to_json(data),
        }
    }

    /// The body bytes to sign and send.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an Event has only string keys and serialises")
    }
}

fn to_json<D: Serialize>(data: &D) -> serde_json::Value {
    // Through text rather than `to_value`, so an `f32` (a sentiment score) reads as the REST API
    // writes it (`-0.62`, not the widened `-0.6200000047683716`). The data structs have string
    // keys only and serde_json writes non-finite floats as null: this cannot fail.
    let text = serde_json::to_string(data).expect("event data structs serialise");
    serde_json::from_str(&text).expect("serde_json reads what it wrote")
}

/// A theme named in an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeRef {
    /// `th_…`.
    pub id: ThemeId,
    /// Its current label.
    pub name: String,
}

/// `feedback.analyzed`.
///
/// ```json
/// {"item_id": 4711, "unique_id": "ticket-8812", "source_id": "src_k2j4h5g6f7d8s9a0q1w2",
///  "category": "bug", "sentiment": {"score": -0.62, "label": "negative"},
///  "themes": [{"id": "th_3k4j5h6g7f8d9s0a", "name": "login fails after update"}],
///  "mentions": 2}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackAnalyzed {
    /// hark's id of the item (the dashboard's `/feedback/{id}`).
    pub item_id: ItemId,
    /// The client's id of the item.
    pub unique_id: String,
    /// The source it came in through.
    pub source_id: SourceId,
    /// Its category.
    pub category: Category,
    /// Its overall sentiment.
    pub sentiment: Sentiment,
    /// The themes of its mentions, distinct, in order of mention (may be empty).
    pub themes: Vec<ThemeRef>,
    /// How many mentions (pieces of feedback) the analysis found in it.
    #[serde(default)]
    pub mentions: u64,
}

impl EventData for FeedbackAnalyzed {
    const TYPE: EventType = EventType::FeedbackAnalyzed;
}

/// `theme.created`.
///
/// ```json
/// {"theme": {"id": "th_3k4j5h6g7f8d9s0a", "name": "login fails after update"},
///  "key_phrases": ["login", "update", "password reset"], "mentions": 12}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCreated {
    /// The new theme.
    pub theme: ThemeRef,
    /// Its key phrases (left out when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_phrases: Vec<String>,
    /// Mentions it starts with.
    pub mentions: u64,
}

impl EventData for ThemeCreated {
    const TYPE: EventType = EventType::ThemeCreated;
}

/// What changed about a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChange {
    /// It got a new name (`previous_name` holds the old one, when known).
    Renamed,
    /// Its mentions were moved into another theme (`into`), which replaces it.
    Merged,
    /// It was deleted.
    Deleted,
}

/// `theme.updated`. Members without a value are left out.
///
/// ```json
/// {"theme": {"id": "th_9a8s7d6f5g4h3j2k", "name": "cannot sign in"}, "change": "merged",
///  "into": {"id": "th_3k4j5h6g7f8d9s0a", "name": "login fails after update"},
///  "mentions": 0}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeUpdated {
    /// The theme as it is now (for `deleted` and `merged`: as it was last).
    pub theme: ThemeRef,
    /// Its key phrases.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_phrases: Vec<String>,
    /// What happened to it.
    pub change: ThemeChange,
    /// The name before a rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_name: Option<String>,
    /// The theme it was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<ThemeRef>,
    /// Its mentions after the change.
    #[serde(default)]
    pub mentions: u64,
}

impl EventData for ThemeUpdated {
    const TYPE: EventType = EventType::ThemeUpdated;
}

/// `theme.rising`.
///
/// ```json
/// {"theme": {"id": "th_3k4j5h6g7f8d9s0a", "name": "login fails after update"},
///  "week": "2026-03-09T00:00:00Z", "this_week": 42, "last_week": 12, "growth": 3.5}
/// ```
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
    /// `this_week / max(last_week, 1)`: 3.5 means three and a half times as many.
    pub growth: f64,
}

impl ThemeRising {
    /// The data for these counts, with `growth` computed from them.
    pub fn new(theme: ThemeRef, week: Timestamp, this_week: u64, last_week: u64) -> Self {
        Self {
            theme,
            week,
            this_week,
            last_week,
            growth: this_week as f64 / last_week.max(1) as f64,
        }
    }
}

impl EventData for ThemeRising {
    const TYPE: EventType = EventType::ThemeRising;
}

/// One vote (or copy) of an AI answer: the data of `chat_feedback.received` and
/// `chat_feedback.not_useful` (see [`ChatFeedbackReceived`], [`ChatFeedbackNotUseful`]).
///
/// ```json
/// {"application_id": "3f2c1e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
///  "conversation_id": "c0ffee00-1234-4abc-8def-0123456789ab",
///  "message_id": "m0000001-1234-4abc-8def-0123456789ab", "user_id": "alice@example.com",
///  "usefulness": "NOT_USEFUL", "reason": "NOT_FACTUALLY_CORRECT",
///  "comment": "The refund window is 30 days, not 14.", "message_copied_at": null}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatVote {
    /// The AI application.
    pub application_id: ApplicationId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The answer voted on.
    pub message_id: MessageId,
    /// Who voted, when known.
    pub user_id: Option<String>,
    /// `USEFUL` or `NOT_USEFUL`; `null` when the call only recorded a copy.
    pub usefulness: Option<Usefulness>,
    /// The reason picked, if any.
    pub reason: Option<UsefulnessReason>,
    /// The free-text comment, if any.
    pub comment: Option<String>,
    /// When the answer was copied, if it was.
    #[serde(default)]
    pub message_copied_at: Option<Timestamp>,
}

/// `chat_feedback.received`: every vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChatFeedbackReceived(pub ChatVote);

impl EventData for ChatFeedbackReceived {
    const TYPE: EventType = EventType::ChatFeedbackReceived;
}

/// `chat_feedback.not_useful`: only votes saying "not useful".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChatFeedbackNotUseful(pub ChatVote);

impl EventData for ChatFeedbackNotUseful {
    const TYPE: EventType = EventType::ChatFeedbackNotUseful;
}

/// `chat_quality.dropped`.
///
/// ```json
/// {"application_id": "3f2c1e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "day": "2026-03-15T00:00:00Z",
///  "useful_rate": 0.58, "threshold": 0.7, "votes": 143}
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatQualityDropped {
    /// The AI application.
    pub application_id: ApplicationId,
    /// 00:00 UTC of the day measured.
    pub day: Timestamp,
    /// Share of `USEFUL` votes that day, 0–1.
    pub useful_rate: f64,
    /// The rate below which this event is sent, 0–1.
    pub threshold: f64,
    /// Votes that day.
    pub votes: u64,
}

impl EventData for ChatQualityDropped {
    const TYPE: EventType = EventType::ChatQualityDropped;
}

/// `webhook.test`: sent on request, to check an endpoint.
///
/// ```json
/// {"message": "A test event from hark: this endpoint receives hark's webhooks."}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTest {
    /// A sentence saying what this is.
    pub message: String,
}

impl Default for WebhookTest {
    fn default() -> Self {
        Self {
            message: "A test event from hark: this endpoint receives hark's webhooks.".to_string(),
        }
    }
}

impl EventData for WebhookTest {
    const TYPE: EventType = EventType::WebhookTest;
}

mod examples;
pub use examples::example;

#[cfg(test)]
mod tests;
