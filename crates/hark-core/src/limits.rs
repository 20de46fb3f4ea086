//! Limits of the ingest contract (`shared/specs/ingest-api.md`). Lengths are in characters
//! (Unicode scalar values), not bytes.

/// Maximum request body in bytes (5 MB); larger bodies are refused with 413 before parsing.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;
/// `source_id`: 1–128 characters.
pub const MAX_SOURCE_ID_CHARS: usize = 128;
/// `items`: 1–100 per request.
pub const MAX_ITEMS: usize = 100;
/// `conversation_parts`: at most 100 per item.
pub const MAX_PARTS: usize = 100;
/// `unique_id` of items and parts.
pub const MAX_UNIQUE_ID_CHARS: usize = 1024;
/// `body` of items and parts.
pub const MAX_BODY_CHARS: usize = 20_000;
/// `author`.
pub const MAX_AUTHOR_CHARS: usize = 512;
/// `email`.
pub const MAX_EMAIL_CHARS: usize = 512;
/// `user_id`.
pub const MAX_USER_ID_CHARS: usize = 1024;
/// `url`.
pub const MAX_URL_CHARS: usize = 2048;
/// Names of projects and sources (hark's own rule).
pub const MAX_NAME_CHARS: usize = 200;
