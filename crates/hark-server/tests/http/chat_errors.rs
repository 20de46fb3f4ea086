//! Every error class of the Q Business routes with its status, `X-Amzn-ErrorType` header and
//! body fields: validation (fields, CANNOT_PARSE, UNKNOWN_OPERATION, too large), access denied
//! (missing, unknown key, revoked key, wrong secret, expired date, wrong scope), resource not
//! found (unknown application, another project's, strict conversation and message), throttling.

use crate::chat_support::*;
use hark_core::chat::ApplicationId;
use hark_server::{ChatConfig, RateLimit};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn validation_exceptions_name_every_field() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let body = json!({"messageUsefulness": {"usefulness": "GREAT", "reason": "NOPE"}});
    let path = format!(
        "{}?userId=a&userId=b",
        feedback_path("short", &id('c'), &format!("-{}", "m".repeat(35)))
    );
    let a = post_signed(&srv, &path, &body.to_string(), Some(&Signer::of(&t))).await;
    a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
    assert_eq!(a.json["reason"], "FIELD_VALIDATION_FAILED");
    assert_eq!(
        a.field_names(),
        [
            "applicationId",
            "messageId",
            "messageUsefulness.usefulness",
            "messageUsefulness.submittedAt",
            "messageUsefulness.reason",
            "userId"
        ]
    );
    for f in a.json["fields"].as_array().cloned().unwrap_or_default() {
        assert!(f["message"].as_str().is_some_and(|m| !m.is_empty()), "{f}");
    }
    assert!(a.json["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("6 validation errors detected")));

    // A comment over 1000 characters and a userId with a control character.
    let long = json!({"messageUsefulness":
        {"usefulness": "USEFUL", "submittedAt": 1, "comment": "x".repeat(1001)}});
    let a = put_feedback(&srv, &t, &id('c'), &id('m'), Some("bell\u{7}"), &long).await;
    a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
    assert_eq!(a.field_names(), ["userId", "messageUsefulness.comment"]);
    srv.stop().await;
}

#[tokio::test]
async fn bodies_that_cannot_be_parsed() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    for body in [
        "not json",
        "[1]",
        r#"{"messageUsefulness": "USEFUL"}"#,
        r#"{"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": "yesterday"}}"#,
        r#"{"messageCopiedAt": -5}"#,
        // A key named twice: refused, not last-wins.
        r#"{"messageUsefulness": {"usefulness": "USEFUL", "usefulness": "NOT_USEFUL",
            "submittedAt": 1767225600}}"#,
    ] {
        let a = post_signed(&srv, &path, body, Some(&Signer::of(&t))).await;
        a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
        assert_eq!(a.json["reason"], "CANNOT_PARSE", "{body}");
        assert_eq!(a.json["fields"], json!([]), "{body}");
    }
    let a = post_signed(&srv, &path, r#"{"a": 1, "a": 2}"#, Some(&Signer::of(&t))).await;
    let message = a.json["message"].as_str().unwrap_or_default();
    assert!(message.contains("duplicate key \"a\""), "{}", a.json);
    // Larger than the chat routes read: 413, still a ValidationException.
    let huge = format!(r#"{{"x": "{}"}}"#, "a".repeat(300 * 1024));
    let a = post_signed(&srv, &path, &huge, Some(&Signer::of(&t))).await;
    a.assert_aws_error(StatusCode::PAYLOAD_TOO_LARGE, "ValidationException");
    assert_eq!(a.json["reason"], "CANNOT_PARSE");
    srv.stop().await;
}

#[tokio::test]
async fn unknown_operations_are_validation_exceptions() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let feedback = feedback_path(t.app_id(), &id('c'), &id('m'));
    for req in [
        srv.http.get(srv.url(&feedback)),
        srv.http
            .put(srv.url(&message_path(t.app_id(), &id('c'), &id('m')))),
        srv.http.post(srv.url("/applications")),
        srv.http
            .post(srv.url(&format!("/applications/{}/chat", t.app_id()))),
        srv.http.get(srv.url(&format!("{feedback}/extra"))),
    ] {
        let a = answer(req).await;
        a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
        assert_eq!(a.json["reason"], "UNKNOWN_OPERATION", "{}", a.text);
    }
    // Outside /applications, unknown routes keep hark's 404.
    let (status, body) = crate::common::send(srv.http.get(srv.url("/nope"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"error": "route not found"}));
    srv.stop().await;
}

