//! Inputs of the item APIs: the ingest body (validated by `hark-core`), the query of the item
//! listing and the subject of a privacy erasure, each with every problem reported by its path.

use super::query::{DEFAULT_LIMIT, MAX_LIMIT};
use super::{FromJson, FromPairs, ObjectReader};
use crate::api::ApiError;
use hark_core::analysis::{Category, SentimentLabel};
use hark_core::limits::{MAX_EMAIL_CHARS, MAX_SOURCE_ID_CHARS, MAX_USER_ID_CHARS};
use hark_core::validate::ingest::{validate_ingest, IngestRequest};
use hark_core::validate::Issue;
use hark_core::{ErasureSubject, ItemCursor, ItemFilter, SourceId, Timestamp};
use serde_json::Value;

/// The body of `POST /api/1/ai-feedback/ingest` (`shared/specs/ingest-api.md`): the request is
/// refused whole only when it is not an ingest request; items with problems are reported one
/// by one in the 200 answer.
impl FromJson for IngestRequest {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        validate_ingest(body).map_err(ApiError::invalid_body)
    }
}

/// The parsed query of `GET /api/1/items`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// Filters; all must match.
    pub filter: ItemFilter,
    /// Where the previous page ended.
    pub cursor: Option<ItemCursor>,
    /// Page size, 1–500.
    pub limit: u32,
}

impl FromPairs for ListParams {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        parse_list_query(pairs)
    }
}

/// Parses `source_id, user_id, email, created_from, created_to, q, category, sentiment, limit,
/// cursor`, collecting every problem. Unknown and repeated parameters are problems; empty values mean "not set".
/// Written before [`super::QueryReader`]; its messages (an "ISO 8601 date-time") are part of
/// the contract's bodies, so it keeps its own loop.
pub fn parse_list_query(pairs: &[(String, String)]) -> Result<ListParams, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut params = ListParams {
        filter: ItemFilter::default(),
        cursor: None,
        limit: DEFAULT_LIMIT,
    };
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if seen.contains(&key.as_str()) {
            issues.push(Issue::new(key.clone(), "given more than once"));
            continue;
        }
        seen.push(key);
        if value.is_empty() {
            continue;
        }
        let f = &mut params.filter;
        match key.as_str() {
            "source_id" if value.chars().count() > MAX_SOURCE_ID_CHARS => {
                issues.push(Issue::new(key.clone(), "is too long"))
            }
            "source_id" => f.source_id = Some(SourceId::new(value.clone())),
            "user_id" => f.user_id = Some(value.clone()),
            "email" => f.email = Some(value.clone()),
            "q" => f.text = Some(value.clone()),
            "created_from" => f.created_from = timestamp(key, value, &mut issues),
            "created_to" => f.created_to = timestamp(key, value, &mut issues),
            "category" => match value.parse::<Category>() {
                Ok(c) => f.category = Some(c),
                Err(e) => issues.push(Issue::new(key.clone(), e.to_string())),
            },
            "sentiment" => match value.parse::<SentimentLabel>() {
                Ok(l) => f.sentiment = Some(l),
                Err(e) => issues.push(Issue::new(key.clone(), e.to_string())),
            },
            "limit" => match value.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => params.limit = n,
                _ => issues.push(Issue::new(
                    "limit",
                    format!("must be an integer from 1 to {MAX_LIMIT}"),
                )),
            },
            "cursor" => match ItemCursor::decode(value) {
                Some(c) => params.cursor = Some(c),
                None => issues.push(Issue::new("cursor", "is not a cursor returned by this API")),
            },
            _ => issues.push(Issue::new(key.clone(), "unknown query parameter")),
        }
    }
    if let (Some(from), Some(to)) = (params.filter.created_from, params.filter.created_to) {
        if from > to {
            issues.push(Issue::new("created_to", "must not be before created_from"));
        }
    }
    if issues.is_empty() {
        Ok(params)
    } else {
        Err(issues)
    }
}

