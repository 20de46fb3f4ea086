//! What every backend crate shares that is not SQL: how values are encoded in columns
//! ([`codec`]), how a subject's analysis text is assembled from the rows a backend loads
//! ([`subject_text`]), how rows decode into domain values ([`row`]), and how grouped counts fold into theme
//! metrics ([`metrics`]) and chat-feedback periods ([`stats`]),
//! and the sentiment bands of item filters ([`filters`]). For backend crates;
//! the rest of hark uses the traits. Also owner-only creation of data files ([`files`]).

pub mod broad;
pub mod codec;
pub mod files;
pub mod filters;
pub mod metrics;
pub mod row;
pub mod stats;
pub mod subject_text;
pub mod webhooks;
