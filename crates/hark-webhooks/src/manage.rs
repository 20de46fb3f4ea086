//! What every place that manages endpoints shares (the JSON API, the dashboard, the CLI): how a
//! URL is checked when saved, how a secret is sealed and opened, how long a rotated secret keeps
//! signing, and the test event.

use crate::endpoint_url::{check_url, parse_url, UrlError};
use crate::signing::{SecretError, WebhookSecret};
use hark_core::crypto::MasterKey;
use hark_core::webhooks::{EventFacts, EventType, OutboxEvent};
use hark_core::{EndpointId, Timestamp};

/// How long a rotated-out secret keeps signing beside the new one.
pub const ROTATION_OVERLAP_SECS: i64 = 24 * 3600;

/// When a secret rotated at `now` stops signing.
pub fn rotation_deadline(now: Timestamp) -> Timestamp {
    Timestamp::from_micros(now.as_micros() + ROTATION_OVERLAP_SECS * 1_000_000)
}

/// The URL as saved: its form checked, and its host's addresses when it resolves now. A host
/// that does not resolve at this moment is accepted (a passing DNS failure must not block
/// configuration; every delivery checks the address it connects to); one that resolves to a
/// forbidden address is refused.
pub async fn saved_url(url: &str, allow_private_networks: bool) -> Result<String, UrlError> {
    match check_url(url, allow_private_networks).await {
        Ok(u) => Ok(u.to_string()),
        Err(UrlError::Resolve { .. }) => Ok(parse_url(url, allow_private_networks)?.to_string()),
        Err(e) => Err(e),
    }
}

/// `secret` sealed with the master key, bound to its endpoint (a sealed secret copied to another
/// endpoint's row does not open).
pub fn seal(master: &MasterKey, id: &EndpointId, secret: &WebhookSecret) -> Vec<u8> {
    master.seal_with(id.as_str().as_bytes(), secret.expose().as_bytes())
}

/// Why a sealed secret cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Sealed under another master key, or for another endpoint.
    #[error("the endpoint's secret cannot be opened with this server's master key")]
    Sealed,
    /// Opened, but not a secret.
    #[error("the endpoint's secret is not a webhook secret: {0}")]
    NotASecret(#[from] SecretError),
}

/// The secret `sealed` for endpoint `id`.
pub fn open(
    master: &MasterKey,
    id: &EndpointId,
    sealed: &[u8],
) -> Result<WebhookSecret, OpenError> {
    let plain = master
        .open_with(id.as_str().as_bytes(), sealed)
        .map_err(|_| OpenError::Sealed)?;
    let text = String::from_utf8(plain).map_err(|_| OpenError::Sealed)?;
    Ok(WebhookSecret::parse(&text)?)
}

/// The `webhook.test` event sent on request to endpoint `id`.
pub fn test_event(id: &EndpointId) -> OutboxEvent {
    let data = serde_json::json!({
        "endpoint_id": id,
        "message": "A test event from hark: this endpoint receives and verifies deliveries.",
    });
    OutboxEvent::new(EventType::Test, EventFacts::default(), &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_for_its_endpoint_only() {
        let master = MasterKey::generate();
        let (a, b) = (EndpointId::generate(), EndpointId::generate());
        let secret = WebhookSecret::generate();
        let sealed = seal(&master, &a, &secret);
        assert_eq!(
            open(&master, &a, &sealed).expect("opens").expose(),
            secret.expose()
        );
        assert!(open(&master, &b, &sealed).is_err());
        assert!(open(&MasterKey::generate(), &a, &sealed).is_err());
    }

    #[tokio::test]
    async fn saved_urls_follow_the_address_policy() {
        assert!(saved_url("http://127.0.0.1:9/x", false).await.is_err());
        assert!(saved_url("http://127.0.0.1:9/x", true).await.is_ok());
        assert!(saved_url("ftp://example.com/x", true).await.is_err());
        // A name that does not resolve (the .invalid TLD never does) is accepted as written.
        assert_eq!(
            saved_url("https://hooks.example.invalid/x", false)
                .await
                .expect("saved"),
            "https://hooks.example.invalid/x"
        );
    }

    #[test]
    fn a_test_event_names_its_endpoint() {
        let id = EndpointId::generate();
        let e = test_event(&id);
        assert_eq!(e.event_type, EventType::Test);
        assert_eq!(e.data["endpoint_id"], id.as_str());
    }
}
