//! The merge-upsert of items and their conversation parts, one transaction per request, with
//! the rules of the SQLite backend (`sqlite::ingest`; they are applied in `plan`).
//!
//! Several nodes may upsert the same item at once, so each request runs in two pipelined
//! round trips:
//! 1. **claim and lock**: insert a claim row for every key the request could create
//!    (`ON CONFLICT DO NOTHING`, in key order, so that two requests creating the same items wait
//!    on each other in one order and never deadlock), then lock the rows that already existed
//!    (`FOR UPDATE`, key order too), then read the stored parts of the request's part keys. A request
//!    racing another that creates the same item waits for it at its claim and then finds and
//!    locks the committed row: one item, never two, and no retry.
//! 2. **write**, planned in memory from what step 1 read: delete the claims of failed items (a
//!    failed item writes nothing), insert items and parts (one set-based statement each), update
//!    them (one statement per row), and queue every stored item for analysis.
//!
//! A part key claimed by two items at once surfaces as a unique violation, which `in_tx!`
//! retries: the retry finds the part stored and fails the item that did not get it.
//!
//! Every statement finds rows by a full unique key or the primary key, one probe per row, in a
//! shape the planner cannot turn into a scan: per-key `LATERAL` lookups, correlated subqueries
//! kept per row (`OFFSET 0`), one `UPDATE … WHERE id = $1` per row (pipelined). The statements
//! are prepared once per connection and their generic plans are cached, typically while the
//! tables are new and nearly empty: set-based forms (`unique_id = ANY($2)`, `UPDATE … FROM
//! UNNEST`) then get cached plans that scan the whole source or table, each request slower as
//! the table grows, until autovacuum's next `ANALYZE` (measured: the ingest rate collapsed).

use super::pipeline::{self, Step};
use super::plan::{self, Claim, ItemRef, Known, NewItem, Plan, Sent};
use crate::Error;
use deadpool_postgres::Transaction;
use hark_core::{ItemInput, ItemOutcome, Source, Timestamp};
use std::collections::HashSet;
use tokio_postgres::types::ToSql;

/// Inserts the claim rows (`$4…$11`: the [`ItemColumns`]) of the keys no item has yet; returns
/// the rows inserted. Ids are drawn in request order (the inner subquery; a volatile target
/// list keeps it from being flattened) so that items are numbered as they arrived, as with
/// SQLite, while the rows go in in key order (collation "C": the same order on every node).
const CLAIM_ITEMS: &str = "
INSERT INTO items (id, project_id, source_id, unique_id, body, author, email, user_id, url,
                   created_at, received_at, updated_at, parts_count)
SELECT c.id, $1, $2, c.unique_id, c.body, c.author, c.email, c.user_id, c.url,
       coalesce(c.created_at, $3), $3, $3, c.parts_count
FROM (SELECT nextval(pg_get_serial_sequence('items', 'id')) AS id, n.*
      FROM (SELECT u.*
            FROM UNNEST($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                        $10::bigint[], $11::bigint[])
                 WITH ORDINALITY AS u(unique_id, body, author, email, user_id, url, created_at,
                                      parts_count, ord)
            WHERE NOT EXISTS (SELECT 1 FROM items i
                              WHERE i.source_id = $2 AND i.unique_id = u.unique_id OFFSET 0)
            ORDER BY u.ord) n) c
ORDER BY c.unique_id COLLATE \"C\"
ON CONFLICT (source_id, unique_id) DO NOTHING
RETURNING id, unique_id";

/// Locks the request's items that existed before this transaction, one key after the other in
/// the order of `$2` (sorted, so every ingest locks in the same order). Its own claims are
/// skipped: locking them would only cost a WAL record each.
const LOCK_ITEMS: &str = "
SELECT i.id, i.unique_id
FROM UNNEST($2::text[]) AS k(unique_id)
CROSS JOIN LATERAL (SELECT id, unique_id FROM items
                    WHERE source_id = $1 AND unique_id = k.unique_id
                      AND xmin <> pg_current_xact_id()::xid
                    FOR UPDATE) i";

