//! What every backend crate shares that is not SQL: how values are encoded in columns
//! ([`codec`]) and how a subject's analysis text is assembled from the rows a backend loads
//! ([`subject_text`]). For backend crates; the rest of hark uses the traits.

pub mod codec;
pub mod subject_text;
