//! hark-server: the HTTP layer of hark, one module per API surface. Each surface has its own
//! auth extractor, error shape, request parsing and handlers, and exports its own `router()`;
//! [`router`] merges them and wraps them in the shared layers.
//!
//! | surface | routes | auth | errors |
//! |---|---|---|---|
//! | [`api`] | `/api/1/…`: ingest, items, privacy erase, analysis, themes, mentions, chat read-back | [`api::ProjectKey`] (Basic, rate limited per project) | [`ApiError`] (`{"error", "issues"}`) |
//! | [`aws`] | `/applications/…`: Q Business `PutFeedback`, hark's record-message extension | [`aws::ChatCaller`] (SigV4 or Basic, throttled per key) | [`AwsError`] (restJson1) |
//! | [`mcp`] | `/mcp`: MCP Streamable HTTP (stateless), the tools of `hark-mcp` | [`mcp::McpCaller`] (Basic, as `ProjectKey`; refused credentials 401) | JSON-RPC / MCP tool errors |
//! | [`admin`] | `/admin/projects…`: projects, sources, secrets, applications, access keys | [`admin::AdminToken`] (Bearer) | [`ApiError`] |
//! | [`ops`] | `/healthz`, `/readyz`, `/metrics` | none | [`ApiError`] |
//! | `hark_web` | `/`, `/login`, `/themes`, `/feedback`, `/ai-answers`, `/settings`, … | session cookie + CSRF | HTML pages |
//!
//! Shared by all: [`AppState`] (`state.rs`), the tower layers, capped body reading and
//! `Authorization` parsing (`http/`), [`config`], [`metrics`], [`rate_limit`]. [`serve`] is the
//! one entry point, used by the binary and the tests alike.

pub mod admin;
mod analysis_handle;
pub mod api;
pub mod aws;
pub mod config;
mod http;
pub mod mcp;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod rate_limit;
mod sessions;
mod state;

pub use analysis_handle::AnalysisHandle;
pub use api::ApiError;
pub use aws::AwsError;
pub use config::{
    BodyPace, ChatConfig, ConnectionLimits, RateLimit, ServerConfig, WebhookSettings,
};
pub use http::tls::{TlsError, TlsSettings};
pub use http::BoxError;
pub use metrics::Metrics;
pub use state::AppState;

