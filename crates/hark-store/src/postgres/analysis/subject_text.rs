//! Loading what the analysis reads about a subject: the texts of an item and its conversation
//! parts with their speakers, or the comment of a chat feedback. Shared by the claim (which hands
//! the texts to a worker) and by manual categorisation (which keeps the customer's text as a
//! labelled example). Assembled exactly as the SQLite backend's `subject_text` does.

use super::query_opt;
use crate::codec::parse_category;
use crate::StoreError;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{Category, Speaker, Subject, SubjectText, TextUnit};
use hark_core::speaker::{part_speaker, Identity};
use hark_core::{ProjectId, Timestamp};
use std::collections::HashMap;

/// A subject's texts, without queue information.
pub(super) struct Loaded {
    /// The project the subject belongs to.
    pub(super) project: String,
    /// Source id (items) or application id (chat feedback).
    pub(super) source: String,
    /// Texts in conversation order.
    pub(super) units: Vec<TextUnit>,
    /// The usefulness reason of a chat feedback.
    pub(super) reason: Option<String>,
}

impl Loaded {
    /// The customer's words joined by newlines (what a manual category describes).
    pub(super) fn customer_text(&self) -> String {
        let texts: Vec<&str> = self
            .units
            .iter()
            .filter(|u| u.speaker == Speaker::Customer)
            .map(|u| u.text.as_str())
            .collect();
        texts.join("\n")
    }

    /// The claimable form, with the generation claimed and any manual category.
    pub(super) fn into_subject_text(
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

/// The subject's texts; `None` when it no longer exists or has nothing left to analyse (a chat
/// feedback whose comment was withdrawn).
pub(super) async fn load(
    c: &impl GenericClient,
    subject: Subject,
) -> Result<Option<Loaded>, StoreError> {
    match subject {
        Subject::Item(id) => load_item(c, id).await,
        Subject::Chat(id) => load_chat(c, id).await,
    }
}

/// The categories people set on the given subjects of one kind, by subject id. One that does
/// not decode must not wedge the queue: it is logged and the subject analysed without it.
pub(super) async fn user_categories(
    c: &impl GenericClient,
    kind: &str,
    ids: &[i64],
) -> Result<HashMap<i64, Category>, StoreError> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = super::query(
        c,
        "SELECT subject_id, category FROM subject_analysis
         WHERE subject_kind = $1 AND subject_id = ANY($2) AND category_source = 'user'",
        &[&kind, &ids],
    )
    .await?;
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let stored: String = row.try_get(1)?;
        match parse_category(&stored) {
            Ok(category) => {
                out.insert(id, category);
            }
            Err(e) => tracing::warn!(error = %e, kind, id, "ignoring a stored manual category"),
        }
    }
    Ok(out)
}

fn has_text(s: &str) -> bool {
    !s.trim().is_empty()
}

/// The item body (the customer's) and then its parts in conversation order, with speakers.
async fn load_item(c: &impl GenericClient, id: i64) -> Result<Option<Loaded>, StoreError> {
    let Some(row) = query_opt(
        c,
        "SELECT project_id, source_id, body, user_id, email, author, created_at
         FROM items WHERE id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(None);
    };
    let project: String = row.try_get(0)?;
    let source: String = row.try_get(1)?;
    let body: Option<String> = row.try_get(2)?;
    let user_id: Option<String> = row.try_get(3)?;
    let email: Option<String> = row.try_get(4)?;
    let author: Option<String> = row.try_get(5)?;
    let created_at: i64 = row.try_get(6)?;
    let owner = Identity {
        user_id: user_id.as_deref(),
        email: email.as_deref(),
        author: author.as_deref(),
    };
    let owner_key = owner.user_key();
    let body = body.filter(|b| has_text(b));
    let has_body = body.is_some();
    let mut units = Vec::new();
    if let Some(text) = body {
        units.push(TextUnit {
            part_id: None,
            text,
            speaker: Speaker::Customer,
            user_key: owner_key.clone(),
            created_at: Timestamp::from_micros(created_at),
        });
    }
    let parts = super::query(
        c,
        "SELECT id, body, user_id, email, author, created_at FROM parts
         WHERE item_id = $1 ORDER BY created_at, id",
        &[&id],
    )
    .await?;
    for part in parts {
        let text: String = part.try_get(1)?;
        if !has_text(&text) {
            continue;
        }
        let (user_id, email, author): (Option<String>, Option<String>, Option<String>) =
            (part.try_get(2)?, part.try_get(3)?, part.try_get(4)?);
        let who = Identity {
            user_id: user_id.as_deref(),
            email: email.as_deref(),
            author: author.as_deref(),
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
            part_id: Some(part.try_get(0)?),
            text,
            speaker,
            user_key,
            created_at: Timestamp::from_micros(part.try_get(5)?),
        });
    }
    Ok(Some(Loaded {
        project,
        source,
        units,
        reason: None,
    }))
}

/// The feedback comment as one customer unit; `None` without a comment.
async fn load_chat(c: &impl GenericClient, id: i64) -> Result<Option<Loaded>, StoreError> {
    let Some(row) = query_opt(
        c,
        "SELECT project_id, application_id, comment, reason, user_key,
                COALESCE(submitted_at, event_at)
         FROM chat_feedback WHERE id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(None);
    };
    let comment: Option<String> = row.try_get(2)?;
    let Some(comment) = comment.filter(|c| has_text(c)) else {
        return Ok(None);
    };
    let user_key: String = row.try_get(4)?;
    Ok(Some(Loaded {
        project: row.try_get(0)?,
        source: row.try_get(1)?,
        units: vec![TextUnit {
            part_id: None,
            text: comment,
            speaker: Speaker::Customer,
            // Feedback without a user id is stored under the empty key (see `chat_write`).
            user_key: (!user_key.is_empty()).then_some(user_key),
            created_at: Timestamp::from_micros(row.try_get(5)?),
        }],
        reason: row.try_get(3)?,
    }))
}
