//! [`ToolError`]: why a tool call failed, and how each failure reaches the assistant. Every
//! failure is a tool result with `isError: true` (the assistant reads the message and can
//! correct its call), never a protocol error and never a panic. Internal failures are logged
//! once here, with their cause, and answered generically.

use hark_analysis::worker::PipelineError;
use hark_store::StoreError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;
use serde_json::Value;

/// Why a tool call failed.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// An argument the tool cannot use; the message names it and says what is expected.
    #[error("invalid argument `{arg}`: {message}")]
    Invalid {
        /// The argument's name.
        arg: &'static str,
        /// What is wrong and what would be right.
        message: String,
    },
    /// The project has no such record (ids of other projects included: they are not told apart).
    #[error("not found: the project has no {what} with id {id}")]
    NotFound {
        /// `item`, `theme` or `application`.
        what: &'static str,
        /// The id as given.
        id: String,
    },
    /// The store failed.
    #[error("the database failed; try again later")]
    Store(#[source] StoreError),
    /// The analysis pipeline (search by meaning) failed.
    #[error("search failed; try again later")]
    Search(#[source] PipelineError),
    /// An invariant of the code did not hold (logged with its description).
    #[error("internal error")]
    Internal(String),
}

impl ToolError {
    /// An invalid argument.
    pub fn invalid(arg: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            arg,
            message: message.into(),
        }
    }

    /// A record the project does not have.
    pub fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }
}

impl From<StoreError> for ToolError {
    fn from(e: StoreError) -> Self {
        match e {
            // A store "not found" carries no id; it is the caller's project that lacks it.
            StoreError::NotFound(what) => Self::not_found(what, "given"),
            e => Self::Store(e),
        }
    }
}

impl From<PipelineError> for ToolError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Store(e) => e.into(),
            e => Self::Search(e),
        }
    }
}

/// The tool result of `outcome`: the value as compact JSON (text and structured content), or
/// the error's message with `isError: true`. The text is serialised from the value itself, so
/// numbers read as the REST API writes them (an `f32` as `0.47583568`, not widened).
pub fn respond<T: Serialize>(outcome: Result<T, ToolError>) -> CallToolResult {
    let json = outcome.and_then(|value| {
        let text = serde_json::to_string(&value).map_err(|e| ToolError::Internal(e.to_string()))?;
        serde_json::from_str::<Value>(&text).map_err(|e| ToolError::Internal(e.to_string()))
    });
    match json {
        Ok(value) => CallToolResult::structured(value),
        Err(e) => {
            if let ToolError::Store(cause) = &e {
                tracing::error!(error = %chain(cause), "MCP tool failed in the store");
            } else if let ToolError::Search(cause) = &e {
                tracing::error!(error = %chain(cause), "MCP tool failed in search");
            } else if let ToolError::Internal(what) = &e {
                tracing::error!(error = %what, "MCP tool failed");
            }
            CallToolResult::error(vec![ContentBlock::text(e.to_string())])
        }
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_tool_errors_with_their_message() {
        let r = respond::<Value>(Err(ToolError::not_found("item", "42")));
        assert_eq!(r.is_error, Some(true));
        let text = r.content[0].as_text().map(|t| t.text.clone());
        assert_eq!(
            text.as_deref(),
            Some("not found: the project has no item with id 42")
        );
        let r = respond::<Value>(Err(ToolError::invalid("limit", "must be from 1 to 100")));
        assert_eq!(r.is_error, Some(true));
        let ok = respond(Ok(serde_json::json!({"a": 1})));
        assert_eq!(ok.is_error, Some(false));
        assert_eq!(
            ok.content[0].as_text().map(|t| t.text.as_str()),
            Some("{\"a\":1}")
        );
    }
}
