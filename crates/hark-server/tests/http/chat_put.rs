//! `PutFeedback` over HTTP, signed as botocore signs it: success with and without `userId`,
//! `userId`s that need encoding, Basic auth, later-`submittedAt`-wins, and recorded messages
//! read back with their conversation.

use crate::chat_support::*;
use crate::common::basic_header;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn put_feedback_without_user_id_is_200_empty_and_reads_back() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let body = json!({"messageUsefulness": {"usefulness": "USEFUL", "submittedAt": 1714979289}});
    let a = put_feedback(&srv, &t, &id('c'), &id('m'), None, &body).await;
    a.assert_ok_empty();
    assert!(a.headers.get("x-amzn-errortype").is_none());

    let stored = feedback(&srv, &t.tenant, "").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    let f = &stored[0];
    assert_eq!(f["application_id"], t.app_id());
    assert_eq!(f["conversation_id"], id('c'));
    assert_eq!(f["message_id"], id('m'));
    assert_eq!(f["user_id"], Value::Null);
    assert_eq!(f["usefulness"]["usefulness"], "USEFUL");
    assert_eq!(f["usefulness"]["submitted_at"], "2024-05-06T07:08:09Z");
    srv.stop().await;
}

#[tokio::test]
async fn user_ids_with_reserved_and_non_ascii_characters_round_trip() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let users = [
        "user@example.com/ä b",
        "a+b&c=d?e#f%20g",
        "日本語のユーザー",
        "emoji 👍 ~-_.",
    ];
    for (i, user) in users.iter().enumerate() {
        let msg = format!("{i}{}", "m".repeat(35));
        let a = put_feedback(&srv, &t, &id('c'), &msg, Some(user), &vote("USEFUL", 100)).await;
        a.assert_ok_empty();
        let stored = feedback(&srv, &t.tenant, &format!("user_id={}", aws_encode(user))).await;
        assert_eq!(stored.len(), 1, "{user}: {stored:?}");
        assert_eq!(stored[0]["user_id"], *user);
        assert_eq!(stored[0]["message_id"], msg);
    }
    // A client that leaves `+` raw on the wire means a literal plus, not a space.
    let path = format!(
        "{}?userId=x+y",
        feedback_path(t.app_id(), &id('c'), &id('p'))
    );
    let a = post_signed(&srv, &path, "{}", Some(&Signer::of(&t))).await;
    a.assert_ok_empty();
    let stored = feedback(&srv, &t.tenant, "user_id=x%2By").await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    srv.stop().await;
}

#[tokio::test]
async fn empty_and_absent_bodies_are_accepted_as_sdks_send_them() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let path = feedback_path(t.app_id(), &id('c'), &id('m'));
    post_signed(&srv, &path, "{}", Some(&Signer::of(&t)))
        .await
        .assert_ok_empty();
    post_signed(&srv, &path, "", Some(&Signer::of(&t)))
        .await
        .assert_ok_empty();
    let copied = json!({"messageCopiedAt": 1714979289.25});
    put_feedback(&srv, &t, &id('c'), &id('m'), Some("u"), &copied)
        .await
        .assert_ok_empty();
    let stored = feedback(&srv, &t.tenant, "user_id=u").await;
    assert_eq!(stored[0]["message_copied_at"], "2024-05-06T07:08:09.250Z");
    srv.stop().await;
}

#[tokio::test]
async fn the_later_submitted_at_wins_over_http() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let (c, m) = (id('c'), id('m'));
    let newer = json!({"messageUsefulness": {
        "usefulness": "NOT_USEFUL", "reason": "NOT_HELPFUL", "comment": "meh", "submittedAt": 200}});
    put_feedback(&srv, &t, &c, &m, Some("u1"), &newer)
        .await
        .assert_ok_empty();
    // A delayed retry of an older vote is acknowledged but does not overwrite.
    put_feedback(&srv, &t, &c, &m, Some("u1"), &vote("USEFUL", 100))
        .await
        .assert_ok_empty();
    let stored = feedback(&srv, &t.tenant, "").await;
    assert_eq!(stored.len(), 1);
    let u = &stored[0]["usefulness"];
    assert_eq!(u["usefulness"], "NOT_USEFUL");
    assert_eq!(u["reason"], "NOT_HELPFUL");
    assert_eq!(u["comment"], "meh");
    // A newer vote replaces all of it.
    put_feedback(&srv, &t, &c, &m, Some("u1"), &vote("USEFUL", 300))
        .await
        .assert_ok_empty();
    let stored = feedback(&srv, &t.tenant, "").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["usefulness"]["usefulness"], "USEFUL");
    assert_eq!(stored[0]["usefulness"]["reason"], Value::Null);
    assert_eq!(
        stored[0]["usefulness"]["submitted_at"],
        "1970-01-01T00:05:00Z"
    );
    // Another user of the same message has a record of their own.
    put_feedback(&srv, &t, &c, &m, Some("u2"), &vote("NOT_USEFUL", 1))
        .await
        .assert_ok_empty();
    assert_eq!(feedback(&srv, &t.tenant, "").await.len(), 2);
    srv.stop().await;
}