use crate::http::{caller_slots, layers};
use axum::http::{Method, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hark_store::Store;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The whole application: the hark API, admin and AWS routes behind one concurrency limit (one
/// semaphore; a request shed is answered in the shape of its routes), the operations routes
/// beside it, and around all of them request ids, tracing, metrics and the request timeout.
pub fn router(state: AppState) -> Router {
    let Surfaces {
        hark,
        aws,
        ops,
        document,
    } = surfaces();
    let semaphore = layers::concurrency_semaphore(&state);
    // Outside the server-wide bound: a caller over its own share is refused before it takes a
    // server slot.
    let slots = state.slots().clone();
    let hark =
        layers::concurrency_limit(hark, &state, semaphore.clone(), api::layer_error).route_layer(
            middleware::from_fn_with_state(slots.clone(), caller_slots::api),
        );
    let aws = layers::concurrency_limit(aws, &state, semaphore.clone(), aws::layer_error)
        .route_layer(middleware::from_fn_with_state(slots, caller_slots::aws));
    let web = layers::concurrency_limit(
        hark_web::router(web_state(&state)),
        &state,
        semaphore,
        layers::web_layer_error,
    );
    let app = ops
        .merge(openapi::router(document))
        .merge(hark)
        .merge(aws)
        .merge(web)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    layers::common(app, &state).with_state(state)
}

/// The routers of the API surfaces and the OpenAPI document generated with them.
struct Surfaces {
    /// The hark API and the admin API.
    hark: Router<AppState>,
    /// The Q Business routes.
    aws: Router<AppState>,
    /// The operations routes.
    ops: Router<AppState>,
    /// Their description.
    document: utoipa::openapi::OpenApi,
}

fn surfaces() -> Surfaces {
    // MCP (`/mcp`) shares the hark API's credentials, bounds and per-key slots.
    let (hark, hark_doc) = api::router()
        .merge(admin::router())
        .merge(mcp::router())
        .split_for_parts();
    let (aws, aws_doc) = aws::router().split_for_parts();
    let (ops, ops_doc) = ops::router().split_for_parts();
    Surfaces {
        hark,
        aws,
        ops,
        document: openapi::complete([hark_doc, aws_doc, ops_doc]),
    }
}

/// The OpenAPI 3.1 document of every public route, as served at `/api/1/openapi.json`.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    surfaces().document
}

/// The dashboard's state: the same store, the `web` settings, the analysis pipeline once its
/// model has loaded, and the master key that seals the access keys it issues.
fn web_state(state: &AppState) -> hark_web::WebState {
    let analysis = state.config().analysis.clone();
    hark_web::WebState::new(
        state.store_arc(),
        state.config().web.clone(),
        Arc::new(move || analysis.get().cloned()),
    )
    .with_master_key(state.config().chat.master_key.clone())
    .with_private_networks(state.config().webhooks.allow_private_networks)
}

/// Answer of routes that do not exist: under `/applications`, the AWS-shaped
/// `UNKNOWN_OPERATION` of [`aws::operations::unknown_operation`]; elsewhere hark's 404.
async fn not_found(method: Method, uri: Uri) -> Response {
    if aws::owns_path(uri.path()) {
        aws::operations::unknown_operation(method, uri)
            .await
            .into_response()
    } else {
        ApiError::NotFound("route").into_response()
    }
}

/// Answer of existing routes called with another method.
async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Serves hark on `listener`, HTTP/1.1 and HTTP/2 (h2c) on the same port, until `shutdown` is
/// cancelled; then stops accepting connections and returns once the requests in flight are
/// answered (at most [`ConnectionLimits::shutdown_grace`] later).
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<dyn Store>,
    config: ServerConfig,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, ?config, "hark server listening");
    }
    let (limits, tls) = (config.connections, config.tls.clone());
    let sweeper = tokio::spawn(sessions::sweep_expired(
        store.clone(),
        config.web.clone(),
        shutdown.clone(),
    ));
    let state = AppState::new(store, config, shutdown.clone());
    let deliveries = spawn_webhook_worker(&state, shutdown.clone());
    let app = router(state);
    http::connection::listener::run(listener, app, limits, tls, shutdown).await;
    sweeper.abort();
    if let Some(worker) = deliveries {
        worker.abort();
    }
    tracing::info!("hark server stopped");
    Ok(())
}

/// Starts this node's webhook delivery worker when the configuration has one; its attempts
/// are counted in the server's metrics.
fn spawn_webhook_worker(
    state: &AppState,
    shutdown: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    let settings = &state.config().webhooks;
    let worker_config = settings.worker.clone()?;
    let mut delivery = settings.delivery.clone();
    delivery.allow_private_networks = settings.allow_private_networks;
    let deliverer = match hark_webhooks::Deliverer::new(delivery) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "webhook deliveries disabled: the HTTP client could not be built");
            return None;
        }
    };
    let metrics = state.metrics().clone();
    let worker = hark_webhooks::Worker::new(
        state.store_arc(),
        deliverer,
        state.config().chat.master_key.clone(),
        worker_config.clone(),
    )
    .with_observer(Arc::new(move |outcome| {
        metrics.record_webhook_attempt(outcome == hark_webhooks::Outcome::Delivered)
    }));
    let watcher = hark_webhooks::Watcher::new(state.store_arc(), worker_config.watch_every);
    tokio::spawn(watcher.run(shutdown.clone()));
    Some(tokio::spawn(worker.run(shutdown)))
}