#[tokio::test]
async fn access_is_denied_for_each_broken_credential() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    let body = vote("USEFUL", 1).to_string();
    let denied = |a: &Answer, needle: &str| {
        a.assert_aws_error(StatusCode::FORBIDDEN, "AccessDeniedException");
        let message = a.json["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
        assert!(!message.contains(&t.secret), "the secret must not leak");
        assert_eq!(a.json.as_object().map(|o| o.len()), Some(2), "{}", a.text);
    };

    denied(
        &post_signed(&srv, &path, &body, None).await,
        "missing Authorization",
    );
    let unknown = Signer::key("HKIAUNKNOWNKEY000000", &t.secret);
    denied(
        &post_signed(&srv, &path, &body, Some(&unknown)).await,
        "not recognised",
    );
    let wrong = Signer::key(&t.key_id, "wrong-secret");
    denied(
        &post_signed(&srv, &path, &body, Some(&wrong)).await,
        "does not match",
    );

    let expired = Signer {
        amz_date: (chrono::Utc::now() - chrono::Duration::minutes(20))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
        ..Signer::of(&t)
    };
    denied(
        &post_signed(&srv, &path, &body, Some(&expired)).await,
        "Signature expired",
    );
    let future = Signer {
        amz_date: (chrono::Utc::now() + chrono::Duration::minutes(20))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
        ..Signer::of(&t)
    };
    denied(
        &post_signed(&srv, &path, &body, Some(&future)).await,
        "Signature expired",
    );
    let region = Signer {
        region: "eu-west-1",
        ..Signer::of(&t)
    };
    denied(
        &post_signed(&srv, &path, &body, Some(&region)).await,
        "region",
    );
    let service = Signer {
        service: "s3",
        ..Signer::of(&t)
    };
    denied(
        &post_signed(&srv, &path, &body, Some(&service)).await,
        "service",
    );

    // A body changed after signing breaks the signature.
    let signer = Signer::of(&t);
    let tampered = answer_with_tampered_body(&srv, &path, &signer).await;
    denied(&tampered, "does not match");

    // Revoked through the store, as `hark admin revoke-access-key` does from another process;
    // this server has not cached the key yet, so the refusal is immediate.
    let (key2, secret2) = issue_key(&srv, &t.tenant).await;
    srv.store
        .revoke_access_key(
            &t.tenant.project_id,
            &hark_core::chat::AccessKeyId::new(key2.clone()),
        )
        .await
        .expect("revoke");
    let revoked = Signer::key(&key2, &secret2);
    denied(
        &post_signed(&srv, &path, &body, Some(&revoked)).await,
        "revoked",
    );

    // The valid key still works after all that.
    post_signed(&srv, &path, &body, Some(&Signer::of(&t)))
        .await
        .assert_ok_empty();
    srv.stop().await;
}

/// Signs `{}` and sends `{"messageCopiedAt": 1}` with that signature.
async fn answer_with_tampered_body(
    srv: &crate::common::TestServer,
    path: &str,
    signer: &Signer<'_>,
) -> Answer {
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("host".to_string(), srv.addr.to_string()),
        ("x-amz-date".to_string(), signer.amz_date.clone()),
    ];
    let signed = hark_core::sigv4::SignedRequest {
        method: "POST",
        path,
        query: None,
        headers: &headers,
        body: b"{}",
    };
    let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let auth = hark_core::sigv4::authorization_header(
        &signed,
        &names,
        &signer.amz_date,
        signer.key_id,
        signer.secret,
        "us-east-1",
        "qbusiness",
    )
    .expect("sign");
    answer(
        srv.http
            .post(srv.url(path))
            .header("content-type", "application/json")
            .header("x-amz-date", &signer.amz_date)
            .header("authorization", auth)
            .body(r#"{"messageCopiedAt": 1}"#),
    )
    .await
}

#[tokio::test]
async fn unknown_and_foreign_applications_are_not_found() {
    let srv = chat_server().await;
    let a = chat_tenant(&srv, "a", false).await;
    let b = chat_tenant(&srv, "b", false).await;
    let body = vote("USEFUL", 1);
    // Signed by a's key, addressed to an application that does not exist, then to b's.
    for app_id in [id('9'), b.app_id().to_string()] {
        let mut probe = a.clone();
        probe.app.application_id = ApplicationId::from_stored(app_id.clone());
        let r = put_feedback(&srv, &probe, &id('c'), &id('m'), None, &body).await;
        r.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
        assert_eq!(r.json["resourceType"], "Application");
        assert_eq!(r.json["resourceId"], app_id);
    }
    // Nothing was written to b's application by a.
    assert!(feedback(&srv, &b.tenant, "").await.is_empty());
    srv.stop().await;
}

#[tokio::test]
async fn strict_applications_refuse_unknown_conversations_and_messages() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", true).await;
    let body = vote("USEFUL", 1);
    let r = put_feedback(&srv, &t, &id('c'), &id('m'), None, &body).await;
    r.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
    assert_eq!(r.json["resourceType"], "Conversation");
    assert_eq!(r.json["resourceId"], id('c'));

    let record = json!({"role": "assistant", "text": "answer"}).to_string();
    let path = message_path(t.app_id(), &id('c'), &id('m'));
    let r = post_signed(&srv, &path, &record, Some(&Signer::of(&t))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = put_feedback(&srv, &t, &id('c'), &id('n'), None, &body).await;
    r.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
    assert_eq!(r.json["resourceType"], "Message");
    assert_eq!(r.json["resourceId"], id('n'));
    put_feedback(&srv, &t, &id('c'), &id('m'), None, &body)
        .await
        .assert_ok_empty();
    assert_eq!(feedback(&srv, &t.tenant, "").await.len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn an_access_key_over_its_throttle_gets_429() {
    let srv = chat_server_with(ChatConfig {
        throttle: Some(RateLimit {
            requests_per_second: 0.001,
            burst: 2,
        }),
        ..ChatConfig::default()
    })
    .await;
    let t = chat_tenant(&srv, "p", false).await;
    let body = vote("USEFUL", 1);
    for _ in 0..2 {
        put_feedback(&srv, &t, &id('c'), &id('m'), None, &body)
            .await
            .assert_ok_empty();
    }
    let r = put_feedback(&srv, &t, &id('c'), &id('m'), None, &body).await;
    r.assert_aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException");
    let retry: u64 = r.headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=1000).contains(&retry), "{retry}");

    // Another key of the same project has its own bucket; bad credentials are still 403.
    let (key2, secret2) = issue_key(&srv, &t.tenant).await;
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    post_signed(&srv, &path, "{}", Some(&Signer::key(&key2, &secret2)))
        .await
        .assert_ok_empty();
    let wrong = Signer::key(&t.key_id, "wrong");
    post_signed(&srv, &path, "{}", Some(&wrong))
        .await
        .assert_aws_error(StatusCode::FORBIDDEN, "AccessDeniedException");
    srv.stop().await;
}
