//! Inputs of the webhooks API: a new endpoint, a change to one, and the deliveries listing's
//! query, with every problem reported by its path. Whether a URL may be reached (its resolved
//! addresses) is checked by the handler, after parsing.

use super::query::{DEFAULT_LIMIT, MAX_LIMIT};
use super::{FromJson, FromPairs, ObjectReader, QueryReader};
use crate::api::ApiError;
use hark_core::analysis::Category;
use hark_core::limits::{MAX_NAME_CHARS, MAX_SOURCE_ID_CHARS, MAX_URL_CHARS};
use hark_core::validate::Issue;
use hark_core::webhooks::{EndpointFilter, EndpointKind, EventType};
use serde_json::Value;

/// Most sources (or applications) one filter names.
const MAX_FILTER_SOURCES: usize = 100;

/// `POST /api/1/webhooks`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEndpoint {
    /// Where events go.
    pub url: String,
    /// `standard` (default) or `slack`.
    pub kind: EndpointKind,
    /// The event types, at least one.
    pub events: Vec<EventType>,
    /// Which of those events.
    pub filter: EndpointFilter,
    /// A note for people.
    pub description: Option<String>,
}

/// `PATCH /api/1/webhooks/{id}`; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointPatch {
    /// A new URL.
    pub url: Option<String>,
    /// A new kind.
    pub kind: Option<EndpointKind>,
    /// New event types.
    pub events: Option<Vec<EventType>>,
    /// A new filter (replaces the old one whole).
    pub filter: Option<EndpointFilter>,
    /// A new note (`Some(None)`: remove it).
    pub description: Option<Option<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
}

const FIELDS: &[&str] = &["url", "kind", "events", "filter", "description"];

impl FromJson for NewEndpoint {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, FIELDS);
        let url = r.string("url", MAX_URL_CHARS, true);
        let kind = kind(&mut r).unwrap_or(EndpointKind::Standard);
        let events = match r.value("events") {
            Some(v) => events(&mut r, v),
            None => {
                r.issue("events", "is required: a list of event types");
                None
            }
        };
        let filter = match r.value("filter") {
            Some(v) => filter(&mut r, v),
            None => Some(EndpointFilter::default()),
        };
        let description = r.nullable_string("description", MAX_NAME_CHARS).flatten();
        let parsed = match (url, events, filter) {
            (Some(url), Some(events), Some(filter)) => Some(NewEndpoint {
                url,
                kind,
                events,
                filter,
                description,
            }),
            _ => None,
        };
        r.finish(parsed)
    }
}

impl FromJson for EndpointPatch {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut known = FIELDS.to_vec();
        known.push("enabled");
        let mut r = ObjectReader::new(body, &known);
        let patch = EndpointPatch {
            url: r.string("url", MAX_URL_CHARS, false),
            kind: kind(&mut r),
            events: r.value("events").and_then(|v| events(&mut r, v)),
            filter: r.value("filter").and_then(|v| filter(&mut r, v)),
            description: r.nullable_string("description", MAX_NAME_CHARS),
            enabled: r.boolean("enabled"),
        };
        r.finish(Some(patch))
    }
}

fn kind(r: &mut ObjectReader<'_>) -> Option<EndpointKind> {
    let name = r.string("kind", 16, false)?;
    let kind = EndpointKind::parse(&name);
    if kind.is_none() {
        r.issue("kind", "must be standard or slack");
    }
    kind
}

