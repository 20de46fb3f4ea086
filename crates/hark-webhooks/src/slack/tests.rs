use super::*;
use crate::event::example;
use hark_core::analysis::ThemeId;
use hark_core::Timestamp;

const BASE: &str = "https://hark.example.com";

fn section(m: &SlackMessage) -> &str {
    assert_eq!(m.blocks[0]["type"], "section");
    assert_eq!(m.blocks[0]["text"]["type"], "mrkdwn");
    m.blocks[0]["text"]["text"].as_str().unwrap_or_default()
}

fn link(m: &SlackMessage) -> Option<&str> {
    m.blocks
        .get(1)
        .and_then(|b| b["elements"][0]["text"].as_str())
}

fn theme(id: &str, name: &str) -> ThemeRef {
    ThemeRef {
        id: ThemeId(id.into()),
        name: name.into(),
    }
}

fn event_with(event_type: EventType, data: &impl Serialize) -> Event {
    Event::new(event_type, Timestamp::from_micros(0), data)
}

fn theme_event(theme: ThemeRef, change: Option<ThemeChange>, mentions: u64) -> ThemeEvent {
    ThemeEvent {
        theme,
        key_phrases: vec![],
        change,
        into: None,
        mentions,
    }
}

#[test]
fn feedback_analyzed_names_category_sentiment_themes_and_links_the_item() {
    let m = message(&example(EventType::FeedbackAnalyzed), BASE);
    let s = section(&m);
    assert!(s.contains("*bug*"), "{s}");
    assert!(s.contains("negative sentiment (-0.62)"), "{s}");
    assert!(s.contains("Themes: login fails after update"), "{s}");
    assert!(s.contains("`ticket-8812`"), "{s}");
    assert_eq!(
        link(&m),
        Some("<https://hark.example.com/feedback/4711|Open the feedback>")
    );
    assert_eq!(
        m.text,
        "Feedback analysed: *bug*, negative sentiment (-0.62)"
    );
}

#[test]
fn theme_created_links_the_theme() {
    let m = message(&example(EventType::ThemeCreated), BASE);
    assert_eq!(
        section(&m),
        "New theme: *login fails after update* (12 mentions)"
    );
    assert_eq!(
        link(&m),
        Some("<https://hark.example.com/themes/th_3k4j5h6g7f8d9s0a|Open the theme>")
    );
}

#[test]
fn theme_updated_says_what_changed() {
    let merged = message(&example(EventType::ThemeUpdated), BASE);
    assert_eq!(
        section(&merged),
        "Theme merged: *cannot sign in* into *login fails after update*"
    );
    assert!(link(&merged).is_some_and(|l| l.contains("/themes/th_3k4j5h6g7f8d9s0a|")));

    let renamed = message(
        &event_with(
            EventType::ThemeUpdated,
            &theme_event(
                theme("th_a", "checkout is slow"),
                Some(ThemeChange::Renamed),
                3,
            ),
        ),
        BASE,
    );
    assert_eq!(section(&renamed), "Theme renamed to *checkout is slow*");
    assert!(link(&renamed).is_some_and(|l| l.contains("/themes/th_a|")));

    let deleted = message(
        &event_with(
            EventType::ThemeUpdated,
            &theme_event(theme("th_b", "noise"), Some(ThemeChange::Deleted), 0),
        ),
        BASE,
    );
    assert_eq!(section(&deleted), "Theme deleted: *noise*");
    assert_eq!(
        link(&deleted),
        Some("<https://hark.example.com/themes|Open in hark>")
    );
}

#[test]
fn theme_rising_shows_the_numbers() {
    let m = message(&example(EventType::ThemeRising), BASE);
    assert_eq!(
        section(&m),
        "Rising theme: *login fails after update*\n42 mentions this week, 12 last week (×3.5)"
    );
    let no_baseline = message(
        &event_with(
            EventType::ThemeRising,
            &ThemeRising {
                theme: theme("th_c", "new"),
                week: Timestamp::from_micros(0),
                this_week: 1,
                last_week: 0,
                growth: 1.0,
            },
        ),
        BASE,
    );
    assert_eq!(
        section(&no_baseline),
        "Rising theme: *new*\n1 mention this week, 0 last week"
    );
}

