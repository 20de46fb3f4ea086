//! hark-web: the dashboard, served by `hark serve` on the API's port. Server-rendered HTML
//! (maud) with a little progressive-enhancement JavaScript; every asset is compiled into the
//! binary, so it works offline and behind a firewall.
//!
//! | module | what it holds |
//! |---|---|
//! | [`auth`] | sign-in, sessions in the store ([`auth::DashboardUser`]), CSRF ([`auth::Posted`]), sign-in throttling |
//! | `pages/` | one module per page: overview, themes, feedback, AI answers, settings, account |
//! | `view/` | the page shell, filters in the URL, formatting helpers |
//! | `charts/` | server-rendered SVG charts with a text alternative |
//! | `assets/` | the CSS and JavaScript, embedded |
//! | `headers` | the security headers every HTML response carries |
//!
//! Sessions live in the database, never in a node's memory: any node serves any signed-in
//! user, and logout ends a session everywhere.

mod assets;
pub mod auth;
mod charts;
mod error;
mod headers;
mod pages;
mod state;
mod view;

pub use error::WebError;
pub use state::{ModelProbe, WebSettings, WebState};

use axum::Router;

/// The dashboard's routes with their state applied, ready to merge into the server's router.
pub fn router<S: Clone + Send + Sync + 'static>(state: WebState) -> Router<S> {
    let routes = auth::router()
        .merge(pages::router())
        .merge(assets::router())
        .layer(axum::middleware::from_fn(headers::security_headers));
    routes.with_state(state)
}
