//! [`ChatCaller`]: authentication of the AWS surface (the chat-feedback routes) as a type. A handler that takes
//! it only runs for a caller that signed the request with AWS SigV4 under a live hark access
//! key (service `qbusiness`), or that sent the project's API key and secret key in HTTP Basic
//! auth. Every refusal is a 403 `AccessDeniedException`.
//!
//! A signature covers the body, so the extractor reads it (at most [`MAX_CHAT_BODY_BYTES`]) and
//! hands it to the handler. The signature is checked over the path and query exactly as they
//! came off the wire, and over the headers the client listed as signed.
//!
//! hark decisions: a request without `Authorization` is 403 `AccessDeniedException` (as AWS
//! answers an unsigned call, and what SDKs map to an exception class), not a 401; an unknown
//! key id, a revoked key and a key whose secret the master key cannot open are 403 too.

use super::state::{KeyRefusal, LiveKey};
use super::AwsError;
use crate::api::{basic_project, ApiError};
use crate::config::BodyPace;
use crate::http::body::{collect_capped, declared_too_large, BodyReadError};
use crate::http::caller_slots::{self, Slot};
use crate::http::credentials::strip_scheme;
use crate::rate_limit::RateLimited;
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, OriginalUri, Request};
use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use hark_core::chat::AccessKeyId;
use hark_core::sigv4::{self, Authorization, SigV4Error, SignedRequest};
use hark_core::ProjectId;
use std::sync::Arc;

/// Largest body the chat routes read: a feedback body is well under 4 KiB, a recorded message
/// at most 20,000 characters of text plus its sources.
pub const MAX_CHAT_BODY_BYTES: usize = 256 * 1024;
/// The SigV4 signing name of Amazon Q Business.
pub const SERVICE: &str = "qbusiness";

/// An authenticated caller of the chat routes, with the request body it sent.
#[derive(Debug, Clone)]
pub struct ChatCaller {
    /// The caller's project; every store call of the handler is scoped to it.
    pub project_id: ProjectId,
    /// The access key that signed the request; `None` for Basic auth.
    pub access_key_id: Option<AccessKeyId>,
    /// The whole request body (covered by the signature).
    pub body: Bytes,
    /// The project's request slot a SigV4 request holds until it is answered (see
    /// [`crate::http::caller_slots`]); Basic-auth requests hold their API key's instead.
    pub(crate) _in_progress: Option<Arc<Slot>>,
}

impl FromRequest<AppState> for ChatCaller {
    type Rejection = AwsError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AwsError> {
        let (parts, body) = req.into_parts();
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Err(AwsError::AccessDenied(
                "missing Authorization header: sign the request with AWS Signature Version 4 \
                 (or use HTTP Basic auth with the project's API key and secret key)"
                    .into(),
            ));
        };
        let limit = MAX_CHAT_BODY_BYTES.min(state.config().max_body_bytes);
        let caller = if strip_scheme(header.as_bytes(), "basic").is_some() {
            let project_id = basic_project(state, header.as_bytes())
                .await
                .map_err(basic_refusal)?;
            throttle(state, project_id.as_str())?;
            let body = read_body(&parts.headers, body, limit, state.config().body_pace).await?;
            ChatCaller {
                project_id,
                access_key_id: None,
                body,
                _in_progress: None,
            }
        } else {
            let value = header.to_str().map_err(|_| {
                AwsError::AccessDenied("malformed Authorization header: not ASCII".into())
            })?;
            let auth = sigv4::parse_authorization(value).map_err(signature_refusal)?;
            let key = live_key(state, &auth.access_key_id).await?;
            // Before the body: a project over its share is refused without reading it.
            let slot = caller_slots::for_project(state.slots(), &key.project_id)
                .ok_or(AwsError::CallerBusy)?;
            let body = read_body(&parts.headers, body, limit, state.config().body_pace).await?;
            check_signature(state, &parts, &auth, &key.secret, &body)?;
            throttle(state, &auth.access_key_id)?;
            ChatCaller {
                project_id: key.project_id.clone(),
                access_key_id: Some(AccessKeyId::new(auth.access_key_id)),
                body,
                _in_progress: Some(Arc::new(slot)),
            }
        };
        tracing::Span::current().record("project_id", caller.project_id.as_str());
        Ok(caller)
    }
}

