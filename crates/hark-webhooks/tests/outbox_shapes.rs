//! The events the store's builders write to the outbox (`hark_store::backend::webhooks`) get a
//! specific Slack message with their content, never the fallback for data of the wrong shape.

use hark_core::analysis::{
    Category, MentionRecord, Sentiment, Subject, SubjectAnalysis, Theme, ThemeId,
};
use hark_core::chat::{
    ApplicationId, ConversationId, FeedbackInput, MessageId, MessageRef, MessageUsefulness,
    Usefulness, UsefulnessReason,
};
use hark_core::webhooks::{EventType, OutboxEvent, ThemeChange};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::webhooks::{chat_feedback, feedback_analyzed, theme_event};
use hark_webhooks::{slack, Event};

const BASE: &str = "https://hark.example.com";

/// The Slack section text of an outbox event, as the worker builds it.
fn slack_text(e: &OutboxEvent) -> String {
    let event = Event {
        event_type: e.event_type,
        timestamp: e.timestamp,
        data: e.data.clone(),
    };
    let m = slack::message(&event, BASE);
    let text = m.blocks[0]["text"]["text"].as_str().unwrap_or_default();
    assert!(
        !text.starts_with("hark event"),
        "{}: the fallback for {}",
        e.event_type.as_str(),
        e.data
    );
    text.to_string()
}

fn theme(id: &str, name: Option<&str>, label: &str) -> Theme {
    Theme {
        id: ThemeId(id.into()),
        project: ProjectId::new("prj_1"),
        label: label.into(),
        name: name.map(String::from),
        key_phrases: vec!["login".into(), "update".into()],
        pinned: false,
        quotes: vec![],
        centroid: vec![],
        parent_id: None,
        created_at: Timestamp::from_micros(0),
        updated_at: Timestamp::from_micros(0),
    }
}

fn mention(ordinal: u32, theme: Option<&str>) -> MentionRecord {
    MentionRecord {
        part_id: None,
        ordinal,
        text: "login fails".into(),
        user_key: None,
        created_at: Timestamp::from_micros(0),
        sentiment: Sentiment::from_score(-0.5),
        category: Category::Bug,
        confidence: 0.9,
        theme: theme.map(|t| (ThemeId(t.into()), 0.8)),
        embedding: vec![],
    }
}

#[test]
fn feedback_analyzed_names_category_sentiment_and_themes() {
    let analysis = SubjectAnalysis {
        project: ProjectId::new("prj_1"),
        subject: Subject::Item(7),
        generation: 1,
        source: "src_x".into(),
        mentions: vec![
            mention(0, Some("th_a")),
            mention(1, Some("th_a")),
            mention(2, None),
        ],
        sentiment: Sentiment::from_score(-0.5),
        category: Category::Bug,
        confidence: 0.9,
    };
    let event = feedback_analyzed(&analysis, "ticket-1".into(), |id| {
        Some(format!("theme {}", id.0))
    })
    .expect("an item's analysis is an event");
    assert_eq!(event.event_type, EventType::FeedbackAnalyzed);
    let text = slack_text(&event);
    assert!(text.contains("*bug*, negative sentiment"), "{text}");
    assert!(text.contains("`ticket-1`"), "{text}");
    assert!(text.ends_with("Themes: theme th_a"), "{text}");
}

#[test]
fn theme_events_say_what_happened() {
    let login = theme("th_a", None, "login update");
    let created = theme_event(&login, None, None, 4);
    assert_eq!(created.event_type, EventType::ThemeCreated);
    assert_eq!(
        slack_text(&created),
        "New theme: *login update* (4 mentions)"
    );

    let named = theme("th_a", Some("login fails"), "login update");
    let renamed = theme_event(&named, Some(ThemeChange::Renamed), None, 4);
    assert_eq!(renamed.event_type, EventType::ThemeUpdated);
    assert_eq!(slack_text(&renamed), "Theme renamed to *login fails*");

    let into = theme("th_b", Some("sign-in"), "sign in");
    let merged = theme_event(&named, Some(ThemeChange::Merged), Some(&into), 0);
    assert_eq!(
        slack_text(&merged),
        "Theme merged: *login fails* into *sign-in*"
    );
    let deleted = theme_event(&named, Some(ThemeChange::Deleted), None, 0);
    assert_eq!(slack_text(&deleted), "Theme deleted: *login fails*");
}

#[test]
fn chat_feedback_quotes_the_vote() {
    let input = FeedbackInput {
        message: MessageRef {
            application_id: ApplicationId::from_stored("a".repeat(36)),
            conversation_id: ConversationId::from_stored("c".repeat(36)),
            message_id: MessageId::from_stored("m".repeat(36)),
        },
        user_id: Some("bob".into()),
        message_copied_at: None,
        usefulness: Some(MessageUsefulness {
            usefulness: Usefulness::NotUseful,
            reason: Some(UsefulnessReason::NotHelpful),
            comment: Some("meh".into()),
            submitted_at: Timestamp::from_micros(0),
        }),
    };
    let events = chat_feedback(&input, true);
    let types: Vec<EventType> = events.iter().map(|e| e.event_type).collect();
    assert_eq!(
        types,
        [
            EventType::ChatFeedbackReceived,
            EventType::ChatFeedbackNotUseful
        ]
    );
    for e in &events {
        let text = slack_text(e);
        assert!(text.starts_with("AI answer rated *not useful*"), "{text}");
        assert!(text.ends_with("· not helpful · by bob\n>meh"), "{text}");
    }

    let copy = FeedbackInput {
        usefulness: None,
        message_copied_at: Some(Timestamp::from_micros(0)),
        ..input
    };
    let events = chat_feedback(&copy, true);
    assert_eq!(events.len(), 1);
    assert!(slack_text(&events[0]).starts_with("AI answer copied in "));
}
