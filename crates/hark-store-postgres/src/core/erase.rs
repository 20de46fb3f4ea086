//! Deleting one item, and privacy erasure of a user id or an email, with everything analysed
//! from what goes (`forget`). Item rows are locked in id order before their parts change
//! (module docs of `core`), so an ingest in flight on the same item either finishes first or
//! waits and then finds the erased state.

use super::forget::{self, Kind};
use super::item_filter::fold;
use crate::Error;
use deadpool_postgres::Transaction;
use hark_core::{ErasureReport, ErasureSubject, ItemId, ProjectId, Timestamp};

/// Deletes an item of the project with its parts (`ON DELETE CASCADE`); false when there was
/// none.
pub(super) async fn delete_item(
    tx: &Transaction<'_>,
    project: &ProjectId,
    id: ItemId,
) -> Result<bool, Error> {
    plan_for_these_rows(tx).await?;
    let stmt = tx
        .prepare_cached("DELETE FROM items WHERE id = $1 AND project_id = $2")
        .await?;
    let deleted = tx.execute(&stmt, &[&id.0, &project.as_str()]).await? > 0;
    // Only after the delete matched: the id may be another project's item.
    if deleted {
        forget::forget_subjects(tx, Kind::Item, &[id.0]).await?;
    }
    Ok(deleted)
}

/// Makes the rest of the transaction plan each statement for its actual parameters. Deletion
/// and erasure pass arrays of ids (`= ANY($1)`); a generic plan cached while the tables were
/// small would scan them whole (see `ingest`). They are rare: planning each time costs nothing
/// that matters.
async fn plan_for_these_rows(tx: &Transaction<'_>) -> Result<(), Error> {
    tx.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")
        .await?;
    Ok(())
}

/// The statements of one erasure subject: the lock of every item it changes (`$1` project,
/// `$2` the value; its third column tells whether the whole item goes) and the delete of the
/// subject's parts in the other items (`$1` their ids, `$2` the value).
struct Statements {
    lock: &'static str,
    delete_parts: &'static str,
}

const BY_USER_ID: Statements = Statements {
    lock: "SELECT id, parts_count, coalesce(user_id = $2, false) FROM items
           WHERE project_id = $1
             AND (user_id = $2 OR EXISTS (SELECT 1 FROM parts p
                                          WHERE p.item_id = items.id AND p.user_id = $2))
           ORDER BY id FOR UPDATE",
    delete_parts: "DELETE FROM parts WHERE item_id = ANY($1::bigint[]) AND user_id = $2",
};

const BY_EMAIL: Statements = Statements {
    lock: concat!(
        "SELECT id, parts_count, coalesce(",
        fold!("email"),
        " = ",
        fold!("$2::text"),
        ", false) FROM items WHERE project_id = $1 AND (",
        fold!("email"),
        " = ",
        fold!("$2::text"),
        " OR EXISTS (SELECT 1 FROM parts p WHERE p.item_id = items.id AND ",
        fold!("p.email"),
        " = ",
        fold!("$2::text"),
        ")) ORDER BY id FOR UPDATE"
    ),
    delete_parts: concat!(
        "DELETE FROM parts WHERE item_id = ANY($1::bigint[]) AND ",
        fold!("email"),
        " = ",
        fold!("$2::text")
    ),
};

/// Deletes the subject's items (with all their parts) and the subject's parts in other items,
/// which are analysed again without them; for a user id, also their chat feedback and
/// messages.
pub(super) async fn erase_subject(
    tx: &Transaction<'_>,
    project: &ProjectId,
    subject: &ErasureSubject,
) -> Result<ErasureReport, Error> {
    let (sql, value) = match subject {
        ErasureSubject::UserId(u) => (&BY_USER_ID, u),
        ErasureSubject::Email(e) => (&BY_EMAIL, e),
    };
    plan_for_these_rows(tx).await?;
    let p = project.as_str();
    let mut erased = Vec::new();
    let mut changed = Vec::new();
    let mut parts_deleted: u64 = 0;
    let lock = tx.prepare_cached(sql.lock).await?;
    for row in tx.query(&lock, &[&p, value]).await? {
        let id: i64 = row.try_get(0)?;
        if row.try_get(2)? {
            let parts_count: i64 = row.try_get(1)?;
            parts_deleted += parts_count.max(0) as u64;
            erased.push(id);
        } else {
            changed.push(id);
        }
    }
    if !erased.is_empty() {
        let stmt = tx
            .prepare_cached("DELETE FROM items WHERE id = ANY($1::bigint[])")
            .await?;
        tx.execute(&stmt, &[&erased]).await?;
        forget::forget_subjects(tx, Kind::Item, &erased).await?;
    }
    if !changed.is_empty() {
        let stmt = tx.prepare_cached(sql.delete_parts).await?;
        parts_deleted += tx.execute(&stmt, &[&changed, value]).await?;
        let stmt = tx
            .prepare_cached(
                "UPDATE items SET parts_count =
                     (SELECT count(*) FROM parts WHERE parts.item_id = items.id)
                 WHERE id = ANY($1::bigint[])",
            )
            .await?;
        tx.execute(&stmt, &[&changed]).await?;
        // Their analysis quoted the erased parts: drop it and analyse what is left again.
        forget::reanalyse_items(tx, p, &changed, Timestamp::now().as_micros()).await?;
    }
    let (chat_feedback_deleted, chat_messages_deleted) = match subject {
        ErasureSubject::UserId(u) => erase_chat_user(tx, p, u).await?,
        // Chat feedback carries no email.
        ErasureSubject::Email(_) => (0, 0),
    };
    Ok(ErasureReport {
        items_deleted: erased.len() as u64,
        parts_deleted,
        chat_feedback_deleted,
        chat_messages_deleted,
    })
}

/// Deletes the user's chat feedback, the messages recorded with their user id, and other
/// feedback on those messages (it would point at nothing).
async fn erase_chat_user(
    tx: &Transaction<'_>,
    project: &str,
    user: &str,
) -> Result<(u64, u64), Error> {
    let stmt = tx
        .prepare_cached(
            "DELETE FROM chat_feedback
             WHERE (project_id = $1 AND user_key = $2)
                OR message_row IN (SELECT id FROM chat_messages
                                   WHERE project_id = $1 AND user_id = $2)
             RETURNING id",
        )
        .await?;
    let feedback: Vec<i64> = tx
        .query(&stmt, &[&project, &user])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    forget::forget_subjects(tx, Kind::Chat, &feedback).await?;
    let stmt = tx
        .prepare_cached("DELETE FROM chat_messages WHERE project_id = $1 AND user_id = $2")
        .await?;
    let messages = tx.execute(&stmt, &[&project, &user]).await?;
    Ok((feedback.len() as u64, messages))
}
