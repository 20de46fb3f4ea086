//! The Streamable HTTP transport, stateless: every request is answered by a fresh MCP service
//! around the [`HarkMcp`] handler of the caller's project, and no session outlives it. So any
//! hark node can answer any request (sessions kept in one node's memory would break behind a
//! load balancer), and a request can only ever reach the project it was authenticated for:
//! the handler is built by the caller (`hark-server`'s `/mcp` route) after authentication.
//!
//! Answers are JSON (`application/json`) when the tool sends nothing before its result, which is
//! always the case for hark's tools; a `GET` (a standalone SSE stream) is 405, as stateless
//! servers answer.

use crate::HarkMcp;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use std::convert::Infallible;
use std::fmt::Display;
use std::sync::Arc;

/// The answer to one request.
pub type McpResponse = http::Response<BoxBody<Bytes, Infallible>>;

/// The transport's settings: stateless, JSON answers, bodies of at most `max_body_bytes`.
///
/// `Host` is not checked: the MCP SDK's default (loopback names only) protects unauthenticated
/// local servers from DNS rebinding, while hark's `/mcp` needs a project's credentials and is
/// served under whatever name its operator chose.
pub fn config(max_body_bytes: usize) -> StreamableHttpServerConfig {
    StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .disable_allowed_hosts()
        .with_max_request_body_bytes(max_body_bytes)
}

/// Answers one HTTP request of the MCP Streamable HTTP transport with `mcp`, the handler of the
/// authenticated caller's project.
pub async fn handle<B>(
    mcp: HarkMcp,
    request: http::Request<B>,
    max_body_bytes: usize,
) -> McpResponse
where
    B: http_body::Body + Send + 'static,
    B::Data: Send + 'static,
    B::Error: Display,
{
    let service = StreamableHttpService::new(
        move || Ok(mcp.clone()),
        Arc::new(NeverSessionManager::default()),
        config(max_body_bytes),
    );
    service.handle(request).await
}
