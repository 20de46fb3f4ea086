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
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hark_core::validate::Issue;
use hark_core::ProjectId;
use hark_mcp::HarkMcp;
use serde_json::{json, Value};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The route with its OpenAPI description, without layers (see [`crate::router`]). Only POST:
/// the stateless transport has no stream to GET and no session to DELETE (405).
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(serve))
}

/// What the MCP transport accepts: JSON answers, and server-sent events it never sends.
const MCP_ACCEPT: &str = "application/json, text/event-stream";

/// A JSON-RPC error answer (400) for a body that is not one JSON-RPC 2.0 message, in the shape
/// MCP clients parse: `-32700` when it is not JSON, `-32600` when it is not a message.
fn jsonrpc_problem(body: &[u8]) -> Option<Response> {
    let (code, message) = match serde_json::from_slice::<Value>(body) {
        Err(e) => (-32700, format!("Parse error: the body is not JSON ({e})")),
        Ok(Value::Object(m))
            if m.get("jsonrpc") == Some(&json!("2.0"))
                && (m.get("method").is_some_and(Value::is_string)
                    || m.contains_key("result")
                    || m.contains_key("error")) =>
        {
            return None
        }
        Ok(_) => (
            -32600,
            "Invalid Request: send one JSON-RPC 2.0 message (an object with \"jsonrpc\": \"2.0\" and a \"method\")".to_owned(),
        ),
    };
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}});
    Some((StatusCode::BAD_REQUEST, Json(body)).into_response())
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
#[utoipa::path(post, path = "/mcp", tag = "mcp", operation_id = "mcp",
    request_body(content = Object, description = "One JSON-RPC 2.0 message of the Model Context Protocol (Streamable HTTP transport, stateless): initialize, tools/list, tools/call, notifications"),
    responses(
        (status = 200, description = "The JSON-RPC answer", body = Object),
        (status = 202, description = "A notification or response was accepted (no body)"),
        (status = 400, description = "Not one JSON-RPC 2.0 message: a JSON-RPC error (-32700 not JSON, -32600 not a message)", body = Object),
        (status = 406, description = "`Accept` must allow `application/json`")
    ))]
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
    let json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    if let Some(problem) = jsonrpc_problem(&bytes) {
        return Ok(problem);
    }
    let mut parts = parts;
    // A client that takes anything (no `Accept`, or `*/*`) gets what the transport sends.
    let accepts_any = parts
        .headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.split(',').any(|t| t.trim().starts_with("*/*")));
    if accepts_any {
        parts
            .headers
            .insert(ACCEPT, HeaderValue::from_static(MCP_ACCEPT));
    }
    let request = Request::from_parts(parts, Body::from(bytes));
    let analysis = state.config().analysis.clone();
    let mcp = HarkMcp::new(state.store_arc(), project_id)
        .with_pipeline(Arc::new(move || analysis.get().cloned()));
    Ok(hark_mcp::http::handle(mcp, request, limit)
        .await
        .into_response())
}
