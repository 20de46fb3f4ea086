//! Helpers of the chat-feedback tests: a server with a known master key, tenants with an
//! application and an access key, and requests signed with SigV4 exactly as botocore signs
//! them (headers `content-type;host;x-amz-date`, the body hashed, path labels and the
//! `userId` query value percent-encoded once on the wire with `-_.~` left as they are).

use crate::common::{Tenant, TestServer};
use hark_core::chat::Application;
use hark_core::crypto::MasterKey;
use hark_core::sigv4::{authorization_header, SignedRequest};
use hark_server::{ChatConfig, ServerConfig};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

/// A fixed master key, so tests can issue keys through the store helpers.
pub fn master() -> MasterKey {
    MasterKey::from_bytes([42; 32])
}

/// A server whose chat settings are `chat` with the test master key.
pub async fn chat_server_with(chat: ChatConfig) -> TestServer {
    TestServer::start_with(ServerConfig {
        chat: ChatConfig {
            master_key: master(),
            ..chat
        },
        ..ServerConfig::default()
    })
    .await
}

/// A server with default chat settings (and the test master key).
pub async fn chat_server() -> TestServer {
    chat_server_with(ChatConfig::default()).await
}

/// A project with an application and a SigV4 access key.
#[derive(Clone)]
pub struct ChatTenant {
    pub tenant: Tenant,
    pub app: Application,
    pub key_id: String,
    pub secret: String,
}

impl ChatTenant {
    /// The application's id.
    pub fn app_id(&self) -> &str {
        self.app.application_id.as_str()
    }
}

/// A new project `name` with an application (strict or not) and an access key.
pub async fn chat_tenant(srv: &TestServer, name: &str, strict: bool) -> ChatTenant {
    let tenant = srv.tenant(name).await;
    let app = hark_store::create_application(srv.store.as_ref(), &tenant.project_id, "bot", strict)
        .await
        .expect("create application");
    let (key, secret) = issue_key(srv, &tenant).await;
    ChatTenant {
        tenant,
        app,
        key_id: key,
        secret,
    }
}

/// Another access key of the tenant's project.
pub async fn issue_key(srv: &TestServer, tenant: &Tenant) -> (String, String) {
    let (key, secret) =
        hark_store::create_access_key(srv.store.as_ref(), &master(), &tenant.project_id)
            .await
            .expect("create access key");
    (key.access_key_id.as_str().to_string(), secret)
}

/// A 36-character id made of `c`.
pub fn id(c: char) -> String {
    c.to_string().repeat(36)
}

/// `/applications/{app}/conversations/{conv}/messages/{msg}/feedback`.
pub fn feedback_path(app: &str, conv: &str, msg: &str) -> String {
    format!("{}/feedback", message_path(app, conv, msg))
}

/// `/applications/{app}/conversations/{conv}/messages/{msg}`.
pub fn message_path(app: &str, conv: &str, msg: &str) -> String {
    format!("/applications/{app}/conversations/{conv}/messages/{msg}")
}

/// botocore's query encoding of a value: every byte but `A-Za-z0-9-_.~` as `%XX`.
pub fn aws_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `X-Amz-Date` of now.
pub fn now_amz() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

/// How a test request is signed.
pub struct Signer<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    pub amz_date: String,
    pub region: &'a str,
    pub service: &'a str,
}

impl<'a> Signer<'a> {
    /// Signs as `t`'s access key, now, for `us-east-1` and `qbusiness`.
    pub fn of(t: &'a ChatTenant) -> Self {
        Self::key(&t.key_id, &t.secret)
    }

    /// Signs with this key, now, for `us-east-1` and `qbusiness`.
    pub fn key(key_id: &'a str, secret: &'a str) -> Self {
        Self {
            key_id,
            secret,
            amz_date: now_amz(),
            region: "us-east-1",
            service: "qbusiness",
        }
    }
}

/// The answer to a request: status, headers, raw body, and the body as JSON (`null` if none).
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    /// The `X-Amzn-ErrorType` header.
    pub fn error_type(&self) -> &str {
        self.headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an AWS error: status, header, `__type` and a 1–2048 character message.
    pub fn assert_aws_error(&self, status: StatusCode, error_type: &str) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.error_type(), error_type, "{}", self.text);
        assert_eq!(self.json["__type"], error_type, "{}", self.text);
        let message = self.json["message"].as_str().unwrap_or_default();
        assert!(
            (1..=2048).contains(&message.chars().count()),
            "{}",
            self.text
        );
    }

    /// Asserts the `PutFeedback` success: 200 and an empty body.
    pub fn assert_ok_empty(&self) {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        assert!(self.text.is_empty(), "non-empty body: {}", self.text);
    }

    /// The names of a `ValidationException`'s fields.
    pub fn field_names(&self) -> Vec<String> {
        self.json["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| f["name"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Sends `POST path_and_query` with `body`, signed by `signer` (or unsigned when `None`).
pub async fn post_signed(
    srv: &TestServer,
    path_and_query: &str,
    body: &str,
    signer: Option<&Signer<'_>>,
) -> Answer {
    let mut req = srv
        .http
        .post(srv.url(path_and_query))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(s) = signer {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("host".to_string(), srv.addr.to_string()),
            ("x-amz-date".to_string(), s.amz_date.clone()),
        ];
        let signed = SignedRequest {
            method: "POST",
            path,
            query,
            headers: &headers,
            body: body.as_bytes(),
        };
        let names: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
        let authorization = authorization_header(
            &signed,
            &names,
            &s.amz_date,
            s.key_id,
            s.secret,
            s.region,
            s.service,
        )
        .expect("sign the request");
        req = req
            .header("x-amz-date", &s.amz_date)
            .header("authorization", authorization)
            .header("amz-sdk-request", "attempt=1; max=3");
    }
    answer(req).await
}

/// Sends a request and reads everything of its answer.
pub async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let response = req.send().await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("response body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        text,
        json,
    }
}

/// `PutFeedback` of `body` on `msg` of conversation `conv` of `t`'s application, signed by `t`.
pub async fn put_feedback(
    srv: &TestServer,
    t: &ChatTenant,
    conv: &str,
    msg: &str,
    user_id: Option<&str>,
    body: &Value,
) -> Answer {
    let mut path = feedback_path(t.app_id(), conv, msg);
    if let Some(u) = user_id {
        path.push_str(&format!("?userId={}", aws_encode(u)));
    }
    post_signed(srv, &path, &body.to_string(), Some(&Signer::of(t))).await
}

/// A vote body submitted at `secs` epoch seconds.
pub fn vote(usefulness: &str, secs: i64) -> Value {
    serde_json::json!({"messageUsefulness": {"usefulness": usefulness, "submittedAt": secs}})
}

/// Every feedback of the tenant matching `query` (one page of up to 500).
pub async fn feedback(srv: &TestServer, t: &Tenant, query: &str) -> Vec<Value> {
    let sep = if query.is_empty() { "" } else { "&" };
    let (status, body) = srv
        .get(t, &format!("/api/1/chat/feedback?limit=500{sep}{query}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["feedback"].as_array().cloned().unwrap_or_default()
}
