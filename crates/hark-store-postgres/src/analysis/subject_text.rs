//! Loading what the analysis reads about a subject: the texts of an item and its conversation
//! parts with their speakers, or the comment of a chat feedback. Shared by the claim (which hands
//! the texts to a worker) and by manual categorisation (which keeps the customer's text as a
//! labelled example). The rows are assembled by `crate::subject_text`, as for SQLite.

use super::query_opt;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{Category, Subject};
use hark_store::backend::codec::parse_category;
pub(super) use hark_store::backend::subject_text::Loaded;
use hark_store::backend::subject_text::{self, ChatRow, ItemRow, PartRow};
use std::collections::HashMap;

/// The subject's texts; `None` when it no longer exists or has nothing left to analyse (a chat
/// feedback whose comment was withdrawn).
pub(super) async fn load(
    c: &impl GenericClient,
    subject: Subject,
) -> Result<Option<Loaded>, Error> {
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
) -> Result<HashMap<i64, Category>, Error> {
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

/// The item body (the customer's) and then its parts in conversation order, with speakers.
async fn load_item(c: &impl GenericClient, id: i64) -> Result<Option<Loaded>, Error> {
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
    let item = ItemRow {
        project: row.try_get(0)?,
        source: row.try_get(1)?,
        body: row.try_get(2)?,
        user_id: row.try_get(3)?,
        email: row.try_get(4)?,
        author: row.try_get(5)?,
        created_at: row.try_get(6)?,
    };
    let parts = super::query(
        c,
        "SELECT id, body, user_id, email, author, created_at FROM parts
         WHERE item_id = $1 ORDER BY created_at, id",
        &[&id],
    )
    .await?
    .iter()
    .map(|p| {
        Ok(PartRow {
            id: p.try_get(0)?,
            body: p.try_get(1)?,
            user_id: p.try_get(2)?,
            email: p.try_get(3)?,
            author: p.try_get(4)?,
            created_at: p.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>, Error>>()?;
    Ok(Some(subject_text::item(item, parts)))
}

/// The feedback comment as one customer unit; `None` without a comment.
async fn load_chat(c: &impl GenericClient, id: i64) -> Result<Option<Loaded>, Error> {
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
    Ok(subject_text::chat(ChatRow {
        project: row.try_get(0)?,
        application: row.try_get(1)?,
        comment: row.try_get(2)?,
        reason: row.try_get(3)?,
        user_key: row.try_get(4)?,
        at: row.try_get(5)?,
    }))
}
