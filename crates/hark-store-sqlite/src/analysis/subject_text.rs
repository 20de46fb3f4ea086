//! Loading what the analysis reads about a subject: the texts of an item and its conversation
//! parts with their speakers, or the comment of a chat feedback. Shared by the claim (which hands
//! the texts to a worker) and by manual categorisation (which keeps the customer's text as a
//! labelled example). The rows are assembled by `crate::subject_text`.

use crate::Error;
use hark_core::analysis::{Category, Subject};
use hark_store::backend::codec::parse_category;
pub(super) use hark_store::backend::subject_text::Loaded;
use hark_store::backend::subject_text::{self, ChatRow, ItemRow, PartRow};
use rusqlite::{params, Connection, OptionalExtension};

/// The subject's texts; `None` when it no longer exists or has nothing left to analyse (a chat
/// feedback whose comment was withdrawn).
pub(super) fn load(conn: &Connection, subject: Subject) -> Result<Option<Loaded>, Error> {
    match subject {
        Subject::Item(id) => load_item(conn, id),
        Subject::Chat(id) => load_chat(conn, id),
    }
}

/// The category a person set on the subject, if any.
pub(super) fn user_category(
    conn: &Connection,
    subject: Subject,
) -> Result<Option<Category>, Error> {
    let stored: Option<String> = conn
        .prepare_cached(
            "SELECT category FROM subject_analysis
             WHERE subject_kind = ?1 AND subject_id = ?2 AND category_source = 'user'",
        )?
        .query_row(params![subject.kind(), subject.id()], |r| r.get(0))
        .optional()?;
    Ok(stored.as_deref().map(parse_category).transpose()?)
}

type ItemTuple = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// The item body (the customer's) and then its parts in conversation order, with speakers.
fn load_item(conn: &Connection, id: i64) -> Result<Option<Loaded>, Error> {
    let row: Option<ItemTuple> = conn
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
    let parts: Vec<PartRow> = conn
        .prepare_cached(
            "SELECT id, body, user_id, email, author, created_at FROM parts
             WHERE item_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![id], |r| {
            Ok(PartRow {
                id: r.get(0)?,
                body: r.get(1)?,
                user_id: r.get(2)?,
                email: r.get(3)?,
                author: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let item = ItemRow {
        project,
        source,
        body,
        user_id,
        email,
        author,
        created_at,
    };
    Ok(Some(subject_text::item(item, parts)))
}

/// The feedback comment as one customer unit; `None` without a comment.
fn load_chat(conn: &Connection, id: i64) -> Result<Option<Loaded>, Error> {
    let row: Option<ChatRow> = conn
        .prepare_cached(
            "SELECT project_id, application_id, comment, reason, user_key,
                    coalesce(submitted_at, event_at)
             FROM chat_feedback WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok(ChatRow {
                project: r.get(0)?,
                application: r.get(1)?,
                comment: r.get(2)?,
                reason: r.get(3)?,
                user_key: r.get(4)?,
                at: r.get(5)?,
            })
        })
        .optional()?;
    Ok(row.and_then(subject_text::chat))
}