fn events(r: &mut ObjectReader<'_>, v: &Value) -> Option<Vec<EventType>> {
    let Some(list) = v.as_array().filter(|l| !l.is_empty()) else {
        r.issue("events", "must be a non-empty list of event types");
        return None;
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match item.as_str().and_then(EventType::parse) {
            Some(t) if t.is_subscribable() => {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            _ => r.issue(format!("events[{i}]"), event_names_message()),
        }
    }
    (out.len() == list.len() || !out.is_empty()).then_some(out)
}

fn event_names_message() -> String {
    let names: Vec<&str> = EventType::ALL
        .iter()
        .filter(|t| t.is_subscribable())
        .map(|t| t.as_str())
        .collect();
    format!("must be one of {}", names.join(", "))
}

fn filter(r: &mut ObjectReader<'_>, v: &Value) -> Option<EndpointFilter> {
    let mut f = ObjectReader::at(
        "filter",
        v,
        &[
            "categories",
            "sources",
            "min_mentions",
            "growth_threshold",
            "useful_rate_below",
        ],
    );
    let mut out = EndpointFilter::default();
    if let Some(list) = f.value("categories") {
        match list.as_array() {
            Some(items) => {
                for (i, c) in items.iter().enumerate() {
                    match c.as_str().and_then(|s| s.parse::<Category>().ok()) {
                        Some(c) => out.categories.push(c),
                        None => f.issue(format!("categories[{i}]"), "is not a category"),
                    }
                }
            }
            None => f.issue("categories", "must be a list of categories"),
        }
    }
    if let Some(list) = f.value("sources") {
        match list.as_array().filter(|l| l.len() <= MAX_FILTER_SOURCES) {
            Some(items) => {
                for (i, s) in items.iter().enumerate() {
                    match s
                        .as_str()
                        .filter(|s| !s.is_empty() && s.chars().count() <= MAX_SOURCE_ID_CHARS)
                    {
                        Some(s) => out.sources.push(s.to_owned()),
                        None => f.issue(
                            format!("sources[{i}]"),
                            "must be a source or application id",
                        ),
                    }
                }
            }
            None => f.issue(
                "sources",
                format!("must be a list of at most {MAX_FILTER_SOURCES} ids"),
            ),
        }
    }
    if let Some(n) = f.value("min_mentions") {
        match n.as_u64() {
            Some(n) => out.min_mentions = Some(n),
            None => f.issue("min_mentions", "must be a whole number, 0 or more"),
        }
    }
    if let Some(g) = f.value("growth_threshold") {
        match g
            .as_f64()
            .filter(|g| g.is_finite() && *g >= 1.0 && *g <= 1000.0)
        {
            Some(g) => out.growth_threshold = Some(g),
            None => f.issue("growth_threshold", "must be a number from 1 to 1000"),
        }
    }
    if let Some(u) = f.value("useful_rate_below") {
        match u.as_f64().filter(|u| (0.0..=1.0).contains(u)) {
            Some(u) => out.useful_rate_below = Some(u),
            None => f.issue("useful_rate_below", "must be a number from 0 to 1"),
        }
    }
    let clean = f.is_clean();
    for issue in f.into_issues() {
        r.issue(issue.path, issue.message);
    }
    clean.then_some(out)
}

/// The query of `GET /api/1/webhooks/{id}/deliveries`: `before` (a delivery id) and `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveriesQuery {
    /// Only deliveries with ids below this.
    pub before: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: u32,
}

impl FromPairs for DeliveriesQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let mut r = QueryReader::default();
        let mut q = DeliveriesQuery {
            before: None,
            limit: DEFAULT_LIMIT,
        };
        for (key, value) in r.pairs(pairs) {
            match key {
                "before" => match value.parse::<i64>() {
                    Ok(id) if id > 0 => q.before = Some(id),
                    _ => r.issue(key, "must be a delivery id returned by this API"),
                },
                "limit" => q.limit = r.number(key, value, 1, MAX_LIMIT).unwrap_or(q.limit),
                _ => r.issue(key, "unknown query parameter"),
            }
        }
        r.finish(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_new_endpoint_parses_with_defaults() {
        let e = NewEndpoint::from_json(&json!({
            "url": "https://example.com/hook",
            "events": ["feedback.analyzed", "theme.rising", "theme.rising"],
            "filter": {"categories": ["bug"], "min_mentions": 3, "growth_threshold": 1.5}
        }))
        .expect("valid");
        assert_eq!(e.kind, EndpointKind::Standard);
        assert_eq!(
            e.events,
            [EventType::FeedbackAnalyzed, EventType::ThemeRising]
        );
        assert_eq!(e.filter.categories, [Category::Bug]);
        assert_eq!(e.filter.min_mentions, Some(3));
        assert_eq!(e.filter.growth_threshold, Some(1.5));
    }

    #[test]
    fn every_problem_is_named() {
        let err = NewEndpoint::from_json(&json!({
            "url": 5,
            "kind": "teams",
            "events": ["theme.exploded", "webhook.test"],
            "filter": {"categories": ["nope"], "min_mentions": -1, "colour": "red"},
            "extra": true
        }))
        .expect_err("invalid");
        let ApiError::Invalid { issues, .. } = err else {
            panic!("not a 400: {err:?}");
        };
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        for p in [
            "url",
            "kind",
            "events[0]",
            "events[1]",
            "filter.categories[0]",
            "filter.min_mentions",
            "filter.colour",
            "extra",
        ] {
            assert!(paths.contains(&p), "{p} in {paths:?}");
        }
        assert!(NewEndpoint::from_json(&json!({"url": "https://x.example"})).is_err());
        assert!(
            NewEndpoint::from_json(&json!({"url": "https://x.example", "events": []})).is_err()
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let p = EndpointPatch::from_json(&json!({"enabled": false, "description": null}))
            .expect("valid");
        assert_eq!(p.enabled, Some(false));
        assert_eq!(p.description, Some(None));
        assert_eq!(p.url, None);
        assert!(EndpointPatch::from_json(&json!({"enabled": "no"})).is_err());
    }
}
