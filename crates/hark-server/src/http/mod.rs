//! Plumbing shared by every surface, owned by none: the connections, served with HTTP/1.1 and
//! HTTP/2 on one port ([`connection`]), optional TLS ([`tls`]), the tower layers around the whole application ([`layers`]),
//! capped body reading ([`body`]) and the parsing of `Authorization` header values
//! ([`credentials`]). Each surface turns their failures into its own error shape.

pub(crate) mod body;
pub(crate) mod caller_slots;
pub(crate) mod connection;
pub(crate) mod credentials;
pub(crate) mod head_limits;
mod keyed_counts;
pub(crate) mod layers;
pub mod tls;

use std::error::Error as StdError;

/// A boxed error cause, as tower layers and body readers produce them.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// An error and its causes on one line: `internal error: sqlite: disk I/O error`.
pub(crate) fn chain(e: &dyn StdError) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
