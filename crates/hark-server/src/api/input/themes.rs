//! Inputs of the themes API: the query strings of the theme and mention listings and the small
//! JSON bodies of theme changes, parsed at the edge with every problem reported by its path.

use super::analysis::category_message;
use super::query::{DEFAULT_LIMIT, MAX_LIMIT};
use super::{FromJson, FromPairs, ObjectReader, QueryReader};
use crate::api::ApiError;
use hark_core::analysis::{MentionFilter, SubjectKind, ThemeId};
use hark_core::limits::{MAX_NAME_CHARS, MAX_SOURCE_ID_CHARS};
use hark_core::validate::Issue;
use serde_json::Value;

/// Mentions shown with one theme when `limit` is not given.
pub const THEME_MENTIONS: u32 = 20;

/// What `PATCH /api/1/themes/{id}` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemePatch {
    /// A new name (`Some(None)`: clear it, back to the generated label).
    pub name: Option<Option<String>>,
    /// Pin or unpin.
    pub pinned: Option<bool>,
}

/// `{"name": "…" | null, "pinned": bool}`, both optional; a name is 1–200 characters and not
/// only blanks.
impl FromJson for ThemePatch {
    fn from_json(body: &Value) -> Result<Self, ApiError> {
        let mut r = ObjectReader::new(body, &["name", "pinned"]);
        let name = r.nullable_string("name", MAX_NAME_CHARS);
        if let Some(Some(n)) = &name {
            if n.trim().is_empty() {
                r.issue("name", "must not be blank");
            }
        }
        let pinned = r.boolean("pinned");
        r.finish(Some(ThemePatch { name, pinned }))
    }
}

/// `{"into": "th_…"}` of `POST /api/1/themes/{id}/merge`; merging a theme into itself is 400.
pub fn parse_merge(body: &Value, from: &ThemeId) -> Result<ThemeId, ApiError> {
    let mut r = ObjectReader::new(body, &["into"]);
    let into = r.string("into", MAX_NAME_CHARS, true).map(ThemeId);
    if into.as_ref() == Some(from) {
        r.issue("into", "must be another theme than the one merged");
    }
    r.finish(into)
}

/// The query of `GET /api/1/themes` and `GET /api/1/themes/{id}`: `from`, `to`, `source`,
/// `category`, `said_in` (`item` or `comment`: only mentions said in items, or in the comments
/// of chat feedback), `limit` (themes, or the theme's mentions).
#[derive(Debug, Clone, PartialEq)]
pub struct ThemesQuery {
    /// Which mentions count.
    pub filter: MentionFilter,
    /// `limit` when given.
    pub limit: Option<u32>,
}

/// The query of `GET /api/1/mentions`: the filters of [`ThemesQuery`] plus `theme` and the
/// page: `before` (a mention id) and `limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionsQuery {
    /// Which mentions.
    pub filter: MentionFilter,
    /// Only mentions with ids below this.
    pub before: Option<i64>,
    /// Page size, 1–500 (default 50).
    pub limit: u32,
}

impl FromPairs for ThemesQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let (filter, _, limit) = mention_query(pairs, false)?;
        Ok(Self { filter, limit })
    }
}

/// The query of `GET /api/1/analysis/languages`: the filters of [`ThemesQuery`], without
/// `limit` (the newest 5,000 mentions are read).
#[derive(Debug, Clone, PartialEq)]
pub struct LanguagesQuery(pub MentionFilter);

impl FromPairs for LanguagesQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let (filter, _, limit) = mention_query(pairs, false)?;
        match limit {
            Some(_) => Err(vec![Issue::new("limit", "unknown query parameter")]),
            None => Ok(Self(filter)),
        }
    }
}

impl FromPairs for MentionsQuery {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let (filter, before, limit) = mention_query(pairs, true)?;
        Ok(Self {
            filter,
            before,
            limit: limit.unwrap_or(DEFAULT_LIMIT),
        })
    }
}

type Parsed = (MentionFilter, Option<i64>, Option<u32>);

