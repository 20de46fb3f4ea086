//! Dashboard users and their sessions: ids, roles, validated emails, passwords hashed with
//! argon2id, and session tokens stored only as hashes.
//!
//! A user belongs to one project with a [`Role`]. An email names at most one user on the whole
//! server, because the sign-in form asks only for email and password.

use crate::ids::random_token;
use crate::{ProjectId, Timestamp};
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Identifies a dashboard user: `usr_…`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Prefix of generated user ids.
    pub const PREFIX: &'static str = "usr_";

    /// A fresh random id (`usr_` + 20 lowercase alphanumerics).
    pub fn generate() -> Self {
        Self(format!("{}{}", Self::PREFIX, random_token(20)))
    }

    /// Wraps an id received from a client or read from the store (not validated).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user may do in their project's dashboard. Each role can do what the one before can.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads every page.
    Viewer,
    /// Also curates themes and corrects categories.
    Editor,
    /// Also manages sources, applications, keys, the project secret and users.
    Admin,
}

impl Role {
    /// Every role, least privileged first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    /// The role named `s` (exactly as [`Role::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True for roles that may curate themes and correct categories.
    pub fn can_edit(self) -> bool {
        self >= Role::Editor
    }

    /// True for the role that manages the project's settings and users.
    pub fn can_admin(self) -> bool {
        self == Role::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An email address, trimmed and lower-cased so that one address names one user whatever its
/// case.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Longest accepted address (RFC 5321's path limit).
    pub const MAX_LEN: usize = 254;

    /// Validates and normalises an address; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Email, &'static str> {
        let s = s.trim();
        if s.is_empty() {
            return Err("email is required");
        }
        if s.len() > Self::MAX_LEN {
            return Err("email is longer than 254 characters");
        }
        if !email_address::EmailAddress::is_valid(s) {
            return Err("email is not a valid address");
        }
        Ok(Email(s.to_lowercase()))
    }

    /// Wraps an address read from the store (already normalised).
    pub fn from_stored(s: impl Into<String>) -> Email {
        Email(s.into())
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A dashboard user of one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct User {
    /// Its id.
    pub user_id: UserId,
    /// The project it belongs to.
    pub project_id: ProjectId,
    /// Its sign-in address (unique on the server).
    pub email: Email,
    /// What it may do.
    pub role: Role,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A password as typed or generated. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest password accepted when a person chooses one.
    pub const MIN_LEN: usize = 12;
    /// Longest password accepted (bounds the hashing work an attacker can ask for).
    pub const MAX_LEN: usize = 256;

    /// A generated one-time password: 24 random lowercase alphanumerics (~124 bits).
    pub fn generate() -> Self {
        Self(random_token(24))
    }

    /// Wraps a password received from a person, unchecked (sign-in compares it as given).
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// A password a person chose, checked for length; the error says what is wrong.
    pub fn chosen(s: impl Into<String>) -> Result<Self, &'static str> {
        let s = s.into();
        let chars = s.chars().count();
        if chars < Self::MIN_LEN {
            return Err("password must be at least 12 characters");
        }
        if s.len() > Self::MAX_LEN {
            return Err("password must be at most 256 bytes");
        }
        Ok(Self(s))
    }

    /// The password itself, for showing a generated one once to its owner.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The argon2id hash stored in its place (PHC string, random salt, the argon2 crate's
    /// default cost: 19 MiB, 2 passes, 1 lane, OWASP's recommended minimum).
    pub fn hash(&self) -> PasswordHash {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let phc = Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            // Hashing with the default parameters and a generated salt cannot fail; an empty
            // hash (which verifies nothing) is the safe result if it ever did.
            .unwrap_or_default();
        PasswordHash(phc)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The stored form of a password: an argon2id PHC string.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

impl PasswordHash {
    /// True when `candidate` is the password this was hashed from. The hash comparison inside
    /// argon2 is constant-time; a malformed stored hash verifies nothing.
    pub fn verify(&self, candidate: &Password) -> bool {
        match argon2::password_hash::PasswordHash::new(&self.0) {
            Ok(parsed) => Argon2::default()
                .verify_password(candidate.0.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        }
    }

    /// Verifies against a fixed hash, so that signing in as an unknown email costs as much
    /// time as a wrong password (no account enumeration by timing).
    pub fn verify_nothing(candidate: &Password) {
        use std::sync::OnceLock;
        static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
        let dummy = DUMMY.get_or_init(|| Password::generate().hash());
        let _ = dummy.verify(candidate);
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A session's bearer token, the value of the session cookie: 43 random characters. Only its
/// hash is stored, so a copy of the database signs no one in. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh token (~222 bits).
    pub fn generate() -> Self {
        Self(random_token(43))
    }

    /// Wraps a token received in a cookie.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The token itself, for the cookie.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash the session is stored and looked up under (hex SHA-256).
    pub fn hash(&self) -> SessionHash {
        SessionHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }

    /// The CSRF token of this session's forms: derived from the session token (hex SHA-256 of
    /// a domain-separated copy), so every node computes the same one without storing it, and
    /// it cannot be turned back into the session token.
    pub fn csrf_token(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"hark-csrf-v1\0");
        h.update(self.0.as_bytes());
        hex::encode(h.finalize())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// The stored key of a session: the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionHash(pub String);

/// A signed-in session, stored server-side so that every node serves it and logout ends it
/// everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Hash of the token in the cookie.
    pub hash: SessionHash,
    /// Whose session it is.
    pub user_id: UserId,
    /// When it began (absolute expiry counts from here).
    pub created_at: Timestamp,
    /// When it was last used (idle expiry counts from here).
    pub last_seen_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_verifies_only_its_password_and_is_argon2id() {
        let p = Password::new("correct horse battery staple");
        let h = p.hash();
        assert!(h.0.starts_with("$argon2id$"), "{}", h.0);
        assert!(h.verify(&p));
        assert!(!h.verify(&Password::new("correct horse battery stapl")));
        assert!(!PasswordHash("garbage".into()).verify(&p));
        assert_ne!(p.hash().0, h.0, "salts differ");
        assert!(!format!("{p:?}{h:?}").contains("horse"));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        assert!(Email::parse("").is_err());
        assert!(Email::parse("not an email").is_err());
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(260))).is_err());
    }

    #[test]
    fn roles_order_their_rights() {
        assert!(!Role::Viewer.can_edit() && !Role::Viewer.can_admin());
        assert!(Role::Editor.can_edit() && !Role::Editor.can_admin());
        assert!(Role::Admin.can_edit() && Role::Admin.can_admin());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn chosen_passwords_have_a_minimum_length() {
        assert!(Password::chosen("short").is_err());
        assert!(Password::chosen("long enough pass").is_ok());
        assert!(Password::chosen("x".repeat(300)).is_err());
    }

    #[test]
    fn session_tokens_hash_and_derive_distinct_csrf_tokens() {
        let t = SessionToken::generate();
        assert_eq!(t.expose().len(), 43);
        assert_eq!(t.hash(), SessionToken::new(t.expose()).hash());
        assert_ne!(t.hash().0, t.csrf_token());
        assert_ne!(t.csrf_token(), SessionToken::generate().csrf_token());
        assert!(!format!("{t:?}").contains(t.expose()));
    }
}
