//! Sign-in, sessions and CSRF.
//!
//! - [`DashboardUser`]: the extractor of every page; without a live session it redirects to
//!   `/login?next=…`. Sessions are rows of the store (idle and absolute expiry checked here).
//! - [`Posted`]: the extractor of every state-changing form: a signed-in user plus a form whose
//!   `csrf` field matches the session's token (and, when the browser sends `Origin`, the same
//!   origin). A handler cannot take a form without it.
//! - `login`: `/login`, `/logout`, `/account/password`; sign-in is throttled per account and per
//!   client address ([`throttle`]).

mod cookies;
mod csrf;
mod login;
mod session;
pub(crate) mod throttle;

pub use csrf::Posted;
pub use session::DashboardUser;

use crate::WebState;
use axum::routing::{get, post};
use axum::Router;

/// `/login`, `/logout` and `/account/password`.
pub(crate) fn router() -> Router<WebState> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/account/password",
            get(login::password_form).post(login::change_password),
        )
}
