//! Domain records: tenancy (projects, sources) and feedback (items, conversation parts).

use crate::analysis::{Category, SentimentLabel};
use crate::ids::{ItemId, ProjectId, SourceId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A project: one tenant, with its own sources, items and credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Project {
    /// hark's id of the project.
    pub project_id: ProjectId,
    /// Display name.
    pub name: String,
    /// The Basic-auth username of the ingest and read APIs.
    pub api_key: String,
    /// When the project was created.
    pub created_at: Timestamp,
}

/// How a source is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Filled through the ingest API.
    Webhook,
    /// Filled by importers; the ingest API refuses it with 403.
    Import,
}

impl SourceKind {
    /// The stored/wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Import => "import",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "webhook" => Ok(Self::Webhook),
            "import" => Ok(Self::Import),
            other => Err(format!(
                "unknown source type {other:?} (expected webhook or import)"
            )),
        }
    }
}

/// A source of feedback belonging to one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    /// The id clients send as `source_id`.
    pub source_id: SourceId,
    /// The owning project.
    pub project_id: ProjectId,
    /// Display name.
    pub name: String,
    /// `webhook` or `import`.
    #[serde(rename = "type")]
    pub kind: SourceKind,
    /// When the source was created.
    pub created_at: Timestamp,
}

/// The optional descriptive fields shared by items and conversation parts.
/// `None` means "not sent": on an update the stored value is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// Feedback text.
    pub body: Option<String>,
    /// Display name of the author.
    pub author: Option<String>,
    /// A valid email address.
    pub email: Option<String>,
    /// The product's user id.
    pub user_id: Option<String>,
    /// A valid absolute URL.
    pub url: Option<String>,
    /// When the feedback was written.
    pub created_at: Option<Timestamp>,
}

/// A validated conversation part, ready to upsert. Its `fields.body` is always `Some`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInput {
    /// Dedup key within the source.
    pub unique_id: String,
    /// Sent fields.
    pub fields: Fields,
}

/// A validated item, ready to upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    /// Position in the request's `items` array.
    pub index: usize,
    /// Dedup key within the source.
    pub unique_id: String,
    /// Sent fields.
    pub fields: Fields,
    /// Parts to add or update, in request order.
    pub parts: Vec<PartInput>,
}

/// What the store did with one item of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Committed; `created` is false when an existing item was updated.
    Stored { created: bool },
    /// Not stored (nothing of this item was written).
    Failed {
        /// Field path the failure is about, relative to the item (e.g. `conversation_parts[1].unique_id`).
        field: Option<String>,
        /// Human-readable reason.
        error: String,
    },
}

/// A stored conversation part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredPart {
    /// Dedup key within the source.
    pub unique_id: String,
    /// Text.
    pub body: String,
    /// Author display name.
    pub author: Option<String>,
    /// Author email.
    pub email: Option<String>,
    /// Author user id.
    pub user_id: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// When it was written (defaults to its first arrival).
    pub created_at: Timestamp,
}

/// A stored item as the read API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoredItem {
    /// hark's id.
    pub id: ItemId,
    /// The source it came through.
    pub source_id: SourceId,
    /// Dedup key within the source.
    pub unique_id: String,
    /// Text, if any.
    pub body: Option<String>,
    /// Author display name.
    pub author: Option<String>,
    /// Author email.
    pub email: Option<String>,
    /// Product user id.
    pub user_id: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// When it was written (defaults to its first arrival).
    pub created_at: Timestamp,
    /// When hark first stored it.
    pub received_at: Timestamp,
    /// When hark last changed it.
    pub updated_at: Timestamp,
    /// Number of conversation parts.
    pub parts_count: u32,
    /// The parts in order (by `created_at`, then arrival); absent in listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_parts: Option<Vec<StoredPart>>,
}

/// Filters of the item listing; every set filter must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// Only items of this source.
    pub source_id: Option<SourceId>,
    /// Only items whose `user_id` is this.
    pub user_id: Option<String>,
    /// Only items whose `email` is this (case-insensitive).
    pub email: Option<String>,
    /// Only items created at or after this instant.
    pub created_from: Option<Timestamp>,
    /// Only items created before this instant.
    pub created_to: Option<Timestamp>,
    /// Only items whose body or a part's body contains this text (case-insensitive).
    pub text: Option<String>,
    /// Only analysed items of this overall category (a manual one where a person set it).
    pub category: Option<Category>,
    /// Only analysed items whose overall sentiment has this label (the score's band, as
    /// [`Sentiment::from_score`](crate::analysis::Sentiment::from_score) draws it).
    pub sentiment: Option<SentimentLabel>,
    /// Only these items (the hybrid search's semantic candidates, hydrated with the other
    /// filters in one query). An empty list matches nothing.
    pub ids: Option<Vec<ItemId>>,
}

/// Position after the last row of a page: listings go newest first by (`created_at`, `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemCursor {
    /// `created_at` of the last row returned, in microseconds.
    pub created_at: i64,
    /// `id` of the last row returned.
    pub id: i64,
}

impl ItemCursor {
    /// Opaque text form given to clients.
    pub fn encode(self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// Parses [`ItemCursor::encode`]'s output; `None` for anything else.
    pub fn decode(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('.')?;
        Some(Self {
            created_at: a.parse().ok()?,
            id: b.parse().ok()?,
        })
    }
}

/// One page of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPage {
    /// The items, newest first.
    pub items: Vec<StoredItem>,
    /// Cursor for the next page, if there may be one.
    pub next: Option<ItemCursor>,
}

/// Whose data a privacy (erasure) request removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErasureSubject {
    /// Everything carrying this `user_id`.
    UserId(String),
    /// Everything carrying this email (case-insensitive).
    Email(String),
}

/// How much an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErasureReport {
    /// Items removed (with all their parts).
    pub items_deleted: u64,
    /// Parts removed: those of removed items plus the subject's parts in other items.
    pub parts_deleted: u64,
    /// Chat-answer feedback removed: the subject's own, and any on the removed messages.
    pub chat_feedback_deleted: u64,
    /// Recorded chat messages removed (those carrying the subject's user id).
    pub chat_messages_deleted: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let c = ItemCursor {
            created_at: -5,
            id: 42,
        };
        assert_eq!(ItemCursor::decode(&c.encode()), Some(c));
        assert_eq!(ItemCursor::decode("x"), None);
        assert_eq!(ItemCursor::decode("1.x"), None);
    }

    #[test]
    fn source_kind_parses() {
        assert_eq!("webhook".parse::<SourceKind>(), Ok(SourceKind::Webhook));
        assert!("rss".parse::<SourceKind>().is_err());
    }
}
