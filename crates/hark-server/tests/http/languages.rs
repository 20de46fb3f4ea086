//! The language mix of a project's mentions, with the real model analysing real sentences.

use crate::common::{assert_error_shape, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TEXTS: [&str; 6] = [
    "The app crashes every time I open the settings page.",
    "Syncing my watch has been failing for three days now.",
    "Please add a dark mode to the statistics screen.",
    "La synchronisation avec ma montre ne fonctionne plus depuis la mise à jour.",
    "Die App stürzt jedes Mal ab, wenn ich die Einstellungen öffne.",
    "Nice update.",
];

#[tokio::test]
async fn the_language_mix_counts_each_language_and_names_the_main_one() {
    let Some(srv) = TestServer::start_analysing().await else {
        return;
    };
    let t = srv.tenant("languages").await;
    let other = srv.tenant("languages-other").await;
    let items: Vec<Value> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, text)| json!({"unique_id": format!("l{i}"), "body": text}))
        .collect();
    srv.ingest_ok(&t, json!(items)).await;
    srv.wait_analysed(&t).await;

    let (status, mix) = srv.get(&t, "/api/1/analysis/languages").await;
    assert_eq!(status, StatusCode::OK, "{mix}");
    assert_eq!(mix["sampled"], 6, "{mix}");
    assert_eq!(mix["undetermined"], 1, "{mix}");
    assert_eq!(mix["main"], "eng", "{mix}");
    let languages: Vec<(String, u64)> = mix["languages"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    (
                        l["code"].as_str().unwrap_or("").to_string(),
                        l["mentions"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(languages[0], ("eng".to_string(), 3), "{mix}");
    assert!(languages.contains(&("fra".to_string(), 1)), "{mix}");
    assert!(languages.contains(&("deu".to_string(), 1)), "{mix}");
    let shares: f64 = mix["languages"]
        .as_array()
        .map(|a| a.iter().filter_map(|l| l["share"].as_f64()).sum())
        .unwrap_or(0.0);
    assert!((shares - 1.0).abs() < 1e-9, "{mix}");
    assert_eq!(mix["languages"][0]["name"], "English");

    // Filters narrow what is read; another project reads nothing of this one.
    let (_, comments) = srv
        .get(&t, "/api/1/analysis/languages?said_in=comment")
        .await;
    assert_eq!(
        comments,
        json!({"sampled": 0, "undetermined": 0, "main": null, "languages": []})
    );
    let (_, theirs) = srv.get(&other, "/api/1/analysis/languages").await;
    assert_eq!(theirs["sampled"], 0);
    for bad in ["limit=10", "said_in=chat", "colour=red"] {
        let (status, body) = srv
            .get(&t, &format!("/api/1/analysis/languages?{bad}"))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_error_shape(&body);
    }
}
