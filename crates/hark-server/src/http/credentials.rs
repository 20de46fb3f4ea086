//! Parsing of `Authorization` header values, shared by the surfaces' auth extractors: HTTP
//! Basic (the hark API's [`crate::api::ProjectKey`], and the AWS surface's Basic-auth callers)
//! and Bearer ([`crate::admin::AdminToken`]). Pure functions; no secret is ever logged.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hark_core::credentials::Secret;

/// `Basic base64(user:password)` → (user, password). The scheme is case-insensitive; the user
/// must not be empty. `None` for anything else.
pub(crate) fn parse_basic(header: &[u8]) -> Option<(String, Secret)> {
    let encoded = strip_scheme(header, "basic")?;
    let decoded = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    if user.is_empty() {
        return None;
    }
    Some((user.to_string(), Secret::new(password)))
}

/// `Bearer <token>` → token (non-empty). `None` for anything else.
pub(crate) fn parse_bearer(header: &[u8]) -> Option<String> {
    let token = strip_scheme(header, "bearer")?;
    let token = std::str::from_utf8(token).ok()?;
    (!token.is_empty()).then(|| token.to_string())
}

/// The credentials after `scheme` and its spaces, with surrounding whitespace removed.
pub(crate) fn strip_scheme<'a>(header: &'a [u8], scheme: &str) -> Option<&'a [u8]> {
    let n = scheme.len();
    if header.len() <= n
        || !header[..n].eq_ignore_ascii_case(scheme.as_bytes())
        || header[n] != b' '
    {
        return None;
    }
    Some(header[n..].trim_ascii())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn basic(s: &str) -> Vec<u8> {
        format!("Basic {}", STANDARD.encode(s)).into_bytes()
    }

    #[test]
    fn basic_auth_parses_user_and_password() {
        let (user, secret) = parse_basic(&basic("hk_key:hs_secret:with:colons")).expect("valid");
        assert_eq!(user, "hk_key");
        assert_eq!(secret.expose(), "hs_secret:with:colons");
        let lower = format!("basic   {}", STANDARD.encode("k:s"));
        assert!(parse_basic(lower.as_bytes()).is_some());
    }

    #[test]
    fn malformed_basic_auth_is_refused() {
        for bad in [
            b"Basic".to_vec(),
            b"Basic ".to_vec(),
            b"Basic !!!notbase64".to_vec(),
            b"Bearer abc".to_vec(),
            b"Basicx a2V5OnNlY3JldA==".to_vec(),
            basic("no-colon"),
            basic(":secret-without-user"),
            format!("Basic {}", STANDARD.encode([0xff, b':', b'x'])).into_bytes(),
        ] {
            assert!(
                parse_basic(&bad).is_none(),
                "{:?}",
                String::from_utf8_lossy(&bad)
            );
        }
    }

    #[test]
    fn bearer_tokens_parse() {
        assert_eq!(parse_bearer(b"Bearer abc").as_deref(), Some("abc"));
        assert_eq!(parse_bearer(b"bearer  abc ").as_deref(), Some("abc"));
        assert!(parse_bearer(b"Bearer ").is_none());
        assert!(parse_bearer(b"Basic abc").is_none());
        assert!(parse_bearer(b"Bearerabc").is_none());
    }
}
