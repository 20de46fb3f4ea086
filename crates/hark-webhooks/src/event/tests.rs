use super::*;
use serde_json::{json, Value};

#[test]
fn event_types_round_trip_by_wire_name() {
    for t in EventType::ALL {
        assert_eq!(EventType::parse(t.as_str()), Ok(t));
        assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
        assert_eq!(t.to_string(), t.as_str());
        let wire = serde_json::to_value(t).expect("serialises");
        assert_eq!(wire, json!(t.as_str()));
        assert_eq!(serde_json::from_value::<EventType>(wire).ok(), Some(t));
    }
    let names: Vec<&str> = EventType::ALL.map(EventType::as_str).to_vec();
    assert_eq!(
        names,
        [
            "feedback.analyzed",
            "theme.created",
            "theme.updated",
            "theme.rising",
            "chat_feedback.received",
            "chat_feedback.not_useful",
            "chat_quality.dropped",
            "webhook.test"
        ]
    );
    assert!(EventType::ALL
        .iter()
        .all(|t| t.is_subscribable() == (*t != EventType::WebhookTest)));
}

#[test]
fn unknown_event_types_are_refused_with_the_known_list() {
    for bad in [
        "",
        "Feedback.Analyzed",
        "feedback",
        "theme.*",
        "feedback.analyzed ",
    ] {
        let err = EventType::parse(bad).expect_err(bad);
        assert_eq!(err.0, bad);
    }
    let message = EventType::parse("nope").expect_err("unknown").to_string();
    assert!(message.contains("\"nope\""), "{message}");
    assert!(message.contains("chat_quality.dropped"), "{message}");
}

#[test]
fn message_ids_are_prefixed_random_and_distinct() {
    let a = generate_message_id();
    let b = generate_message_id();
    assert_ne!(a, b);
    assert!(a.starts_with("msg_"));
    assert_eq!(a.len(), 4 + 24);
    assert!(a[4..]
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
}

#[test]
fn body_is_type_timestamp_data() {
    let event = example(EventType::ThemeCreated);
    let body: Value = serde_json::from_slice(&event.to_body()).expect("JSON body");
    assert_eq!(
        body,
        json!({
            "type": "theme.created",
            "timestamp": "2026-03-15T10:30:00Z",
            "data": {
                "theme": {"id": "th_3k4j5h6g7f8d9s0a", "name": "login fails after update"},
                "key_phrases": ["login", "update", "password reset"],
                "mentions": 12
            }
        })
    );
    let back: Event = serde_json::from_slice(&event.to_body()).expect("reads back");
    assert_eq!(back, event);
}

#[test]
fn every_example_has_its_type_and_reads_back_into_its_struct() {
    fn back<D: serde::de::DeserializeOwned + Serialize>(event: &Event) {
        let typed: D = serde_json::from_value(event.data.clone()).expect("typed data");
        assert_eq!(to_json(&typed), event.data);
    }
    for t in EventType::ALL {
        let event = example(t);
        assert_eq!(event.event_type, t);
        match t {
            EventType::FeedbackAnalyzed => back::<FeedbackAnalyzed>(&event),
            EventType::ThemeCreated => back::<ThemeCreated>(&event),
            EventType::ThemeUpdated => back::<ThemeUpdated>(&event),
            EventType::ThemeRising => back::<ThemeRising>(&event),
            EventType::ChatFeedbackReceived => back::<ChatFeedbackReceived>(&event),
            EventType::ChatFeedbackNotUseful => back::<ChatFeedbackNotUseful>(&event),
            EventType::ChatQualityDropped => back::<ChatQualityDropped>(&event),
            EventType::WebhookTest => back::<WebhookTest>(&event),
        }
    }
}

#[test]
fn f32_scores_are_written_as_the_rest_api_writes_them() {
    let body = String::from_utf8(example(EventType::FeedbackAnalyzed).to_body()).expect("UTF-8");
    assert!(
        body.contains(r#""score":-0.62"#) && !body.contains("0.6200000"),
        "{body}"
    );
}

#[test]
fn theme_rising_growth_is_a_ratio_over_at_least_one() {
    let t = ThemeRef {
        id: ThemeId("th_x".into()),
        name: "x".into(),
    };
    let week = Timestamp::from_micros(0);
    assert_eq!(ThemeRising::new(t.clone(), week, 42, 12).growth, 3.5);
    assert_eq!(ThemeRising::new(t.clone(), week, 6, 12).growth, 0.5);
    assert_eq!(ThemeRising::new(t.clone(), week, 9, 0).growth, 9.0);
    assert_eq!(ThemeRising::new(t, week, 0, 0).growth, 0.0);
}

#[test]
fn optional_members_are_left_out_or_null_as_documented() {
    let data = example(EventType::ThemeUpdated).data;
    assert!(data.get("previous_name").is_none());
    assert!(data.get("key_phrases").is_none());
    // Data written without the optional members still reads.
    let minimal = json!({"theme": {"id": "th_a", "name": "a"}, "change": "deleted"});
    let read: ThemeUpdated = serde_json::from_value(minimal).expect("minimal theme.updated");
    assert_eq!(read.change, ThemeChange::Deleted);
    assert_eq!(read.mentions, 0);
}

#[test]
fn chat_votes_use_the_contract_enums_and_nulls() {
    let data = example(EventType::ChatFeedbackReceived).data;
    assert_eq!(data["usefulness"], "USEFUL");
    assert_eq!(data["reason"], "COMPLETE");
    assert_eq!(data["comment"], Value::Null);
    let data = example(EventType::ChatFeedbackNotUseful).data;
    assert_eq!(data["usefulness"], "NOT_USEFUL");
    assert_eq!(data["reason"], "NOT_FACTUALLY_CORRECT");
    assert_eq!(data["message_copied_at"], Value::Null);
    let data = example(EventType::ChatQualityDropped).data;
    assert_eq!(data["day"], "2026-03-15T00:00:00Z");
}

/// The ```json blocks of a text, each parsed (doc comment markers stripped).
fn json_blocks(text: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches("///").trim();
        match (&mut current, line) {
            (None, "```json") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(serde_json::from_str(block).expect("a JSON example parses"));
                current = None;
            }
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn doc_comment_examples_are_the_examples() {
    let docs = json_blocks(include_str!("../event.rs"));
    let expected: Vec<Value> = [
        EventType::FeedbackAnalyzed,
        EventType::ThemeCreated,
        EventType::ThemeUpdated,
        EventType::ThemeRising,
        EventType::ChatFeedbackNotUseful,
        EventType::ChatQualityDropped,
        EventType::WebhookTest,
    ]
    .into_iter()
    .map(|t| example(t).data)
    .collect();
    assert_eq!(docs, expected);
}

#[test]
fn docs_webhooks_md_shows_every_example_body() {
    let docs = include_str!("../../../../docs/webhooks.md");
    let bodies = json_blocks(docs);
    for t in EventType::ALL {
        let body = serde_json::to_value(example(t)).expect("serialises");
        assert!(
            bodies.contains(&body),
            "docs/webhooks.md lacks the example of {t}:\n{}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    }
}
