//! Identifiers of the chat-feedback contract. Application, conversation and message ids are
//! exactly 36 characters matching `^[a-zA-Z0-9][a-zA-Z0-9-]{35}$`.

use crate::ids::random_token;
use serde::{Deserialize, Serialize};
use std::fmt;

/// True when `s` matches the contract's id pattern `^[a-zA-Z0-9][a-zA-Z0-9-]{35}$`.
pub fn is_valid_resource_id(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

macro_rules! resource_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that satisfies [`is_valid_resource_id`]; `None` otherwise.
            pub fn parse(s: &str) -> Option<Self> {
                is_valid_resource_id(s).then(|| Self(s.to_string()))
            }

            /// Wraps an id read from the store (already validated when written).
            pub fn from_stored(s: String) -> Self {
                Self(s)
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

resource_id!(
    /// An assistant application registered in hark (owned by one project).
    ApplicationId
);
resource_id!(
    /// A conversation of an application, named by the client.
    ConversationId
);
resource_id!(
    /// A message of a conversation, named by the client.
    MessageId
);

impl ApplicationId {
    /// A fresh id in UUID layout (8-4-4-4-12 lowercase hex), valid under the contract's pattern.
    pub fn generate() -> Self {
        let hex = uuid_hex();
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }
}

fn uuid_hex() -> String {
    use rand::Rng;
    let bytes: [u8; 16] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// A SigV4 access key id issued by hark: `HKIA` + 16 uppercase alphanumerics (AWS layout).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(transparent)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// A fresh access key id.
    pub fn generate() -> Self {
        Self(format!("HKIA{}", random_token(16).to_ascii_uppercase()))
    }

    /// Wraps an id received from a client or the store (not validated).
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_match_the_contract() {
        for _ in 0..100 {
            let a = ApplicationId::generate();
            assert!(is_valid_resource_id(a.as_str()), "{a}");
        }
        let k = AccessKeyId::generate();
        assert_eq!(k.as_str().len(), 20);
        assert!(k.as_str().starts_with("HKIA"));
    }

    #[test]
    fn pattern_is_enforced() {
        assert!(is_valid_resource_id(&"a".repeat(36)));
        assert!(is_valid_resource_id(&format!("a{}", "-".repeat(35))));
        assert!(!is_valid_resource_id(&format!("-{}", "a".repeat(35))));
        assert!(!is_valid_resource_id(&"a".repeat(35)));
        assert!(!is_valid_resource_id(&"a".repeat(37)));
        assert!(!is_valid_resource_id(&format!("{}_", "a".repeat(35))));
        assert!(!is_valid_resource_id(&format!("{}é", "a".repeat(34))));
        assert!(ConversationId::parse("x").is_none());
    }
}