#[tokio::test]
async fn basic_auth_with_the_project_keys_is_accepted() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let path = format!("{}?userId=u", feedback_path(t.app_id(), &id('c'), &id('m')));
    let basic = basic_header(&t.tenant.api_key, &t.tenant.secret);
    let a = answer(
        srv.http
            .post(srv.url(&path))
            .header("authorization", &basic)
            .header("content-type", "application/json")
            .body(vote("USEFUL", 5).to_string()),
    )
    .await;
    a.assert_ok_empty();
    assert_eq!(feedback(&srv, &t.tenant, "user_id=u").await.len(), 1);

    let wrong = basic_header(&t.tenant.api_key, "hs_wrong");
    let a = answer(srv.http.post(srv.url(&path)).header("authorization", wrong)).await;
    a.assert_aws_error(StatusCode::FORBIDDEN, "AccessDeniedException");
    srv.stop().await;
}

#[tokio::test]
async fn recorded_messages_are_read_back_with_their_conversation() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", true).await;
    let (c, q, a) = (id('c'), id('q'), id('a'));
    let question = json!({"role": "user", "text": "How do I export to CSV?", "userId": "u1",
                          "createdAt": 1714979000});
    let answer_body = json!({"role": "assistant", "text": "Use File > Export.",
        "createdAt": 1714979001.5,
        "sources": [{"title": "Export guide", "url": "https://docs.example/export",
                     "snippet": "File > Export > CSV"}]});
    for (msg, body) in [(&q, &question), (&a, &answer_body)] {
        let r = post_signed(
            &srv,
            &message_path(t.app_id(), &c, msg),
            &body.to_string(),
            Some(&Signer::of(&t)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.json, json!({}));
    }
    // Strict application: feedback on the recorded answer is accepted.
    put_feedback(
        &srv,
        &t,
        &c,
        &a,
        Some("u1"),
        &vote("NOT_USEFUL", 1714979100),
    )
    .await
    .assert_ok_empty();

    let path = format!("/api/1/chat/applications/{}/conversations/{c}", t.app_id());
    let (status, conv) = srv.get(&t.tenant, &path).await;
    assert_eq!(status, StatusCode::OK, "{conv}");
    assert_eq!(conv["application_id"], t.app_id());
    assert_eq!(conv["conversation_id"], c);
    let messages = conv["messages"].as_array().cloned().unwrap_or_default();
    assert_eq!(messages.len(), 2, "{conv}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[0]["text"], "How do I export to CSV?");
    assert_eq!(messages[0]["user_id"], "u1");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["created_at"], "2024-05-06T07:03:21.500Z");
    assert_eq!(messages[1]["sources"][0]["title"], "Export guide");
    let fb = conv["feedback"].as_array().cloned().unwrap_or_default();
    assert_eq!(fb.len(), 1);
    assert_eq!(fb[0]["message_id"], a);
    assert_eq!(fb[0]["usefulness"]["usefulness"], "NOT_USEFUL");

    // Re-recording updates the text.
    let edited = json!({"role": "assistant", "text": "Use File > Export > CSV."});
    let r = post_signed(
        &srv,
        &message_path(t.app_id(), &c, &a),
        &edited.to_string(),
        Some(&Signer::of(&t)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (_, conv) = srv.get(&t.tenant, &path).await;
    let texts: Vec<&str> = conv["messages"]
        .as_array()
        .map(|m| m.iter().filter_map(|m| m["text"].as_str()).collect())
        .unwrap_or_default();
    assert!(texts.contains(&"Use File > Export > CSV."), "{conv}");

    // Unknown conversation, and ids that cannot exist, are 404 in hark's shape.
    for missing in [
        format!(
            "/api/1/chat/applications/{}/conversations/{}",
            t.app_id(),
            id('x')
        ),
        format!(
            "/api/1/chat/applications/{}/conversations/short",
            t.app_id()
        ),
    ] {
        let (status, body) = srv.get(&t.tenant, &missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body, json!({"error": "conversation not found"}));
    }
    srv.stop().await;
}

#[tokio::test]
async fn record_message_errors_are_aws_shaped() {
    let srv = chat_server().await;
    let t = chat_tenant(&srv, "p", false).await;
    let path = message_path(t.app_id(), &id('c'), &id('m'));
    let long = json!({"role": "robot", "text": "x".repeat(20_001)});
    let a = post_signed(&srv, &path, &long.to_string(), Some(&Signer::of(&t))).await;
    a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
    assert_eq!(a.json["reason"], "FIELD_VALIDATION_FAILED");
    assert_eq!(a.field_names(), ["role", "text"]);

    let a = post_signed(&srv, &path, "[1]", Some(&Signer::of(&t))).await;
    a.assert_aws_error(StatusCode::BAD_REQUEST, "ValidationException");
    assert_eq!(a.json["reason"], "CANNOT_PARSE");

    let other_app = message_path(&id('z'), &id('c'), &id('m'));
    let ok = json!({"role": "user", "text": "hi"}).to_string();
    let a = post_signed(&srv, &other_app, &ok, Some(&Signer::of(&t))).await;
    a.assert_aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException");
    assert_eq!(a.json["resourceType"], "Application");

    let a = post_signed(&srv, &path, &ok, None).await;
    a.assert_aws_error(StatusCode::FORBIDDEN, "AccessDeniedException");
    srv.stop().await;
}