/// The stored parts of the request's part keys, with their items.
const FIND_PARTS: &str = "
SELECT p.unique_id, p.id, p.item_id
FROM UNNEST($2::text[]) AS k(unique_id)
CROSS JOIN LATERAL (SELECT unique_id, id, item_id FROM parts
                    WHERE source_id = $1 AND unique_id = k.unique_id OFFSET 0) p";

/// Deletes the claim row of an item that failed.
const DELETE_CLAIM: &str = "DELETE FROM items WHERE id = $1";

/// Inserts items that were not claimed (rare: a claimed occurrence failed and a later one of
/// the same key succeeded, or the item was deleted between claim and lock). No `ON CONFLICT`:
/// a concurrent creator makes this a unique violation, and the retry sees its row.
const INSERT_ITEMS: &str = "
INSERT INTO items (project_id, source_id, unique_id, body, author, email, user_id, url,
                   created_at, received_at, updated_at, parts_count)
SELECT $1, $2, u.unique_id, u.body, u.author, u.email, u.user_id, u.url,
       coalesce(u.created_at, $3), $3, $3, u.parts_count
FROM UNNEST($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::bigint[], $11::bigint[])
     WITH ORDINALITY AS u(unique_id, body, author, email, user_id, url, created_at,
                          parts_count, ord)
ORDER BY u.ord";

/// Merges sent fields into a locked item and counts its new parts.
const UPDATE_ITEM: &str = "
UPDATE items SET body = coalesce($3, body), author = coalesce($4, author),
                 email = coalesce($5, email), user_id = coalesce($6, user_id),
                 url = coalesce($7, url), created_at = coalesce($8, created_at), updated_at = $1,
                 parts_count = parts_count + $9
WHERE id = $2";

/// Inserts parts in arrival order (their ids order parts sent without `created_at`); an item
/// inserted by this request is found by its key.
const INSERT_PARTS: &str = "
INSERT INTO parts (item_id, source_id, unique_id, body, author, email, user_id, url, created_at)
SELECT coalesce(u.item_id, (SELECT i.id FROM items i
                            WHERE i.source_id = $1 AND i.unique_id = u.item_key)),
       $1, u.unique_id, u.body, u.author, u.email, u.user_id, u.url, coalesce(u.created_at, $2)
FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::bigint[])
     WITH ORDINALITY AS u(item_id, item_key, unique_id, body, author, email, user_id, url,
                          created_at, ord)
ORDER BY u.ord";

/// Merges sent fields into a stored part (of a locked item).
const UPDATE_PART: &str = "
UPDATE parts SET body = coalesce($2, body), author = coalesce($3, author),
                 email = coalesce($4, email), user_id = coalesce($5, user_id),
                 url = coalesce($6, url), created_at = coalesce($7, created_at)
WHERE id = $1";

/// Queues the stored items (by id, or by key for items this request inserted) for analysis at
/// generation `$3` (the write time), raised past the queued one so that generations strictly
/// increase per item (see `sqlite::analysis_queue`).
const ENQUEUE: &str = "
INSERT INTO analysis_queue_items (subject_id, project_id, generation, lease_until)
SELECT coalesce(u.id, (SELECT i.id FROM items i
                       WHERE i.source_id = $1 AND i.unique_id = u.unique_id)),
       $2, $3, NULL
FROM UNNEST($4::bigint[], $5::text[]) AS u(id, unique_id)
ON CONFLICT (subject_id) DO UPDATE SET
    generation = GREATEST(analysis_queue_items.generation + 1, EXCLUDED.generation),
    lease_until = NULL, project_id = EXCLUDED.project_id";

/// Upserts `items` into `source` in transaction `tx`; one outcome per item, in order.
pub(super) async fn ingest_items(
    tx: &Transaction<'_>,
    source: &Source,
    items: &[ItemInput],
) -> Result<Vec<ItemOutcome>, Error> {
    let now = Timestamp::now().as_micros();
    let project = source.project_id.as_str();
    let sid = source.source_id.as_str();
    let claims = plan::claims(items);
    let known = claim_and_lock(tx, project, sid, now, items, &claims).await?;
    let plan = plan::plan(items, &claims, &known);
    write(tx, project, sid, now, &plan).await?;
    Ok(plan.outcomes)
}

