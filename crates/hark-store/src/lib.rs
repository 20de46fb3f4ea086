//! hark-store: the storage contract — the traits every backend implements, by capability
//! ([`Store`], [`ChatStore`], [`AnalysisStore`], [`UserStore`], [`WebhookStore`], [`ProjectTransfer`]), the driver-neutral
//! [`StoreError`], the tenancy operations built on the traits, and the export format.
//!
//! The backends are crates of their own (`hark-store-sqlite`, `hark-store-postgres`); both pass
//! the same scripted story (`hark-store-conformance`). What both need that is not SQL — value
//! codecs, the assembly of a subject's text, the export's tables and records — is written once
//! here, in [`backend`] and [`transfer`]. Only the binary knows every backend: it opens one from
//! a database URL and shares it as `Arc<dyn Store>`.

mod analysis_store;
pub mod backend;
mod chat_store;
mod error;
mod store;
mod tenancy;
pub mod transfer;
mod user_store;
mod webhook_store;

pub use analysis_store::{
    AnalysisStore, ItemVector, MentionVector, QueueDepth, ThemeUpdate, VectorStamp,
};
pub use chat_store::{ChatStore, PutFeedbackOutcome};
pub use error::{BoxError, StoreError};
pub use store::Store;
pub use tenancy::chat::{access_key_secret, create_access_key, create_application};
pub use tenancy::users::{create_user, hash_password, start_session, verify_sign_in};
pub use tenancy::{create_project, create_source, rotate_secret, NewProject};
pub use transfer::{normalise_export, ProjectTransfer, TransferSummary, FORMAT_VERSION};
pub use user_store::UserStore;
pub use webhook_store::{ClaimLimits, WebhookStore};

/// Options common to every backend.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most items one group-commit transaction may hold before it is closed.
    pub max_batch_items: usize,
    /// Most connections a PostgreSQL store opens (per node).
    pub max_connections: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_batch_items: 5_000,
            max_connections: 16,
        }
    }
}
