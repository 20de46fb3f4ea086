use super::*;
use serde_json::json;

fn item_issue_paths(v: Value) -> Vec<String> {
    let req = validate_ingest(&v).expect("envelope is valid");
    req.rejected
        .iter()
        .flat_map(|r| r.issues.iter().map(|i| i.path.clone()))
        .collect()
}

#[test]
fn spec_examples_are_valid() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/specs/ingest-examples"
    );
    let Ok(entries) = std::fs::read_dir(dir) else {
        return; // shared/ is beside the checkout in CI and dev; the server tests cover it too
    };
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let req = validate_ingest(&v).unwrap();
        assert!(
            req.rejected.is_empty(),
            "{:?}: {:?}",
            e.path(),
            req.rejected
        );
    }
}

#[test]
fn envelope_problems_are_all_reported() {
    let issues = validate_ingest(&json!({"items": "x"})).unwrap_err();
    let paths: Vec<_> = issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["source_id", "items"]);
    let issues = validate_ingest(&json!({"source_id": "", "items": []})).unwrap_err();
    assert_eq!(issues.len(), 2);
    let too_many: Vec<_> = (0..101)
        .map(|i| json!({"unique_id": i.to_string(), "body": "x"}))
        .collect();
    let issues = validate_ingest(&json!({"source_id": "s", "items": too_many})).unwrap_err();
    assert_eq!(issues[0].path, "items");
    assert!(validate_ingest(&json!([1])).is_err());
    let long = "é".repeat(129);
    assert!(validate_ingest(&json!({"source_id": long, "items": [{"unique_id": "a"}]})).is_err());
}

#[test]
fn lengths_count_characters_not_bytes() {
    let body = "é".repeat(MAX_BODY_CHARS); // 40,000 bytes, 20,000 characters
    let v = json!({"source_id": "s", "items": [{"unique_id": "a", "body": body}]});
    assert!(validate_ingest(&v).unwrap().rejected.is_empty());
    let body = "é".repeat(MAX_BODY_CHARS + 1);
    let v = json!({"source_id": "s", "items": [{"unique_id": "a", "body": body}]});
    assert_eq!(item_issue_paths(v), ["items[0].body"]);
}

#[test]
fn item_problems_fail_only_that_item_and_name_every_field() {
    let v = json!({"source_id": "s", "items": [
        {"unique_id": "ok", "body": "fine"},
        {"unique_id": "bad", "email": "not-an-email", "url": "nope", "created_at": "yesterday",
         "author": 5, "conversation_parts": [{"unique_id": "p"}, 7, {"body": "x"},
            {"unique_id": "q", "body": "y", "conversation_parts": []}]},
        "string item",
        {"body": "no id"},
    ]});
    let req = validate_ingest(&v).unwrap();
    assert_eq!(req.items.len(), 1);
    assert_eq!(req.items[0].unique_id, "ok");
    let paths: Vec<_> = req.rejected[0]
        .issues
        .iter()
        .map(|i| i.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "items[1].author",
            "items[1].email",
            "items[1].url",
            "items[1].created_at",
            "items[1].conversation_parts[0].body",
            "items[1].conversation_parts[1]",
            "items[1].conversation_parts[2].unique_id",
            "items[1].conversation_parts[3].conversation_parts",
        ]
    );
    assert_eq!(req.rejected[0].unique_id.as_deref(), Some("bad"));
    assert_eq!(req.rejected[1].index, 2);
    assert_eq!(req.rejected[2].unique_id, None);
    assert_eq!(req.rejected[2].issues[0].path, "items[3].unique_id");
}

#[test]
fn null_means_absent_and_parts_keep_order() {
    let v = json!({"source_id": "s", "items": [{"unique_id": "a", "body": null, "conversation_parts": [
        {"unique_id": "2", "body": "b"}, {"unique_id": "1", "body": "a", "created_at": "2026-01-01T00:00:00+01:00"}]}]});
    let req = validate_ingest(&v).unwrap();
    let item = &req.items[0];
    assert_eq!(item.fields.body, None);
    assert_eq!(item.parts[0].unique_id, "2");
    assert_eq!(
        item.parts[1].fields.created_at.unwrap().to_rfc3339(),
        "2025-12-31T23:00:00Z"
    );
}

#[test]
fn too_many_parts_fail_the_item() {
    let parts: Vec<_> = (0..101)
        .map(|i| json!({"unique_id": i.to_string(), "body": "x"}))
        .collect();
    let v = json!({"source_id": "s", "items": [{"unique_id": "a", "conversation_parts": parts}]});
    assert_eq!(item_issue_paths(v), ["items[0].conversation_parts"]);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,40}".prop_map(Value::String),
            Just(json!("a@b.co")),
            Just(json!("https://x.io/y")),
            Just(json!("2026-03-15T10:30:00Z")),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            let keys = prop_oneof![
                Just("unique_id".to_string()),
                Just("body".to_string()),
                Just("email".to_string()),
                Just("url".to_string()),
                Just("created_at".to_string()),
                Just("author".to_string()),
                Just("user_id".to_string()),
                Just("conversation_parts".to_string()),
                Just("items".to_string()),
                Just("source_id".to_string()),
                "[a-z]{1,8}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(keys, inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    const FIELDS: [&str; 9] = [
        "unique_id",
        "body",
        "email",
        "url",
        "created_at",
        "author",
        "user_id",
        "conversation_parts",
        "items",
    ];

    proptest! {
        #[test]
        fn never_panics_and_every_issue_names_a_field(items in prop::collection::vec(arb_json(), 0..8), sid in arb_json()) {
            let body = json!({"source_id": sid, "items": items});
            match validate_ingest(&body) {
                Err(issues) => {
                    prop_assert!(!issues.is_empty());
                    for i in issues {
                        prop_assert!(i.path == "source_id" || i.path == "items", "{}", i.path);
                    }
                }
                Ok(req) => {
                    prop_assert_eq!(req.items.len() + req.rejected.len(), items.len());
                    for r in &req.rejected {
                        prop_assert!(!r.issues.is_empty());
                        for i in &r.issues {
                            let prefix = format!("items[{}]", r.index);
                            prop_assert!(i.path.starts_with(&prefix), "{}", i.path);
                            let last = i.path.rsplit('.').next().unwrap_or("");
                            prop_assert!(i.path == prefix || FIELDS.iter().any(|f| last.starts_with(f))
                                || last.starts_with("conversation_parts["), "{}", i.path);
                        }
                    }
                }
            }
        }

        #[test]
        fn any_top_level_value_is_handled(v in arb_json()) {
            let _ = validate_ingest(&v);
        }
    }
}
