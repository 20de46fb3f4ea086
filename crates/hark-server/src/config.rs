//! Settings of the HTTP layer, filled by the binary from its configuration sources.

use crate::AnalysisHandle;
use hark_core::crypto::MasterKey;
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
    /// The slowest a request body may arrive; slower bodies get 408.
    pub body_pace: BodyPace,
    /// Requests one credential (a project's API key, an access key) may have in progress at
    /// once, counted before its secret or signature is checked (so a body being read counts);
    /// beyond it the answer is 429 at once. 0: no limit beyond the server's.
    pub max_concurrent_requests_per_key: usize,
    /// Per-project request rate of the project APIs (ingest and read-back), enforced once the
    /// caller is authenticated; over it the answer is 429 with `Retry-After`. `None`: unlimited.
    pub rate_limit: Option<RateLimit>,
    /// The Amazon Q Business–compatible chat-feedback API (SigV4).
    pub chat: ChatConfig,
    /// The analysis pipeline, set by the binary once the model has loaded; empty by default
    /// (the analysis routes that need the model answer 503 until then).
    pub analysis: AnalysisHandle,
    /// The deployment's theme granularity (`analysis.theme_granularity`), which a project's own
    /// setting replaces.
    pub theme_granularity: hark_core::analysis::ThemeGranularity,
    /// What one connection may hold (HTTP/1.1 and HTTP/2).
    pub connections: ConnectionLimits,
    /// TLS on the listening port; `None`: cleartext (HTTP/1.1 and h2c).
    pub tls: Option<crate::TlsSettings>,
    /// The dashboard: session expiry, cookie security, sign-in throttling.
    pub web: hark_web::WebSettings,
    /// Webhook endpoints: which addresses they may reach.
    pub webhooks: WebhookSettings,
}

/// Webhooks: what the API accepts and how this node delivers.
#[derive(Debug, Clone, Default)]
pub struct WebhookSettings {
    /// Accept endpoint URLs that resolve to loopback, private, link-local or metadata
    /// addresses (off by default: a project's URL must not reach the server's own network).
    /// Checked when an endpoint is saved and again at every connection.
    pub allow_private_networks: bool,
    /// This node's delivery worker; `None`: this node delivers nothing (another does).
    pub worker: Option<hark_webhooks::WorkerConfig>,
    /// How each attempt is made (timeout, response limits).
    pub delivery: hark_webhooks::DeliveryConfig,
}

/// The slowest a body may arrive: after `grace`, at least `bytes_per_sec` on average since the
/// request began (0: no minimum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPace {
    /// Average bytes per second owed after the grace period.
    pub bytes_per_sec: u64,
    /// Time a body may take before any pace is owed (a client's first round trips).
    pub grace: Duration,
}

impl Default for BodyPace {
    fn default() -> Self {
        Self {
            bytes_per_sec: 1024,
            grace: Duration::from_secs(5),
        }
    }
}

impl BodyPace {
    /// When the next bytes are due, having received `received` since `start`; `None`: never.
    pub(crate) fn due(
        &self,
        start: tokio::time::Instant,
        received: usize,
    ) -> Option<tokio::time::Instant> {
        if self.bytes_per_sec == 0 {
            return None;
        }
        let owed = Duration::from_secs_f64(received as f64 / self.bytes_per_sec as f64);
        Some(start + self.grace + owed)
    }
}

