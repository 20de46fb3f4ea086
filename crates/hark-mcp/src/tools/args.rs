//! The tools' arguments, JSON-schema'd for the assistant (each field's doc comment is its
//! description), and their parsing into the store's types. Values arrive as text where the
//! assistant may get them wrong (dates, categories, ids), so that every problem is a tool
//! error naming the argument and the accepted values, never a protocol error. Unknown
//! arguments are refused too: a misspelt filter must not silently widen an answer.

use crate::error::ToolError;
use hark_core::analysis::{Category, SentimentLabel};
use hark_core::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Results returned when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 100;
/// The longest search query (the model reads 256 tokens at most anyway).
pub const MAX_QUERY_CHARS: usize = 1_000;
/// The longest period given in days (ten years).
const MAX_DAYS: u32 = 3_650;
const DAY_MICROS: i64 = 86_400_000_000;

/// Arguments of `search_feedback`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// What to look for, in words or by meaning, e.g. "can't log in" (1-1000 characters).
    pub query: String,
    /// Only feedback that came through this source (its id, `src_...`).
    pub source: Option<String>,
    /// Only items of this category: bug, feature_request, complaint, praise, question, other.
    pub category: Option<String>,
    /// Only items of this overall sentiment: negative, neutral, positive.
    pub sentiment: Option<String>,
    /// Only items written at or after this date or date-time (ISO 8601, e.g. 2026-03-01).
    pub from: Option<String>,
    /// Only items written before this date or date-time (ISO 8601).
    pub to: Option<String>,
    /// Items returned, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// An item id: a number, given as a JSON number or as text.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ItemIdArg {
    /// The id as a number, e.g. 1234.
    Number(i64),
    /// The id as text, e.g. "1234".
    Text(String),
}

/// Arguments of `get_item`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetItemArgs {
    /// The item's id, as search_feedback or get_theme return it (a number).
    pub id: ItemIdArg,
}

/// How `list_themes` ranks the themes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThemeSort {
    /// Most mentions first.
    #[default]
    Mentions,
    /// Largest rise from last week to this week first.
    Growth,
    /// Most distinct users first.
    Users,
}

/// Arguments of `list_themes`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListThemesArgs {
    /// Count only mentions of this category: bug, feature_request, complaint, praise, question, other.
    pub category: Option<String>,
    /// Count only mentions said at or after this date or date-time (ISO 8601).
    pub from: Option<String>,
    /// Count only mentions said before this date or date-time (ISO 8601); "this week" is the
    /// week before it.
    pub to: Option<String>,
    /// Count only the mentions of the last N days (1-3650), instead of from/to.
    pub days: Option<u32>,
    /// Ranking: mentions (default), growth (week over week) or users.
    pub sort: Option<ThemeSort>,
    /// Themes returned, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// Arguments of `get_theme`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetThemeArgs {
    /// The theme's id (`th_...`), as list_themes returns it.
    pub id: String,
    /// Representative quotes (newest mentions) returned, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// Arguments of `rising_themes`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RisingThemesArgs {
    /// Count only mentions said at or after this date or date-time (ISO 8601).
    pub from: Option<String>,
    /// Count only mentions said before this date or date-time (ISO 8601); "this week" is the
    /// week before it (default: the current week).
    pub to: Option<String>,
    /// Count only the mentions of the last N days (1-3650), instead of from/to.
    pub days: Option<u32>,
    /// Themes returned, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// Arguments of `answer_quality`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerQualityArgs {
    /// Only this AI assistant application (its id); all of the project's applications when absent.
    pub application_id: Option<String>,
    /// Only feedback given at or after this date or date-time (ISO 8601).
    pub from: Option<String>,
    /// Only feedback given before this date or date-time (ISO 8601).
    pub to: Option<String>,
    /// Only the feedback of the last N days (1-3650), instead of from/to.
    pub days: Option<u32>,
    /// Worst answers returned, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// A time range: `[from, to)`, either bound open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    /// Inclusive start.
    pub from: Option<Timestamp>,
    /// Exclusive end.
    pub to: Option<Timestamp>,
}

/// `limit`, within 1..=[`MAX_LIMIT`], [`DEFAULT_LIMIT`] when absent.
pub fn limit(value: Option<u32>) -> Result<u32, ToolError> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ToolError::invalid(
            "limit",
            format!("must be from 1 to {MAX_LIMIT}"),
        )),
    }
}

