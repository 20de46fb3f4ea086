//! `hark demo`'s chat-feedback credentials through the real binary: the printed access key
//! signs `PutFeedback` for the printed application, the boto3 snippet names them, and a second
//! start reuses the same key (its secret recovered with the master key).

mod common;

use common::{client, signed_post, Server};
use serde_json::Value;

async fn put_feedback(server: &Server, app: &str, key_id: &str, secret: &str) -> u16 {
    let path = format!(
        "/applications/{app}/conversations/{}/messages/{}/feedback",
        "c".repeat(36),
        "m".repeat(36)
    );
    let body = r#"{"messageUsefulness": {"usefulness": "NOT_USEFUL", "submittedAt": 1714979289}}"#;
    signed_post(&server.base, &path, body, key_id, secret).await
}

#[tokio::test]
async fn demo_prints_a_working_access_key_and_reuses_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut first = Server::start("demo", dir.path(), &[]);
    let app = first.preamble_value("application_id");
    let key_id = first.preamble_value("aws_access_key_id");
    let secret = first.preamble_value("aws_secret_access_key");
    assert_eq!(first.preamble_value("region"), "us-east-1");
    let snippet = first.preamble.join("\n");
    for needle in [
        format!("endpoint_url=\"{}\"", first.base),
        format!("aws_access_key_id=\"{key_id}\""),
        format!("aws_secret_access_key=\"{secret}\""),
        format!("applicationId=\"{app}\""),
    ] {
        assert!(snippet.contains(&needle), "{needle} not in:\n{snippet}");
    }
    assert_eq!(
        put_feedback(&first, &app, &key_id, &secret).await,
        200,
        "{}",
        first.log()
    );

    let (api_key, secret_key) = (
        first.preamble_value("api_key"),
        first.preamble_value("secret_key"),
    );
    let page: Value = client()
        .get(format!("{}/api/1/chat/feedback", first.base))
        .basic_auth(&api_key, Some(&secret_key))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        page["feedback"][0]["usefulness"]["usefulness"], "NOT_USEFUL",
        "{page}"
    );
    assert!(first.terminate().success());

    let second = Server::start("demo", dir.path(), &[]);
    assert_eq!(second.preamble_value("application_id"), app);
    assert_eq!(
        second.preamble_value("aws_access_key_id"),
        key_id,
        "the key is reused"
    );
    assert_eq!(second.preamble_value("aws_secret_access_key"), secret);
    assert_eq!(put_feedback(&second, &app, &key_id, &secret).await, 200);
}