/// The live access key `id`, or why it cannot be used.
async fn live_key(state: &AppState, id: &str) -> Result<Arc<LiveKey>, AwsError> {
    let refusal = match state.chat().access_key(state.store(), id).await? {
        Ok(key) => return Ok(key),
        Err(refusal) => refusal,
    };
    Err(AwsError::AccessDenied(match refusal {
        KeyRefusal::Revoked => format!("the access key {id} has been revoked"),
        KeyRefusal::Unknown => format!("the access key {id} is not recognised by this server"),
        KeyRefusal::Unusable => {
            format!("the access key {id} cannot be used: this server cannot open its secret")
        }
    }))
}

/// Verifies the signature with the (cached) secret of the key the header names.
fn check_signature(
    state: &AppState,
    parts: &Parts,
    auth: &Authorization,
    secret: &str,
    body: &[u8],
) -> Result<(), AwsError> {
    let chat = state.chat();
    // The path and query exactly as received: a nested router would have stripped a prefix.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |o| &o.0);
    let headers = signed_headers(&parts.headers, uri, auth);
    let request = SignedRequest {
        method: parts.method.as_str(),
        path: uri.path(),
        query: uri.query(),
        headers: &headers,
        body,
    };
    sigv4::verify(
        &request,
        auth,
        secret,
        SERVICE,
        &chat.regions,
        chrono::Utc::now(),
        chat.max_skew,
    )
    .map_err(signature_refusal)
}

/// The headers the verifier reads: the signed ones and the date and payload-hash headers
/// (whether signed or not: the verifier insists some are). Others are not copied.
fn signed_headers(
    headers: &HeaderMap,
    uri: &axum::http::Uri,
    auth: &Authorization,
) -> Vec<(String, String)> {
    let wanted = |name: &str| {
        matches!(name, "x-amz-date" | "date" | "x-amz-content-sha256")
            || auth.signed_headers.iter().any(|h| h == name)
    };
    let mut out = Vec::with_capacity(auth.signed_headers.len() + 1);
    for (name, value) in headers {
        if wanted(name.as_str()) {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            out.push((name.as_str().to_owned(), value));
        }
    }
    // HTTP/2 carries the host as `:authority`, which `http` keeps in the URI. SDKs sign it as
    // `host` (boto3 over HTTP/1.1; some HTTP/2 clients) or, as the AWS SDK for JavaScript v3
    // does over HTTP/2, as the pseudo-header `:authority` itself.
    let authority = uri.authority().map(|a| a.as_str().to_owned()).or_else(|| {
        headers
            .get(HOST)
            .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
    });
    if let Some(authority) = authority {
        if !headers.contains_key(HOST) && wanted("host") {
            out.push(("host".to_owned(), authority.clone()));
        }
        if wanted(":authority") {
            out.push((":authority".to_owned(), authority));
        }
    }
    out
}

/// Takes a token from the caller's bucket when a throttle is configured.
fn throttle(state: &AppState, key: &str) -> Result<(), AwsError> {
    match &state.chat().throttle {
        Some(limiter) => limiter
            .try_acquire(key)
            .map_err(|RateLimited { retry_after_secs }| AwsError::Throttling { retry_after_secs }),
        None => Ok(()),
    }
}

/// The 403 for a signature that does not verify; the message names the failed check.
fn signature_refusal(e: SigV4Error) -> AwsError {
    let message = match e {
        SigV4Error::RequestExpired => format!(
            "Signature expired: the request time (X-Amz-Date) is too far from the server's \
             clock; check the client's clock ({e})"
        ),
        SigV4Error::SignatureMismatch => "The request signature we calculated does not match \
             the signature you provided. Check your secret access key and signing method."
            .to_owned(),
        SigV4Error::UnsupportedAlgorithm => "unsupported Authorization scheme: sign the \
             request with AWS4-HMAC-SHA256 or use HTTP Basic auth"
            .to_owned(),
        other => format!("Signature rejected: {other}"),
    };
    AwsError::AccessDenied(message)
}