/// Bounds on what a client connection can hold without finishing anything, for HTTP/1.1 and
/// HTTP/2 alike. Requests are bounded beyond these by [`ServerConfig::request_timeout`],
/// [`ServerConfig::max_concurrent_requests`] (across all connections and streams) and
/// [`ServerConfig::max_body_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Longest an HTTP/1.1 client may take to send a request's headers; then the connection is
    /// closed. Without it, a socket sending headers a byte at a time is held for ever.
    pub header_read_timeout: Duration,
    /// Streams one HTTP/2 connection may have open at once (hyper's default is 200; AWS SDKs
    /// open a few). More are refused with `REFUSED_STREAM`, which clients retry.
    pub http2_max_concurrent_streams: u32,
    /// Largest header list an HTTP/2 request may carry, in bytes (HPACK-decoded), so a client
    /// cannot make the server buffer arbitrary headers; HTTP/1.1 has hyper's buffer bound.
    pub max_header_list_bytes: u32,
    /// How often an idle HTTP/2 connection is pinged, and how long an answer may take before
    /// the connection is closed: dead peers do not hold connections.
    pub http2_keep_alive_interval: Duration,
    /// See [`ConnectionLimits::http2_keep_alive_interval`].
    pub http2_keep_alive_timeout: Duration,
    /// Longest a graceful shutdown waits for requests in flight before it drops what is left.
    pub shutdown_grace: Duration,
    /// Longest a connection (HTTP/1.1 or HTTP/2) may stay open with no request in flight after
    /// its last one; a connection that has not started its first request within
    /// [`ConnectionLimits::header_read_timeout`] is closed too, whatever it has sent.
    pub idle_timeout: Duration,
    /// Connections open at once, lowered at start-up to fit the open-files limit; at the cap the
    /// listener stops accepting until one closes.
    pub max_connections: usize,
    /// Connections open at once from one client address (0: no cap); more are closed at once.
    /// Behind a proxy every client has the proxy's address: raise it or set 0 there.
    pub max_connections_per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            http2_max_concurrent_streams: 128,
            max_header_list_bytes: 64 * 1024,
            http2_keep_alive_interval: Duration::from_secs(30),
            http2_keep_alive_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(35),
            idle_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            max_connections_per_address: 1_000,
        }
    }
}

/// Settings of the chat-feedback routes (`/applications/…`): how SigV4 signatures are checked,
/// how long credentials are cached, and the per-access-key throttle. `Debug` is safe to log:
/// [`MasterKey`] redacts itself.
#[derive(Debug, Clone)]
pub struct ChatConfig {
    /// Regions a credential scope may name (`us-east-1`); others are refused with 403.
    pub regions: Vec<String>,
    /// Largest accepted distance between `X-Amz-Date` and the server's clock (AWS: 15 min).
    pub max_skew: Duration,
    /// The deployment key that seals access-key secrets at rest. Keys issued under another
    /// master key cannot be opened, so their callers get 403. `Debug` never prints it.
    pub master_key: MasterKey,
    /// How long an access key (its opened secret, project and revocation) and an application
    /// are cached in memory. A change made by another process (the CLI) is seen after at most
    /// this long; changes made through this server's admin API are seen at once.
    pub cache_ttl: Duration,
    /// Per-access-key request rate of the chat routes (Basic-auth callers: per project); over
    /// it the answer is 429 `ThrottlingException`. `None`: unlimited.
    pub throttle: Option<RateLimit>,
}

impl Default for ChatConfig {
    /// `us-east-1`, 15 minutes of skew, a 2 s cache, no throttle, and a fresh random master
    /// key: fine for tests, useless across restarts, so the binary always sets the
    /// deployment's key.
    fn default() -> Self {
        Self {
            regions: vec!["us-east-1".to_string()],
            max_skew: Duration::from_secs(hark_core::sigv4::DEFAULT_MAX_SKEW_SECS as u64),
            master_key: MasterKey::generate(),
            cache_ttl: Duration::from_secs(2),
            throttle: None,
        }
    }
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
            body_pace: BodyPace::default(),
            max_concurrent_requests_per_key: 256,
            rate_limit: None,
            chat: ChatConfig::default(),
            analysis: AnalysisHandle::default(),
            theme_granularity: hark_core::analysis::ThemeGranularity::Normal,
            connections: ConnectionLimits::default(),
            tls: None,
            web: hark_web::WebSettings::default(),
            webhooks: WebhookSettings::default(),
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
            .field("body_pace", &self.body_pace)
            .field(
                "max_concurrent_requests_per_key",
                &self.max_concurrent_requests_per_key,
            )
            .field("rate_limit", &self.rate_limit)
            .field("chat", &self.chat)
            .field("analysis", &self.analysis)
            .field("connections", &self.connections)
            .field("tls", &self.tls)
            .field("web", &self.web)
            .field("webhooks", &self.webhooks)
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
        let key = config.chat.master_key.to_base64();
        assert!(!shown.contains(&key), "{shown}");
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
        assert_eq!(config.chat.regions, ["us-east-1"]);
        assert_eq!(config.chat.max_skew, Duration::from_secs(900));
        assert_eq!(config.chat.cache_ttl, Duration::from_secs(2));
        assert!(config.chat.throttle.is_none());
        assert!(
            !config.analysis.is_ready(),
            "no pipeline until the model loads"
        );
    }
}
