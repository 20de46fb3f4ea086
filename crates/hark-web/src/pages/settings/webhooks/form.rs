//! The add-an-endpoint form: its fields as posted (kept to fill the form again when it is
//! refused) and their parsing, which collects every problem in one pass. Whether the URL's
//! host may be reached is checked after parsing ([`checked_url`]).

use hark_core::analysis::Category;
use hark_core::limits::{MAX_NAME_CHARS, MAX_URL_CHARS};
use hark_core::webhooks::{EndpointFilter, EndpointKind, EventType};
use hark_webhooks::UrlError;

/// The form as posted: repeated `event` and `category` fields are the checked boxes.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct EndpointForm {
    /// The URL field.
    pub url: String,
    /// The kind select (`standard` or `slack`).
    pub kind: String,
    /// The checked event types (wire names).
    pub events: Vec<String>,
    /// The checked categories (wire names).
    pub categories: Vec<String>,
    /// The description field.
    pub description: String,
}

/// A problem with one field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// The field's name (`url`, `kind`, `events`, `categories`, `description`).
    pub field: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

impl Problem {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// What the form asks for, once every field is valid (the URL not yet checked for its address).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewEndpoint {
    pub url: String,
    pub kind: EndpointKind,
    pub events: Vec<EventType>,
    pub filter: EndpointFilter,
    pub description: Option<String>,
}

impl EndpointForm {
    /// The form from its posted pairs; unknown fields (the CSRF token) are ignored.
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "url" => form.url = value,
                "kind" => form.kind = value,
                "event" => form.events.push(value),
                "category" => form.categories.push(value),
                "description" => form.description = value,
                _ => {}
            }
        }
        form
    }

    /// Whether the box of event type `t` is to be shown checked.
    pub(crate) fn has_event(&self, t: EventType) -> bool {
        self.events.iter().any(|e| e == t.as_str())
    }

    /// Whether the box of category `c` is to be shown checked.
    pub(crate) fn has_category(&self, c: Category) -> bool {
        self.categories.iter().any(|e| e == c.as_str())
    }

    /// The endpoint asked for, or every problem of the form.
    pub(crate) fn parse(&self) -> Result<NewEndpoint, Vec<Problem>> {
        let mut problems = Vec::new();
        let url = self.url.trim();
        if url.is_empty() {
            problems.push(Problem::new("url", "Enter the URL events are posted to."));
        } else if url.chars().count() > MAX_URL_CHARS {
            problems.push(Problem::new(
                "url",
                format!("The URL has more than {MAX_URL_CHARS} characters."),
            ));
        }
        let kind = match self.kind.as_str() {
            "" => Some(EndpointKind::Standard),
            k => EndpointKind::parse(k),
        };
        if kind.is_none() {
            problems.push(Problem::new("kind", "The kind must be standard or slack."));
        }
        let mut events = Vec::new();
        for name in &self.events {
            match EventType::parse(name).filter(|t| t.is_subscribable()) {
                Some(t) if !events.contains(&t) => events.push(t),
                Some(_) => {}
                None => problems.push(Problem::new(
                    "events",
                    format!("{name:?} is not an event type an endpoint can receive."),
                )),
            }
        }
        if self.events.is_empty() {
            problems.push(Problem::new("events", "Choose at least one event."));
        }
        let mut categories = Vec::new();
        for name in &self.categories {
            match name.parse::<Category>() {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(_) => {}
                Err(e) => problems.push(Problem::new("categories", e.to_string())),
            }
        }
        let description = self.description.trim();
        if description.chars().count() > MAX_NAME_CHARS {
            problems.push(Problem::new(
                "description",
                format!("The description has more than {MAX_NAME_CHARS} characters."),
            ));
        }
        match kind {
            Some(kind) if problems.is_empty() => Ok(NewEndpoint {
                url: url.to_string(),
                kind,
                events,
                filter: EndpointFilter {
                    categories,
                    ..EndpointFilter::default()
                },
                description: (!description.is_empty()).then(|| description.to_string()),
            }),
            _ => Err(problems),
        }
    }
}

