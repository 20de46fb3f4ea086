//! Property tests: arbitrary JSON bodies never make the server answer 5xx, and every 400 and
//! every item error names its fields.

use crate::common::{assert_error_shape, TestServer};
use hark_core::validate::ingest::validate_ingest;
use hark_server::ApiError;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::StatusCode;
use serde_json::{json, Map, Value};

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("2026-03-15T10:30:00Z")),
        Just(json!("a@b.co")),
        Just(json!("https://example.com/x")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Field names of the contract most of the time, so generated bodies get past the envelope.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "unique_id", "body", "author", "email", "user_id", "url", "created_at",
            "conversation_parts", "source_id", "items",
        ])
        .prop_map(str::to_string),
        1 => "[a-z_]{1,8}",
    ]
}

/// An ingest body whose envelope is often valid and whose items are anything.
fn ingest_body(source_id: String) -> impl Strategy<Value = Value> {
    let item = prop::collection::btree_map(field_name(), any_json(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()));
    let items = prop::collection::vec(prop_oneof![4 => item, 1 => any_json()], 0..5);
    let source = prop_oneof![4 => Just(json!(source_id)), 1 => any_json()];
    prop_oneof![
        4 => (source, items).prop_map(|(s, i)| json!({"source_id": s, "items": i})),
        1 => any_json(),
    ]
}

#[test]
fn envelope_errors_are_400_with_paths_for_any_json() {
    // Pure: validation and its mapping to the wire, many cases.
    let mut runner = TestRunner::new(Config::with_cases(512));
    runner
        .run(&ingest_body("src_x".into()), |body| {
            match validate_ingest(&body) {
                Err(issues) => {
                    let err = ApiError::invalid_body(issues.clone());
                    prop_assert_eq!(err.status().as_u16(), 400);
                    prop_assert!(!issues.is_empty());
                    for i in &issues {
                        prop_assert!(!i.message.is_empty());
                    }
                }
                Ok(req) => {
                    for r in &req.rejected {
                        prop_assert!(!r.issues.is_empty());
                        let prefix = format!("items[{}]", r.index);
                        for i in &r.issues {
                            prop_assert!(i.path.starts_with(&prefix), "{} vs {}", i.path, prefix);
                        }
                    }
                    let n = req.items.len() + req.rejected.len();
                    prop_assert_eq!(Some(n), body["items"].as_array().map(Vec::len));
                }
            }
            Ok(())
        })
        .expect("property holds");
}

#[test]
fn arbitrary_bodies_never_get_a_5xx_over_http() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (srv, t) = rt.block_on(async {
        let srv = TestServer::start().await;
        let t = srv.tenant("prop").await;
        (srv, t)
    });
    let mut runner = TestRunner::new(Config::with_cases(48));
    runner
        .run(&ingest_body(t.source_id.to_string()), |body| {
            let (status, answer) = rt.block_on(srv.ingest(&t, &body));
            prop_assert!(!status.is_server_error(), "{} for {}", status, body);
            match status {
                StatusCode::OK => {
                    let items = body["items"].as_array().map_or(0, Vec::len) as u64;
                    let ingested = answer["ingested"].as_u64().unwrap_or(u64::MAX);
                    let failed = answer["failed"].as_u64().unwrap_or(u64::MAX);
                    prop_assert_eq!(ingested + failed, items);
                    for e in answer["errors"].as_array().into_iter().flatten() {
                        prop_assert!(e["field"].as_str().is_some_and(|f| f.starts_with("items[")));
                        prop_assert!(e["index"].is_u64());
                        assert_error_shape(e);
                    }
                }
                StatusCode::BAD_REQUEST => {
                    assert_error_shape(&answer);
                    prop_assert!(answer["issues"].is_array(), "{}", answer);
                }
                StatusCode::NOT_FOUND => assert_error_shape(&answer),
                other => prop_assert!(false, "unexpected {} for {}", other, body),
            }
            Ok(())
        })
        .expect("property holds");
    rt.block_on(srv.stop());
}
