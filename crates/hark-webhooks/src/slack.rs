//! Messages for Slack incoming webhooks: what an endpoint of type Slack is sent instead of the
//! Standard Webhooks body.
//!
//! Each message is `{"text": "...", "blocks": [...]}`: `text` is the notification and
//! fallback line, the blocks a `section` (what happened and the numbers, in mrkdwn) and a
//! `context` line linking to the dashboard page of the theme, item or AI answers. Text that
//! came from users (theme names, comments, ids) is escaped (`&`, `<`, `>`) so it cannot
//! form links or mentions, and shortened.

use crate::event::{
    ChatFeedbackEvent, ChatQualityDropped, Event, EventType, FeedbackAnalyzed, ThemeChange,
    ThemeEvent, ThemeRef, ThemeRising,
};
use hark_core::chat::Usefulness;
use hark_core::Timestamp;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use url::Url;

/// Longest piece of user text kept, in characters.
pub const MAX_USER_TEXT: usize = 300;
/// Slack's limit for a section's text, in characters.
pub const MAX_SECTION_TEXT: usize = 3000;

/// The JSON body POSTed to a Slack incoming-webhook URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackMessage {
    /// Notification text and fallback for clients without blocks.
    pub text: String,
    /// Block Kit blocks.
    pub blocks: Vec<Value>,
}

impl SlackMessage {
    /// The body bytes.
    pub fn to_body(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a SlackMessage has only string keys and serialises")
    }
}

/// The Slack message for `event`, linking into the dashboard at `dashboard_url`
/// (`https://hark.example.com`; links are left out when it is not an http(s) URL). An event
/// whose data does not match its type still gets a message naming the type.
pub fn message(event: &Event, dashboard_url: &str) -> SlackMessage {
    let base = Url::parse(dashboard_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base());
    let link = |segments: &[&str]| base.as_ref().map(|b| page_url(b, segments));
    let parts = match event.event_type {
        EventType::FeedbackAnalyzed => data::<FeedbackAnalyzed>(event).map(|d| {
            let item = d.item_id.0.to_string();
            feedback_analyzed(&d, link(&["feedback", &item]))
        }),
        EventType::ThemeCreated => data::<ThemeEvent>(event).map(|d| {
            let text = format!(
                "New theme: *{}* ({})",
                user_text(&d.theme.name),
                plural(d.mentions, "mention")
            );
            (text, link(&["themes", &d.theme.id.0]), "Open the theme")
        }),
        EventType::ThemeUpdated => data::<ThemeEvent>(event).and_then(|d| {
            let (text, target) = theme_updated(&d)?;
            let url = match target {
                Some(theme) => link(&["themes", &theme.id.0]),
                None => link(&["themes"]),
            };
            Some((text, url, "Open in hark"))
        }),
        EventType::ThemeRising => data::<ThemeRising>(event).map(|d| {
            let growth = if d.growth.is_finite() && d.last_week > 0 {
                format!(" (×{:.1})", d.growth)
            } else {
                String::new()
            };
            let text = format!(
                "Rising theme: *{}*\n{} this week, {} last week{growth}",
                user_text(&d.theme.name),
                plural(d.this_week, "mention"),
                d.last_week
            );
            (text, link(&["themes", &d.theme.id.0]), "Open the theme")
        }),
        EventType::ChatFeedbackReceived | EventType::ChatFeedbackNotUseful => {
            data::<ChatFeedbackEvent>(event).map(|d| chat_vote(&d, link(&["ai-answers"])))
        }
        EventType::ChatQualityDropped => data::<ChatQualityDropped>(event).map(|d| {
            let text = format!(
                "AI answer quality dropped for `{}` on {}\n*{}* useful, below the threshold of {} ({})",
                user_text(d.application_id.as_str()),
                day(d.day),
                percent(d.useful_rate),
                percent(d.threshold),
                plural(d.votes, "vote")
            );
            (text, link(&["ai-answers"]), "Open AI answers")
        }),
        // Whatever its data, a test event says the same.
        EventType::Test => Some((
            "Test event from hark: this channel receives hark's notifications.".to_string(),
            link(&[]),
            "Open hark",
        )),
    };
    let (text, url, link_label) = parts.unwrap_or_else(|| {
        (
            format!("hark event `{}`", event.event_type.as_str()),
            link(&[]),
            "Open hark",
        )
    });
    build(text, url, link_label)
}

