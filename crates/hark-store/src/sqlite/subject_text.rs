//! Loading what the analysis reads about a subject: the texts of an item and its conversation
//! parts with their speakers, or the comment of a chat feedback. Shared by the claim (which hands
//! the texts to a worker) and by manual categorisation (which keeps the customer's text as a
//! labelled example).

use crate::codec::parse_category;
use crate::StoreError;
use hark_core::analysis::{Category, Speaker, Subject, SubjectText, TextUnit};
use hark_core::speaker::{part_speaker, Identity};
use hark_core::{ProjectId, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

/// A subject's texts, without queue information.
pub(super) struct Loaded {
    pub(super) project: String,
    pub(super) source: String,
    pub(super) units: Vec<TextUnit>,
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
pub(super) fn load(conn: &Connection, subject: Subject) -> Result<Option<Loaded>, StoreError> {
    match subject {
        Subject::Item(id) => load_item(conn, id),
        Subject::Chat(id) => load_chat(conn, id),
    }
}

/// The category a person set on the subject, if any.
pub(super) fn user_category(
    conn: &Connection,
    subject: Subject,
) -> Result<Option<Category>, StoreError> {
    let stored: Option<String> = conn
        .prepare_cached(
            "SELECT category FROM subject_analysis
             WHERE subject_kind = ?1 AND subject_id = ?2 AND category_source = 'user'",
        )?
        .query_row(params![subject.kind(), subject.id()], |r| r.get(0))
        .optional()?;
    stored.as_deref().map(parse_category).transpose()
}

fn has_text(s: &str) -> bool {
    !s.trim().is_empty()
}

type ItemRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);
type PartRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// The item body (the customer's) and then its parts in conversation order, with speakers.
fn load_item(conn: &Connection, id: i64) -> Result<Option<Loaded>, StoreError> {
    let row: Option<ItemRow> = conn
        .prepare_cached(
            "SELECT project_id, source_id, body, user_id, email, author, created_at
             FROM items WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .optional()?;
    let Some((project, source, body, user_id, email, author, created_at)) = row else {
        return Ok(None);
    };
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
    let parts: Vec<PartRow> = conn
        .prepare_cached(
            "SELECT id, body, user_id, email, author, created_at FROM parts
             WHERE item_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (part_id, text, user_id, email, author, at) in parts {
        if !has_text(&text) {
            continue;
        }
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
            part_id: Some(part_id),
            text,
            speaker,
            user_key,
            created_at: Timestamp::from_micros(at),
        });
    }
    Ok(Some(Loaded {
        project,
        source,
        units,
        reason: None,
    }))
}

type ChatRow = (String, String, Option<String>, Option<String>, String, i64);

/// The feedback comment as one customer unit; `None` without a comment.
fn load_chat(conn: &Connection, id: i64) -> Result<Option<Loaded>, StoreError> {
    let row: Option<ChatRow> = conn
        .prepare_cached(
            "SELECT project_id, application_id, comment, reason, user_key,
                    coalesce(submitted_at, event_at)
             FROM chat_feedback WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .optional()?;
    let Some((project, application, Some(comment), reason, user_key, at)) = row else {
        return Ok(None);
    };
    if !has_text(&comment) {
        return Ok(None);
    }
    Ok(Some(Loaded {
        project,
        source: application,
        units: vec![TextUnit {
            part_id: None,
            text: comment,
            speaker: Speaker::Customer,
            // Feedback without a user id is stored under the empty key (see `chat_write`).
            user_key: (!user_key.is_empty()).then_some(user_key),
            created_at: Timestamp::from_micros(at),
        }],
        reason,
    }))
}
