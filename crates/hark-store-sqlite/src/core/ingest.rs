//! The merge-upsert of items and their conversation parts (runs on the writer thread).
//!
//! Rules (shared/specs/ingest-api.md and its hark decisions):
//! - items and parts are keyed by `unique_id` within the source;
//! - a sent field overwrites, an absent one keeps the stored value; `created_at` keeps its
//!   first value unless sent again, and defaults to the time of first arrival;
//! - parts are added or updated, never deleted;
//! - a new item with neither body nor parts fails; a part `unique_id` owned by another item of
//!   the source fails the item. A failed item writes nothing (checks run before any write);
//! - every stored item is queued for analysis in the same transaction (`analysis_queue`).

use crate::analysis::queue::enqueue_item;
use crate::Error;
use hark_core::{Fields, ItemInput, ItemOutcome, PartInput, Source, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

/// Upserts `items` into `source`; one outcome per item.
pub(crate) fn ingest_items(
    conn: &Connection,
    source: &Source,
    items: &[ItemInput],
) -> Result<Vec<ItemOutcome>, Error> {
    let now = Timestamp::now().as_micros();
    items
        .iter()
        .map(|item| upsert_item(conn, source, item, now))
        .collect()
}

fn upsert_item(
    conn: &Connection,
    source: &Source,
    item: &ItemInput,
    now: i64,
) -> Result<ItemOutcome, Error> {
    let sid = source.source_id.as_str();
    let existing: Option<i64> = conn
        .prepare_cached("SELECT id FROM items WHERE source_id = ?1 AND unique_id = ?2")?
        .query_row(params![sid, item.unique_id], |r| r.get(0))
        .optional()?;
    if existing.is_none() && item.fields.body.is_none() && item.parts.is_empty() {
        return Ok(ItemOutcome::Failed {
            field: Some("body".into()),
            error: "a new item needs a body or at least one conversation part".into(),
        });
    }
    // Decide every part's fate before writing anything, so a failed item writes nothing.
    let mut plan = Vec::with_capacity(item.parts.len());
    for (i, part) in item.parts.iter().enumerate() {
        let owner: Option<(i64, i64)> = conn
            .prepare_cached(
                "SELECT id, item_id FROM parts WHERE source_id = ?1 AND unique_id = ?2",
            )?
            .query_row(params![sid, part.unique_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match owner {
            Some((_, owner_item)) if Some(owner_item) != existing => {
                return Ok(ItemOutcome::Failed {
                    field: Some(format!("conversation_parts[{i}].unique_id")),
                    error: format!(
                        "conversation part unique_id {:?} already belongs to another item of this source",
                        part.unique_id
                    ),
                });
            }
            Some((part_id, _)) => plan.push((part, Some(part_id))),
            None => plan.push((part, None)),
        }
    }
    // Parts repeated within one request are inserted once, then updated.
    let mut new_parts: Vec<&str> = Vec::new();
    for (part, id) in &plan {
        if id.is_none() && !new_parts.contains(&part.unique_id.as_str()) {
            new_parts.push(&part.unique_id);
        }
    }
    let added = new_parts.len() as i64;
    let item_id = match existing {
        Some(id) => {
            update_item(conn, id, &item.fields, added, now)?;
            id
        }
        None => insert_item(conn, source, item, added, now)?,
    };
    let mut inserted: Vec<&str> = Vec::with_capacity(new_parts.len());
    for (part, part_id) in plan {
        match part_id {
            Some(id) => update_part(conn, id, &part.fields)?,
            None if inserted.contains(&part.unique_id.as_str()) => {
                let id: i64 = conn
                    .prepare_cached("SELECT id FROM parts WHERE source_id = ?1 AND unique_id = ?2")?
                    .query_row(params![sid, part.unique_id], |r| r.get(0))?;
                update_part(conn, id, &part.fields)?;
            }
            None => {
                insert_part(conn, item_id, sid, part, now)?;
                inserted.push(&part.unique_id);
            }
        }
    }
    // `now` only grows between transactions, and the upsert raises it past the queued value.
    enqueue_item(conn, item_id, source.project_id.as_str(), now)?;
    Ok(ItemOutcome::Stored {
        created: existing.is_none(),
    })
}

fn insert_item(
    conn: &Connection,
    source: &Source,
    item: &ItemInput,
    parts_count: i64,
    now: i64,
) -> Result<i64, Error> {
    let f = &item.fields;
    // No RETURNING: SQLite materialises it in a temporary b-tree, measurably slower here.
    conn.prepare_cached(
        "INSERT INTO items (project_id, source_id, unique_id, body, author, email, user_id, url,
                            created_at, received_at, updated_at, parts_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11)",
    )?
    .execute(params![
        source.project_id.as_str(),
        source.source_id.as_str(),
        item.unique_id,
        f.body,
        f.author,
        f.email,
        f.user_id,
        f.url,
        f.created_at.map_or(now, Timestamp::as_micros),
        now,
        parts_count
    ])?;
    Ok(conn.last_insert_rowid())
}

fn update_item(
    conn: &Connection,
    id: i64,
    f: &Fields,
    added_parts: i64,
    now: i64,
) -> Result<(), Error> {
    conn.prepare_cached(
        "UPDATE items SET body = coalesce(?2, body), author = coalesce(?3, author),
                          email = coalesce(?4, email), user_id = coalesce(?5, user_id),
                          url = coalesce(?6, url), created_at = coalesce(?7, created_at),
                          updated_at = ?8, parts_count = parts_count + ?9
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.body,
        f.author,
        f.email,
        f.user_id,
        f.url,
        f.created_at.map(Timestamp::as_micros),
        now,
        added_parts
    ])?;
    Ok(())
}

fn insert_part(
    conn: &Connection,
    item_id: i64,
    source_id: &str,
    part: &PartInput,
    now: i64,
) -> Result<(), Error> {
    let f = &part.fields;
    conn.prepare_cached(
        "INSERT INTO parts (item_id, source_id, unique_id, body, author, email, user_id, url, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        item_id,
        source_id,
        part.unique_id,
        f.body.as_deref().unwrap_or_default(),
        f.author,
        f.email,
        f.user_id,
        f.url,
        f.created_at.map_or(now, Timestamp::as_micros)
    ])?;
    Ok(())
}

fn update_part(conn: &Connection, id: i64, f: &Fields) -> Result<(), Error> {
    conn.prepare_cached(
        "UPDATE parts SET body = coalesce(?2, body), author = coalesce(?3, author),
                          email = coalesce(?4, email), user_id = coalesce(?5, user_id),
                          url = coalesce(?6, url), created_at = coalesce(?7, created_at)
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.body,
        f.author,
        f.email,
        f.user_id,
        f.url,
        f.created_at.map(Timestamp::as_micros)
    ])?;
    Ok(())
}
