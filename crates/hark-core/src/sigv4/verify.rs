//! String to sign, key derivation, and the checks a verifier makes before and after them.

use super::{canonical_request, scope, Authorization, SigV4Error, SignedRequest, ALGORITHM};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// `AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hex sha256 of canonical_request}`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hash}")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC is defined for keys of every length; new_from_slice cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key: HMAC chain over `AWS4{secret}`, date, region, service, `aws4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_secret = format!("AWS4{secret}");
    let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of a string to sign under a signing key.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac(signing_key, string_to_sign.as_bytes()))
}

/// Signs `req` as an SDK would and returns the `Authorization` header value.
///
/// For hark's own tests and tools (a client of a hark server in Rust). `amz_date` is the
/// `X-Amz-Date` value the request carries; `signed_headers` must all be present in it.
pub fn authorization_header(
    req: &SignedRequest,
    signed_headers: &[String],
    amz_date: &str,
    access_key_id: &str,
    secret: &str,
    region: &str,
    service: &str,
) -> Result<String, SigV4Error> {
    let date = amz_date.get(..8).ok_or(SigV4Error::MalformedDate)?;
    let scope = scope(date, region, service);
    let creq = canonical_request(req, signed_headers)?;
    let sts = string_to_sign(amz_date, &scope, &creq);
    let sig = signature(&signing_key(secret, date, region, service), &sts);
    let names = super::canonical::normalized_header_names(signed_headers);
    Ok(format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={sig}",
        names.join(";")
    ))
}

/// Verifies a SigV4-signed request against the secret of `auth.access_key_id`.
///
/// In order, cheapest first, each failure its own [`SigV4Error`]:
/// 1. the scope's service is `expected_service` and its region one of `allowed_regions`;
/// 2. `host` is signed (over HTTP/2, `:authority` in its place: the AWS SDK for JavaScript
///    signs the pseudo-header under that name);
/// 3. the request time comes from `X-Amz-Date` (`yyyymmddThhmmssZ`), or failing that from
///    `Date` (same form or RFC 2822/IMF-fixdate), and that header is signed;
/// 4. the scope date is the request date, and the request time is within `max_skew` of
///    `now` (inclusive: exactly `max_skew` away passes);
/// 5. the signature recomputed from the canonical request equals `auth.signature`,
///    compared in constant time.
pub fn verify(
    req: &SignedRequest,
    auth: &Authorization,
    secret_access_key: &str,
    expected_service: &str,
    allowed_regions: &[String],
    now: DateTime<Utc>,
    max_skew: Duration,
) -> Result<(), SigV4Error> {
    if auth.service != expected_service {
        return Err(SigV4Error::WrongService);
    }
    if !allowed_regions.contains(&auth.region) {
        return Err(SigV4Error::WrongRegion);
    }
    let is_signed = |name: &str| auth.signed_headers.iter().any(|h| h == name);
    if !is_signed("host") && !is_signed(":authority") {
        return Err(SigV4Error::HeaderNotSigned("host".to_owned()));
    }
    let (date_header, amz_date, time) = request_time(req)?;
    if !is_signed(date_header) {
        return Err(SigV4Error::HeaderNotSigned(date_header.to_owned()));
    }
    if amz_date.get(..8) != Some(auth.date.as_str()) {
        return Err(SigV4Error::ScopeDateMismatch);
    }
    let skew = now.signed_duration_since(time);
    if skew > max_skew || -skew > max_skew {
        return Err(SigV4Error::RequestExpired);
    }

    let creq = canonical_request(req, &auth.signed_headers)?;
    let sts = string_to_sign(&amz_date, &auth.scope(), &creq);
    let key = signing_key(secret_access_key, &auth.date, &auth.region, &auth.service);
    let expected = hmac(&key, sts.as_bytes());
    let presented = hex::decode(&auth.signature)
        .map_err(|_| SigV4Error::MalformedAuthorization("Signature must be 64 hex digits"))?;
    if bool::from(expected.as_slice().ct_eq(presented.as_slice())) {
        Ok(())
    } else {
        Err(SigV4Error::SignatureMismatch)
    }
}

/// The header the request time came from, its value in `yyyymmddThhmmssZ` form (as the
/// string to sign needs it), and the time itself.
fn request_time(req: &SignedRequest) -> Result<(&'static str, String, DateTime<Utc>), SigV4Error> {
    for header in ["x-amz-date", "date"] {
        let mut values = req.header_values(header);
        let Some(value) = values.next() else { continue };
        if values.next().is_some() {
            return Err(SigV4Error::MalformedDate);
        }
        let value = value.trim();
        if let Some(time) = parse_amz_date(value) {
            return Ok((header, value.to_owned(), time));
        }
        if header == "date" {
            if let Ok(time) = DateTime::parse_from_rfc2822(value) {
                let time = time.with_timezone(&Utc);
                return Ok((header, time.format("%Y%m%dT%H%M%SZ").to_string(), time));
            }
        }
        return Err(SigV4Error::MalformedDate);
    }
    Err(SigV4Error::MissingDate)
}

/// Parses exactly `yyyymmddThhmmssZ` (ISO 8601 basic, UTC).
pub(crate) fn parse_amz_date(value: &str) -> Option<DateTime<Utc>> {
    let b = value.as_bytes();
    let shape_ok = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    if !shape_ok {
        return None;
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}