fn timestamp(key: &str, value: &str, issues: &mut Vec<Issue>) -> Option<Timestamp> {
    let t = Timestamp::parse_iso8601(value);
    if t.is_none() {
        issues.push(Issue::new(
            key,
            "must be an ISO 8601 date-time such as 2026-03-15T10:30:00Z (encode '+' as %2B)",
        ));
    }
    t
}

/// `{"user_id": "..."}` or `{"email": "..."}` of `POST /api/1/privacy/erase`, exactly one.
impl FromJson for ErasureSubject {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        parse_subject(body)
    }
}

fn parse_subject(body: &Value) -> Result<ErasureSubject, ApiError> {
    let mut r = ObjectReader::new(body, &["user_id", "email"]);
    let user_id = r.string("user_id", MAX_USER_ID_CHARS, false);
    let email = r.string("email", MAX_EMAIL_CHARS, false);
    let subject = match (user_id, email) {
        (Some(u), None) => Some(ErasureSubject::UserId(u)),
        (None, Some(e)) => Some(ErasureSubject::Email(e)),
        (Some(_), Some(_)) => {
            r.issue("", "send exactly one of user_id or email, not both");
            None
        }
        (None, None) => {
            if r.is_clean() {
                r.issue("", "one of user_id or email is required");
            }
            None
        }
    };
    r.finish(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_to_an_empty_query() {
        let p = parse_list_query(&[]).expect("valid");
        assert_eq!(p.limit, DEFAULT_LIMIT);
        assert_eq!(p.filter, ItemFilter::default());
        assert_eq!(p.cursor, None);
    }

    #[test]
    fn every_parameter_parses() {
        let p = parse_list_query(&pairs(&[
            ("source_id", "src_1"),
            ("user_id", "u"),
            ("email", "a@b.c"),
            ("created_from", "2026-03-01T00:00:00Z"),
            ("created_to", "2026-04-01T00:00:00Z"),
            ("q", "excel"),
            ("category", "feature_request"),
            ("sentiment", "neutral"),
            ("limit", "500"),
            ("cursor", "5.7"),
        ]))
        .expect("valid");
        assert_eq!(p.limit, 500);
        assert_eq!(
            p.cursor,
            Some(ItemCursor {
                created_at: 5,
                id: 7
            })
        );
        assert_eq!(p.filter.text.as_deref(), Some("excel"));
        assert_eq!(p.filter.source_id, Some(SourceId::new("src_1")));
        assert_eq!(p.filter.category, Some(Category::FeatureRequest));
        assert_eq!(p.filter.sentiment, Some(SentimentLabel::Neutral));
    }

    #[test]
    fn every_problem_is_named() {
        let issues = parse_list_query(&pairs(&[
            ("limit", "0"),
            ("cursor", "nope"),
            ("created_from", "yesterday"),
            ("colour", "red"),
            ("category", "Bug"),
            ("sentiment", "happy"),
            ("q", "a"),
            ("q", "b"),
        ]))
        .expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "limit",
                "cursor",
                "created_from",
                "colour",
                "category",
                "sentiment",
                "q"
            ]
        );
        let too_big = parse_list_query(&pairs(&[("limit", "501")])).expect_err("over");
        assert_eq!(too_big[0].path, "limit");
    }

    #[test]
    fn erase_needs_exactly_one_subject() {
        assert_eq!(
            parse_subject(&json!({"user_id": "u1"})).expect("valid"),
            ErasureSubject::UserId("u1".into())
        );
        assert_eq!(
            parse_subject(&json!({"email": "a@b.c"})).expect("valid"),
            ErasureSubject::Email("a@b.c".into())
        );
        for bad in [
            json!({}),
            json!({"user_id": "u", "email": "a@b.c"}),
            json!({"user_id": ""}),
            json!({"user_id": 5}),
            json!({"userid": "u"}),
            json!("u"),
        ] {
            let err = parse_subject(&bad).expect_err("invalid");
            assert_eq!(err.status(), axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
    }
}