/// Parses the filters, `limit`, and with `listing` also `theme`, `broad_theme` and `before`.
fn mention_query(pairs: &[(String, String)], listing: bool) -> Result<Parsed, Vec<Issue>> {
    let mut f = MentionFilter::default();
    let (mut before, mut limit) = (None, None);
    let mut r = QueryReader::default();
    for (key, value) in r.pairs(pairs) {
        match key {
            "from" => f.from = r.time(key, value),
            "to" => f.to = r.time(key, value),
            "source" if value.chars().count() > MAX_SOURCE_ID_CHARS => r.issue(key, "is too long"),
            "source" => f.source = Some(value.to_owned()),
            "category" => match value.parse() {
                Ok(c) => f.category = Some(c),
                Err(_) => r.issue(key, &category_message()),
            },
            "said_in" => match SubjectKind::from_api_name(value) {
                Some(k) => f.kind = Some(k),
                None => r.issue(key, "must be item or comment"),
            },
            "limit" => limit = r.number(key, value, 1, MAX_LIMIT),
            "theme" if listing => f.theme = Some(ThemeId(value.to_owned())),
            "broad_theme" if listing => f.broad = Some(ThemeId(value.to_owned())),
            "before" if listing => match value.parse::<i64>() {
                Ok(id) if id > 0 => before = Some(id),
                _ => r.issue(key, "must be a mention id returned by this API"),
            },
            _ => r.issue(key, "unknown query parameter"),
        }
    }
    r.check_range(f.from, f.to);
    r.finish((f, before, limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hark_core::analysis::Category;
    use serde_json::json;

    fn paths(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Invalid { issues, .. } => issues.into_iter().map(|i| i.path).collect(),
            other => panic!("expected a 400, got {other}"),
        }
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn theme_patches_tell_null_from_absent() {
        let p = ThemePatch::from_json(&json!({"name": null})).expect("valid");
        assert_eq!(
            p,
            ThemePatch {
                name: Some(None),
                pinned: None
            }
        );
        let p = ThemePatch::from_json(&json!({"name": "Login", "pinned": true})).expect("valid");
        assert_eq!(p.name, Some(Some("Login".into())));
        assert_eq!(p.pinned, Some(true));
        assert_eq!(ThemePatch::from_json(&json!({})).expect("valid").name, None);
        let bad = json!({"name": " ", "pinned": "yes", "colour": 1});
        assert_eq!(
            paths(ThemePatch::from_json(&bad).expect_err("invalid")),
            ["colour", "name", "pinned"]
        );
        let long = json!({ "name": "n".repeat(MAX_NAME_CHARS + 1) });
        assert_eq!(
            paths(ThemePatch::from_json(&long).expect_err("long")),
            ["name"]
        );
    }

    #[test]
    fn a_theme_is_not_merged_into_itself() {
        let a = ThemeId("th_a".into());
        let into = parse_merge(&json!({"into": "th_b"}), &a).expect("valid");
        assert_eq!(into, ThemeId("th_b".into()));
        assert_eq!(
            paths(parse_merge(&json!({"into": "th_a"}), &a).expect_err("self")),
            ["into"]
        );
        assert_eq!(
            paths(parse_merge(&json!({}), &a).expect_err("missing")),
            ["into"]
        );
    }

    #[test]
    fn mention_queries_parse_and_name_every_problem() {
        let q = MentionsQuery::from_pairs(&pairs(&[
            ("theme", "th_a"),
            ("broad_theme", "bt_b"),
            ("category", "bug"),
            ("source", "src_1"),
            ("from", "2026-03-01T00:00:00Z"),
            ("to", "2026-03-16T00:00:00Z"),
            ("before", "42"),
            ("limit", "500"),
            ("said_in", "comment"),
        ]))
        .expect("valid");
        assert_eq!(q.filter.theme, Some(ThemeId("th_a".into())));
        assert_eq!(q.filter.broad, Some(ThemeId("bt_b".into())));
        assert_eq!(q.filter.kind, Some(SubjectKind::Chat));
        assert_eq!(q.filter.category, Some(Category::Bug));
        assert_eq!((q.before, q.limit), (Some(42), 500));
        assert_eq!(
            MentionsQuery::from_pairs(&[]).expect("valid").limit,
            DEFAULT_LIMIT
        );

        let issues = ThemesQuery::from_pairs(&pairs(&[
            ("category", "bugs"),
            ("theme", "th_a"),
            ("limit", "501"),
            ("from", "2026-03-02T00:00:00Z"),
            ("to", "2026-03-01T00:00:00Z"),
            ("said_in", "chat"),
        ]))
        .expect_err("invalid");
        let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["category", "theme", "limit", "said_in", "to"]);
        let languages =
            LanguagesQuery::from_pairs(&pairs(&[("said_in", "comment")])).expect("valid");
        assert_eq!(languages.0.kind, Some(SubjectKind::Chat));
        let issues = LanguagesQuery::from_pairs(&pairs(&[("limit", "5")])).expect_err("invalid");
        assert_eq!(issues[0].path, "limit");
        let issues = MentionsQuery::from_pairs(&pairs(&[("before", "-1")])).expect_err("invalid");
        assert_eq!(issues[0].path, "before");
    }
}
