//! Settings of the HTTP layer, filled by the binary from its configuration sources.

use std::fmt;
use std::time::Duration;

/// How the HTTP server behaves. Built once by the binary and passed to [`crate::serve`].
#[derive(Clone)]
pub struct ServerConfig {
    /// Longest a request may take, body upload included; past it the client gets 503.
    pub request_timeout: Duration,
    /// Requests processed at once by the API and admin routes; beyond it the server answers 503
    /// with `Retry-After: 1` at once instead of queueing. Health and metrics routes are exempt.
    pub max_concurrent_requests: usize,
    /// Bearer token of the admin HTTP API; `None` disables that API (its routes answer 404).
    pub admin_token: Option<String>,
    /// Largest accepted request body in bytes; larger bodies get 413 without being parsed.
    pub max_body_bytes: usize,
    /// Per-project request rate of the project APIs (ingest and read-back), enforced once the
    /// caller is authenticated; over it the answer is 429 with `Retry-After`. `None`: unlimited.
    pub rate_limit: Option<RateLimit>,
}

/// A token bucket per project: `burst` requests at once, refilled at `requests_per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained rate; finite and positive (fractions allowed: 0.5 is one request per 2 s).
    pub requests_per_second: f64,
    /// Requests admitted back to back after a quiet period; 0 counts as 1.
    pub burst: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 1024,
            admin_token: None,
            max_body_bytes: hark_core::limits::MAX_BODY_BYTES,
            rate_limit: None,
        }
    }
}

// Hand-written so the admin token never reaches a log line.
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("request_timeout", &self.request_timeout)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_admin_token() {
        let config = ServerConfig {
            admin_token: Some("very-secret-token".into()),
            ..ServerConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-token"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn defaults_follow_the_contract() {
        let config = ServerConfig::default();
        assert_eq!(config.max_body_bytes, 5 * 1024 * 1024);
        assert_eq!(config.max_concurrent_requests, 1024);
        assert_eq!(config.request_timeout, Duration::from_secs(30));
        assert!(config.admin_token.is_none());
        assert!(config.rate_limit.is_none(), "unlimited unless configured");
    }
}
