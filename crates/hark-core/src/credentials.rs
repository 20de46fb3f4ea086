//! Project credentials: generation, hashing for storage, constant-time verification.
//!
//! Secrets are 256 random bits, so a single SHA-256 is a sound storage hash (no dictionary to
//! attack, unlike passwords) and keeps per-request verification in the microseconds.

use crate::ids::random_token;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;

/// A project's API key (the Basic-auth username). Public-ish: it identifies, it does not prove.
pub fn generate_api_key() -> String {
    format!("hk_{}", random_token(32))
}

/// A secret shown once to its owner. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh secret key: `hs_` + 50 random alphanumerics (~258 bits).
    pub fn generate() -> Self {
        Self(format!("hs_{}", random_token(50)))
    }

    /// Wraps a secret received from a client.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for showing it once to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash stored in place of the secret (hex SHA-256).
    pub fn hash(&self) -> SecretHash {
        SecretHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The stored form of a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHash(pub String);

impl SecretHash {
    /// True when `candidate` hashes to this value; the comparison is constant-time.
    pub fn verify(&self, candidate: &Secret) -> bool {
        let h = candidate.hash();
        bool::from(h.0.as_bytes().ct_eq(self.0.as_bytes()))
    }
}

/// Constant-time equality of two byte strings (tokens, signatures).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_its_secret() {
        let s = Secret::generate();
        let h = s.hash();
        assert!(h.verify(&s));
        assert!(!h.verify(&Secret::new("hs_wrong")));
        assert!(!format!("{s:?}").contains(s.expose()));
    }

    #[test]
    fn constant_time_eq_works_for_unequal_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"abc", b"abd"));
    }
}
