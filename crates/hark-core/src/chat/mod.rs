//! Feedback on AI answers: the Amazon Q Business `PutFeedback` contract
//! (`shared/specs/chat-feedback-api.md`) and hark's conversation records.
//!
//! [`ids`] holds the identifiers, [`model`] the records; validation of the wire input lives
//! in `validate::chat`.

pub mod ids;
pub mod model;
pub mod query;

pub use ids::{is_valid_resource_id, AccessKeyId, ApplicationId, ConversationId, MessageId};
pub use model::*;
pub use query::*;
