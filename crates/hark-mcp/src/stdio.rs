//! The stdio transport (`hark mcp --stdio`), for desktop assistants that start hark as a child
//! process: JSON-RPC messages on stdin and stdout, one per line. Nothing else may be written to
//! stdout; logs go to stderr.

use crate::HarkMcp;
use rmcp::ServiceExt;

/// Why serving over stdio stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StdioError {
    /// The MCP initialisation failed (the client sent something else, or went away).
    #[error("MCP initialisation failed: {0}")]
    Initialize(#[source] Box<rmcp::service::ServerInitializeError>),
    /// The service task failed.
    #[error("MCP service failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Serves `mcp` on stdin/stdout until the client closes stdin.
pub async fn serve(mcp: HarkMcp) -> Result<(), StdioError> {
    tracing::info!(project = %mcp.project(), "MCP server on stdio");
    let running = mcp
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| StdioError::Initialize(Box::new(e)))?;
    let reason = running.waiting().await?;
    tracing::info!(?reason, "MCP client closed the connection");
    Ok(())
}
