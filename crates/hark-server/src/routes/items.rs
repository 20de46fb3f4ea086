//! hark's read-back and privacy API, scoped to the caller's project:
//! `GET /api/1/items`, `GET|DELETE /api/1/items/{id}` (an item with its analysis),
//! `POST /api/1/privacy/erase`.

use crate::auth::ProjectKey;
use crate::body::JsonBody;
use crate::error::ApiError;
use crate::params::{ItemIdParam, ObjectReader};
use crate::AppState;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::Json;
use hark_core::analysis::{StoredAnalysis, Subject};
use hark_core::limits::{MAX_EMAIL_CHARS, MAX_SOURCE_ID_CHARS, MAX_USER_ID_CHARS};
use hark_core::validate::Issue;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, SourceId, StoredItem, Timestamp,
};
use serde::Serialize;
use serde_json::Value;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest accepted `limit`.
pub const MAX_LIMIT: u32 = 500;

/// One page of the item listing.
#[derive(Debug, Serialize)]
pub struct ItemList {
    /// Items, newest first, without their parts.
    pub items: Vec<StoredItem>,
    /// Pass as `cursor` to get the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// Answer of a deletion.
#[derive(Debug, Serialize)]
pub struct Deleted {
    /// Always true: a missing item is a 404.
    pub deleted: bool,
}

/// Lists the project's items matching the query's filters.
pub async fn list(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ListQuery(query): ListQuery,
) -> Result<Json<ItemList>, ApiError> {
    let page = state
        .store()
        .list_items(&project_id, &query.filter, query.cursor, query.limit)
        .await?;
    Ok(Json(ItemList {
        items: page.items,
        next_cursor: page.next.map(ItemCursor::encode),
    }))
}

/// One item with its analysis, as `GET /api/1/items/{id}` shows it.
#[derive(Debug, Serialize)]
pub struct ItemView {
    /// The item and its conversation parts.
    #[serde(flatten)]
    pub item: StoredItem,
    /// Its category, sentiment and mentions; `null` until it has been analysed.
    pub analysis: Option<StoredAnalysis>,
}

/// One item of the project, with its conversation parts in order and its analysis.
pub async fn get(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
) -> Result<Json<ItemView>, ApiError> {
    let store = state.store();
    let item = store
        .get_item(&project_id, id)
        .await?
        .ok_or(ApiError::NotFound("item"))?;
    let analysis = store.analysis(&project_id, Subject::Item(id.0)).await?;
    Ok(Json(ItemView { item, analysis }))
}

/// Deletes one item of the project and its parts.
pub async fn delete(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    ItemIdParam(id): ItemIdParam,
) -> Result<Json<Deleted>, ApiError> {
    if state.store().delete_item(&project_id, id).await? {
        Ok(Json(Deleted { deleted: true }))
    } else {
        Err(ApiError::NotFound("item"))
    }
}

/// Removes everything of the project that carries the subject's user id or email.
pub async fn erase(
    ProjectKey { project_id }: ProjectKey,
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<ErasureReport>, ApiError> {
    let subject = parse_subject(&body)?;
    let report = state.store().erase_subject(&project_id, &subject).await?;
    Ok(Json(report))
}

/// `{"user_id": "..."}` or `{"email": "..."}`, exactly one.
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

/// The parsed query of the listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    /// Filters; all must match.
    pub filter: ItemFilter,
    /// Where the previous page ended.
    pub cursor: Option<ItemCursor>,
    /// Page size, 1–500.
    pub limit: u32,
}

/// Extractor of [`ListParams`]; any problem is a 400 naming each parameter.
#[derive(Debug, Clone)]
pub struct ListQuery(pub ListParams);

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid("invalid query", vec![Issue::new("", e.body_text())]))?;
        parse_list_query(&pairs)
            .map(Self)
            .map_err(|issues| ApiError::invalid("invalid query", issues))
    }
}

/// Parses `source_id, user_id, email, created_from, created_to, q, limit, cursor`, collecting
/// every problem. Unknown and repeated parameters are problems; empty values mean "not set".
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
    }

    #[test]
    fn every_problem_is_named() {
        let issues = parse_list_query(&pairs(&[
            ("limit", "0"),
            ("cursor", "nope"),
            ("created_from", "yesterday"),
            ("colour", "red"),
            ("q", "a"),
            ("q", "b"),
        ]))
        .expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["limit", "cursor", "created_from", "colour", "q"]);
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
