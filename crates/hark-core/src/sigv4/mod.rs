//! AWS Signature Version 4 verification, as a server sees it: pure, no I/O, no HTTP types.
//!
//! hark accepts Amazon Q Business `PutFeedback` calls signed by the AWS SDKs (boto3 and
//! friends). The server hands us the request as it came off the wire ([`SignedRequest`]),
//! the parsed `Authorization` header ([`parse_authorization`]) and the secret of the access
//! key it names; [`verify`] checks the credential scope and the clock, rebuilds the canonical
//! request ([`canonical_request`]), the string to sign ([`string_to_sign`]) and the HMAC key
//! chain ([`signing_key`]), and compares signatures in constant time.
//!
//! Canonicalisation follows the non-S3 rules that botocore (`SigV4Auth`), the AWS SDKs and
//! AWS's published test suite agree on; see [`canonical`] for the details and where they
//! differ from a naive reading of the docs (the path is encoded a *second* time).

pub mod canonical;
mod verify;

#[cfg(test)]
mod suite_tests;
#[cfg(test)]
mod verify_tests;

pub use canonical::{canonical_query_string, canonical_request, canonical_uri, payload_hash};
pub use verify::{authorization_header, signature, signing_key, string_to_sign, verify};

/// The only algorithm hark accepts (SigV4A and the older schemes are refused).
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The clock skew AWS allows between `X-Amz-Date` and the server's clock.
pub const DEFAULT_MAX_SKEW_SECS: i64 = 15 * 60;

/// A request as received, before any decoding: what a signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The method as on the request line (`POST`).
    pub method: &'a str,
    /// The path as on the wire, still percent-encoded (`/applications/a%40b/...`).
    pub path: &'a str,
    /// The raw query string without the `?`, if the request had one.
    pub query: Option<&'a str>,
    /// Header `(name, value)` pairs as received: names in any case, repeats allowed, in order.
    pub headers: &'a [(String, String)],
    /// The full request body.
    pub body: &'a [u8],
}

impl<'a> SignedRequest<'a> {
    /// Every value of the header `name` (compared case-insensitively), in the order received.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The access key id from `Credential`; the caller looks its secret up.
    pub access_key_id: String,
    /// The scope date, `yyyymmdd`.
    pub date: String,
    /// The scope region (`us-east-1`).
    pub region: String,
    /// The scope service, the signing name (`qbusiness`).
    pub service: String,
    /// Lowercase header names, sorted and unique, exactly as the client listed them.
    pub signed_headers: Vec<String>,
    /// 64 hex digits.
    pub signature: String,
}

impl Authorization {
    /// The credential scope without the key id: `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        scope(&self.date, &self.region, &self.service)
    }
}

/// `date/region/service/aws4_request`.
pub fn scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/aws4_request")
}

/// Why a request was not authenticated. Messages name what is wrong, never the secret or
/// the expected signature, so they are safe to log and to return to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    #[error("the request has no Authorization header")]
    MissingAuthorization,
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(&'static str),
    #[error("unsupported signature algorithm (only AWS4-HMAC-SHA256 is accepted)")]
    UnsupportedAlgorithm,
    #[error("the credential scope names another service")]
    WrongService,
    #[error("the credential scope names a region this server does not serve")]
    WrongRegion,
    #[error("the request has neither an X-Amz-Date nor a Date header")]
    MissingDate,
    #[error("the X-Amz-Date (or Date) header is not a valid timestamp")]
    MalformedDate,
    #[error("the request time is too far from the server's clock (signature expired or not yet current)")]
    RequestExpired,
    #[error("the credential scope date does not match the request date")]
    ScopeDateMismatch,
    #[error("the header `{0}` must be signed")]
    HeaderNotSigned(String),
    #[error("the signed header `{0}` is not present in the request")]
    MissingSignedHeader(String),
    #[error("the request carries an unsigned payload, which this server does not accept")]
    UnsignedPayload,
    #[error("x-amz-content-sha256 does not match the SHA-256 of the body")]
    ContentSha256Mismatch,
    #[error("the request signature does not match the signature computed for it")]
    SignatureMismatch,
}

/// Parses an `Authorization` header value.
///
/// Accepts `AWS4-HMAC-SHA256 Credential=KEY/yyyymmdd/region/service/aws4_request,
/// SignedHeaders=a;b;c, Signature=<64 hex>` with the three components in any order and any
/// whitespace after the commas. Signed header names must be lowercase, sorted and unique, as
/// every SDK sends them: the list is part of what was signed, so it is not repaired.
pub fn parse_authorization(header: &str) -> Result<Authorization, SigV4Error> {
    use SigV4Error::MalformedAuthorization as Bad;
    let header = header.trim();
    if header.is_empty() {
        return Err(SigV4Error::MissingAuthorization);
    }
    let (algorithm, rest) = header.split_once(' ').unwrap_or((header, ""));
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm);
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(Bad("expected key=value"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(Bad("unknown component")),
        };
        if slot.replace(value).is_some() {
            return Err(Bad("repeated component"));
        }
    }
    let credential = credential.ok_or(Bad("missing Credential"))?;
    let signed = signed.ok_or(Bad("missing SignedHeaders"))?;
    let signature = signature.ok_or(Bad("missing Signature"))?;

    // The key id comes first and may not contain '/', so split from the right.
    let mut scope = credential.rsplitn(5, '/');
    let (terminal, service, region, date, key) = match (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) {
        (Some(t), Some(s), Some(r), Some(d), Some(k)) => (t, s, r, d, k),
        _ => {
            return Err(Bad(
                "Credential must be KEY/date/region/service/aws4_request",
            ))
        }
    };
    if terminal != "aws4_request" {
        return Err(Bad("Credential scope must end in aws4_request"));
    }
    if key.is_empty() || key.contains('/') || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Bad("invalid access key id"));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Bad("Credential date must be yyyymmdd"));
    }
    if region.is_empty() || service.is_empty() {
        return Err(Bad("empty region or service in Credential"));
    }

    let signed_headers: Vec<String> = signed.split(';').map(str::to_owned).collect();
    let well_formed = signed_headers.iter().all(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
    });
    if !well_formed {
        return Err(Bad(
            "SignedHeaders must be lowercase names separated by ';'",
        ));
    }
    if !signed_headers.windows(2).all(|w| w[0] < w[1]) {
        return Err(Bad("SignedHeaders must be sorted and unique"));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Bad("Signature must be 64 hex digits"));
    }
    Ok(Authorization {
        access_key_id: key.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature: signature.to_owned(),
    })
}
