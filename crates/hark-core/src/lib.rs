//! hark-core: the domain types of hark and the validation that turns wire input into them.
//!
//! Nothing here does I/O. The store trusts the validated types produced here
//! (`validate::ingest`), and the server maps the problems found here to wire errors.

pub mod analysis;
pub mod chat;
pub mod credentials;
pub mod crypto;
pub mod ids;
pub mod json;
pub mod limits;
pub mod model;
pub mod sigv4;
pub mod speaker;
pub mod theme_view;
pub mod time;
pub mod users;
pub mod validate;
pub mod webhooks;

pub use ids::{EndpointId, EventId, ItemId, ProjectId, SourceId};
pub use model::*;
pub use time::Timestamp;
