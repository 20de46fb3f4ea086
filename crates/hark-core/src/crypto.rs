//! Secrets at rest: AES-256-GCM under a deployment master key.
//!
//! SigV4 needs the plain secret access key to recompute a signature, so it cannot be stored as
//! a hash like project secrets; it is sealed instead. A sealed value is `nonce (12 bytes) ||
//! ciphertext || tag (16 bytes)`, with a fresh random nonce per seal. Associated data (the access
//! key id) binds a sealed secret to its record: moving it to another key's row makes it fail to
//! open.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use std::fmt;
use thiserror::Error;

/// Bytes of the nonce that starts every sealed value.
const NONCE_LEN: usize = 12;
/// Bytes of the authentication tag that ends every sealed value.
const TAG_LEN: usize = 16;

/// Why a key could not be loaded or a sealed value could not be opened. Never carries key
/// material or plaintext.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The master key text is not standard base64 of exactly 32 bytes.
    #[error("the master key must be 32 bytes in standard base64")]
    InvalidKey,
    /// The sealed value is shorter than a nonce and a tag.
    #[error("sealed value is truncated")]
    Truncated,
    /// Authentication failed: another key, other associated data, or altered bytes.
    #[error("sealed value could not be opened (wrong key or tampered)")]
    Open,
}

/// A fresh SigV4 secret access key: 40 random characters of `[A-Za-z0-9]` (~238 bits), the
/// length AWS uses. Alphanumeric only, so it survives shells, URLs and config files unquoted.
pub fn generate_secret_access_key() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..40)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The deployment's 256-bit key that seals stored secrets. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey([u8; 32]);

impl MasterKey {
    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Self(k)
    }

    /// A key from its raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses [`MasterKey::to_base64`]'s output (surrounding whitespace is ignored).
    pub fn from_base64(s: &str) -> Result<Self, CryptoError> {
        let bytes = STANDARD
            .decode(s.trim())
            .map_err(|_| CryptoError::InvalidKey)?;
        let k: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::InvalidKey)?;
        Ok(Self(k))
    }

    /// The key as standard base64 (44 characters), for configuration files.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }

    /// Seals `plaintext` without associated data.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        self.seal_with(&[], plaintext)
    }

    /// Opens a value sealed by [`MasterKey::seal`].
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.open_with(&[], sealed)
    }

    /// Seals `plaintext` bound to `aad`: it opens only with the same key and the same `aad`.
    pub fn seal_with(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            // aes-gcm fails only for plaintexts over 64 GiB; secrets are tens of bytes.
            .expect("AES-GCM plaintext within its length limit");
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens a value sealed by [`MasterKey::seal_with`] with the same `aad`.
    pub fn open_with(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Truncated);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map_err(|_| CryptoError::Open)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_aad() {
        let k = MasterKey::generate();
        let sealed = k.seal(b"secret");
        assert_eq!(sealed.len(), NONCE_LEN + 6 + TAG_LEN);
        assert_eq!(k.open(&sealed).unwrap(), b"secret");
        let sealed = k.seal_with(b"HKIAKEY", b"secret");
        assert_eq!(k.open_with(b"HKIAKEY", &sealed).unwrap(), b"secret");
        // A fresh nonce each time: equal plaintexts seal differently.
        assert_ne!(k.seal(b"secret"), k.seal(b"secret"));
        assert_eq!(k.open(&k.seal(b"")).unwrap(), b"");
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = MasterKey::generate().seal(b"secret");
        assert_eq!(MasterKey::generate().open(&sealed), Err(CryptoError::Open));
    }

    #[test]
    fn any_tampered_byte_fails() {
        let k = MasterKey::generate();
        let sealed = k.seal_with(b"id", b"secret");
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            assert_eq!(k.open_with(b"id", &t), Err(CryptoError::Open), "byte {i}");
        }
        assert_eq!(
            k.open_with(b"id", &sealed[..sealed.len() - 1]),
            Err(CryptoError::Open)
        );
        assert_eq!(
            k.open_with(b"id", &sealed[..27]),
            Err(CryptoError::Truncated)
        );
    }

    #[test]
    fn wrong_aad_fails() {
        let k = MasterKey::generate();
        let sealed = k.seal_with(b"HKIAONE", b"secret");
        assert_eq!(k.open_with(b"HKIATWO", &sealed), Err(CryptoError::Open));
        assert_eq!(k.open(&sealed), Err(CryptoError::Open));
    }

    #[test]
    fn secret_access_keys_look_like_aws() {
        let a = generate_secret_access_key();
        assert_eq!(a.len(), 40);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, generate_secret_access_key());
    }

    #[test]
    fn base64_round_trip_and_redacted_debug() {
        let k = MasterKey::generate();
        let text = k.to_base64();
        assert_eq!(text.len(), 44);
        assert_eq!(MasterKey::from_base64(&format!(" {text}\n")).unwrap(), k);
        assert!(!format!("{k:?}").contains(&text));
        assert_eq!(
            MasterKey::from_base64("c2hvcnQ="),
            Err(CryptoError::InvalidKey)
        );
        assert_eq!(
            MasterKey::from_base64("not base64!"),
            Err(CryptoError::InvalidKey)
        );
        let fixed = MasterKey::from_bytes([7; 32]);
        assert_eq!(MasterKey::from_base64(&fixed.to_base64()).unwrap(), fixed);
    }
}
