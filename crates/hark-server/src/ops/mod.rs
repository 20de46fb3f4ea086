//! Operations endpoints, outside the concurrency limit so probes and scrapes work under load:
//! `GET /healthz`, `GET /readyz`, `GET /metrics` (the registry is [`crate::metrics`]). No auth;
//! failures answer in the hark API's shape ([`ApiError`]).

use crate::api::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The operations routes with their OpenAPI description, without layers (see
/// [`crate::router`]).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

/// Liveness: 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "healthz", responses((status = 200, description = "The process runs", body = Object, example = json!({"status": "ok"}))))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: 200 when the store answers and the server is not shutting down, else 503.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "readyz", responses((status = 200, description = "The store answers and the server is not shutting down", body = Object, example = json!({"status": "ready"}))))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    if state.is_shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    state.store().ping().await.map_err(ApiError::Unavailable)?;
    Ok(Json(json!({"status": "ready"})))
}

/// Prometheus text exposition of this server's registry.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "metrics", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain; version=0.0.4; charset=utf-8", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    // The outbox depth is the store's; a store that does not answer leaves the last value.
    if let Ok(pending) = state.store().pending_deliveries().await {
        state.metrics().set_webhook_pending(pending);
    }
    let text = state
        .metrics()
        .render()
        .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}
