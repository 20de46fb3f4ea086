//! One delivery attempt: POST a signed body to an endpoint and judge the answer.
//!
//! The client follows no redirects, uses no proxy (a proxy would resolve the host itself,
//! past the address policy) and reads at most [`DeliveryConfig::max_response_bytes`] of a
//! response. Any 2xx is delivered; 410 Gone asks for the endpoint to be disabled; everything
//! else is retried on the schedule, except a URL the policy refuses, which never will succeed.

use crate::endpoint_url::{parse_url, UrlError};
use crate::resolver::PolicyResolver;
use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Limit for one attempt, connection to last byte read (default 15 s).
    pub timeout: Duration,
    /// Allow loopback, private and other non-public addresses (default false).
    pub allow_private_networks: bool,
    /// Most response bytes read (default 64 KiB); the rest is never received.
    pub max_response_bytes: usize,
    /// Response bytes kept as the attempt's excerpt (default 1 KiB).
    pub excerpt_bytes: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            allow_private_networks: false,
            max_response_bytes: 64 * 1024,
            excerpt_bytes: 1024,
            user_agent: format!("hark-webhooks/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// What to do after an attempt.
#[derive(Debug)]
pub enum Verdict {
    /// The receiver answered 2xx: done.
    Delivered,
    /// The receiver answered 410 Gone: disable the endpoint, send nothing more to it.
    Gone,
    /// A failure worth trying again, on the retry schedule.
    Retry(RetryReason),
    /// The request was not sent and never will be as it stands: not retryable.
    Refused(Refusal),
}

impl Verdict {
    /// Whether the message reached the receiver.
    pub fn is_delivered(&self) -> bool {
        matches!(self, Verdict::Delivered)
    }

    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Verdict::Retry(_))
    }
}

/// Why an attempt failed in a way that may pass later.
#[derive(Debug, thiserror::Error)]
pub enum RetryReason {
    /// A status other than 2xx, 3xx and 410.
    #[error("the endpoint answered HTTP {0}")]
    Status(u16),
    /// A redirect, which is not followed: the endpoint URL should be updated instead.
    #[error("the endpoint answered HTTP {0}, a redirect; redirects are not followed")]
    Redirect(u16),
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// Resolving, connecting, TLS or the exchange failed.
    #[error("the request failed: {}", chain(.0))]
    Transport(#[source] reqwest::Error),
}

/// Why an attempt was not made.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The URL is malformed, or its host is or resolves to a forbidden address.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// A header name or value that HTTP does not allow.
    #[error("the header {0:?} is not a valid HTTP header")]
    InvalidHeader(String),
}

/// The result of one attempt, as recorded in the endpoint's attempt log.
#[derive(Debug)]
pub struct AttemptOutcome {
    /// The response status, when a response arrived.
    pub status: Option<u16>,
    /// Time from the start of the attempt to the response head (or to the failure).
    pub latency: Duration,
    /// The first [`DeliveryConfig::excerpt_bytes`] of the response body, as text (invalid
    /// UTF-8 replaced); empty without a response.
    pub excerpt: String,
    /// Response body bytes read, at most [`DeliveryConfig::max_response_bytes`].
    pub response_bytes: usize,
    /// What to do next.
    pub verdict: Verdict,
}

/// The client could not be built (the TLS backend failed to initialise).
#[derive(Debug, thiserror::Error)]
#[error("could not build the webhook HTTP client: {0}")]
pub struct BuildError(#[source] reqwest::Error);

/// Sends webhook requests. Cheap to clone; one per process is enough.
#[derive(Debug, Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    config: Arc<DeliveryConfig>,
}

