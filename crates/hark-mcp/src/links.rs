//! Links into the hark dashboard (`hark-web`), relative to the server's address, so that an
//! assistant can point a person at the page behind an answer.

use hark_core::analysis::ThemeId;
use hark_core::chat::{ApplicationId, ConversationId};
use hark_core::ItemId;

/// `/feedback/{id}`: one item's page.
pub fn item(id: ItemId) -> String {
    format!("/feedback/{id}")
}

/// `/themes/{id}`: one theme's page.
pub fn theme(id: &ThemeId) -> String {
    format!("/themes/{}", encode(&id.0))
}

/// `/ai-answers/{application}/{conversation}`: one conversation with its rated answers.
pub fn conversation(app: &ApplicationId, conv: &ConversationId) -> String {
    format!(
        "/ai-answers/{}/{}",
        encode(app.as_str()),
        encode(conv.as_str())
    )
}

/// Percent-encodes everything but unreserved characters (ids are stored as sent; conversation
/// ids may hold characters a path segment cannot).
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_the_dashboard_routes() {
        assert_eq!(item(ItemId(42)), "/feedback/42");
        assert_eq!(theme(&ThemeId("th_abc".into())), "/themes/th_abc");
        assert_eq!(encode("a b/c"), "a%20b%2Fc");
    }
}