/// Basic-auth failures in the AWS shape.
fn basic_refusal(e: ApiError) -> AwsError {
    match e {
        ApiError::MalformedCredentials => AwsError::AccessDenied(
            "malformed Authorization header: expected HTTP Basic auth with the project's API key \
             and secret key"
                .into(),
        ),
        ApiError::InvalidCredentials => {
            AwsError::AccessDenied("invalid API key or secret key".into())
        }
        ApiError::Unavailable(e) => AwsError::Unavailable(Box::new(e)),
        other => AwsError::Internal(Box::new(other)),
    }
}

/// Collects the body: 413 if `Content-Length` announces more than `limit` bytes (before any
/// byte is read) or once it grows past it; 408 once it falls behind `pace`.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    pace: BodyPace,
) -> Result<Bytes, AwsError> {
    if declared_too_large(headers, limit) {
        return Err(AwsError::PayloadTooLarge { limit });
    }
    collect_capped(body, limit, pace)
        .await
        .map_err(|e| match e {
            BodyReadError::TooLarge => AwsError::PayloadTooLarge { limit },
            BodyReadError::TooSlow => AwsError::BodyTooSlow {
                bytes_per_sec: pace.bytes_per_sec,
            },
            BodyReadError::Broken(why) => {
                AwsError::cannot_parse(format!("could not read the request body: {why}"))
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(signed: &[&str]) -> Authorization {
        Authorization {
            access_key_id: "HKIA".into(),
            date: "20260101".into(),
            region: "us-east-1".into(),
            service: SERVICE.into(),
            signed_headers: signed.iter().map(|s| s.to_string()).collect(),
            signature: "0".repeat(64),
        }
    }

    #[test]
    fn only_headers_the_verifier_reads_are_copied() {
        let mut headers = HeaderMap::new();
        for (n, v) in [
            ("host", "h:1"),
            ("content-type", "application/json"),
            ("x-amz-date", "20260101T000000Z"),
            ("user-agent", "boto3"),
            ("amz-sdk-request", "attempt=1"),
        ] {
            headers.append(
                axum::http::HeaderName::from_static(n),
                axum::http::HeaderValue::from_static(v),
            );
        }
        let uri: axum::http::Uri = "/x".parse().expect("uri");
        let mut names: Vec<String> =
            signed_headers(&headers, &uri, &auth(&["content-type", "host"]))
                .into_iter()
                .map(|(n, _)| n)
                .collect();
        names.sort();
        assert_eq!(names, ["content-type", "host", "x-amz-date"]);
    }

    #[test]
    fn an_absent_host_header_comes_from_the_authority() {
        let uri: axum::http::Uri = "http://example.com:9/x".parse().expect("uri");
        let pairs = signed_headers(&HeaderMap::new(), &uri, &auth(&["host"]));
        assert_eq!(pairs, [("host".to_string(), "example.com:9".to_string())]);
    }

    #[test]
    fn a_signed_authority_pseudo_header_is_the_authority() {
        let uri: axum::http::Uri = "http://example.com:9/x".parse().expect("uri");
        let pairs = signed_headers(&HeaderMap::new(), &uri, &auth(&[":authority"]));
        assert_eq!(
            pairs,
            [(":authority".to_string(), "example.com:9".to_string())]
        );
    }

    #[test]
    fn refusals_name_the_failed_check() {
        let msg = |e| signature_refusal(e).to_string();
        assert!(msg(SigV4Error::RequestExpired).starts_with("Signature expired"));
        assert!(msg(SigV4Error::SignatureMismatch).contains("does not match"));
        assert!(msg(SigV4Error::WrongRegion).contains("region"));
    }
}
