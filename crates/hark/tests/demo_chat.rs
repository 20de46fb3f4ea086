//! `hark demo`'s chat-feedback credentials through the real binary: the printed access key
//! signs `PutFeedback` for the printed application, the boto3 snippet names them, and a second
//! start reuses the same key (its secret recovered with the master key).

mod common;

use common::{client, Server};
use hark_core::sigv4::{authorization_header, SignedRequest};
use serde_json::Value;

async fn put_feedback(server: &Server, app: &str, key_id: &str, secret: &str) -> u16 {
    let path = format!(
        "/applications/{app}/conversations/{}/messages/{}/feedback",
        "c".repeat(36),
        "m".repeat(36)
    );
    let body = r#"{"messageUsefulness": {"usefulness": "NOT_USEFUL", "submittedAt": 1714979289}}"#;
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        (
            "host".to_string(),
            server.base.trim_start_matches("http://").to_string(),
        ),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    let request = SignedRequest {
        method: "POST",
        path: &path,
        query: None,
        headers: &headers,
        body: body.as_bytes(),
    };
    let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let auth = authorization_header(
        &request,
        &names,
        &amz_date,
        key_id,
        secret,
        "us-east-1",
        "qbusiness",
    )
    .expect("sign");
    let response = client()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .header("x-amz-date", amz_date)
        .header("authorization", auth)
        .body(body)
        .send()
        .await
        .expect("POST");
    response.status().as_u16()
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