/// A date-time (ISO 8601 / RFC 3339) or a date (midnight UTC).
pub fn time(arg: &'static str, value: &str) -> Result<Timestamp, ToolError> {
    let value = value.trim();
    Timestamp::parse_iso8601(value)
        .or_else(|| {
            let is_date = value.len() == 10 && value.as_bytes().get(4) == Some(&b'-');
            is_date
                .then(|| Timestamp::parse_iso8601(&format!("{value}T00:00:00Z")))
                .flatten()
        })
        .ok_or_else(|| {
            ToolError::invalid(
                arg,
                format!(
                    "{value:?} is not an ISO 8601 date or date-time such as 2026-03-15 or 2026-03-15T10:30:00Z"
                ),
            )
        })
}

/// The range of `from`/`to`, or of the last `days` days before `now`.
pub fn range(
    from: Option<&str>,
    to: Option<&str>,
    days: Option<u32>,
    now: Timestamp,
) -> Result<Range, ToolError> {
    if let Some(days) = days {
        if from.is_some() || to.is_some() {
            return Err(ToolError::invalid(
                "days",
                "give either days or from/to, not both",
            ));
        }
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(ToolError::invalid(
                "days",
                format!("must be from 1 to {MAX_DAYS}"),
            ));
        }
        let from = now.as_micros() - i64::from(days) * DAY_MICROS;
        return Ok(Range {
            from: Some(Timestamp::from_micros(from)),
            to: None,
        });
    }
    let from = from.map(|v| time("from", v)).transpose()?;
    let to = to.map(|v| time("to", v)).transpose()?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ToolError::invalid("to", "must not be before from"));
        }
    }
    Ok(Range { from, to })
}

/// A category by its name.
pub fn category(value: Option<&str>) -> Result<Option<Category>, ToolError> {
    value
        .map(|v| {
            v.trim().parse::<Category>().map_err(|_| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                ToolError::invalid(
                    "category",
                    format!("{v:?} is not one of {}", names.join(", ")),
                )
            })
        })
        .transpose()
}

/// A sentiment label by its name.
pub fn sentiment(value: Option<&str>) -> Result<Option<SentimentLabel>, ToolError> {
    value
        .map(|v| {
            SentimentLabel::ALL
                .into_iter()
                .find(|l| l.as_str() == v.trim())
                .ok_or_else(|| {
                    ToolError::invalid(
                        "sentiment",
                        format!("{v:?} is not one of negative, neutral, positive"),
                    )
                })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse_iso8601(s).expect("valid")
    }

    #[test]
    fn dates_and_date_times_parse_and_others_name_the_argument() {
        assert_eq!(
            time("from", "2026-03-15").ok(),
            Some(at("2026-03-15T00:00:00Z"))
        );
        assert_eq!(
            time("from", "2026-03-15T10:30:00+01:00").ok(),
            Some(at("2026-03-15T09:30:00Z"))
        );
        let e = time("to", "yesterday").expect_err("invalid");
        assert!(e.to_string().starts_with("invalid argument `to`"), "{e}");
        assert!(time("to", "2026-13-45").is_err());
    }

    #[test]
    fn ranges_take_days_or_bounds_in_order() {
        let now = at("2026-03-15T00:00:00Z");
        let r = range(None, None, Some(7), now).expect("valid");
        assert_eq!(r.from, Some(at("2026-03-08T00:00:00Z")));
        assert!(range(Some("2026-03-01"), None, Some(7), now).is_err());
        assert!(range(None, None, Some(0), now).is_err());
        assert!(range(Some("2026-03-02"), Some("2026-03-01"), None, now).is_err());
        assert_eq!(range(None, None, None, now).ok(), Some(Range::default()));
    }

    #[test]
    fn names_and_limits_are_checked() {
        assert_eq!(category(Some("bug")).ok(), Some(Some(Category::Bug)));
        let e = category(Some("bugs")).expect_err("invalid");
        assert!(e.to_string().contains("feature_request"), "{e}");
        assert_eq!(
            sentiment(Some("negative")).ok(),
            Some(Some(SentimentLabel::Negative))
        );
        assert!(sentiment(Some("bad")).is_err());
        assert_eq!(limit(None).ok(), Some(DEFAULT_LIMIT));
        assert!(limit(Some(0)).is_err() && limit(Some(MAX_LIMIT + 1)).is_err());
    }

    #[test]
    fn unknown_arguments_are_refused() {
        let r: Result<SearchArgs, _> =
            serde_json::from_value(serde_json::json!({"query": "x", "categry": "bug"}));
        assert!(r.is_err());
        let id: GetItemArgs = serde_json::from_value(serde_json::json!({"id": "12"})).expect("ok");
        assert!(matches!(id.id, ItemIdArg::Text(ref t) if t == "12"));
    }
}