/// Step 1 (module docs): claims, locks and reads, in one round trip.
async fn claim_and_lock(
    tx: &Transaction<'_>,
    project: &str,
    sid: &str,
    now: i64,
    items: &[ItemInput],
    claims: &[Claim<'_>],
) -> Result<Known, Error> {
    // Sorted (bytewise, as Rust compares strings): the order `LOCK_ITEMS` locks in.
    let mut keys = distinct(items.iter().map(|i| i.unique_id.as_str()));
    keys.sort_unstable();
    let part_keys = distinct(
        items
            .iter()
            .flat_map(|i| &i.parts)
            .map(|p| p.unique_id.as_str()),
    );
    let claim_cols = ItemColumns::new(claims.iter().map(|c| &c.row));
    let mut steps = Vec::with_capacity(3);
    if !claims.is_empty() {
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&project, &sid, &now];
        params.extend(claim_cols.params());
        steps.push(Step::new(tx.prepare_cached(CLAIM_ITEMS).await?, params));
    }
    steps.push(Step::new(
        tx.prepare_cached(LOCK_ITEMS).await?,
        vec![&sid, &keys],
    ));
    if !part_keys.is_empty() {
        steps.push(Step::new(
            tx.prepare_cached(FIND_PARTS).await?,
            vec![&sid, &part_keys],
        ));
    }
    let mut results = pipeline::run(tx, &steps).await?.into_iter();
    let mut known = Known::default();
    if !claims.is_empty() {
        for row in results.next().unwrap_or_default() {
            known.claimed.insert(row.try_get(1)?, row.try_get(0)?);
        }
    }
    for row in results.next().unwrap_or_default() {
        known.existing.insert(row.try_get(1)?, row.try_get(0)?);
    }
    for row in results.next().unwrap_or_default() {
        known
            .parts
            .insert(row.try_get(0)?, (row.try_get(1)?, row.try_get(2)?));
    }
    Ok(known)
}

/// Step 2 (module docs): the planned writes, in one round trip.
async fn write(
    tx: &Transaction<'_>,
    project: &str,
    sid: &str,
    now: i64,
    plan: &Plan<'_>,
) -> Result<(), Error> {
    let inserts = ItemColumns::new(plan.inserts.iter());
    let parts = PartColumns::new(plan);
    let (queue_ids, queue_keys): (Vec<Option<i64>>, Vec<Option<&str>>) = plan
        .stored
        .iter()
        .map(|r| match *r {
            ItemRef::Id(id) => (Some(id), None),
            ItemRef::Key(key) => (None, Some(key)),
        })
        .unzip();
    let mut steps = Vec::new();
    // The deletes go first: a failed claim's key may be inserted again below.
    if !plan.dead_claims.is_empty() {
        let stmt = tx.prepare_cached(DELETE_CLAIM).await?;
        for id in &plan.dead_claims {
            steps.push(Step::new(stmt.clone(), vec![id]));
        }
    }
    if !plan.inserts.is_empty() {
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&project, &sid, &now];
        params.extend(inserts.params());
        steps.push(Step::new(tx.prepare_cached(INSERT_ITEMS).await?, params));
    }
    if !plan.updates.is_empty() {
        let stmt = tx.prepare_cached(UPDATE_ITEM).await?;
        for u in &plan.updates {
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&now, &u.id];
            params.extend(sent_params(&u.sent));
            params.push(&u.added);
            steps.push(Step::new(stmt.clone(), params));
        }
    }
    if !plan.new_parts.is_empty() {
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&sid, &now];
        params.extend(parts.params());
        steps.push(Step::new(tx.prepare_cached(INSERT_PARTS).await?, params));
    }
    if !plan.part_updates.is_empty() {
        let stmt = tx.prepare_cached(UPDATE_PART).await?;
        for u in &plan.part_updates {
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&u.id];
            params.extend(sent_params(&u.sent));
            steps.push(Step::new(stmt.clone(), params));
        }
    }
    if !plan.stored.is_empty() {
        steps.push(Step::new(
            tx.prepare_cached(ENQUEUE).await?,
            vec![&sid, &project, &now, &queue_ids, &queue_keys],
        ));
    }
    pipeline::run(tx, &steps).await?;
    Ok(())
}

