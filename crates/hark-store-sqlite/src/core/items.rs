//! Items: reading back, deleting one, and privacy erasure. Deleting a subject deletes what
//! was analysed from it too (mentions, roll-up, queue row, corrections, theme quotes).

use super::item_filter;
use crate::analysis::queue::{enqueue_item, forget_analysis, forget_subject};
use crate::row;
use crate::Error;
use hark_core::analysis::Subject;
use hark_core::{
    ErasureReport, ErasureSubject, ItemCursor, ItemFilter, ItemId, ItemPage, ProjectId, StoredItem,
    StoredPart, Timestamp,
};
use hark_store::backend::row::ITEM_COLUMNS;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

/// A page of the project's items, newest first.
pub(crate) fn list_items(
    conn: &Connection,
    project: &ProjectId,
    filter: &ItemFilter,
    cursor: Option<ItemCursor>,
    limit: u32,
) -> Result<ItemPage, Error> {
    let (conditions, mut args) = item_filter::conditions(project, filter);
    let mut sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE {conditions}");
    if let Some(c) = cursor {
        sql.push_str(" AND (created_at, id) < (?, ?)");
        args.push(Box::new(c.created_at));
        args.push(Box::new(c.id));
    }
    sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
    args.push(Box::new(i64::from(limit) + 1));
    let mut stmt = conn.prepare(&sql)?;
    let mut items = stmt
        .query_map(params_from_iter(args.iter()), row::item)?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|i| ItemCursor {
            created_at: i.created_at.as_micros(),
            id: i.id.0,
        })
    } else {
        None
    };
    Ok(ItemPage { items, next })
}

/// One item with its parts in order (by `created_at`, then arrival).
pub(crate) fn get_item(
    conn: &Connection,
    project: &ProjectId,
    id: ItemId,
) -> Result<Option<StoredItem>, Error> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1 AND project_id = ?2");
    let Some(mut item) = conn
        .prepare_cached(&sql)?
        .query_row(params![id.0, project.as_str()], row::item)
        .optional()?
    else {
        return Ok(None);
    };
    let parts = conn
        .prepare_cached(
            "SELECT unique_id, body, author, email, user_id, url, created_at FROM parts
             WHERE item_id = ?1 ORDER BY created_at, id",
        )?
        .query_map(params![id.0], |r| {
            Ok(StoredPart {
                unique_id: r.get(0)?,
                body: r.get(1)?,
                author: r.get(2)?,
                email: r.get(3)?,
                user_id: r.get(4)?,
                url: r.get(5)?,
                created_at: Timestamp::from_micros(r.get(6)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    item.conversation_parts = Some(parts);
    Ok(Some(item))
}

/// Deletes an item of the project with its parts.
pub(crate) fn delete_item(
    conn: &Connection,
    project: &ProjectId,
    id: ItemId,
) -> Result<bool, Error> {
    let n = conn
        .prepare_cached("DELETE FROM items WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.0, project.as_str()])?;
    if n > 0 {
        forget_subject(conn, Subject::Item(id.0))?;
    }
    Ok(n > 0)
}

/// Deletes the subject's items (with all their parts) and the subject's parts in other items;
/// those other items are analysed again without them.
pub(crate) fn erase_subject(
    conn: &Connection,
    project: &ProjectId,
    subject: &ErasureSubject,
) -> Result<ErasureReport, Error> {
    let (item_cond, part_cond, value) = match subject {
        ErasureSubject::UserId(u) => ("user_id = ?2", "p.user_id = ?2", u),
        ErasureSubject::Email(e) => (
            "email = ?2 COLLATE NOCASE",
            "p.email = ?2 COLLATE NOCASE",
            e,
        ),
    };
    let p = project.as_str();
    let (items_deleted, parts_of_items): (i64, Option<i64>) = conn.query_row(
        &format!(
            "SELECT count(*), sum(parts_count) FROM items WHERE project_id = ?1 AND {item_cond}"
        ),
        params![p, value],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let erased: Vec<i64> = conn
        .prepare(&format!(
            "SELECT id FROM items WHERE project_id = ?1 AND {item_cond}"
        ))?
        .query_map(params![p, value], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for &id in &erased {
        forget_subject(conn, Subject::Item(id))?;
    }
    conn.execute(
        &format!("DELETE FROM items WHERE project_id = ?1 AND {item_cond}"),
        params![p, value],
    )?;
    let affected: Vec<i64> = conn
        .prepare(&format!(
            "SELECT DISTINCT p.item_id FROM parts p JOIN items i ON i.id = p.item_id
             WHERE i.project_id = ?1 AND {part_cond}"
        ))?
        .query_map(params![p, value], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut parts_deleted = parts_of_items.unwrap_or(0) as u64;
    for item_id in affected {
        parts_deleted += conn.execute(
            &format!("DELETE FROM parts AS p WHERE p.item_id = ?1 AND {part_cond}"),
            params![item_id, value],
        )? as u64;
        conn.execute(
            "UPDATE items SET parts_count = (SELECT count(*) FROM parts WHERE item_id = ?1) WHERE id = ?1",
            params![item_id],
        )?;
        // Its analysis quoted the erased parts: drop it and analyse what is left again.
        forget_analysis(conn, Subject::Item(item_id))?;
        enqueue_item(conn, item_id, p, Timestamp::now().as_micros())?;
    }
    let (chat_feedback_deleted, chat_messages_deleted) = match subject {
        ErasureSubject::UserId(u) => erase_chat_user(conn, project, u)?,
        // Chat feedback carries no email.
        ErasureSubject::Email(_) => (0, 0),
    };
    Ok(ErasureReport {
        items_deleted: items_deleted as u64,
        parts_deleted,
        chat_feedback_deleted,
        chat_messages_deleted,
    })
}

/// Deletes the user's chat feedback, the messages recorded with their user id, and other
/// feedback on those messages (it would point at nothing).
fn erase_chat_user(
    conn: &Connection,
    project: &ProjectId,
    user: &str,
) -> Result<(u64, u64), Error> {
    let p = project.as_str();
    let feedback: Vec<i64> = conn
        .prepare_cached(
            "SELECT id FROM chat_feedback WHERE message_row IN
               (SELECT id FROM chat_messages WHERE project_id = ?1 AND user_id = ?2)
             UNION SELECT id FROM chat_feedback WHERE project_id = ?1 AND user_key = ?2",
        )?
        .query_map(params![p, user], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in feedback {
        forget_subject(conn, Subject::Chat(id))?;
    }
    let on_messages = conn.execute(
        "DELETE FROM chat_feedback WHERE message_row IN
           (SELECT id FROM chat_messages WHERE project_id = ?1 AND user_id = ?2)",
        params![p, user],
    )?;
    let own = conn.execute(
        "DELETE FROM chat_feedback WHERE project_id = ?1 AND user_key = ?2",
        params![p, user],
    )?;
    let messages = conn.execute(
        "DELETE FROM chat_messages WHERE project_id = ?1 AND user_id = ?2",
        params![p, user],
    )?;
    Ok(((on_messages + own) as u64, messages as u64))
}
