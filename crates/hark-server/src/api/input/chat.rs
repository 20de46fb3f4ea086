//! Query strings of the chat read-back API: the feedback listing's filters and page, and the
//! statistics' range, period and `top`, with every problem reported by parameter.

use super::query::{DEFAULT_LIMIT, MAX_LIMIT};
use super::{FromPairs, QueryReader};
use hark_core::chat::{
    ApplicationId, FeedbackCursor, FeedbackFilter, Period, StatsQuery, Usefulness, UsefulnessReason,
};
use hark_core::validate::Issue;

/// Largest accepted `top` of the stats.
pub const MAX_TOP: u32 = 100;
/// `top` when not given.
pub const DEFAULT_TOP: u32 = 10;

/// The parsed query of `GET /api/1/chat/feedback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackQuery {
    /// Filters; all must match.
    pub filter: FeedbackFilter,
    /// Where the previous page ended.
    pub cursor: Option<FeedbackCursor>,
    /// Page size, 1–500.
    pub limit: u32,
}

impl FromPairs for FeedbackQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let mut q = FeedbackQuery {
            filter: FeedbackFilter::default(),
            cursor: None,
            limit: DEFAULT_LIMIT,
        };
        let mut r = QueryReader::default();
        for (key, value) in r.pairs(pairs) {
            let f = &mut q.filter;
            match key {
                "application_id" => f.application_id = application(&mut r, value),
                "usefulness" => f.usefulness = r.enumerated(key, value, Usefulness::parse),
                "reason" => f.reason = r.enumerated(key, value, UsefulnessReason::parse),
                "user_id" => f.user_id = Some(value.to_owned()),
                "from" => f.from = r.time(key, value),
                "to" => f.to = r.time(key, value),
                "has_comment" => match value {
                    "true" => f.has_comment = Some(true),
                    "false" => f.has_comment = Some(false),
                    _ => r.issue(key, "must be true or false"),
                },
                "limit" => q.limit = r.number(key, value, 1, MAX_LIMIT).unwrap_or(q.limit),
                "cursor" => match FeedbackCursor::decode(value) {
                    Some(c) => q.cursor = Some(c),
                    None => r.issue(key, "is not a cursor returned by this API"),
                },
                _ => r.issue(key, "unknown query parameter"),
            }
        }
        r.check_range(q.filter.from, q.filter.to);
        r.finish(q)
    }
}

impl FromPairs for StatsQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let mut q = StatsQuery {
            application_id: None,
            from: None,
            to: None,
            period: Period::Day,
            top: DEFAULT_TOP,
        };
        let mut r = QueryReader::default();
        for (key, value) in r.pairs(pairs) {
            match key {
                "application_id" => q.application_id = application(&mut r, value),
                "from" => q.from = r.time(key, value),
                "to" => q.to = r.time(key, value),
                "period" => match value {
                    "day" => q.period = Period::Day,
                    "week" => q.period = Period::Week,
                    _ => r.issue(key, "must be day or week"),
                },
                "top" => q.top = r.number(key, value, 0, MAX_TOP).unwrap_or(q.top),
                _ => r.issue(key, "unknown query parameter"),
            }
        }
        r.check_range(q.from, q.to);
        r.finish(q)
    }
}

/// An `application_id` parameter; a problem when it cannot be an application id.
fn application(r: &mut QueryReader, value: &str) -> Option<ApplicationId> {
    let id = ApplicationId::parse(value);
    if id.is_none() {
        r.issue("application_id", "is not an application id");
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn feedback_query_parses_every_filter() {
        let app = "a".repeat(36);
        let q = FeedbackQuery::from_pairs(&pairs(&[
            ("application_id", &app),
            ("usefulness", "NOT_USEFUL"),
            ("reason", "HARMFUL_OR_UNSAFE"),
            ("user_id", "u+1"),
            ("from", "2026-03-01T00:00:00Z"),
            ("to", "2026-04-01T00:00:00Z"),
            ("has_comment", "false"),
            ("limit", "500"),
            ("cursor", "5.7"),
        ]))
        .expect("valid");
        assert_eq!(q.filter.usefulness, Some(Usefulness::NotUseful));
        assert_eq!(q.filter.reason, Some(UsefulnessReason::HarmfulOrUnsafe));
        assert_eq!(q.filter.has_comment, Some(false));
        assert_eq!(q.filter.user_id.as_deref(), Some("u+1"));
        assert_eq!(q.limit, 500);
        assert_eq!(q.cursor, Some(FeedbackCursor { event_at: 5, id: 7 }));
        let empty = FeedbackQuery::from_pairs(&pairs(&[("reason", "")])).expect("valid");
        assert_eq!(empty.limit, DEFAULT_LIMIT);
        assert_eq!(empty.filter, FeedbackFilter::default());
    }

    #[test]
    fn feedback_query_names_every_problem() {
        let issues = FeedbackQuery::from_pairs(&pairs(&[
            ("application_id", "short"),
            ("usefulness", "useful"),
            ("has_comment", "yes"),
            ("limit", "0"),
            ("cursor", "x"),
            ("from", "2026-05-01T00:00:00Z"),
            ("to", "2026-04-01T00:00:00Z"),
            ("colour", "red"),
            ("limit", "5"),
        ]))
        .expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "limit",
                "application_id",
                "usefulness",
                "has_comment",
                "limit",
                "cursor",
                "colour",
                "to"
            ]
        );
    }

    #[test]
    fn stats_query_defaults_and_limits() {
        let q = StatsQuery::from_pairs(&[]).expect("valid");
        assert_eq!((q.period, q.top), (Period::Day, DEFAULT_TOP));
        let q = StatsQuery::from_pairs(&pairs(&[("period", "week"), ("top", "0")])).expect("ok");
        assert_eq!((q.period, q.top), (Period::Week, 0));
        let issues = StatsQuery::from_pairs(&pairs(&[("period", "month"), ("top", "101")]))
            .expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["period", "top"]);
    }
}
