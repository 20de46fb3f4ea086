//! The scripted story every store backend must pass, and the test databases other crates'
//! tests run on. A crate of its own, as atuin's `tests-database`: the stories use the backends
//! only through the traits of `hark-store`, and the tests that run them on each backend
//! (`tests/`) depend on both backends, which `hark-store` itself must not.
//!
//! Each story function takes a store (fresh or shared: each story makes its own projects) and
//! panics on the first deviation from the contract: [`feedback`] (tenancy, ingest, items,
//! erasure), [`chat`] (applications, keys, PutFeedback, conversations), [`analysis`] (queue,
//! results, themes, metrics) [`users`] (dashboard users and sessions) and [`webhooks`] (endpoints, the outbox written
//! with its cause, claims, attempts).

#![allow(clippy::unwrap_used)]

pub mod analysis;
pub mod chat;
pub mod feedback;
pub mod testing;
pub mod users;
pub mod webhooks;
