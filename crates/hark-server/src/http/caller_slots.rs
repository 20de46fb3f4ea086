//! Requests in progress per credential: each API key (HTTP Basic) and each access key (SigV4)
//! may have at most [`crate::ServerConfig::max_concurrent_requests_per_key`] requests in progress
//! at once, so that one caller — or anyone who knows a key id and trickles bodies — cannot take
//! every slot of the server. Counted on the key id the request claims, before its secret or
//! signature is checked (a SigV4 signature can only be checked once the body is in): a request
//! with a wrong secret holds a slot of the key it names, never another key's. A SigV4 request
//! also holds a slot of its key's project ([`for_project`], taken by the AWS
//! surface once the key is known, before the body is read), so a project's several access keys
//! share one budget; an API key is its project's only one.

use super::keyed_counts::{Held, KeyedCounts};
use crate::http::credentials::{parse_basic, strip_scheme};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Longest key id counted; longer ones are refused by authentication anyway.
const MAX_KEY_CHARS: usize = 128;

/// The counts of one server (shared by every route that takes credentials), keyed by
/// `basic:<API key>`, `sigv4:<access key id>` or `project:<id>`.
pub(crate) type CallerSlots = KeyedCounts<String>;

/// One request's slot, given back when dropped.
pub(crate) type Slot = Held<String>;

/// A slot of `project`, or `None` when it has its cap of requests in progress already.
pub(crate) fn for_project(
    slots: &Arc<CallerSlots>,
    project: &hark_core::ProjectId,
) -> Option<Slot> {
    slots.take(format!("project:{}", project.as_str()))
}

/// The key id an `Authorization` value claims: `basic:<API key>` or `sigv4:<access key id>`.
fn claimed_key(header: &[u8]) -> Option<String> {
    let key = if let Some((user, _)) = parse_basic(header) {
        format!("basic:{user}")
    } else {
        let rest = std::str::from_utf8(strip_scheme(header, "AWS4-HMAC-SHA256")?).ok()?;
        let credential = rest
            .split(',')
            .find_map(|p| p.trim().strip_prefix("Credential="))?;
        format!("sigv4:{}", credential.split('/').next()?)
    };
    (key.chars().count() <= MAX_KEY_CHARS).then_some(key)
}

/// Middleware: runs the request holding a slot of the key it claims, or answers `busy()` (429)
/// at once. Requests without credentials pass (authentication refuses them).
pub(crate) async fn limit<E: IntoResponse>(
    slots: Arc<CallerSlots>,
    busy: fn() -> E,
    req: Request,
    next: Next,
) -> Response {
    if slots.max() == 0 {
        return next.run(req).await;
    }
    let key = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| claimed_key(v.as_bytes()));
    let Some(key) = key else {
        return next.run(req).await;
    };
    match slots.take(key) {
        Some(_slot) => next.run(req).await,
        None => busy().into_response(),
    }
}

/// [`limit`] for the hark API's routes (429 in its JSON shape).
pub(crate) async fn api(
    State(slots): State<Arc<CallerSlots>>,
    req: Request,
    next: Next,
) -> Response {
    limit(slots, || crate::api::ApiError::CallerBusy, req, next).await
}

/// [`limit`] for the AWS-shaped routes (`ThrottlingException`).
pub(crate) async fn aws(
    State(slots): State<Arc<CallerSlots>>,
    req: Request,
    next: Next,
) -> Response {
    limit(slots, || crate::aws::AwsError::CallerBusy, req, next).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    #[test]
    fn the_claimed_key_comes_from_either_scheme() {
        let basic = format!("Basic {}", STANDARD.encode("hk_abc:secret"));
        assert_eq!(
            claimed_key(basic.as_bytes()).as_deref(),
            Some("basic:hk_abc")
        );
        let sigv4 =
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/qbusiness/aws4_request, \
                     SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(
            claimed_key(sigv4.as_bytes()).as_deref(),
            Some("sigv4:AKIDEXAMPLE")
        );
        assert_eq!(claimed_key(b"Bearer token"), None);
        let long = format!(
            "Basic {}",
            STANDARD.encode(format!("{}:x", "k".repeat(200)))
        );
        assert_eq!(claimed_key(long.as_bytes()), None);
    }
}
