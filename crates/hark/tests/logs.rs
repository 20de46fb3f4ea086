//! What a trace-level log holds: hark's own trace lines, and never the feedback text it
//! analysed or the credentials it was sent (the tokenizer, hyper, h2 and friends would log them
//! at debug/trace; `logging::QUIET` caps them).

mod common;

use common::{client, db_url, ingest, model_dir, queue, Server, Tenant};
use serde_json::json;
use std::time::{Duration, Instant};

/// Words no log line would hold unless it printed the feedback.
const MARKER: &str = "quokkaful zanzibarian";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_log_holds_no_feedback_text_and_no_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("hark.toml");
    let toml = format!(
        "[analysis]\nmodel_dir = {:?}\n",
        model_dir().display().to_string()
    );
    std::fs::write(&config, toml).expect("write config");
    let tenant = Tenant::create(&db_url(dir.path()));
    let config = config.display().to_string();
    let server = Server::start(
        "serve",
        dir.path(),
        &["--config", &config, "--log-level", "trace"],
    );
    let http = client();
    let auth = (tenant.api_key.as_str(), tenant.secret_key.as_str());
    let items: Vec<_> = (0..20)
        .map(|i| {
            json!({"unique_id": format!("t{i}"), "email": format!("person{i}@example.com"),
                   "body": format!("The {MARKER} export fails. It crashed {i} times today!")})
        })
        .collect();
    let body = json!({"source_id": tenant.source_id, "items": items});
    let response = ingest(&http, &server.base, auth, &body)
        .await
        .expect("ingest");
    assert_eq!(response.status(), 200);
    // Analysed: the mentions of every item are stored (the tokenizer has seen every text).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mentions: serde_json::Value = http
            .get(format!("{}/api/1/mentions?limit=500", server.base))
            .basic_auth(auth.0, Some(auth.1))
            .send()
            .await
            .expect("GET mentions")
            .json()
            .await
            .expect("mentions JSON");
        let n = mentions["mentions"].as_array().map_or(0, Vec::len);
        if n >= 20 && queue(&http, &server.base, &tenant).await == (0, 0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "analysis did not finish: {n} mentions"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log = server.log();
    // The level is in effect: hark's own debug lines are there.
    assert!(log.contains(" DEBUG "), "not a debug/trace log:\n{log}");
    // The tokenizer logs a line per character (the text is in the log, a letter at a time);
    // hyper and h2 log frames and headers: none of them below info.
    for krate in [
        "tokenizers",
        "tokio_postgres",
        "hyper",
        "hyper_util",
        "h2",
        "rustls",
    ] {
        let noisy: Vec<&str> = log
            .lines()
            .filter(|l| l.contains(" TRACE ") || l.contains(" DEBUG "))
            .filter(|l| l.contains(&format!(" {krate}::")) || l.contains(&format!(" {krate}: ")))
            .take(3)
            .collect();
        assert!(noisy.is_empty(), "{krate} logs below info: {noisy:#?}");
    }
    for secret in [
        "quokkaful",
        "zanzibarian",
        "person3@example.com",
        &tenant.secret_key,
    ] {
        let hits: Vec<&str> = log.lines().filter(|l| l.contains(secret)).take(3).collect();
        assert!(hits.is_empty(), "{secret:?} is in the log: {hits:#?}");
    }
}
