//! The query of `GET /api/1/search`: `q` (required) with the item listing's filters, `limit`
//! (1–100, default 20) and `offset` (paging through the best 500 results); and the query of
//! `GET /api/1/items/{id}/similar`: `limit` only.

use super::items::parse_list_query;
use super::{FromPairs, QueryReader};
use hark_analysis::search::{SearchQuery, MAX_DEPTH};
use hark_core::validate::Issue;

/// Results per page by default.
pub const DEFAULT_SEARCH_LIMIT: usize = 20;
/// The largest page.
pub const MAX_SEARCH_LIMIT: usize = 100;

/// The parsed query of `GET /api/1/search`.
#[derive(Debug, Clone)]
pub struct SearchParams(pub SearchQuery);

impl FromPairs for SearchParams {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let mut issues = Vec::new();
        let mut offset = 0usize;
        let mut limit = DEFAULT_SEARCH_LIMIT;
        let mut rest = Vec::new();
        for (key, value) in pairs {
            match key.as_str() {
                "offset" => match value.parse::<usize>() {
                    Ok(n) if n < MAX_DEPTH => offset = n,
                    _ => issues.push(Issue::new(
                        "offset",
                        format!("must be an integer from 0 to {}", MAX_DEPTH - 1),
                    )),
                },
                "limit" => match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_SEARCH_LIMIT).contains(&n) => limit = n,
                    _ => issues.push(Issue::new(
                        "limit",
                        format!("must be an integer from 1 to {MAX_SEARCH_LIMIT}"),
                    )),
                },
                "cursor" => issues.push(Issue::new("cursor", "search pages by offset")),
                _ => rest.push((key.clone(), value.clone())),
            }
        }
        let mut filter = match parse_list_query(&rest) {
            Ok(p) => p.filter,
            Err(more) => {
                issues.extend(more);
                Default::default()
            }
        };
        let text = filter.text.take().unwrap_or_default();
        if text.trim().is_empty() && !issues.iter().any(|i| i.path == "q") {
            issues.push(Issue::new("q", "is required: the words to search for"));
        } else if text.chars().count() > MAX_QUERY_CHARS {
            issues.push(Issue::new(
                "q",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        if !issues.is_empty() {
            return Err(issues);
        }
        Ok(Self(SearchQuery {
            text,
            filter,
            offset,
            limit,
        }))
    }
}

/// The longest query (the model reads 256 tokens at most anyway).
pub const MAX_QUERY_CHARS: usize = 1_000;

/// The parsed query of `GET /api/1/items/{id}/similar`.
#[derive(Debug, Clone, Copy)]
pub struct SimilarParams {
    /// Items returned, 1–100 (default 10).
    pub limit: usize,
}

impl FromPairs for SimilarParams {
    fn from_pairs(pairs: &[(String, String)]) -> Result<Self, Vec<Issue>> {
        let mut r = QueryReader::default();
        let mut limit = 10;
        for (key, value) in r.pairs(pairs) {
            match key {
                "limit" => {
                    limit = r
                        .number(key, value, 1, MAX_SEARCH_LIMIT as u32)
                        .map_or(limit, |n| n as usize)
                }
                _ => r.issue(key, "unknown query parameter"),
            }
        }
        r.finish(Self { limit })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(p: &[(&str, &str)]) -> Result<SearchParams, Vec<Issue>> {
        let pairs: Vec<(String, String)> = p
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SearchParams::from_pairs(&pairs)
    }

    #[test]
    fn a_query_with_filters_parses() {
        let SearchParams(q) = parse(&[
            ("q", "can't log in"),
            ("category", "bug"),
            ("limit", "5"),
            ("offset", "10"),
        ])
        .expect("valid");
        assert_eq!(q.text, "can't log in");
        assert_eq!(q.filter.text, None);
        assert_eq!(q.filter.category, Some(hark_core::analysis::Category::Bug));
        assert_eq!((q.limit, q.offset), (5, 10));
    }

    #[test]
    fn every_problem_is_named() {
        let issues = parse(&[
            ("limit", "0"),
            ("offset", "500"),
            ("cursor", "x"),
            ("colour", "red"),
        ])
        .expect_err("invalid");
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["limit", "offset", "cursor", "colour", "q"]);
        assert!(parse(&[("q", "  ")]).is_err());
        assert!(parse(&[("q", &"x".repeat(1_001))]).is_err());
    }
}
