//! hark-server: the HTTP layer of hark.
//!
//! [`serve`] is the one entry point, used by the binary and the tests alike; [`router`] builds
//! the axum application from an [`AppState`]. Routes:
//!
//! | route | auth | module |
//! |---|---|---|
//! | `POST /api/1/ai-feedback/ingest` | [`auth::ProjectKey`] | [`routes::ingest`] |
//! | `GET /api/1/items`, `GET/DELETE /api/1/items/{id}`, `POST /api/1/privacy/erase` | [`auth::ProjectKey`] | [`routes::items`] |
//! | `/admin/projects…` | [`auth::AdminToken`] | [`routes::admin`] |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | none | [`routes::ops`] |
//!
//! Every failure is an [`ApiError`], answered with a JSON body by one table in [`error`].
//! Routes taking [`auth::ProjectKey`] are also rate limited per project ([`rate_limit`]).

pub mod auth;
pub mod body;
pub mod config;
pub mod error;
mod layers;
pub mod metrics;
pub mod params;
pub mod rate_limit;
pub mod routes;

pub use config::{RateLimit, ServerConfig};
pub use error::ApiError;
pub use metrics::Metrics;

use axum::routing::{get, post};
use axum::Router;
use hark_core::credentials::{Secret, SecretHash};
use hark_store::Store;
use rate_limit::RateLimiter;
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
        Self {
            inner: Arc::new(Shared {
                store,
                config,
                admin_token,
                metrics: Metrics::new(),
                rate_limiter,
                shutdown,
            }),
        }
    }

    /// The store shared by every request.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
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

    /// Hash of the configured admin token; `None` when the admin API is disabled.
    pub(crate) fn admin_token_hash(&self) -> Option<&SecretHash> {
        self.inner.admin_token.as_ref()
    }
}

/// The whole application: API and admin routes behind the concurrency limit, operations routes
/// beside it, and around all of them request ids, tracing, metrics and the request timeout.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/1/ai-feedback/ingest", post(routes::ingest::ingest))
        .route("/api/1/items", get(routes::items::list))
        .route(
            "/api/1/items/{id}",
            get(routes::items::get).delete(routes::items::delete),
        )
        .route("/api/1/privacy/erase", post(routes::items::erase))
        .route(
            "/admin/projects",
            post(routes::admin::create_project).get(routes::admin::list_projects),
        )
        .route(
            "/admin/projects/{id}/sources",
            post(routes::admin::create_source).get(routes::admin::list_sources),
        )
        .route(
            "/admin/projects/{id}/rotate-secret",
            post(routes::admin::rotate_secret),
        );
    let api = layers::concurrency_limit(api, &state);
    let app = Router::new()
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics))
        .merge(api)
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed);
    layers::common(app, &state).with_state(state)
}

/// Serves hark on `listener` until `shutdown` is cancelled, then stops accepting connections
/// and returns once the requests in flight are answered.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    config: ServerConfig,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, ?config, "hark server listening");
    }
    let app = router(AppState::new(store, config, shutdown.clone()));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    tracing::info!("hark server stopped");
    Ok(())
}
