use super::*;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

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
    fn back<D: DeserializeOwned + Serialize>(event: &Event) {
        let typed: D = serde_json::from_value(event.data.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", event.event_type.as_str()));
        assert_eq!(
            Event::new(event.event_type, event.timestamp, &typed),
            *event
        );
    }
    for t in EventType::ALL {
        let event = example(t);
        assert_eq!(event.event_type, t);
        match t {
            EventType::FeedbackAnalyzed => back::<FeedbackAnalyzed>(&event),
            EventType::ThemeCreated | EventType::ThemeUpdated => back::<ThemeEvent>(&event),
            EventType::ThemeRising => back::<ThemeRising>(&event),
            EventType::ChatFeedbackReceived | EventType::ChatFeedbackNotUseful => {
                back::<ChatFeedbackEvent>(&event)
            }
            EventType::ChatQualityDropped => back::<ChatQualityDropped>(&event),
            // No struct: the API and the dashboard write it as a JSON object.
            EventType::Test => {
                let data = event.data.as_object().expect("an object");
                assert!(data["endpoint_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("whk_")));
                assert!(data["message"].is_string());
            }
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
fn data_that_is_not_json_is_null() {
    let data = std::collections::HashMap::from([((1, 2), "a")]);
    let event = Event::new(EventType::Test, Timestamp::from_micros(0), &data);
    assert_eq!(event.data, Value::Null);
}

#[test]
fn optional_members_are_left_out_or_null_as_documented() {
    let data = example(EventType::ThemeUpdated).data;
    assert!(data.get("key_phrases").is_none());
    let data = example(EventType::ThemeCreated).data;
    assert!(data.get("change").is_none() && data.get("into").is_none());
    // Data written without the optional members still reads.
    let minimal = json!({"theme": {"id": "th_a", "name": "a"}, "change": "deleted", "mentions": 0});
    let read: ThemeEvent = serde_json::from_value(minimal).expect("minimal theme.updated");
    assert_eq!(read.change, Some(ThemeChange::Deleted));
    assert!(read.key_phrases.is_empty() && read.into.is_none());
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

/// The ```json blocks of a text, each parsed.
fn json_blocks(text: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim()) {
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
fn docs_webhooks_md_shows_every_example_body() {
    let docs = include_str!("../../../../docs/webhooks.md");
    let bodies = json_blocks(docs);
    for t in EventType::ALL {
        let body = serde_json::to_value(example(t)).expect("serialises");
        assert!(
            bodies.contains(&body),
            "docs/webhooks.md lacks the example of {}:\n{}",
            t.as_str(),
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
    }
}
