//! The middleware stacks of [`crate::router`]: request ids, tracing spans, metrics, the request
//! timeout, and the concurrency bound that sheds load with 503 instead of queueing. The layers
//! are shared; the answer to a layer's failure is in the error shape of the routes it wraps
//! ([`crate::api::layer_error`], [`crate::aws::layer_error`]).

use super::BoxError;
use crate::api::layer_error;
use crate::metrics::{track_in_flight, track_requests};
use crate::AppState;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

/// Wraps every route of `router` (fallbacks included): `x-request-id` (kept from the client or
/// generated, and echoed back), one tracing span per request, request metrics, and the timeout.
pub(crate) fn common(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(DefaultOnResponse::new().level(Level::INFO))
                    // Failures are logged once, by `ApiError`, with their cause.
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(middleware::from_fn(close_after_refused_body))
            .layer(middleware::from_fn(super::head_limits::enforce))
            .layer(middleware::from_fn_with_state(
                state.metrics().clone(),
                track_requests,
            ))
            .layer(HandleErrorLayer::new(layer_error))
            .timeout(state.config().request_timeout),
    )
}

/// A 413 or 408 (a body too large or too slow) on HTTP/1.x says `Connection: close`: hark
/// closes the connection rather than read the rest of a body it refused, and a client still
/// sending learns why instead of seeing a reset. (HTTP/2 refuses the one stream; connection
/// headers are not allowed there.)
async fn close_after_refused_body(req: Request, next: middleware::Next) -> Response {
    let http1 = req.version() < Version::HTTP_2;
    let mut response = next.run(req).await;
    let refused_body = matches!(
        response.status(),
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
    );
    if http1 && refused_body {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Bounds the requests that the routes of `router` process at once, across every router given
/// the same `semaphore`. A request beyond the bound is answered at once by `on_error` (503 with
/// `Retry-After: 1`), in the error shape of those routes.
pub(crate) fn concurrency_limit<F, Fut, E>(
    router: Router<AppState>,
    state: &AppState,
    semaphore: Arc<Semaphore>,
    on_error: F,
) -> Router<AppState>
where
    F: FnOnce(BoxError) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = E> + Send + 'static,
    E: IntoResponse + 'static,
{
    router.route_layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(on_error))
            .load_shed()
            .layer(GlobalConcurrencyLimitLayer::with_semaphore(semaphore))
            .layer(middleware::from_fn_with_state(
                state.metrics().clone(),
                track_in_flight,
            )),
    )
}

/// The semaphore of [`concurrency_limit`], sized from the configuration.
pub(crate) fn concurrency_semaphore(state: &AppState) -> Arc<Semaphore> {
    let permits = state
        .config()
        .max_concurrent_requests
        .min(Semaphore::MAX_PERMITS);
    Arc::new(Semaphore::new(permits))
}

/// The span of one request: method, route template (not the raw path, whose query may hold
/// emails), request id, and the project once authenticated. Headers are never recorded.
fn request_span(req: &Request) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str);
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        request_id,
        project_id = tracing::field::Empty,
    )
}

/// The dashboard's answer when the concurrency bound sheds a request: a short page with
/// `Retry-After: 1` (the pages are HTML, not the API's JSON).
pub(crate) async fn web_layer_error(err: BoxError) -> Response {
    if !err.is::<tower::load_shed::error::Overloaded>() {
        tracing::error!(error = %err, "dashboard request failed in a layer");
    }
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, "1"),
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
        ],
        "hark is busy; retry in a moment",
    )
        .into_response()
}
