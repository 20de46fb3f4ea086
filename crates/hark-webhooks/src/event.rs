//! The message body hark sends, and one example event of each type.
//!
//! A message body is `{"type": "...", "timestamp": "...", "data": {...}}`, the Standard
//! Webhooks payload shape. The event types and the data of each are `hark_core::webhooks`'
//! (the store writes them to the outbox), re-exported here; [`example`] gives a sample of each,
//! the ones `docs/webhooks.md` shows.

pub use hark_core::webhooks::{
    ChatFeedbackEvent, ChatQualityDropped, EventType, FeedbackAnalyzed, ThemeChange, ThemeEvent,
    ThemeRef, ThemeRising,
};
use hark_core::Timestamp;
use serde::{Deserialize, Serialize};

/// The prefix of message ids (the `webhook-id` header).
pub const MESSAGE_ID_PREFIX: &str = "msg_";

/// A fresh message id: `msg_` + 24 random lowercase alphanumerics (~124 bits).
///
/// Generate it once, when the event is recorded, and send the same id on every attempt:
/// receivers de-duplicate retries on it.
pub fn generate_message_id() -> String {
    format!("{MESSAGE_ID_PREFIX}{}", hark_core::ids::random_token(24))
}

/// One message body as sent: `{"type", "timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened (RFC 3339, UTC).
    pub timestamp: Timestamp,
    /// The type's data (one of the data structs of `hark_core::webhooks`), as JSON.
    pub data: serde_json::Value,
}

impl Event {
    /// The event of `event_type` with `data`, which happened at `timestamp`. Data that does
    /// not serialise to JSON (a map with non-string keys) becomes `null`.
    pub fn new(event_type: EventType, timestamp: Timestamp, data: &impl Serialize) -> Self {
        Self {
            event_type,
            timestamp,
            // Through text rather than `to_value`, so an `f32` (a sentiment score) reads as the
            // REST API writes it (`-0.62`, not the widened `-0.6200000047683716`).
            data: serde_json::to_string(data)
                .ok()
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or(serde_json::Value::Null),
        }
    }

    /// The body bytes to sign and send.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an Event has only string keys and serialises")
    }
}

mod examples;
pub use examples::example;

#[cfg(test)]
mod tests;
