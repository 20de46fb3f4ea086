//! Formatting shared by pages: times, counts, percentages, and links that are links only when
//! they are http(s).

use hark_core::Timestamp;
use maud::{html, Markup};

/// `2026-12-04 21:05` (UTC).
pub(crate) fn time(t: Timestamp) -> String {
    let s = t.to_rfc3339();
    // RFC 3339 text: keep date and minutes.
    match (s.get(0..10), s.get(11..16)) {
        (Some(d), Some(m)) => format!("{d} {m}"),
        _ => s,
    }
}

/// `12,345`.
pub(crate) fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `42%` of a ratio in [0, 1]; `–` when there is nothing to divide.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// A URL from user input: a link when it is `http` or `https`, plain (escaped) text otherwise,
/// so `javascript:` and `data:` URLs never become links.
pub(crate) fn user_url(raw: &str) -> Markup {
    let safe = url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    html! {
        @if let Some(u) = safe {
            a href=(u.as_str()) rel="noopener noreferrer nofollow" target="_blank" { (raw) }
        } @else {
            span.url { (raw) }
        }
    }
}

/// `s` percent-encoded as one path segment (everything but `A–Z a–z 0–9 - . _ ~`), so an id
/// taken from a request can go into a link or a `Location` header whatever it contains.
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first `max` characters of `text` with whitespace runs collapsed, `…` when cut.
pub(crate) fn snippet(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, word) in text.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > max {
            let cut: String = out.chars().take(max).collect();
            return format!("{}…", cut.trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_encode_everything_but_unreserved() {
        assert_eq!(segment("th_aZ9-._~"), "th_aZ9-._~");
        assert_eq!(segment("a/b?c d"), "a%2Fb%3Fc%20d");
        assert_eq!(segment("é\r\n"), "%C3%A9%0D%0A");
    }

    #[test]
    fn snippets_collapse_and_cut_on_characters() {
        assert_eq!(snippet("  a\n\n b  ", 10), "a b");
        assert_eq!(snippet("ééééé ééééé", 7), "ééééé é…");
        assert_eq!(snippet("abc def", 4), "abc…");
    }

    #[test]
    fn only_http_urls_become_links() {
        assert!(user_url("https://x.io/a?b=<c>")
            .into_string()
            .starts_with("<a href"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "JaVaScRiPt:x",
            "//x.io",
        ] {
            let html = user_url(bad).into_string();
            assert!(!html.contains("href"), "{bad}: {html}");
        }
        assert!(!user_url("\"><img src=x onerror=alert(1)>")
            .into_string()
            .contains("<img"));
    }

    #[test]
    fn counts_and_percents() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(1, 0), "–");
    }
}
