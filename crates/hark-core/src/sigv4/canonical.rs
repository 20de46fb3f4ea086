//! The SigV4 canonical request, built the way non-S3 AWS SDKs build it.
//!
//! ```text
//! METHOD\nCANONICAL_URI\nCANONICAL_QUERY\nCANONICAL_HEADERS\n\nSIGNED_HEADERS\nPAYLOAD_HASH
//! ```
//!
//! **The path is encoded twice.** An SDK serialises a path label once (`user@x` → `user%40x`
//! on the wire) and then, for every service except S3, signs `quote(path, safe='/~')` of that
//! wire path (botocore `SigV4Auth._normalize_url_path`; the Rust, Java and JS SDKs call this
//! "double URI encoding"). So the canonical URI is the *wire* path, dot segments and empty
//! segments removed (botocore `remove_dot_segments`), with every byte outside
//! `A-Za-z0-9-_.~/` escaped: `%40` signs as `%2540`. AWS's test suite writes raw, unencoded
//! paths on its request lines (`/example space/`, `/ሴ`); for a path without `%`, encoding the
//! raw path once is the same operation, so those vectors pass unchanged.
//!
//! **The query is decoded, then encoded once** with the RFC 3986 unreserved set. botocore
//! signs the already-encoded query as it is, which is the same string whenever the client
//! encoded it canonically (every SDK does); decoding first also accepts clients that leave
//! safe characters raw (`ሴ=bar` in the test suite). `+` is a literal plus, not a space.

use super::{SigV4Error, SignedRequest};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of the empty string, the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The payload hash to sign with: the hex SHA-256 of the body.
///
/// A request may carry `x-amz-content-sha256` (botocore then signs that value verbatim).
/// hark always holds the whole body, so it only accepts the header when it equals the body's
/// hash (hex, either case); `UNSIGNED-PAYLOAD` and the `STREAMING-*` forms would leave the
/// body unauthenticated and are refused ([`SigV4Error::UnsignedPayload`]).
pub fn payload_hash(req: &SignedRequest) -> Result<String, SigV4Error> {
    let computed = hex::encode(Sha256::digest(req.body));
    let mut declared = req.header_values("x-amz-content-sha256");
    let Some(first) = declared.next() else {
        return Ok(computed);
    };
    let value = first.trim();
    if value == "UNSIGNED-PAYLOAD" || value.starts_with("STREAMING-") {
        return Err(SigV4Error::UnsignedPayload);
    }
    if declared.next().is_some() || !value.eq_ignore_ascii_case(&computed) {
        return Err(SigV4Error::ContentSha256Mismatch);
    }
    Ok(value.to_owned())
}

/// The canonical request for `req`, signing the headers named in `signed_headers`.
///
/// Names are lowercased, sorted and deduplicated here ([`normalized_header_names`]), so the result is the canonical form
/// whatever order the caller passes them in. Every named header must be present
/// ([`SigV4Error::MissingSignedHeader`]); repeated headers are joined with `,` in the order
/// received, each value trimmed with inner whitespace runs collapsed to one space.
pub fn canonical_request(
    req: &SignedRequest,
    signed_headers: &[String],
) -> Result<String, SigV4Error> {
    let names = normalized_header_names(signed_headers);

    let mut out = String::with_capacity(256 + req.path.len());
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query_string(req.query.unwrap_or("")));
    out.push('\n');
    for name in &names {
        let mut values = req.header_values(name).peekable();
        if values.peek().is_none() {
            return Err(SigV4Error::MissingSignedHeader(name.clone()));
        }
        out.push_str(name);
        out.push(':');
        for (i, value) in values.enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_trimmed(&mut out, value);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&names.join(";"));
    out.push('\n');
    out.push_str(&payload_hash(req)?);
    Ok(out)
}

