//! Deliveries (one event to one endpoint) and their attempts, as the deliveries API shows them.

use super::event::EventType;
use crate::{EndpointId, EventId, Timestamp};
use serde::Serialize;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// No more attempts: the schedule ran out, the endpoint answered 410, or was disabled.
    Failed,
}

impl DeliveryStatus {
    /// The wire and stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One event to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The endpoint.
    pub endpoint_id: EndpointId,
    /// The event's `webhook-id` (the same on every attempt and resend).
    pub event_id: EventId,
    /// The event's type.
    pub event_type: EventType,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// When the event happened.
    pub created_at: Timestamp,
    /// The HTTP status of the last attempt, if it got one.
    pub last_status: Option<u16>,
}

/// The outcome of one attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Attempt {
    /// The attempt's number, from 1.
    pub number: u32,
    /// When it was made.
    pub at: Timestamp,
    /// The HTTP status, if an answer came.
    pub status: Option<u16>,
    /// How long it took (milliseconds).
    pub latency_ms: u64,
    /// The first 1 KB of the answer's body, or what went wrong.
    pub response: String,
}

/// A delivery claimed by a worker, with what it needs to make the attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedDelivery {
    /// The delivery.
    pub id: i64,
    /// Attempts made before this one.
    pub attempts: u32,
    /// The endpoint (its current URL, kind, secrets).
    pub endpoint: super::Endpoint,
    /// Its sealed secrets.
    pub secrets: super::SealedSecrets,
    /// The event's id.
    pub event_id: EventId,
    /// The event's type.
    pub event_type: EventType,
    /// When it happened.
    pub timestamp: Timestamp,
    /// Its data.
    pub data: serde_json::Value,
}

/// What the worker decided after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptResult {
    /// Delivered.
    Delivered,
    /// Try again at this time.
    RetryAt(Timestamp),
    /// No more attempts for this delivery.
    GiveUp,
    /// No more attempts, and the endpoint is disabled for this reason (410, or failing for
    /// too long).
    DisableEndpoint(String),
}
