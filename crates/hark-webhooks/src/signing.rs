//! Standard Webhooks signatures: the endpoint secret and the `webhook-signature` header.
//!
//! The signed content is `{msg_id}.{timestamp}.{body}` (timestamp in whole seconds since the
//! epoch, body as the exact bytes sent); the signature is `v1,` + base64 of its HMAC-SHA256
//! under the secret's key bytes. During a secret rotation the header carries one signature per
//! secret, separated by spaces; a receiver accepts the message when any of them verifies.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a secret's string form.
pub const SECRET_PREFIX: &str = "whsec_";
/// Key length of a generated secret, in bytes.
pub const GENERATED_KEY_BYTES: usize = 32;
/// Shortest key accepted when parsing (the specification's lower bound).
pub const MIN_KEY_BYTES: usize = 24;
/// Longest key accepted when parsing (the specification's upper bound).
pub const MAX_KEY_BYTES: usize = 64;
/// The signature scheme this crate writes and verifies (HMAC-SHA256).
pub const SIGNATURE_VERSION: &str = "v1";

/// Base64 that accepts the key with or without its `=` padding, as the reference libraries do.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a secret's string form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The text does not start with `whsec_`.
    #[error("a webhook secret starts with \"whsec_\"")]
    MissingPrefix,
    /// The part after the prefix is not standard base64.
    #[error("the part after \"whsec_\" is not valid base64: {0}")]
    NotBase64(#[from] base64::DecodeError),
    /// The key is shorter or longer than the specification allows.
    #[error(
        "a webhook secret's key has {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes, this one has {0}"
    )]
    BadLength(usize),
}

