//! Reading items back: the filtered, paged listing (conditions in [`item_filter`]) and one
//! item with its parts.

use super::item_filter;
use crate::row;
use crate::Error;
use deadpool_postgres::ClientWrapper;
use hark_core::{
    ItemCursor, ItemFilter, ItemId, ItemPage, ProjectId, StoredItem, StoredPart, Timestamp,
};
use hark_store::backend::row::ITEM_COLUMNS;
use hark_store::StoreError;

/// A page of the project's items, newest first (`created_at`, then id), after `cursor`.
pub(super) async fn list_items(
    client: &ClientWrapper,
    project: &ProjectId,
    filter: &ItemFilter,
    cursor: Option<ItemCursor>,
    limit: u32,
) -> Result<ItemPage, Error> {
    let mut c = item_filter::conditions(project, filter);
    if let Some(cursor) = cursor {
        c.push(
            " AND (items.created_at, items.id) < ({}, {})",
            vec![Box::new(cursor.created_at), Box::new(cursor.id)],
        );
    }
    c.push(
        " ORDER BY items.created_at DESC, items.id DESC LIMIT {}",
        vec![Box::new(i64::from(limit) + 1)],
    );
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE {}", c.sql);
    let params = c.params();
    // At most one statement per combination of filters: cached like the fixed ones.
    let stmt = client.prepare_cached(&sql).await?;
    let mut items = client
        .query(&stmt, &params)
        .await?
        .iter()
        .map(row::item)
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

/// One item of the project with its parts in order (by `created_at`, then arrival), read in
/// one statement so that the parts and `parts_count` come from the same snapshot. The parts
/// come as one array per column (in the same order), so the item's columns come once.
pub(super) async fn get_item(
    client: &ClientWrapper,
    project: &ProjectId,
    id: ItemId,
) -> Result<Option<StoredItem>, Error> {
    let stmt = client
        .prepare_cached(
            "SELECT i.id, i.source_id, i.unique_id, i.body, i.author, i.email, i.user_id, i.url,
                    i.created_at, i.received_at, i.updated_at, i.parts_count,
                    p.unique_ids, p.bodies, p.authors, p.emails, p.user_ids, p.urls, p.created_ats
             FROM items i
             CROSS JOIN LATERAL (
                 SELECT array_agg(unique_id ORDER BY created_at, id) AS unique_ids,
                        array_agg(body ORDER BY created_at, id) AS bodies,
                        array_agg(author ORDER BY created_at, id) AS authors,
                        array_agg(email ORDER BY created_at, id) AS emails,
                        array_agg(user_id ORDER BY created_at, id) AS user_ids,
                        array_agg(url ORDER BY created_at, id) AS urls,
                        array_agg(created_at ORDER BY created_at, id) AS created_ats
                 FROM parts WHERE item_id = i.id) p
             WHERE i.id = $1 AND i.project_id = $2",
        )
        .await?;
    let Some(r) = client.query_opt(&stmt, &[&id.0, &project.as_str()]).await? else {
        return Ok(None);
    };
    let mut item = row::item(&r)?;
    // No parts: the aggregates are NULL.
    let unique_ids: Vec<String> = r.try_get::<_, Option<_>>(12)?.unwrap_or_default();
    let bodies: Vec<String> = r.try_get::<_, Option<_>>(13)?.unwrap_or_default();
    let authors: Vec<Option<String>> = r.try_get::<_, Option<_>>(14)?.unwrap_or_default();
    let emails: Vec<Option<String>> = r.try_get::<_, Option<_>>(15)?.unwrap_or_default();
    let user_ids: Vec<Option<String>> = r.try_get::<_, Option<_>>(16)?.unwrap_or_default();
    let urls: Vec<Option<String>> = r.try_get::<_, Option<_>>(17)?.unwrap_or_default();
    let created: Vec<i64> = r.try_get::<_, Option<_>>(18)?.unwrap_or_default();
    let n = unique_ids.len();
    if [
        bodies.len(),
        authors.len(),
        emails.len(),
        user_ids.len(),
        urls.len(),
        created.len(),
    ]
    .iter()
    .any(|&len| len != n)
    {
        return Err(StoreError::Corrupt("item parts").into());
    }
    let parts = unique_ids
        .into_iter()
        .zip(bodies)
        .zip(authors)
        .zip(emails)
        .zip(user_ids)
        .zip(urls)
        .zip(created)
        .map(
            |((((((unique_id, body), author), email), user_id), url), created_at)| StoredPart {
                unique_id,
                body,
                author,
                email,
                user_id,
                url,
                created_at: Timestamp::from_micros(created_at),
            },
        )
        .collect();
    item.conversation_parts = Some(parts);
    Ok(Some(item))
}
