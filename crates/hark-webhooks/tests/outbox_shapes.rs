//! The data the store writes to the outbox (`hark_core::webhooks`, serialised as
//! `OutboxEvent::new` does) reads into this crate's typed data and gets a specific Slack
//! message, never the fallback: the two descriptions of the wire shapes agree.

use hark_core::analysis::{Category, Sentiment, ThemeId};
use hark_core::chat::{ApplicationId, ConversationId, MessageId, Usefulness, UsefulnessReason};
use hark_core::webhooks as core;
use hark_core::{ItemId, Timestamp};
use hark_webhooks::event::{
    ChatFeedbackNotUseful, ChatFeedbackReceived, ChatQualityDropped, FeedbackAnalyzed,
    ThemeCreated, ThemeRising, ThemeUpdated,
};
use hark_webhooks::{slack, Event, EventType};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn theme() -> core::ThemeRef {
    core::ThemeRef {
        id: ThemeId("th_abc".into()),
        name: "login fails".into(),
    }
}

/// `data` as the outbox holds it, read as `D`, and the Slack text of the event.
fn read<D: DeserializeOwned>(event_type: EventType, data: &impl Serialize) -> (D, String) {
    let data = serde_json::to_value(data).expect("outbox data serialises");
    let typed: D = serde_json::from_value(data.clone())
        .unwrap_or_else(|e| panic!("{event_type}: outbox data does not read: {e}"));
    let event = Event {
        event_type,
        timestamp: Timestamp::from_micros(0),
        data,
    };
    let text = slack::message(&event, "https://hark.example.com").text;
    assert!(!text.starts_with("hark event"), "{event_type}: {text}");
    (typed, text)
}

#[test]
fn event_type_names_agree() {
    for t in core::EventType::ALL {
        assert_eq!(
            EventType::parse(t.as_str()).map(|e| e.as_str()),
            Ok(t.as_str())
        );
    }
    // Every type of this crate is known to the outbox, except ones it has not added yet.
    for t in EventType::ALL {
        if let Some(c) = core::EventType::parse(t.as_str()) {
            assert_eq!(c.as_str(), t.as_str());
        }
    }
}

#[test]
fn every_outbox_shape_reads() {
    let (d, _) = read::<FeedbackAnalyzed>(
        EventType::FeedbackAnalyzed,
        &core::FeedbackAnalyzed {
            item_id: ItemId(7),
            unique_id: "u-1".into(),
            source_id: "src_x".into(),
            category: Category::Bug,
            sentiment: Sentiment::from_score(-0.5),
            themes: vec![theme()],
            mentions: 3,
        },
    );
    assert_eq!((d.item_id, d.mentions, d.themes.len()), (ItemId(7), 3, 1));

    let created = core::ThemeEvent {
        theme: theme(),
        key_phrases: vec!["login".into()],
        change: None,
        into: None,
        mentions: 4,
    };
    let (d, _) = read::<ThemeCreated>(EventType::ThemeCreated, &created);
    assert_eq!((d.mentions, d.key_phrases.len()), (4, 1));

    let merged = core::ThemeEvent {
        change: Some(core::ThemeChange::Merged),
        into: Some(core::ThemeRef {
            id: ThemeId("th_def".into()),
            name: "sign-in".into(),
        }),
        ..created
    };
    let (d, text) = read::<ThemeUpdated>(EventType::ThemeUpdated, &merged);
    assert!(d.into.is_some());
    assert_eq!(text, "Theme merged: *login fails* into *sign-in*");

    let (d, _) = read::<ThemeRising>(
        EventType::ThemeRising,
        &core::ThemeRising {
            theme: theme(),
            week: Timestamp::from_micros(0),
            this_week: 10,
            last_week: 2,
            growth: 5.0,
        },
    );
    assert_eq!(d.growth, 5.0);

    let vote = core::ChatFeedbackEvent {
        application_id: ApplicationId::from_stored("a".repeat(36)),
        conversation_id: ConversationId::from_stored("c".repeat(36)),
        message_id: MessageId::from_stored("m".repeat(36)),
        user_id: None,
        usefulness: Some(Usefulness::NotUseful),
        reason: Some(UsefulnessReason::NotHelpful),
        comment: Some("meh".into()),
        message_copied_at: None,
    };
    read::<ChatFeedbackReceived>(EventType::ChatFeedbackReceived, &vote);
    let (d, _) = read::<ChatFeedbackNotUseful>(EventType::ChatFeedbackNotUseful, &vote);
    assert_eq!(d.0.comment.as_deref(), Some("meh"));

    let (d, text) = read::<ChatQualityDropped>(
        EventType::ChatQualityDropped,
        &core::ChatQualityDropped {
            application_id: ApplicationId::from_stored("a".repeat(36)),
            day: Timestamp::from_micros(1_773_532_800_000_000),
            useful_rate: 0.5,
            threshold: 0.7,
            votes: 10,
        },
    );
    assert_eq!(d.votes, 10);
    assert!(text.contains("on 2026-03-15"), "{text}");
}