/// The signing secret of one endpoint.
///
/// `Debug` never shows the key; [`WebhookSecret::expose`] gives the `whsec_…` text, to be shown
/// once when the endpoint is created or its secret rotated, and to be stored.
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    /// A new secret of [`GENERATED_KEY_BYTES`] random bytes from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut key = vec![0u8; GENERATED_KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Self { key }
    }

    /// Parses the `whsec_<base64>` form (surrounding whitespace is ignored).
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        let encoded = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(SecretError::MissingPrefix)?;
        let key = LENIENT_BASE64.decode(encoded)?;
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
            return Err(SecretError::BadLength(key.len()));
        }
        Ok(Self { key })
    }

    /// The string form, `whsec_` + base64 of the key: the only way to read the secret.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.key))
    }

    fn mac(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> [u8; 32] {
        let mut mac =
            HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_secs.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

impl FromStr for WebhookSecret {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(whsec_<redacted>)")
    }
}

impl PartialEq for WebhookSecret {
    fn eq(&self, other: &Self) -> bool {
        self.key.ct_eq(&other.key).into()
    }
}

impl Eq for WebhookSecret {}

/// The signature of one message under one secret: `v1,<base64>`.
pub fn sign(secret: &WebhookSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let mac = secret.mac(msg_id, timestamp_secs, body);
    format!("{SIGNATURE_VERSION},{}", STANDARD.encode(mac))
}

/// The `webhook-signature` header value: one signature per secret, space-separated (two during
/// a rotation, the new secret first by convention). Empty when `secrets` is empty.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp_secs, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The three Standard Webhooks headers of one attempt: `webhook-id`, `webhook-timestamp` and
/// `webhook-signature` (signed with every secret in `secrets`), ready for
/// [`Deliverer::attempt`](crate::Deliverer::attempt).
pub fn webhook_headers(
    secrets: &[&WebhookSecret],
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> [(&'static str, String); 3] {
    [
        ("webhook-id", msg_id.to_string()),
        ("webhook-timestamp", timestamp_secs.to_string()),
        (
            "webhook-signature",
            signature_header(secrets, msg_id, timestamp_secs, body),
        ),
    ]
}

/// Whether any `v1` signature in a `webhook-signature` header value is the message's signature
/// under `secret`, compared in constant time. Entries of other versions, and malformed
/// entries, are skipped. The timestamp's freshness is the caller's to check.
pub fn verify(
    secret: &WebhookSecret,
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
    header: &str,
) -> bool {
    let expected = secret.mac(msg_id, timestamp_secs, body);
    let mut found = subtle::Choice::from(0);
    for entry in header.split(' ').filter(|e| !e.is_empty()) {
        let Some((version, encoded)) = entry.split_once(',') else {
            continue;
        };
        if version != SIGNATURE_VERSION {
            continue;
        }
        if let Ok(given) = STANDARD.decode(encoded) {
            // `ct_eq` on slices of different lengths is false without comparing contents.
            found |= given.as_slice().ct_eq(&expected);
        }
    }
    found.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks reference libraries (svix's test suites).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_secret() -> WebhookSecret {
        WebhookSecret::parse(SPEC_SECRET).expect("the published secret parses")
    }

    #[test]
    fn reproduces_the_published_example() {
        assert_eq!(
            sign(&spec_secret(), SPEC_ID, SPEC_TS, SPEC_BODY),
            SPEC_SIGNATURE
        );
        assert!(verify(
            &spec_secret(),
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            SPEC_SIGNATURE
        ));
    }

    #[test]
    fn generated_secrets_round_trip_and_differ() {
        let a = WebhookSecret::generate();
        let b = WebhookSecret::generate();
        assert_ne!(a, b);
        let text = a.expose();
        assert!(text.starts_with("whsec_"));
        // 32 bytes are 44 base64 characters with padding.
        assert_eq!(text.len(), "whsec_".len() + 44);
        assert_eq!(WebhookSecret::parse(&text), Ok(a));
    }

    #[test]
    fn parse_names_what_is_wrong() {
        assert_eq!(
            WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(SecretError::MissingPrefix)
        );
        assert!(matches!(
            WebhookSecret::parse("whsec_not base64!"),
            Err(SecretError::NotBase64(_))
        ));
        assert_eq!(
            WebhookSecret::parse("whsec_c2hvcnQ="),
            Err(SecretError::BadLength(5))
        );
        let too_long = format!("whsec_{}", STANDARD.encode([7u8; 65]));
        assert_eq!(
            WebhookSecret::parse(&too_long),
            Err(SecretError::BadLength(65))
        );
        assert_eq!(WebhookSecret::parse(""), Err(SecretError::MissingPrefix));
        assert_eq!(
            WebhookSecret::parse("whsec_"),
            Err(SecretError::BadLength(0))
        );
        // Errors read as sentences for the API's error body.
        assert_eq!(
            SecretError::BadLength(5).to_string(),
            "a webhook secret's key has 24 to 64 bytes, this one has 5"
        );
    }

    #[test]
    fn parse_accepts_unpadded_base64_and_whitespace() {
        let padded = WebhookSecret::generate().expose();
        let unpadded = format!(" {}\n", padded.trim_end_matches('='));
        assert_eq!(
            WebhookSecret::parse(&unpadded),
            WebhookSecret::parse(&padded)
        );
    }

    #[test]
    fn debug_is_redacted() {
        let secret = spec_secret();
        let shown = format!("{secret:?}");
        assert!(!shown.contains("MfKQ9r8"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn rotation_header_carries_both_signatures_and_either_verifies() {
        let old = spec_secret();
        let new = WebhookSecret::generate();
        let header = signature_header(&[&new, &old], SPEC_ID, SPEC_TS, SPEC_BODY);
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], SPEC_SIGNATURE);
        assert!(verify(&old, SPEC_ID, SPEC_TS, SPEC_BODY, &header));
        assert!(verify(&new, SPEC_ID, SPEC_TS, SPEC_BODY, &header));
        assert!(!verify(
            &WebhookSecret::generate(),
            SPEC_ID,
            SPEC_TS,
            SPEC_BODY,
            &header
        ));
        assert_eq!(signature_header(&[], SPEC_ID, SPEC_TS, SPEC_BODY), "");
    }

    #[test]
    fn headers_name_id_timestamp_and_signature() {
        let [id, ts, sig] = webhook_headers(&[&spec_secret()], SPEC_ID, SPEC_TS, SPEC_BODY);
        assert_eq!(id, ("webhook-id", SPEC_ID.to_string()));
        assert_eq!(ts, ("webhook-timestamp", "1614265330".to_string()));
        assert_eq!(sig, ("webhook-signature", SPEC_SIGNATURE.to_string()));
    }

    #[test]
    fn verify_refuses_any_change_and_malformed_headers() {
        let s = spec_secret();
        assert!(!verify(&s, SPEC_ID, SPEC_TS + 1, SPEC_BODY, SPEC_SIGNATURE));
        assert!(!verify(&s, "msg_other", SPEC_TS, SPEC_BODY, SPEC_SIGNATURE));
        assert!(!verify(&s, SPEC_ID, SPEC_TS, b"{}", SPEC_SIGNATURE));
        let v2 = SPEC_SIGNATURE.replacen("v1,", "v2,", 1);
        for header in [
            "",
            " ",
            "v1",
            "v1,",
            "v1,%%%",
            "v1,AAAA",
            v2.as_str(),
            "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ] {
            assert!(!verify(&s, SPEC_ID, SPEC_TS, SPEC_BODY, header), "{header}");
        }
        // A valid signature after junk still verifies.
        let mixed = format!("v1,AAAA  junk {SPEC_SIGNATURE}");
        assert!(verify(&s, SPEC_ID, SPEC_TS, SPEC_BODY, &mixed));
    }

    #[test]
    fn negative_and_large_timestamps_sign_as_decimal() {
        let s = spec_secret();
        for ts in [i64::MIN, -1, 0, i64::MAX] {
            let sig = sign(&s, SPEC_ID, ts, SPEC_BODY);
            assert!(verify(&s, SPEC_ID, ts, SPEC_BODY, &sig));
        }
    }
}
