//! Validation that collects every problem with its path and yields validated types.

pub mod chat;
pub mod ingest;
mod rules;

use serde::Serialize;
use std::fmt;

/// One validation problem: where (`items[3].conversation_parts[0].email`) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Issue {
    /// JSON path of the offending field; empty for the whole body.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl Issue {
    /// An issue at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}
