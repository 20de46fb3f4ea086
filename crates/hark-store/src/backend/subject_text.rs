//! What the analysis reads about a subject, assembled the same way by every backend from the
//! rows it loads: an item's body (the customer's) and then its conversation parts in order, each
//! with its speaker and user key, or a chat feedback's comment as one customer unit.

use hark_core::analysis::{Category, Speaker, Subject, SubjectText, TextUnit};
use hark_core::speaker::{part_speaker, Identity};
use hark_core::{ProjectId, Timestamp};

/// A subject's texts, without queue information.
pub struct Loaded {
    /// The project the subject belongs to.
    pub project: String,
    /// Source id (items) or application id (chat feedback).
    pub source: String,
    /// Texts in conversation order.
    pub units: Vec<TextUnit>,
    /// The usefulness reason of a chat feedback.
    pub reason: Option<String>,
}

impl Loaded {
    /// The customer's words joined by newlines (what a manual category describes).
    pub fn customer_text(&self) -> String {
        let texts: Vec<&str> = self
            .units
            .iter()
            .filter(|u| u.speaker == Speaker::Customer)
            .map(|u| u.text.as_str())
            .collect();
        texts.join("\n")
    }

    /// The claimable form, with the generation claimed and any manual category.
    pub fn into_subject_text(
        self,
        subject: Subject,
        generation: i64,
        user_category: Option<Category>,
    ) -> SubjectText {
        SubjectText {
            project: ProjectId::new(self.project),
            subject,
            source: self.source,
            generation,
            units: self.units,
            reason: self.reason,
            user_category,
        }
    }
}

/// The columns of an item the analysis reads.
pub struct ItemRow {
    pub project: String,
    pub source: String,
    pub body: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub author: Option<String>,
    pub created_at: i64,
}

/// The columns of a conversation part the analysis reads.
pub struct PartRow {
    pub id: i64,
    pub body: String,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub author: Option<String>,
    pub created_at: i64,
}

/// The columns of a chat feedback the analysis reads.
pub struct ChatRow {
    pub project: String,
    pub application: String,
    pub comment: Option<String>,
    pub reason: Option<String>,
    /// Empty for feedback without a user id (see the chat write path).
    pub user_key: String,
    /// `submitted_at`, else the event time.
    pub at: i64,
}

fn has_text(s: &str) -> bool {
    !s.trim().is_empty()
}

/// The item body (the customer's) and then `parts` (in conversation order), with speakers.
pub fn item(item: ItemRow, parts: Vec<PartRow>) -> Loaded {
    let owner = Identity {
        user_id: item.user_id.as_deref(),
        email: item.email.as_deref(),
        author: item.author.as_deref(),
    };
    let owner_key = owner.user_key();
    let body = item.body.filter(|b| has_text(b));
    let has_body = body.is_some();
    let mut units = Vec::with_capacity(parts.len() + 1);
    if let Some(text) = body {
        units.push(TextUnit {
            part_id: None,
            text,
            speaker: Speaker::Customer,
            user_key: owner_key.clone(),
            created_at: Timestamp::from_micros(item.created_at),
        });
    }
    for part in parts {
        if !has_text(&part.body) {
            continue;
        }
        let who = Identity {
            user_id: part.user_id.as_deref(),
            email: part.email.as_deref(),
            author: part.author.as_deref(),
        };
        let speaker = part_speaker(&owner, has_body, &who);
        // An anonymous customer part of a ticket is the ticket owner's; in a body-less item
        // (a call filed by a rep) the owner is staff, so the part stays without a key.
        let user_key = who.user_key().or_else(|| {
            (speaker == Speaker::Customer && has_body)
                .then(|| owner_key.clone())
                .flatten()
        });
        units.push(TextUnit {
            part_id: Some(part.id),
            text: part.body,
            speaker,
            user_key,
            created_at: Timestamp::from_micros(part.created_at),
        });
    }
    Loaded {
        project: item.project,
        source: item.source,
        units,
        reason: None,
    }
}

/// The feedback comment as one customer unit; `None` without a comment.
pub fn chat(row: ChatRow) -> Option<Loaded> {
    let comment = row.comment.filter(|c| has_text(c))?;
    Some(Loaded {
        project: row.project,
        source: row.application,
        units: vec![TextUnit {
            part_id: None,
            text: comment,
            speaker: Speaker::Customer,
            user_key: (!row.user_key.is_empty()).then_some(row.user_key),
            created_at: Timestamp::from_micros(row.at),
        }],
        reason: row.reason,
    })
}
