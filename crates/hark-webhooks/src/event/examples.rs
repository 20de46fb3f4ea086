//! One sample event per type: the examples of `docs/webhooks.md`, built from the data structs
//! the store writes.

use super::*;
use hark_core::analysis::{Category, Sentiment, ThemeId};
use hark_core::chat::{ApplicationId, ConversationId, MessageId, Usefulness, UsefulnessReason};
use hark_core::{EndpointId, ItemId};

/// The instant all examples happened: 2026-03-15T10:30:00Z.
const EXAMPLE_MICROS: i64 = 1_773_570_600_000_000;
/// 00:00 UTC of that day.
const DAY_MICROS: i64 = 1_773_532_800_000_000;
/// Monday 00:00 UTC of that week (2026-03-09).
const WEEK_MICROS: i64 = 1_773_014_400_000_000;

/// The application of the chat examples.
const APPLICATION: &str = "3f2c1e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b";

fn theme(id: &str, name: &str) -> ThemeRef {
    ThemeRef {
        id: ThemeId(id.to_string()),
        name: name.to_string(),
    }
}

fn vote(usefulness: Usefulness) -> ChatFeedbackEvent {
    let id = |s: &str| s.to_string();
    let (reason, comment) = match usefulness {
        Usefulness::Useful => (Some(UsefulnessReason::Complete), None),
        Usefulness::NotUseful => (
            Some(UsefulnessReason::NotFactuallyCorrect),
            Some("The refund window is 30 days, not 14.".to_string()),
        ),
    };
    ChatFeedbackEvent {
        application_id: ApplicationId::from_stored(id(APPLICATION)),
        conversation_id: ConversationId::from_stored(id("c0ffee00-1234-4abc-8def-0123456789ab")),
        message_id: MessageId::from_stored(id("m0000001-1234-4abc-8def-0123456789ab")),
        user_id: Some("alice@example.com".to_string()),
        usefulness: Some(usefulness),
        reason,
        comment,
        message_copied_at: None,
    }
}

/// A realistic sample event of `event_type`, dated 2026-03-15T10:30:00Z.
pub fn example(event_type: EventType) -> Event {
    let at = Timestamp::from_micros(EXAMPLE_MICROS);
    let login = || theme("th_3k4j5h6g7f8d9s0a", "login fails after update");
    match event_type {
        EventType::FeedbackAnalyzed => Event::new(
            event_type,
            at,
            &FeedbackAnalyzed {
                item_id: ItemId(4711),
                unique_id: "ticket-8812".to_string(),
                source_id: "src_k2j4h5g6f7d8s9a0q1w2".to_string(),
                category: Category::Bug,
                sentiment: Sentiment::from_score(-0.62),
                themes: vec![login()],
                mentions: 2,
            },
        ),
        EventType::ThemeCreated => Event::new(
            event_type,
            at,
            &ThemeEvent {
                theme: login(),
                key_phrases: ["login", "update", "password reset"]
                    .map(String::from)
                    .to_vec(),
                change: None,
                into: None,
                mentions: 12,
            },
        ),
        EventType::ThemeUpdated => Event::new(
            event_type,
            at,
            &ThemeEvent {
                theme: theme("th_9a8s7d6f5g4h3j2k", "cannot sign in"),
                key_phrases: Vec::new(),
                change: Some(ThemeChange::Merged),
                into: Some(login()),
                mentions: 0,
            },
        ),
        EventType::ThemeRising => Event::new(
            event_type,
            at,
            &ThemeRising {
                theme: login(),
                week: Timestamp::from_micros(WEEK_MICROS),
                this_week: 42,
                last_week: 12,
                growth: 3.5,
            },
        ),
        EventType::ChatFeedbackReceived => Event::new(event_type, at, &vote(Usefulness::Useful)),
        EventType::ChatFeedbackNotUseful => {
            Event::new(event_type, at, &vote(Usefulness::NotUseful))
        }
        EventType::ChatQualityDropped => Event::new(
            event_type,
            at,
            &ChatQualityDropped {
                application_id: ApplicationId::from_stored(APPLICATION.to_string()),
                day: Timestamp::from_micros(DAY_MICROS),
                useful_rate: 0.58,
                threshold: 0.7,
                votes: 143,
            },
        ),
        // What the API, the dashboard and the CLI send on request.
        EventType::Test => Event::new(
            event_type,
            at,
            &crate::manage::test_event(&EndpointId::new("whk_4f5g6h7j8k9l0z1x2c3v")).data,
        ),
    }
}