impl Deliverer {
    /// A client for `config`.
    pub fn new(config: DeliveryConfig) -> Result<Self, BuildError> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(config.user_agent.clone());
        if !config.allow_private_networks {
            builder = builder.dns_resolver(Arc::new(PolicyResolver));
        }
        let client = builder.build().map_err(BuildError)?;
        Ok(Self {
            client,
            config: Arc::new(config),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &DeliveryConfig {
        &self.config
    }

    /// POSTs `body` to `url` with `headers` (`Content-Type: application/json` unless given)
    /// and judges the answer. Never fails: every problem is a [`Verdict`].
    pub async fn attempt<N, V>(&self, url: &str, headers: &[(N, V)], body: Bytes) -> AttemptOutcome
    where
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let start = Instant::now();
        let refused = |refusal: Refusal| AttemptOutcome {
            status: None,
            latency: start.elapsed(),
            excerpt: String::new(),
            response_bytes: 0,
            verdict: Verdict::Refused(refusal),
        };
        let url = match parse_url(url, self.config.allow_private_networks) {
            Ok(url) => url,
            Err(e) => return refused(e.into()),
        };
        let mut request = self.client.post(url);
        let mut has_content_type = false;
        for (name, value) in headers {
            let (name, value) = (name.as_ref(), value.as_ref());
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) else {
                return refused(Refusal::InvalidHeader(name.to_string()));
            };
            has_content_type |= n == CONTENT_TYPE;
            request = request.header(n, v);
        }
        if !has_content_type {
            request = request.header(CONTENT_TYPE, "application/json");
        }

        let response = match request.body(body).send().await {
            Ok(response) => response,
            Err(e) => {
                let verdict = if let Some(url_error) = find_url_error(&e) {
                    Verdict::Refused(Refusal::Url(url_error))
                } else if e.is_timeout() {
                    Verdict::Retry(RetryReason::Timeout(self.config.timeout))
                } else {
                    Verdict::Retry(RetryReason::Transport(e))
                };
                return AttemptOutcome {
                    status: None,
                    latency: start.elapsed(),
                    excerpt: String::new(),
                    response_bytes: 0,
                    verdict,
                };
            }
        };
        let latency = start.elapsed();
        let status = response.status();
        let verdict = if status.is_success() {
            Verdict::Delivered
        } else if status == reqwest::StatusCode::GONE {
            Verdict::Gone
        } else if status.is_redirection() {
            Verdict::Retry(RetryReason::Redirect(status.as_u16()))
        } else {
            Verdict::Retry(RetryReason::Status(status.as_u16()))
        };
        let read = read_limited(response, self.config.max_response_bytes).await;
        AttemptOutcome {
            status: Some(status.as_u16()),
            latency,
            excerpt: excerpt(&read, self.config.excerpt_bytes),
            response_bytes: read.len(),
            verdict,
        }
    }
}

/// Reads the body until `limit` bytes, the end, or an error (the status has decided the
/// verdict already; a body cut short only shortens the excerpt).
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut read = Vec::new();
    while read.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - read.len();
                read.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    read
}

/// The first `max` bytes as text: a character cut in two at the end is dropped, other
/// invalid UTF-8 is replaced.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let head = &body[..body.len().min(max)];
    match std::str::from_utf8(head) {
        Ok(text) => text.to_string(),
        // `error_len() == None`: the input ends inside a character.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(head).into_owned(),
    }
}

/// The policy error the resolver returned, if that is what failed the request. It arrives
/// wrapped by the connector, so the whole cause chain is searched.
fn find_url_error(e: &reqwest::Error) -> Option<UrlError> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(UrlError::Forbidden { host, addr, class }) = c.downcast_ref::<UrlError>() {
            return Some(UrlError::Forbidden {
                host: host.clone(),
                addr: *addr,
                class: *class,
            });
        }
        cause = c.source();
    }
    None
}

/// An error and its causes on one line (reqwest's own message names only the outer layer).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_at_character_boundaries() {
        assert_eq!(excerpt(b"hello", 1024), "hello");
        assert_eq!(excerpt(b"hello", 3), "hel");
        assert_eq!(excerpt(b"", 3), "");
        assert_eq!(excerpt("héllo".as_bytes(), 2), "h");
        assert_eq!(excerpt("héllo".as_bytes(), 3), "hé");
        assert_eq!(excerpt(b"a\xffb", 10), "a\u{fffd}b");
        assert_eq!(excerpt(b"ok", 0), "");
    }

    #[test]
    fn default_config_is_the_documented_one() {
        let c = DeliveryConfig::default();
        assert_eq!(c.timeout, Duration::from_secs(15));
        assert!(!c.allow_private_networks);
        assert_eq!(c.max_response_bytes, 65536);
        assert_eq!(c.excerpt_bytes, 1024);
        assert!(c.user_agent.starts_with("hark-webhooks/"));
    }
}