#[test]
fn chat_votes_quote_the_comment_and_link_ai_answers() {
    let m = message(&example(EventType::ChatFeedbackNotUseful), BASE);
    assert_eq!(
        section(&m),
        "AI answer rated *not useful* in `3f2c1e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b` · not factually \
         correct · by alice@example.com\n>The refund window is 30 days, not 14."
    );
    assert_eq!(
        link(&m),
        Some("<https://hark.example.com/ai-answers|Open AI answers>")
    );
    let m = message(&example(EventType::ChatFeedbackReceived), BASE);
    assert!(section(&m).starts_with("AI answer rated *useful* in "));
    assert!(section(&m).contains("· complete ·"));
    assert!(!section(&m).contains('\n'));

    let mut copy = example(EventType::ChatFeedbackReceived);
    copy.data["usefulness"] = Value::Null;
    copy.data["reason"] = Value::Null;
    copy.data["message_copied_at"] = "2026-03-15T10:29:00Z".into();
    let m = message(&copy, BASE);
    assert!(
        section(&m).starts_with("AI answer copied in `3f2c1e9a"),
        "{}",
        section(&m)
    );
}

#[test]
fn chat_quality_dropped_shows_rate_threshold_and_votes() {
    let m = message(&example(EventType::ChatQualityDropped), BASE);
    assert_eq!(
        section(&m),
        "AI answer quality dropped for `3f2c1e9a-5b7d-4e8f-9a0b-1c2d3e4f5a6b` on 2026-03-15\n\
         *58 %* useful, below the threshold of 70 % (143 votes)"
    );
    assert!(link(&m).is_some_and(|l| l.contains("/ai-answers|")));
}

#[test]
fn user_text_cannot_inject_links_mentions_or_quotes() {
    let mut event = example(EventType::ChatFeedbackNotUseful);
    event.data["comment"] =
        "<!channel> see <https://evil.example|docs> & more\n> fake quote".into();
    let m = message(&event, BASE);
    let s = section(&m);
    assert!(
        s.ends_with(
            "\n>&lt;!channel&gt; see &lt;https://evil.example|docs&gt; &amp; more\n>&gt; fake quote"
        ),
        "{s}"
    );
    assert!(!s.contains("<!channel>"));
}

#[test]
fn long_user_text_is_shortened() {
    let long = "é".repeat(5000);
    let m = message(
        &event_with(
            EventType::ThemeCreated,
            &theme_event(theme("th_d", &long), None, 1),
        ),
        BASE,
    );
    let s = section(&m);
    assert!(s.chars().count() < 400, "{}", s.chars().count());
    assert!(s.contains("é…*"));
    assert_eq!(truncate("abc", 3), "abc");
    assert_eq!(truncate("abcd", 3), "ab…");
    assert_eq!(truncate("abcd", 0), "…");
    assert_eq!(escape("a<b>&c"), "a&lt;b&gt;&amp;c");
}

#[test]
fn links_are_encoded_and_optional() {
    let m = message(
        &event_with(
            EventType::ThemeCreated,
            &theme_event(theme("th_x|y>z/w", "x"), None, 2),
        ),
        "https://hark.example.com/base/?q=1#f",
    );
    assert_eq!(
        link(&m),
        Some("<https://hark.example.com/base/themes/th_x%7Cy%3Ez%2Fw|Open the theme>")
    );
    for bad in [
        "",
        "not a url",
        "mailto:x@example.com",
        "javascript:alert(1)",
    ] {
        let m = message(&example(EventType::ThemeCreated), bad);
        assert_eq!(m.blocks.len(), 1, "{bad}");
    }
}

#[test]
fn data_of_the_wrong_shape_still_gives_a_message() {
    let mut event = example(EventType::ThemeRising);
    event.data = serde_json::json!({"unexpected": true});
    let m = message(&event, BASE);
    assert_eq!(section(&m), "hark event `theme.rising`");
    assert_eq!(link(&m), Some("<https://hark.example.com/|Open hark>"));
    // A theme.updated that does not say what changed.
    let created = example(EventType::ThemeCreated).data;
    let m = message(&event_with(EventType::ThemeUpdated, &created), BASE);
    assert_eq!(section(&m), "hark event `theme.updated`");
}

#[test]
fn body_is_text_and_blocks() {
    let body = message(&example(EventType::ThemeCreated), BASE).to_body();
    let v: Value = serde_json::from_slice(&body).expect("JSON");
    assert!(v["text"].is_string());
    assert!(v["blocks"].is_array());
    assert_eq!(v.as_object().map(|o| o.len()), Some(2));
}

#[test]
fn the_test_event_says_so() {
    let m = message(&example(EventType::Test), BASE);
    assert_eq!(
        section(&m),
        "Test event from hark: this channel receives hark's notifications."
    );
    assert_eq!(link(&m), Some("<https://hark.example.com/|Open hark>"));
}