fn feedback_analyzed(
    d: &FeedbackAnalyzed,
    url: Option<String>,
) -> (String, Option<String>, &'static str) {
    let mut text = format!(
        "Feedback analysed: *{}*, {} sentiment ({:+.2})\nItem `{}`",
        d.category.as_str().replace('_', " "),
        d.sentiment.label.as_str(),
        d.sentiment.score,
        user_text(&d.unique_id)
    );
    if !d.themes.is_empty() {
        let names: Vec<String> = d.themes.iter().map(|t| user_text(&t.name)).collect();
        text.push_str(&format!("\nThemes: {}", names.join(", ")));
    }
    (text, url, "Open the feedback")
}

/// The text of a theme change, and the theme to link to (none for a deletion). `None` when
/// the data does not say what changed (it is then not a `theme.updated`).
fn theme_updated(d: &ThemeEvent) -> Option<(String, Option<&ThemeRef>)> {
    let name = user_text(&d.theme.name);
    Some(match (d.change?, &d.into) {
        (ThemeChange::Renamed, _) => (format!("Theme renamed to *{name}*"), Some(&d.theme)),
        (ThemeChange::Merged, Some(into)) => (
            format!("Theme merged: *{name}* into *{}*", user_text(&into.name)),
            Some(into),
        ),
        (ThemeChange::Merged, None) => (format!("Theme merged: *{name}*"), None),
        (ThemeChange::Deleted, _) => (format!("Theme deleted: *{name}*"), None),
    })
}

fn chat_vote(v: &ChatFeedbackEvent, url: Option<String>) -> (String, Option<String>, &'static str) {
    let app = user_text(v.application_id.as_str());
    let mut text = match v.usefulness {
        Some(Usefulness::Useful) => format!("AI answer rated *useful* in `{app}`"),
        Some(Usefulness::NotUseful) => format!("AI answer rated *not useful* in `{app}`"),
        None => format!("AI answer copied in `{app}`"),
    };
    if let Some(reason) = v.reason {
        text.push_str(&format!(
            " · {}",
            reason.as_str().replace('_', " ").to_lowercase()
        ));
    }
    if let Some(user) = &v.user_id {
        text.push_str(&format!(" · by {}", user_text(user)));
    }
    if let Some(comment) = v.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        // A quote block: every line of the comment starts with `>` (an escaped user `>` cannot).
        let quoted: Vec<String> = user_text(comment)
            .lines()
            .map(|l| format!(">{l}"))
            .collect();
        text.push('\n');
        text.push_str(&quoted.join("\n"));
    }
    (text, url, "Open AI answers")
}

fn build(text: String, url: Option<String>, link_label: &str) -> SlackMessage {
    let text = truncate(&text, MAX_SECTION_TEXT);
    let fallback = text.lines().next().unwrap_or_default().to_string();
    let mut blocks = vec![json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": text},
    })];
    if let Some(url) = url {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": format!("<{url}|{link_label}>")}],
        }));
    }
    SlackMessage {
        text: fallback,
        blocks,
    }
}

fn data<D: DeserializeOwned>(event: &Event) -> Option<D> {
    serde_json::from_value(event.data.clone()).ok()
}

/// `base` with `segments` appended to its path, percent-encoded; `|` is encoded too, as it
/// would end the URL part of a Slack link.
fn page_url(base: &Url, segments: &[&str]) -> String {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url.as_str().replace('|', "%7C")
}

/// User text made safe for mrkdwn: control characters escaped, shortened.
fn user_text(text: &str) -> String {
    escape(&truncate(text.trim(), MAX_USER_TEXT))
}

/// Escapes the three characters Slack reserves in mrkdwn.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `max` characters; a shortened text ends in `…`.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{keep}…")
        }
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The date of a day's timestamp (`2026-03-15`).
fn day(at: Timestamp) -> String {
    at.to_rfc3339().chars().take(10).collect()
}

fn percent(rate: f64) -> String {
    if rate.is_finite() {
        format!("{:.0} %", rate * 100.0)
    } else {
        "n/a".to_string()
    }
}

#[cfg(test)]
mod tests;
