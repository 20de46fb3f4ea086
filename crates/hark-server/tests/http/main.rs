//! HTTP tests of hark-server: each starts the real server on port 0 over a real SQLite store
//! in a temporary directory and speaks HTTP to it.

mod admin;
mod analysis;
mod analysis_settings;
mod broad_themes;
mod chat_admin;
mod chat_errors;
mod chat_put;
mod chat_read;
mod chat_support;
mod common;
mod connections;
mod examples;
mod fairness;
mod head;
mod http2;
mod ingest_rules;
mod items;
mod languages;
mod ops;
mod prop;
mod rate_limit;
mod search;
mod status;
mod themes;
mod tls;
mod web;
