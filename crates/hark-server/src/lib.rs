//! hark-server: the HTTP layer of hark.
//!
//! [`serve`] is the one entry point, used by the binary and the tests alike; [`router`] builds
//! the axum application from an [`AppState`]. Routes:
//!
//! | route | auth | module |
//! |---|---|---|
//! | `POST /api/1/ai-feedback/ingest` | [`auth::ProjectKey`] | [`routes::ingest`] |
//! | `GET /api/1/items`, `GET/DELETE /api/1/items/{id}`, `POST /api/1/privacy/erase` | [`auth::ProjectKey`] | [`routes::items`] |
//! | `POST /applications/{a}/conversations/{c}/messages/{m}/feedback` (Q Business `PutFeedback`), `POST /applications/{a}/conversations/{c}/messages/{m}` | [`chat_auth::ChatCaller`] (SigV4 or Basic) | [`routes::chat`] |
//! | `PUT /api/1/items/{id}/category`, `POST /api/1/analysis/examples`, `POST /api/1/analysis/reanalyze`, `GET /api/1/analysis/status` | [`auth::ProjectKey`] | [`routes::analysis`] |
//! | `GET /api/1/themes`, `GET/PATCH/DELETE /api/1/themes/{id}`, `POST /api/1/themes/{id}/merge`, `POST /api/1/themes/recluster`, `GET /api/1/mentions` | [`auth::ProjectKey`] | [`routes::themes`] |
//! | `GET /api/1/chat/feedback`, `GET /api/1/chat/applications/{a}/conversations/{c}`, `GET /api/1/chat/stats` | [`auth::ProjectKey`] | [`routes::chat_read`] |
//! | `/admin/projects…` | [`auth::AdminToken`] | [`routes::admin`], [`routes::chat_admin`] |
//! | `GET /healthz`, `GET /readyz`, `GET /metrics` | none | [`routes::ops`] |
//!
//! Every failure is an [`ApiError`], answered with a JSON body by one table in [`error`]; the
//! Q Business–compatible routes under `/applications` answer [`AwsError`] instead, by the table
//! in [`aws_error`]. Routes taking [`auth::ProjectKey`] are rate limited per project
//! ([`rate_limit`]); the `/applications` routes are throttled per access key.

mod analysis_handle;
pub mod analysis_params;
pub mod auth;
pub mod aws_error;
pub mod aws_params;
pub mod body;
pub mod chat_auth;
mod chat_state;
pub mod config;
pub mod error;
mod layers;
pub mod metrics;
pub mod params;
pub mod query;
pub mod rate_limit;
pub mod routes;
pub mod themes_view;

pub use analysis_handle::AnalysisHandle;
pub use aws_error::AwsError;
pub use config::{ChatConfig, RateLimit, ServerConfig};
pub use error::ApiError;
pub use metrics::Metrics;

use axum::routing::{get, post, put};
use axum::Router;
use chat_state::ChatState;
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
    chat: ChatState,
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
        Self {
            inner: Arc::new(Shared {
                store,
                config,
                admin_token,
                metrics: Metrics::new(),
                rate_limiter,
                chat,
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

    /// The chat routes' caches, throttle and SigV4 settings.
    pub(crate) fn chat(&self) -> &ChatState {
        &self.inner.chat
    }

    /// Hash of the configured admin token; `None` when the admin API is disabled.
    pub(crate) fn admin_token_hash(&self) -> Option<&SecretHash> {
        self.inner.admin_token.as_ref()
    }
}

/// The whole application: API and admin routes behind the concurrency limit, operations routes
/// beside it, and around all of them request ids, tracing, metrics and the request timeout.
pub fn router(state: AppState) -> Router {
    use routes::{admin, analysis, chat, chat_admin, chat_read, items, themes};
    let api = Router::new()
        .route("/api/1/ai-feedback/ingest", post(routes::ingest::ingest))
        .route("/api/1/items", get(items::list))
        .route("/api/1/items/{id}", get(items::get).delete(items::delete))
        .route("/api/1/items/{id}/category", put(analysis::set_category))
        .route("/api/1/privacy/erase", post(items::erase))
        .route("/api/1/analysis/examples", post(analysis::add_examples))
        .route("/api/1/analysis/reanalyze", post(analysis::reanalyze))
        .route("/api/1/analysis/status", get(analysis::status))
        .route("/api/1/themes", get(themes::list))
        .route("/api/1/themes/recluster", post(themes::recluster))
        .route(
            "/api/1/themes/{id}",
            get(themes::get)
                .patch(themes::update)
                .delete(themes::delete),
        )
        .route("/api/1/themes/{id}/merge", post(themes::merge))
        .route("/api/1/mentions", get(themes::mentions))
        .route("/api/1/chat/feedback", get(chat_read::list_feedback))
        .route(
            "/api/1/chat/applications/{app}/conversations/{conv}",
            get(chat_read::get_conversation),
        )
        .route("/api/1/chat/stats", get(chat_read::stats))
        .route(
            "/admin/projects",
            post(admin::create_project).get(admin::list_projects),
        )
        .route(
            "/admin/projects/{id}/sources",
            post(admin::create_source).get(admin::list_sources),
        )
        .route(
            "/admin/projects/{id}/rotate-secret",
            post(admin::rotate_secret),
        )
        .route(
            "/admin/projects/{id}/applications",
            post(chat_admin::create_application).get(chat_admin::list_applications),
        )
        .route(
            "/admin/projects/{id}/access-keys",
            post(chat_admin::create_access_key).get(chat_admin::list_access_keys),
        )
        .route(
            "/admin/projects/{id}/access-keys/{key}/revoke",
            post(chat_admin::revoke_access_key),
        );
    // The Q Business routes answer in the AWS shape, wrong methods included (unknown paths
    // under /applications: see `routes::not_found`).
    let aws = Router::new()
        .route(
            chat::FEEDBACK_ROUTE,
            post(chat::put_feedback).fallback(chat::unknown_operation),
        )
        .route(
            chat::MESSAGE_ROUTE,
            post(chat::record_message).fallback(chat::unknown_operation),
        );
    let semaphore = layers::concurrency_semaphore(&state);
    let api = layers::concurrency_limit(api, &state, semaphore.clone(), layers::layer_error);
    let aws = layers::concurrency_limit(aws, &state, semaphore, layers::aws_layer_error);
    let app = Router::new()
        .route("/healthz", get(routes::ops::healthz))
        .route("/readyz", get(routes::ops::readyz))
        .route("/metrics", get(routes::ops::metrics))
        .merge(api)
        .merge(aws)
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