/// Appends `value` trimmed, with each inner run of whitespace collapsed to one space
/// (botocore: `' '.join(value.split())`; this also unfolds obsolete multi-line values).
fn push_trimmed(out: &mut String, value: &str) {
    for (i, word) in value.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The canonical URI of a wire path: dot and empty segments removed, then every byte but
/// the unreserved set and `/` percent-encoded (so existing escapes are encoded again).
pub fn canonical_uri(wire_path: &str) -> String {
    let normalized = remove_dot_segments(wire_path);
    let mut out = String::with_capacity(normalized.len() + 16);
    for b in normalized.bytes() {
        if b == b'/' {
            out.push('/');
        } else {
            push_encoded(&mut out, b);
        }
    }
    out
}

/// RFC 3986 §5.2.4 dot-segment removal plus collapsing of empty segments, exactly as
/// botocore's `normalize_url_path` (an empty path is `/`; a trailing `/` is kept unless the
/// result is the root). `..` above the root is dropped.
fn remove_dot_segments(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    if path.starts_with('/') {
        out.push('/');
    }
    out.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// The canonical query string of a raw query (without `?`).
///
/// Parameters are split on `&` (empty ones ignored) and at the first `=` (none: empty
/// value); names and values are percent-decoded (a `%` not followed by two hex digits is
/// kept literally), re-encoded with the unreserved set, sorted by name then value, and
/// joined as `name=value` with `&`.
pub fn canonical_query_string(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (reencode(name), reencode(value))
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(raw_query.len() + 8);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Percent-decodes `s` and encodes the bytes again with the unreserved set.
fn reencode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1..i + 3)) {
            (b'%', Some(&[hi, lo])) => hex_val(hi).zip(hex_val(lo)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match decoded {
            Some(b) => {
                push_encoded(&mut out, b);
                i += 3;
            }
            None => {
                push_encoded(&mut out, bytes[i]);
                i += 1;
            }
        }
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// RFC 3986 unreserved: the only bytes SigV4 leaves unescaped.
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `b` as itself if unreserved, else as `%XX` (uppercase hex).
fn push_encoded(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if is_unreserved(b) {
        out.push(char::from(b));
    } else {
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
}

/// URI-encodes every byte of `s` outside the unreserved set (`/` included).
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        push_encoded(&mut out, b);
    }
    out
}

/// Signed header names in canonical form: trimmed, lowercased, sorted, without repeats.
pub(crate) fn normalized_header_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_ascii_lowercase())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_normalised_like_botocore() {
        for (wire, canonical) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/../a", "/a"),
            ("//example//", "/example/"),
            ("/a/./b/../c/", "/a/c/"),
            ("/a/..b/.c", "/a/..b/.c"),
        ] {
            assert_eq!(canonical_uri(wire), canonical, "{wire:?}");
        }
    }

    #[test]
    fn path_escapes_are_encoded_again() {
        // Captured from botocore 1.43 signing a qbusiness label `…@c+`.
        assert_eq!(
            canonical_uri("/m/ccc%40c%2B/feedback"),
            "/m/ccc%2540c%252B/feedback"
        );
        assert_eq!(canonical_uri("/example%20space/"), "/example%2520space/");
        assert_eq!(canonical_uri("/a%2Fb"), "/a%252Fb");
        assert_eq!(canonical_uri("/ሴ"), "/%E1%88%B4");
        assert_eq!(canonical_uri("/a b/~x!"), "/a%20b/~x%21");
    }

    #[test]
    fn query_is_decoded_reencoded_and_sorted() {
        for (raw, canonical) in [
            ("", ""),
            ("Param2=value2&Param1=value1", "Param1=value1&Param2=value2"),
            ("Param1=value2&Param1=Value1", "Param1=Value1&Param1=value2"),
            (
                "userId=user%40example.com%2F%C3%A4%20b",
                "userId=user%40example.com%2F%C3%A4%20b",
            ),
            ("q=a+b", "q=a%2Bb"),
            ("b&a=1", "a=1&b="),
            ("a=1=2", "a=1%3D2"),
            ("a=%7e%2d", "a=~-"),
            ("a=%zz%4", "a=%25zz%254"),
            ("&&a=1&", "a=1"),
            ("x=a.b&x=a%2Fb", "x=a%2Fb&x=a.b"),
            ("ሴ=bar", "%E1%88%B4=bar"),
        ] {
            assert_eq!(canonical_query_string(raw), canonical, "{raw:?}");
        }
    }

    #[test]
    fn content_sha256_header_must_match_the_body() {
        let body = b"Param1=value1";
        let hash = hex::encode(Sha256::digest(body));
        let req = |h: &'static str, v: String| {
            let headers = vec![(h.to_owned(), v)];
            let r = SignedRequest {
                method: "POST",
                path: "/",
                query: None,
                headers: &headers,
                body,
            };
            payload_hash(&r)
        };
        assert_eq!(req("X-Amz-Content-Sha256", hash.clone()), Ok(hash.clone()));
        let upper = hash.to_ascii_uppercase();
        assert_eq!(req("x-amz-content-sha256", upper.clone()), Ok(upper));
        assert_eq!(
            req("x-amz-content-sha256", EMPTY_SHA256.to_owned()),
            Err(SigV4Error::ContentSha256Mismatch)
        );
        assert_eq!(
            req("x-amz-content-sha256", "UNSIGNED-PAYLOAD".to_owned()),
            Err(SigV4Error::UnsignedPayload)
        );
        assert_eq!(req("other", String::new()), Ok(hash));
    }
}
