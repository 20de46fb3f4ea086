//! Request parsing of the hark API, at the edge: one home for everything a handler reads from
//! a request besides its credentials. Every problem is collected with its path (a body field
//! such as `examples[3].text`, or a query parameter) into one 400 [`ApiError::Invalid`].
//!
//! - extractors: [`JsonBody`] (a capped JSON body), [`ValidJson`] (a body parsed into a
//!   [`FromJson`] type), [`ValidQuery`] (a query parsed into a [`FromPairs`] type), and the
//!   path parameters [`ItemIdParam`], [`ThemeIdParam`], [`ConversationPath`];
//! - readers: [`ObjectReader`] (small JSON objects) and [`QueryReader`] (query rules);
//! - the inputs of each API: [`items`] (ingest, listing, erasure), [`analysis`], [`themes`],
//!   [`chat`] (read-back queries).
//!
//! [`ApiError::Invalid`]: crate::ApiError::Invalid

pub mod analysis;
mod body;
pub mod chat;
pub mod items;
mod object;
mod path;
mod query;
pub mod search;
pub mod themes;
pub mod webhooks;

pub use body::{FromJson, JsonBody, ValidJson};
pub use object::ObjectReader;
pub use path::{ConversationPath, ItemIdParam, ThemeIdParam};
pub use query::{FromPairs, QueryReader, ValidQuery, DEFAULT_LIMIT, MAX_LIMIT};
