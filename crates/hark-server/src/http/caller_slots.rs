//! Requests in progress per credential: each API key (HTTP Basic) and each access key (SigV4)
//! may have at most [`crate::ServerConfig::max_concurrent_requests_per_key`] requests in progress
//! at once, so that one caller — or anyone who knows a key id and trickles bodies — cannot take
//! every slot of the server. Counted on the key id the request claims, before its secret or
//! signature is checked (a SigV4 signature can only be checked once the body is in): a request
//! with a wrong secret holds a slot of the key it names, never another key's. A SigV4 request
//! also holds a slot of its key's project ([`CallerSlots::for_project`], taken by the AWS
//! surface once the key is known, before the body is read), so a project's several access keys
//! share one budget; an API key is its project's only one.

use crate::http::credentials::{parse_basic, strip_scheme};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Longest key id counted; longer ones are refused by authentication anyway.
const MAX_KEY_CHARS: usize = 128;

/// The counts of one server (shared by every route that takes credentials).
#[derive(Debug, Default)]
pub(crate) struct CallerSlots {
    max: usize,
    held: Mutex<HashMap<String, usize>>,
}

/// One request's slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    slots: Arc<CallerSlots>,
    key: String,
}

impl CallerSlots {
    /// Counts of at most `max` per key (0: no limit).
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            held: Mutex::default(),
        })
    }

    /// A slot of `project`, or `None` when it has `max` requests in progress already (always
    /// a slot with no limit).
    pub(crate) fn for_project(self: &Arc<Self>, project: &hark_core::ProjectId) -> Option<Slot> {
        self.take(format!("project:{}", project.as_str()))
    }

    /// A slot for `key`, or `None` when it has `max` in progress already.
    fn take(self: &Arc<Self>, key: String) -> Option<Slot> {
        let mut held = self.held.lock().ok()?;
        if self.max == 0 {
            return Some(Slot {
                slots: self.clone(),
                key,
            });
        }
        let n = held.entry(key.clone()).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut held) = self.slots.held.lock() {
            if let Some(n) = held.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    held.remove(&self.key);
                }
            }
        }
    }
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
    if slots.max == 0 {
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

    #[test]
    fn a_key_holds_at_most_max_and_gets_them_back() {
        let slots = CallerSlots::new(2);
        let a1 = slots.take("a".into()).expect("first");
        let _a2 = slots.take("a".into()).expect("second");
        assert!(slots.take("a".into()).is_none());
        let _b = slots.take("b".into()).expect("another key is not affected");
        drop(a1);
        let _a3 = slots.take("a".into()).expect("room again");
        assert_eq!(slots.held.lock().unwrap().len(), 2);
    }
}
