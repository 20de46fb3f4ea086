//! The dashboard's stylesheet, script and icon, compiled into the binary (no CDN, no external
//! fonts: the dashboard works offline and behind a firewall).

use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

/// Where the stylesheet is served (the version in the path changes with each release).
pub(crate) const CSS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".css");
/// Where the script is served.
pub(crate) const JS_PATH: &str = concat!("/assets/app-", env!("CARGO_PKG_VERSION"), ".js");
/// Where the icon is served.
pub(crate) const ICON_PATH: &str = "/assets/icon.svg";

const CSS: &str = include_str!("app.css");
const JS: &str = include_str!("app.js");
const ICON: &str = include_str!("icon.svg");

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
}

/// The asset routes.
pub(crate) fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            CSS_PATH,
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            JS_PATH,
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
        .route(ICON_PATH, get(|| async { asset("image/svg+xml", ICON) }))
}
