//! hark's local analysis: the embedding model and what is built on it.
pub mod analyzer;
pub mod classify;
pub mod cues;
pub mod embed;
pub mod eval;
pub mod language;
pub mod linear;
pub mod mentions;
pub mod search;
pub mod seeds;
pub mod sentiment;
pub mod tfidf;
pub mod themes;
pub mod worker;

/// An error and its causes on one line (`a: b: c`), for logs.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
