//! [`Filters`]: the view of a list — time range, source, category, sentiment, search text,
//! sort and page — read from and written back to the URL's query, so a view can be shared.

use hark_core::analysis::{Category, MentionFilter, SentimentLabel};
use hark_core::{ItemFilter, SourceId, Timestamp};
use maud::{html, Markup};
use serde::Deserialize;

/// Time ranges the filter offers: (query value, label, days; 0 = all time).
pub(crate) const RANGES: [(&str, &str, i64); 5] = [
    ("7d", "Last 7 days", 7),
    ("30d", "Last 30 days", 30),
    ("90d", "Last 90 days", 90),
    ("365d", "Last year", 365),
    ("all", "All time", 0),
];

const DAY_MICROS: i64 = 86_400 * 1_000_000;

/// The filters of a list page, as the query string carries them. Unknown or malformed values
/// are ignored (the page shows the unfiltered view for that field), never an error.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Filters {
    /// One of [`RANGES`]' values; default per page.
    pub range: Option<String>,
    /// A source (or application) id.
    pub source: Option<String>,
    /// A category's name ([`Category::as_str`]).
    pub category: Option<String>,
    /// `positive`, `neutral` or `negative`.
    pub sentiment: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// Sort order of the page's list.
    pub sort: Option<String>,
    /// Opaque cursor of the next page.
    pub after: Option<String>,
}

impl Filters {
    /// The range's query value, `default` when none (or an unknown one) is given.
    pub fn range_or<'a>(&'a self, default: &'a str) -> &'a str {
        match self.range.as_deref() {
            Some(r) if RANGES.iter().any(|(v, _, _)| *v == r) => r,
            _ => default,
        }
    }

    /// Start of the range (`None`: all time), relative to `now`.
    pub fn from(&self, default: &str, now: Timestamp) -> Option<Timestamp> {
        let days = RANGES
            .iter()
            .find(|(v, _, _)| *v == self.range_or(default))
            .map(|(_, _, d)| *d)
            .unwrap_or(0);
        (days > 0).then(|| Timestamp::from_micros(now.as_micros() - days * DAY_MICROS))
    }

    /// The source filter, when non-empty.
    pub fn source(&self) -> Option<&str> {
        self.source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The category filter, when it names one.
    pub fn category(&self) -> Option<Category> {
        let c = self.category.as_deref()?;
        Category::ALL.into_iter().find(|k| k.as_str() == c)
    }

    /// The sentiment filter, when it names one.
    pub fn sentiment(&self) -> Option<SentimentLabel> {
        match self.sentiment.as_deref()? {
            "positive" => Some(SentimentLabel::Positive),
            "neutral" => Some(SentimentLabel::Neutral),
            "negative" => Some(SentimentLabel::Negative),
            _ => None,
        }
    }

    /// The search text, trimmed, when non-empty.
    pub fn q(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// The mention filter of these filters (theme left open).
    pub fn mention_filter(&self, default_range: &str, now: Timestamp) -> MentionFilter {
        MentionFilter {
            from: self.from(default_range, now),
            to: None,
            source: self.source().map(str::to_string),
            category: self.category(),
            theme: None,
            broad: None,
            kind: None,
        }
    }

    /// The item filter of these filters.
    pub fn item_filter(&self, default_range: &str, now: Timestamp) -> ItemFilter {
        ItemFilter {
            source_id: self.source().map(SourceId::new),
            created_from: self.from(default_range, now),
            text: self.q().map(str::to_string),
            category: self.category(),
            sentiment: self.sentiment(),
            ..ItemFilter::default()
        }
    }

    /// The query string of these filters with `key` set to `value` (or removed when `None`)
    /// and the page cursor dropped unless it is the key: for links that change one thing.
    pub fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        let fields = [
            ("range", self.range.as_deref()),
            ("source", self.source()),
            ("category", self.category.as_deref()),
            ("sentiment", self.sentiment.as_deref()),
            ("q", self.q()),
            ("sort", self.sort.as_deref()),
            ("after", self.after.as_deref()),
        ];
        for (k, v) in fields {
            let v = if k == key {
                value
            } else if k == "after" {
                None
            } else {
                v
            };
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                pairs.push((k, v));
            }
        }
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        let q = ser.finish();
        if q.is_empty() {
            String::new()
        } else {
            format!("?{q}")
        }
    }
}

/// Which fields a page's filter form shows.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fields {
    pub category: bool,
    pub sentiment: bool,
    pub search: bool,
}

/// The filter form (GET, so the result is a URL): range, source, and the fields asked for.
/// `sources` are (id, name) pairs.
pub(crate) fn form(
    action: &str,
    f: &Filters,
    default_range: &str,
    sources: &[(String, String)],
    fields: Fields,
) -> Markup {
    let range = f.range_or(default_range);
    html! {
        form.filters method="get" action=(action) role="search" aria-label="Filters" {
            @if fields.search {
                label {
                    span { "Search" }
                    input type="search" name="q" value=[f.q()] placeholder="e.g. can't log in";
                }
            }
            label {
                span { "Time" }
                select name="range" {
                    @for (v, label, _) in RANGES {
                        option value=(v) selected[v == range] { (label) }
                    }
                }
            }
            label {
                span { "Source" }
                select name="source" {
                    option value="" { "All sources" }
                    @for (id, name) in sources {
                        option value=(id) selected[f.source() == Some(id.as_str())] { (name) }
                    }
                }
            }
            @if fields.category {
                label {
                    span { "Category" }
                    select name="category" {
                        option value="" { "All categories" }
                        @for c in Category::ALL {
                            option value=(c.as_str()) selected[f.category() == Some(c)] {
                                (category_label(c))
                            }
                        }
                    }
                }
            }
            @if fields.sentiment {
                label {
                    span { "Sentiment" }
                    select name="sentiment" {
                        option value="" { "Any sentiment" }
                        @for s in ["positive", "neutral", "negative"] {
                            option value=(s) selected[f.sentiment.as_deref() == Some(s)] { (s) }
                        }
                    }
                }
            }
            @if let Some(sort) = &f.sort {
                input type="hidden" name="sort" value=(sort);
            }
            // A page whose category is a tab keeps it when the other filters change.
            @if let (false, Some(c)) = (fields.category, f.category()) {
                input type="hidden" name="category" value=(c.as_str());
            }
            button type="submit" { "Apply" }
        }
    }
}

/// A category as people read it.
pub(crate) fn category_label(c: Category) -> &'static str {
    match c {
        Category::Bug => "Bugs",
        Category::FeatureRequest => "Feature requests",
        Category::Complaint => "Complaints",
        Category::Praise => "Praise",
        Category::Question => "Questions",
        Category::Other => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_replaces_one_field_and_drops_the_cursor() {
        let f = Filters {
            range: Some("7d".into()),
            q: Some("log in & out".into()),
            after: Some("12.3".into()),
            ..Filters::default()
        };
        assert_eq!(
            f.with("source", Some("src_1")),
            "?range=7d&source=src_1&q=log+in+%26+out"
        );
        assert_eq!(
            f.with("after", Some("9.9")),
            "?range=7d&q=log+in+%26+out&after=9.9"
        );
        assert_eq!(Filters::default().with("range", None), "");
    }

    #[test]
    fn unknown_values_are_ignored() {
        let f = Filters {
            range: Some("1000y".into()),
            category: Some("<script>".into()),
            sentiment: Some("meh".into()),
            ..Filters::default()
        };
        assert_eq!(f.range_or("30d"), "30d");
        assert_eq!(f.category(), None);
        assert_eq!(f.sentiment(), None);
    }
}
