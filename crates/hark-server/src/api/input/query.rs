//! Query strings of the read APIs: [`ValidQuery`] extracts any [`FromPairs`] type, and
//! [`QueryReader`] holds the shared rules (repeated keys, empty values, date-times, numbers in
//! a range) while collecting every problem with the parameter's name.

use crate::api::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use hark_core::validate::Issue;
use hark_core::Timestamp;

/// Entries per page of the paged listings when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest accepted `limit` of the paged listings.
pub const MAX_LIMIT: u32 = 500;

/// A query string parsed into `T` (in the spirit of svix's `ValidatedQuery`); any problem is a
/// 400 `invalid query` naming each parameter.
#[derive(Debug, Clone)]
pub struct ValidQuery<T>(pub T);

/// Parsing of a query's `(key, value)` pairs, collecting every problem.
pub trait FromPairs: Sized {
    /// Parses the pairs; unknown and repeated keys are problems, empty values mean "not set".
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>>;
}

impl<S: Send + Sync, T: FromPairs> FromRequestParts<S> for ValidQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid("invalid query", vec![Issue::new("", e.body_text())]))?;
        T::from_pairs(&pairs)
            .map(Self)
            .map_err(|issues| ApiError::invalid("invalid query", issues))
    }
}

/// Collects the problems of one query.
#[derive(Debug, Default)]
pub struct QueryReader {
    issues: Vec<Issue>,
}

impl QueryReader {
    /// The pairs to interpret: repeated keys are problems, empty values are skipped.
    pub fn pairs<'p>(&mut self, pairs: &'p [(String, String)]) -> Vec<(&'p str, &'p str)> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (key, value) in pairs {
            if seen.contains(&key.as_str()) {
                self.issue(key, "given more than once");
                continue;
            }
            seen.push(key);
            if !value.is_empty() {
                out.push((key.as_str(), value.as_str()));
            }
        }
        out
    }

    /// Records a problem with parameter `key`.
    pub fn issue(&mut self, key: &str, message: &str) {
        self.issues.push(Issue::new(key, message));
    }

    /// `value` parsed by `parse`; `None` (and a problem) when it is not one of the values.
    pub fn enumerated<T>(
        &mut self,
        key: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = parse(value);
        if v.is_none() {
            self.issue(key, "is not one of the contract's values");
        }
        v
    }

    /// An ISO 8601 / RFC 3339 date-time.
    pub fn time(&mut self, key: &str, value: &str) -> Option<Timestamp> {
        let t = Timestamp::parse_iso8601(value);
        if t.is_none() {
            self.issue(
                key,
                "must be an RFC 3339 date-time such as 2026-03-15T10:30:00Z (encode '+' as %2B)",
            );
        }
        t
    }

    /// An integer from `min` to `max`.
    pub fn number(&mut self, key: &str, value: &str, min: u32, max: u32) -> Option<u32> {
        match value.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.issue(key, &format!("must be an integer from {min} to {max}"));
                None
            }
        }
    }

    /// A problem with `to` when both bounds are given and `from` is after it.
    pub fn check_range(&mut self, from: Option<Timestamp>, to: Option<Timestamp>) {
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                self.issue("to", "must not be before from");
            }
        }
    }

    /// `value` when no problem was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Issue>> {
        if self.issues.is_empty() {
            Ok(value)
        } else {
            Err(self.issues)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_problems_and_empty_values_unset() {
        let pairs: Vec<(String, String)> = [("a", "1"), ("a", "2"), ("b", "")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut r = QueryReader::default();
        assert_eq!(r.pairs(&pairs), [("a", "1")]);
        let issues = r.finish(()).expect_err("repeated");
        assert_eq!(issues[0].path, "a");
    }

    #[test]
    fn numbers_times_and_ranges_are_checked() {
        let mut r = QueryReader::default();
        assert_eq!(r.number("limit", "5", 1, 10), Some(5));
        assert_eq!(r.number("limit", "11", 1, 10), None);
        let from = r.time("from", "2026-03-02T00:00:00Z");
        let to = r.time("to", "2026-03-01T00:00:00Z");
        r.check_range(from, to);
        assert_eq!(r.time("to", "soon"), None);
        let issues = r.finish(()).expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["limit", "to", "to"]);
    }
}
