use crate::api::input::chat::FeedbackQuery;
use crate::api::input::items::ListParams;
use crate::api::input::search::{SearchParams, SimilarParams};
use crate::api::input::themes::{MentionsQuery, ThemesQuery};
use crate::api::input::FromPairs;
use hark_core::chat::StatsQuery;
use hark_core::validate::Issue;
use serde_json::Value;
use std::collections::BTreeSet;

fn document() -> Value {
    serde_json::to_value(crate::openapi_document()).expect("the document serialises")
}

/// `(method, path, operation)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

#[test]
fn every_operation_has_a_unique_id_its_surface_auth_and_error_answers() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let ops = operations(&doc);
    assert!(ops.len() >= 40, "{} operations", ops.len());
    let ids: BTreeSet<_> = ops
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().expect("operationId").to_owned())
        .collect();
    assert_eq!(ids.len(), ops.len(), "operation ids are unique");
    for (method, path, op) in &ops {
        let scheme = if path.starts_with("/api/1/") || path == "/mcp" {
            Some("project_basic")
        } else if path.starts_with("/admin/") {
            Some("admin_bearer")
        } else if path.starts_with("/applications/") {
            Some("aws_sigv4")
        } else {
            None
        };
        match scheme {
            Some(s) => assert_eq!(
                op["security"][0][s],
                serde_json::json!([]),
                "{method} {path}"
            ),
            None => assert!(op.get("security").is_none(), "{method} {path}"),
        }
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: a success answer"
        );
        assert!(responses.contains_key("500"), "{method} {path}: errors");
        assert!(op["tags"][0].is_string(), "{method} {path}: a tag");
    }
}

#[test]
fn every_path_parameter_is_documented() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let documented: BTreeSet<String> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().expect("name").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(in_path, documented, "{method} {path}");
    }
}

/// The parser of an operation's query string, as the handler runs it.
fn parse_query(path: &str, pairs: &[(String, String)]) -> Result<(), Vec<Issue>> {
    match path {
        "/api/1/items" => ListParams::from_pairs(pairs).map(drop),
        "/api/1/search" => SearchParams::from_pairs(pairs).map(drop),
        "/api/1/items/{id}/similar" => SimilarParams::from_pairs(pairs).map(drop),
        "/api/1/themes"
        | "/api/1/themes/{id}"
        | "/api/1/broad-themes"
        | "/api/1/broad-themes/{id}" => ThemesQuery::from_pairs(pairs).map(drop),
        "/api/1/mentions" => MentionsQuery::from_pairs(pairs).map(drop),
        "/api/1/analysis/languages" => {
            crate::api::input::themes::LanguagesQuery::from_pairs(pairs).map(drop)
        }
        "/api/1/chat/feedback" => FeedbackQuery::from_pairs(pairs).map(drop),
        "/api/1/chat/stats" => StatsQuery::from_pairs(pairs).map(drop),
        "/api/1/webhooks/{id}/deliveries" => {
            crate::api::input::webhooks::DeliveriesQuery::from_pairs(pairs).map(drop)
        }
        other => panic!("{other} documents a query: add its parser to this test"),
    }
}

/// A value its schema allows (the first of an enum, the minimum of a number, …).
fn sample(doc: &Value, schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return sample(doc, &doc["components"]["schemas"][name]);
    }
    if let Some(first) = schema["enum"].get(0) {
        return first.as_str().map_or(first.to_string(), str::to_owned);
    }
    let types = match &schema["type"] {
        Value::Array(ts) => ts.clone(),
        t => vec![t.clone()],
    };
    if types.contains(&"integer".into()) {
        return schema["minimum"].as_i64().unwrap_or(1).max(1).to_string();
    }
    if types.contains(&"boolean".into()) {
        return "true".into();
    }
    if schema["format"] == "date-time" {
        return "2026-03-15T10:30:00Z".into();
    }
    "words".into()
}

/// The query parameters are described by hand beside hand-written parsers: each documented one
/// must be one its parser knows, with a value its schema allows accepted.
#[test]
fn every_documented_query_parameter_is_accepted_by_its_parser() {
    let doc = document();
    let mut checked = 0;
    for (method, path, op) in operations(&doc) {
        if !path.starts_with("/api/1/") {
            continue;
        }
        let Some(params) = op["parameters"].as_array() else {
            continue;
        };
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().expect("name").to_owned();
            if name == "cursor" {
                // Only cursors returned by the API parse; a made-up one is a named problem.
                let issues = parse_query(&path, &[(name.clone(), "x".into())]).unwrap_err();
                assert!(issues
                    .iter()
                    .all(|i| i.message != "unknown query parameter"));
                continue;
            }
            let value = match p["example"].as_str() {
                Some(example) => example.to_owned(),
                None => sample(&doc, &p["schema"]),
            };
            let mut pairs = vec![(name.clone(), value)];
            if path == "/api/1/search" && name != "q" {
                pairs.push(("q".into(), "words".into()));
            }
            let parsed = parse_query(&path, &pairs);
            assert!(parsed.is_ok(), "{method} {path} ?{pairs:?}: {parsed:?}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} parameters checked");
}

#[test]
fn the_error_answers_are_in_the_components() {
    let doc = document();
    let responses = doc["components"]["responses"]
        .as_object()
        .expect("responses");
    for (_, _, op) in operations(&doc) {
        for answer in op["responses"].as_object().expect("responses").values() {
            if let Some(r) = answer["$ref"].as_str() {
                let name = r.trim_start_matches("#/components/responses/");
                assert!(responses.contains_key(name), "{r}");
            }
        }
    }
    assert_eq!(
        doc["components"]["schemas"]["ApiError"]["required"],
        serde_json::json!(["error"])
    );
    assert!(doc["components"]["schemas"]["AwsError"]["properties"]["__type"].is_object());
}
