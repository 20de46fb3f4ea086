//! [`AppState`]: what every handler of every surface can reach — the store, the configuration,
//! the metrics, the per-project rate limiter, the AWS surface's caches and throttle, and the
//! shutdown signal.

use crate::aws::ChatState;
use crate::config::ServerConfig;
use crate::http::caller_slots::CallerSlots;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use hark_core::credentials::{Secret, SecretHash};
use hark_store::Store;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every handler can reach: the store, the configuration and the metrics of this server.
/// Cloning is cheap (one `Arc`).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn Store>,
    config: ServerConfig,
    admin_token: Option<SecretHash>,
    metrics: Metrics,
    rate_limiter: Option<RateLimiter>,
    chat: ChatState,
    slots: Arc<CallerSlots>,
    shutdown: CancellationToken,
}

impl AppState {
    /// State of a server backed by `store`. Once `shutdown` is cancelled `/readyz` answers 503.
    /// An empty admin token counts as none: the admin API stays disabled. The per-project rate
    /// limiter, when configured, starts with every bucket full.
    pub fn new(store: Arc<dyn Store>, config: ServerConfig, shutdown: CancellationToken) -> Self {
        let admin_token = config
            .admin_token
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(|t| Secret::new(t).hash());
        let rate_limiter = config.rate_limit.map(RateLimiter::new);
        let chat = ChatState::new(&config.chat);
        let slots = CallerSlots::new(config.max_concurrent_requests_per_key);
        Self {
            inner: Arc::new(Shared {
                store,
                config,
                admin_token,
                metrics: Metrics::new(),
                rate_limiter,
                chat,
                slots,
                shutdown,
            }),
        }
    }

    /// The requests in progress per credential and per project ([`CallerSlots`]).
    pub(crate) fn slots(&self) -> &Arc<CallerSlots> {
        &self.inner.slots
    }

    /// The store shared by every request.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// The store, shared (for the dashboard, which holds its own handle).
    pub fn store_arc(&self) -> Arc<dyn Store> {
        self.inner.store.clone()
    }

    /// The configuration the server was started with.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// This server's metrics registry.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// True once shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.shutdown.is_cancelled()
    }

    /// The per-project rate limiter; `None` when requests are unlimited.
    pub(crate) fn rate_limiter(&self) -> Option<&RateLimiter> {
        self.inner.rate_limiter.as_ref()
    }

    /// The chat routes' caches, throttle and SigV4 settings.
    pub(crate) fn chat(&self) -> &ChatState {
        &self.inner.chat
    }

    /// Hash of the configured admin token; `None` when the admin API is disabled.
    pub(crate) fn admin_token_hash(&self) -> Option<&SecretHash> {
        self.inner.admin_token.as_ref()
    }
}