/// The endpoint asked for with its URL checked ([`checked_url`]), or every problem of the
/// form (the URL's address among them, even when other fields are wrong too).
pub(crate) async fn validate(
    form: &EndpointForm,
    allow_private: bool,
) -> Result<NewEndpoint, Vec<Problem>> {
    let parsed = form.parse();
    let url_ok = match &parsed {
        Ok(_) => true,
        Err(problems) => !form.url.trim().is_empty() && !problems.iter().any(|p| p.field == "url"),
    };
    let checked = if url_ok {
        Some(checked_url(form.url.trim(), allow_private).await)
    } else {
        None
    };
    match (parsed, checked) {
        (Ok(new), Some(Ok(url))) => Ok(NewEndpoint { url, ..new }),
        (parsed, checked) => {
            let mut problems = parsed.err().unwrap_or_default();
            if let Some(Err(p)) = checked {
                problems.insert(0, p);
            }
            Err(problems)
        }
    }
}

/// The URL checked against the address policy, as the API checks it: a host that does not
/// resolve now is accepted (deliveries check again at every connection); one that resolves
/// to a forbidden address is refused.
pub(crate) async fn checked_url(url: &str, allow_private: bool) -> Result<String, Problem> {
    hark_webhooks::manage::saved_url(url, allow_private)
        .await
        .map_err(|e| Problem::new("url", url_message(&e)))
}

/// A sentence for people about a refused URL (the error's text, capitalised).
fn url_message(e: &UrlError) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_full_form_parses() {
        let form = EndpointForm::from_pairs(pairs(&[
            ("csrf", "t"),
            ("url", " https://hooks.example.com/in "),
            ("kind", "slack"),
            ("event", "theme.created"),
            ("event", "feedback.analyzed"),
            ("event", "theme.created"),
            ("category", "bug"),
            ("description", "  ops channel "),
        ]));
        let new = form.parse().expect("valid");
        assert_eq!(new.url, "https://hooks.example.com/in");
        assert_eq!(new.kind, EndpointKind::Slack);
        assert_eq!(
            new.events,
            vec![EventType::ThemeCreated, EventType::FeedbackAnalyzed]
        );
        assert_eq!(new.filter.categories, vec![Category::Bug]);
        assert_eq!(new.description.as_deref(), Some("ops channel"));
        assert!(form.has_event(EventType::ThemeCreated));
        assert!(!form.has_event(EventType::ThemeRising));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let form = EndpointForm::from_pairs(pairs(&[
            ("url", ""),
            ("kind", "teams"),
            ("category", "spam"),
            ("description", &"d".repeat(MAX_NAME_CHARS + 1)),
        ]));
        let problems = form.parse().expect_err("invalid");
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["url", "kind", "events", "categories", "description"],
            "{problems:?}"
        );
    }

    #[test]
    fn the_test_event_cannot_be_subscribed_to() {
        let form = EndpointForm::from_pairs(pairs(&[
            ("url", "https://x.example"),
            ("event", "webhook.test"),
        ]));
        let problems = form.parse().expect_err("invalid");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("webhook.test"));
    }

    #[test]
    fn the_kind_defaults_to_standard_and_empty_description_is_none() {
        let form = EndpointForm::from_pairs(pairs(&[
            ("url", "https://x.example"),
            ("event", "theme.rising"),
            ("description", "   "),
        ]));
        let new = form.parse().expect("valid");
        assert_eq!(new.kind, EndpointKind::Standard);
        assert_eq!(new.description, None);
        assert!(new.filter.categories.is_empty());
    }

    #[tokio::test]
    async fn the_url_is_checked_beside_the_other_fields() {
        let form = EndpointForm::from_pairs(pairs(&[("url", "not a url")]));
        let problems = validate(&form, true).await.expect_err("invalid");
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["url", "events"], "{problems:?}");
        assert!(
            problems[0].message.starts_with("Not a valid URL"),
            "{problems:?}"
        );
        let form = EndpointForm::from_pairs(pairs(&[
            ("url", "http://127.0.0.1:9/in"),
            ("event", "theme.created"),
        ]));
        let refused = validate(&form, false).await.expect_err("loopback");
        assert_eq!(refused.len(), 1);
        let new = validate(&form, true).await.expect("allowed");
        assert_eq!(new.url, "http://127.0.0.1:9/in");
    }

    #[tokio::test]
    async fn private_addresses_are_refused_unless_allowed() {
        let refused = checked_url("http://127.0.0.1:9/hook", false)
            .await
            .expect_err("loopback");
        assert_eq!(refused.field, "url");
        assert!(refused.message.contains("private"), "{}", refused.message);
        assert_eq!(
            checked_url("http://127.0.0.1:9/hook", true).await.ok(),
            Some("http://127.0.0.1:9/hook".to_string())
        );
        let bad = checked_url("ftp://example.com/", true)
            .await
            .expect_err("scheme");
        assert!(bad.message.starts_with("The URL scheme"), "{}", bad.message);
    }
}
