//! `/mcp`: hark's MCP server (crate `hark-mcp`) for AI assistants, over the Streamable HTTP
//! transport, stateless (any node answers any request). Authenticated as the hark API is, with
//! the project's API key and secret key in HTTP Basic auth ([`McpCaller`]); the MCP handler is
//! built for the authenticated project, per request, so a caller can only ever read its own
//! project. The body is read within the API's cap and pace before the MCP service sees it.

use crate::api::{ApiError, ProjectKey};
use crate::http::body::{collect_capped, declared_too_large, BodyReadError};
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use hark_core::validate::Issue;
use hark_core::ProjectId;
use hark_mcp::HarkMcp;
use std::sync::Arc;

/// The route, without layers (see [`crate::router`]).
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/mcp", any(serve))
}

/// The caller of `/mcp`: [`ProjectKey`], except that refused credentials are 401 with
/// `WWW-Authenticate: Basic` rather than 403. MCP clients read 403 as "insufficient scope" and
/// 401 as "authenticate (again)", which is what an unknown key or a wrong secret calls for.
#[derive(Debug, Clone)]
pub struct McpCaller {
    /// The authenticated project; the MCP handler reads only its data.
    pub project_id: ProjectId,
}

impl FromRequestParts<AppState> for McpCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match ProjectKey::from_request_parts(parts, state).await {
            Ok(ProjectKey { project_id }) => Ok(Self { project_id }),
            Err(e @ ApiError::InvalidCredentials) => {
                let mut response = e.into_response();
                *response.status_mut() = StatusCode::UNAUTHORIZED;
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"hark\""),
                );
                Err(response)
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Answers one MCP request with the handler of the caller's project.
async fn serve(
    McpCaller { project_id }: McpCaller,
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    let limit = state.config().max_body_bytes;
    let (parts, body) = request.into_parts();
    if declared_too_large(&parts.headers, limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let pace = state.config().body_pace;
    let bytes = collect_capped(body, limit, pace)
        .await
        .map_err(|e| match e {
            BodyReadError::TooLarge => ApiError::PayloadTooLarge { limit },
            BodyReadError::TooSlow => ApiError::BodyTooSlow {
                bytes_per_sec: pace.bytes_per_sec,
            },
            BodyReadError::Broken(why) => {
                ApiError::invalid("could not read the request body", vec![Issue::new("", why)])
            }
        })?;
    let request = Request::from_parts(parts, Body::from(bytes));
    let analysis = state.config().analysis.clone();
    let mcp = HarkMcp::new(state.store_arc(), project_id)
        .with_pipeline(Arc::new(move || analysis.get().cloned()));
    Ok(hark_mcp::http::handle(mcp, request, limit)
        .await
        .into_response())
}