/// Body, author, email, user id, url, created_at of one row, for `UPDATE_ITEM`/`UPDATE_PART`.
fn sent_params<'a>(s: &'a Sent<'_>) -> [&'a (dyn ToSql + Sync); 6] {
    [
        &s.body,
        &s.author,
        &s.email,
        &s.user_id,
        &s.url,
        &s.created_at,
    ]
}

/// Each value once, in first-seen order.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}

/// The sent fields of rows, one array per column, for `UNNEST`.
#[derive(Default)]
struct FieldColumns<'a> {
    body: Vec<Option<&'a str>>,
    author: Vec<Option<&'a str>>,
    email: Vec<Option<&'a str>>,
    user_id: Vec<Option<&'a str>>,
    url: Vec<Option<&'a str>>,
    created_at: Vec<Option<i64>>,
}

impl<'a> FieldColumns<'a> {
    fn push(&mut self, s: &Sent<'a>) {
        self.body.push(s.body);
        self.author.push(s.author);
        self.email.push(s.email);
        self.user_id.push(s.user_id);
        self.url.push(s.url);
        self.created_at.push(s.created_at);
    }

    /// Body, author, email, user id, url, created_at.
    fn params(&self) -> [&(dyn ToSql + Sync); 6] {
        [
            &self.body,
            &self.author,
            &self.email,
            &self.user_id,
            &self.url,
            &self.created_at,
        ]
    }
}

/// Item rows to insert: key, the fields, parts count (`CLAIM_ITEMS`, `INSERT_ITEMS`).
struct ItemColumns<'a> {
    keys: Vec<&'a str>,
    fields: FieldColumns<'a>,
    parts_count: Vec<i64>,
}

impl<'a> ItemColumns<'a> {
    fn new<'b>(rows: impl Iterator<Item = &'b NewItem<'a>>) -> Self
    where
        'a: 'b,
    {
        let mut c = Self {
            keys: Vec::new(),
            fields: FieldColumns::default(),
            parts_count: Vec::new(),
        };
        for r in rows {
            c.keys.push(r.key);
            c.fields.push(&r.sent);
            c.parts_count.push(r.parts_count);
        }
        c
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut p: Vec<&(dyn ToSql + Sync)> = vec![&self.keys];
        p.extend(self.fields.params());
        p.push(&self.parts_count);
        p
    }
}

/// Parts to insert: item id or key, key, body (never null), the other fields (`INSERT_PARTS`).
struct PartColumns<'a> {
    item_ids: Vec<Option<i64>>,
    item_keys: Vec<Option<&'a str>>,
    keys: Vec<&'a str>,
    bodies: Vec<&'a str>,
    fields: FieldColumns<'a>,
}

impl<'a> PartColumns<'a> {
    fn new(plan: &Plan<'a>) -> Self {
        let mut c = Self {
            item_ids: Vec::new(),
            item_keys: Vec::new(),
            keys: Vec::new(),
            bodies: Vec::new(),
            fields: FieldColumns::default(),
        };
        for p in &plan.new_parts {
            let (id, key) = match p.item {
                ItemRef::Id(id) => (Some(id), None),
                ItemRef::Key(key) => (None, Some(key)),
            };
            c.item_ids.push(id);
            c.item_keys.push(key);
            c.keys.push(p.key);
            // Validation gives every part a body; an empty one is what SQLite stores otherwise.
            c.bodies.push(p.sent.body.unwrap_or_default());
            c.fields.push(&p.sent);
        }
        c
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let f = self.fields.params();
        vec![
            &self.item_ids,
            &self.item_keys,
            &self.keys,
            &self.bodies,
            f[1],
            f[2],
            f[3],
            f[4],
            f[5],
        ]
    }
}
