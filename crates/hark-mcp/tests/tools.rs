//! The tools called on the handler of project `a`: answers from its data only, another
//! project's ids "not found", bad arguments tool errors naming the argument. Search runs by
//! words here (no model); the Python suite (`tests/mcp`) covers hybrid search and real themes.

#![allow(clippy::unwrap_used)]

mod common;

use hark_mcp::tools::args::{
    AnswerQualityArgs, GetItemArgs, GetThemeArgs, ItemIdArg, ListThemesArgs, RisingThemesArgs,
    SearchArgs,
};
use hark_mcp::tools::params::Parameters;
use rmcp::model::CallToolResult;
use serde_json::Value;

/// The JSON of a successful result.
fn ok(r: CallToolResult) -> Value {
    assert_eq!(r.is_error, Some(false), "{r:?}");
    r.structured_content.unwrap()
}

/// The message of a tool error.
fn err(r: CallToolResult) -> String {
    assert_eq!(r.is_error, Some(true), "{r:?}");
    r.content[0].as_text().unwrap().text.clone()
}

fn search(query: &str) -> SearchArgs {
    SearchArgs {
        query: query.into(),
        ..SearchArgs::default()
    }
}

#[tokio::test]
async fn search_finds_the_projects_items_by_words_only() {
    let w = common::world().await;
    let mcp = w.mcp_a();
    let v = ok(mcp.search_feedback(Parameters(search("export"))).await);
    assert_eq!(v["mode"], "keyword");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{v}");
    let hit = &results[0];
    assert_eq!(hit["excerpt"], "The export to CSV fails with error E42");
    let id = hit["id"].as_i64().unwrap();
    assert!(w.a.items.iter().any(|i| i.0 == id));
    assert_eq!(hit["link"], format!("/feedback/{id}"));
    assert_eq!(hit["category"], Value::Null, "not analysed");
    // Project b's text is never found from a.
    let v = ok(mcp.search_feedback(Parameters(search("zebra"))).await);
    assert_eq!(v["results"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn search_filters_are_checked() {
    let w = common::world().await;
    let mcp = w.mcp_a();
    let with = |f: fn(&mut SearchArgs)| {
        let mut a = search("export");
        f(&mut a);
        Parameters(a)
    };
    let m = err(mcp
        .search_feedback(with(|a| a.from = Some("last week".into())))
        .await);
    assert!(m.contains("`from`") && m.contains("ISO 8601"), "{m}");
    let m = err(mcp
        .search_feedback(with(|a| a.category = Some("bugs".into())))
        .await);
    assert!(m.contains("`category`"), "{m}");
    let m = err(mcp.search_feedback(with(|a| a.limit = Some(0))).await);
    assert!(m.contains("`limit`"), "{m}");
    let m = err(mcp.search_feedback(with(|a| a.query = "  ".into())).await);
    assert!(m.contains("`query`"), "{m}");
    // Another project's source is not found; the own one filters.
    let mut a = search("export");
    a.source = Some(w.b.source.clone());
    let m = err(mcp.search_feedback(Parameters(a)).await);
    assert!(m.starts_with("not found: the project has no source"), "{m}");
    let mut a = search("export");
    a.source = Some(w.a.source.clone());
    a.from = Some("2000-01-01".into());
    let v = ok(mcp.search_feedback(Parameters(a)).await);
    assert_eq!(v["results"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn items_of_other_projects_are_not_found() {
    let w = common::world().await;
    let mcp = w.mcp_a();
    let own = w.a.items.iter().copied().min().unwrap();
    let v = ok(mcp
        .get_item(Parameters(GetItemArgs {
            id: ItemIdArg::Number(own.0),
        }))
        .await);
    assert_eq!(v["id"], own.0);
    assert_eq!(v["link"], format!("/feedback/{own}"));
    assert_eq!(v["analysis"], Value::Null);
    assert!(v["conversation_parts"].is_array(), "{v}");
    // The same id as text works too.
    let v = ok(mcp
        .get_item(Parameters(GetItemArgs {
            id: ItemIdArg::Text(own.to_string()),
        }))
        .await);
    assert_eq!(v["id"], own.0);
    let other = w.b.items[0];
    let m = err(mcp
        .get_item(Parameters(GetItemArgs {
            id: ItemIdArg::Number(other.0),
        }))
        .await);
    assert_eq!(
        m,
        format!("not found: the project has no item with id {other}")
    );
    let m = err(mcp
        .get_item(Parameters(GetItemArgs {
            id: ItemIdArg::Text("abc".into()),
        }))
        .await);
    assert!(m.starts_with("not found"), "{m}");
}

#[tokio::test]
async fn themes_without_analysis_are_empty_and_unknown_ones_not_found() {
    let w = common::world().await;
    let mcp = w.mcp_a();
    let v = ok(mcp
        .list_themes(Parameters(ListThemesArgs {
            days: Some(30),
            ..ListThemesArgs::default()
        }))
        .await);
    assert_eq!(v["themes"], serde_json::json!([]));
    assert_eq!(v["sort"], "mentions");
    let m = err(mcp
        .list_themes(Parameters(ListThemesArgs {
            days: Some(30),
            from: Some("2026-01-01".into()),
            ..ListThemesArgs::default()
        }))
        .await);
    assert!(m.contains("either days or from/to"), "{m}");
    let v = ok(mcp
        .rising_themes(Parameters(RisingThemesArgs::default()))
        .await);
    assert_eq!(v["themes"], serde_json::json!([]));
    for id in ["th_nope", "", &"x".repeat(500)] {
        let m = err(mcp
            .get_theme(Parameters(GetThemeArgs {
                id: id.into(),
                limit: None,
            }))
            .await);
        assert!(m.starts_with("not found: the project has no theme"), "{m}");
    }
}

#[tokio::test]
async fn answer_quality_is_scoped_to_the_projects_applications() {
    let w = common::world().await;
    let mcp = w.mcp_a();
    let v = ok(mcp
        .answer_quality(Parameters(AnswerQualityArgs {
            application_id: Some(w.a.application.clone()),
            ..AnswerQualityArgs::default()
        }))
        .await);
    assert_eq!(v["feedback"], 0);
    assert_eq!(v["useful_rate"], Value::Null);
    assert_eq!(v["worst_answers"], serde_json::json!([]));
    for other in [w.b.application.clone(), "not an id!".into()] {
        let m = err(mcp
            .answer_quality(Parameters(AnswerQualityArgs {
                application_id: Some(other),
                ..AnswerQualityArgs::default()
            }))
            .await);
        assert!(
            m.starts_with("not found: the project has no application"),
            "{m}"
        );
    }
}
