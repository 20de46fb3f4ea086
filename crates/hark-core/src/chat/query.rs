//! Reading chat feedback back: filters, pages, conversations and aggregates.

use super::ids::{ApplicationId, ConversationId};
use super::model::{ChatMessage, StoredFeedback, Usefulness, UsefulnessReason};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Filters of the feedback listing; every set filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    /// Only this application's feedback.
    pub application_id: Option<ApplicationId>,
    /// Only this vote.
    pub usefulness: Option<Usefulness>,
    /// Only this reason.
    pub reason: Option<UsefulnessReason>,
    /// Only this user's feedback.
    pub user_id: Option<String>,
    /// Event time (`submittedAt`, else `messageCopiedAt`) at or after this instant.
    pub from: Option<Timestamp>,
    /// Event time before this instant.
    pub to: Option<Timestamp>,
    /// Only feedback with (true) or without (false) a non-empty comment.
    pub has_comment: Option<bool>,
}

/// Position after the last row of a feedback page (newest event first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackCursor {
    /// Event time of the last row, in microseconds.
    pub event_at: i64,
    /// Row id of the last row.
    pub id: i64,
}

impl FeedbackCursor {
    /// Opaque text form given to clients.
    pub fn encode(self) -> String {
        format!("{}.{}", self.event_at, self.id)
    }

    /// Parses [`FeedbackCursor::encode`]'s output.
    pub fn decode(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('.')?;
        Some(Self {
            event_at: a.parse().ok()?,
            id: b.parse().ok()?,
        })
    }
}

/// One page of feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackPage {
    /// Newest event first.
    pub feedback: Vec<StoredFeedback>,
    /// Cursor for the next page, if there may be one.
    pub next: Option<FeedbackCursor>,
}

/// A conversation with its recorded messages and all feedback on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Conversation {
    /// Application.
    pub application_id: ApplicationId,
    /// Conversation.
    pub conversation_id: ConversationId,
    /// Messages in order (by `created_at`, then arrival); those only known from feedback have
    /// no text and are not listed here.
    pub messages: Vec<ChatMessage>,
    /// Every feedback on a message of the conversation.
    pub feedback: Vec<StoredFeedback>,
}

/// Bucket width of the aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks starting Monday 00:00 UTC.
    Week,
}

impl Period {
    /// The start of the period holding `t`: UTC midnight of its day, or Monday 00:00 UTC of its
    /// ISO week. Exact for instants before 1970 too.
    pub fn start_of(self, t: Timestamp) -> Timestamp {
        const DAY_US: i64 = 86_400_000_000;
        let day = t.as_micros().div_euclid(DAY_US);
        let first_day = match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: day -3 (1969-12-29) was a Monday.
            Period::Week => (day + 3).div_euclid(7) * 7 - 3,
        };
        Timestamp::from_micros(first_day * DAY_US)
    }
}

/// What the aggregates cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsQuery {
    /// Only this application (else every application of the project).
    pub application_id: Option<ApplicationId>,
    /// Event time at or after.
    pub from: Option<Timestamp>,
    /// Event time before.
    pub to: Option<Timestamp>,
    /// Bucket width.
    pub period: Period,
    /// How many of the most NOT_USEFUL answers to list.
    pub top: u32,
}

/// Counts of one application in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatsBucket {
    /// Application.
    pub application_id: ApplicationId,
    /// Start of the period (UTC midnight; Monday for weeks).
    pub period_start: Timestamp,
    /// Feedback records whose event falls in the period.
    pub feedback: u64,
    /// Of which voted USEFUL.
    pub useful: u64,
    /// Of which voted NOT_USEFUL.
    pub not_useful: u64,
    /// useful / (useful + not_useful); `None` without votes.
    pub useful_rate: Option<f64>,
    /// Of which the answer was copied.
    pub copied: u64,
    /// copied / feedback; `None` without feedback.
    pub copy_rate: Option<f64>,
    /// Votes per reason (wire names).
    pub reasons: BTreeMap<String, u64>,
}

/// An answer with many NOT_USEFUL votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatedAnswer {
    /// The message.
    #[serde(flatten)]
    pub message: super::model::MessageRef,
    /// NOT_USEFUL votes.
    pub not_useful: u64,
    /// USEFUL votes.
    pub useful: u64,
    /// The answer's text, when the message was recorded.
    pub text: Option<String>,
}

/// The aggregates of a [`StatsQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackStats {
    /// Per application and period, oldest period first.
    pub buckets: Vec<StatsBucket>,
    /// Answers with the most NOT_USEFUL votes, most first.
    pub most_not_useful: Vec<RatedAnswer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_iso8601(s).unwrap()
    }

    #[test]
    fn days_start_at_utc_midnight() {
        assert_eq!(
            Period::Day.start_of(ts("2026-03-15T23:59:59.999999Z")),
            ts("2026-03-15T00:00:00Z")
        );
        assert_eq!(
            Period::Day.start_of(ts("2026-03-16T00:00:00Z")),
            ts("2026-03-16T00:00:00Z")
        );
        assert_eq!(
            Period::Day.start_of(ts("1969-12-31T12:00:00Z")),
            ts("1969-12-31T00:00:00Z")
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-03-15 is a Sunday, 2026-03-16 a Monday.
        let week_of_sunday = ts("2026-03-09T00:00:00Z");
        assert_eq!(
            Period::Week.start_of(ts("2026-03-15T23:59:59Z")),
            week_of_sunday
        );
        assert_eq!(
            Period::Week.start_of(ts("2026-03-09T00:00:00Z")),
            week_of_sunday
        );
        assert_eq!(
            Period::Week.start_of(ts("2026-03-16T00:00:00Z")),
            ts("2026-03-16T00:00:00Z")
        );
        assert_eq!(
            Period::Week.start_of(ts("2026-03-18T08:00:00Z")),
            ts("2026-03-16T00:00:00Z")
        );
        // Around the epoch (a Thursday) and before it.
        assert_eq!(
            Period::Week.start_of(ts("1970-01-01T00:00:00Z")),
            ts("1969-12-29T00:00:00Z")
        );
        assert_eq!(
            Period::Week.start_of(ts("1969-12-28T10:00:00Z")),
            ts("1969-12-22T00:00:00Z")
        );
        // An ISO week that spans a year boundary: 2024-12-30 is a Monday.
        assert_eq!(
            Period::Week.start_of(ts("2025-01-05T10:00:00Z")),
            ts("2024-12-30T00:00:00Z")
        );
    }
}
