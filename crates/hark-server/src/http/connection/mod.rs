//! Serving connections: the listener ([`listener`]), which connections it takes
//! ([`admission`]), and when an idle or silent one is closed ([`activity`]).

mod activity;
mod admission;
pub(crate) mod listener;
