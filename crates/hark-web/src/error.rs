//! [`WebError`]: the dashboard's one error type, answered as a small HTML page (or, for a
//! missing session, a redirect to the sign-in page).

use crate::view::layout;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hark_analysis::worker::PipelineError;
use hark_store::StoreError;
use maud::html;

/// What can go wrong in a dashboard request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session: sign in, then come back to `next` (a local path).
    #[error("not signed in")]
    SignIn { next: String },
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// A state-changing request without the session's CSRF token (or from another origin).
    #[error("the form expired or came from another site; reload the page and try again")]
    Csrf,
    /// Nothing of the project under this address.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// Storage failed.
    #[error("storage error")]
    Store(#[from] StoreError),
    /// The model failed on a search (the cause, for the log).
    #[error("the search failed")]
    Analysis(String),
}

impl WebError {
    /// A pipeline failure: a store failure stays one (its status tells transient ones).
    pub(crate) fn analysis(e: PipelineError) -> Self {
        match e {
            PipelineError::Store(e) => WebError::Store(e),
            other => WebError::Analysis(hark_analysis::error_chain(&other)),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = match &self {
            WebError::SignIn { next } => {
                let target = if next == "/" || next.is_empty() {
                    "/login".to_string()
                } else {
                    format!(
                        "/login?next={}",
                        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                    )
                };
                return Redirect::to(&target).into_response();
            }
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::Conflict(_)) => StatusCode::CONFLICT,
            WebError::Store(e) if e.is_transient() => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) | WebError::Analysis(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &self {
            WebError::Store(StoreError::NotFound(what)) => format!("{what} not found"),
            WebError::Store(StoreError::Conflict(what)) => what.clone(),
            WebError::Store(e) if e.is_transient() => {
                "storage is unavailable for a moment; retry shortly".to_string()
            }
            WebError::Store(e) => {
                tracing::error!(error = %e, "dashboard request failed");
                "something went wrong on the server; it has been logged".to_string()
            }
            WebError::Analysis(cause) => {
                tracing::error!(error = %cause, "dashboard search failed");
                "the search failed on the server; it has been logged".to_string()
            }
            other => other.to_string(),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let body = layout::bare(
            title,
            html! {
                h1 { (title) }
                p role="alert" { (message) }
                p { a href="/" { "Back to the overview" } }
            },
        );
        let mut response = (status, body).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}
