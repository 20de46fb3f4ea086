//! The PostgreSQL side of the ingest benchmark: a fresh database per measurement, and the raw
//! baseline — PostgreSQL itself upserting the same rows hark writes (items, their parts, and
//! each item's analysis-queue row) with the least work a correct upsert needs: per request one
//! transaction of three set-based statements (`INSERT … SELECT FROM UNNEST(…) ON CONFLICT DO
//! UPDATE`), no HTTP, no hark rules (merge checks, part ownership, per-item failures, parts
//! counts). hark end to end is measured against it.

use crate::drive::{drive, BenchError};
use hark_core::{ItemInput, Source, Timestamp};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tokio_postgres::{Client, NoTls};

/// Connects one client (its connection driven by a background task).
async fn connect(url: &str) -> Result<Client, BenchError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Creates a new empty database on the server of `admin_url`; returns its URL.
pub async fn fresh_database(admin_url: &str) -> Result<String, BenchError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "hark_bench_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let admin = connect(admin_url).await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let root = base
        .rfind('/')
        .filter(|i| *i > base.find("://").unwrap_or(0) + 2);
    Ok(format!(
        "{}/{name}{query}",
        &base[..root.unwrap_or(base.len())]
    ))
}

/// Drops a database made by [`fresh_database`].
pub async fn drop_database(admin_url: &str, url: &str) -> Result<(), BenchError> {
    let name = url
        .split('?')
        .next()
        .and_then(|b| b.rsplit('/').next())
        .ok_or("no database name")?;
    let admin = connect(admin_url).await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    Ok(())
}

const UPSERT_ITEMS: &str = "
INSERT INTO items (project_id, source_id, unique_id, body, author, email, user_id, url,
                   created_at, received_at, updated_at)
SELECT $1, $2, u.unique_id, u.body, u.author, u.email, u.user_id, u.url,
       COALESCE(u.created_at, $3), $3, $3
FROM UNNEST($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
     AS u(unique_id, body, author, email, user_id, url, created_at)
ON CONFLICT (source_id, unique_id) DO UPDATE SET
    body = COALESCE(EXCLUDED.body, items.body),
    author = COALESCE(EXCLUDED.author, items.author),
    email = COALESCE(EXCLUDED.email, items.email),
    user_id = COALESCE(EXCLUDED.user_id, items.user_id),
    url = COALESCE(EXCLUDED.url, items.url),
    updated_at = EXCLUDED.updated_at
RETURNING id, unique_id";

const UPSERT_PARTS: &str = "
INSERT INTO parts (item_id, source_id, unique_id, body, author, email, user_id, url, created_at)
SELECT u.item_id, $1, u.unique_id, u.body, u.author, u.email, u.user_id, u.url,
       COALESCE(u.created_at, $2)
FROM UNNEST($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::bigint[])
     AS u(item_id, unique_id, body, author, email, user_id, url, created_at)
ON CONFLICT (source_id, unique_id) DO UPDATE SET
    body = EXCLUDED.body,
    author = COALESCE(EXCLUDED.author, parts.author),
    email = COALESCE(EXCLUDED.email, parts.email),
    user_id = COALESCE(EXCLUDED.user_id, parts.user_id),
    url = COALESCE(EXCLUDED.url, parts.url)";

const UPSERT_QUEUE: &str = "
INSERT INTO analysis_queue_items (subject_id, project_id, generation, lease_until)
SELECT u.id, $1, $2, NULL FROM UNNEST($3::bigint[]) AS u(id)
ON CONFLICT (subject_id) DO UPDATE SET
    generation = GREATEST(analysis_queue_items.generation + 1, EXCLUDED.generation),
    lease_until = NULL";

/// One request's rows upserted in one transaction; returns the items stored.
async fn upsert(
    client: &mut Client,
    source: &Source,
    items: &[ItemInput],
) -> Result<usize, BenchError> {
    // One statement may not touch a row twice: the last copy of a key in a request wins.
    let mut last: HashMap<&str, &ItemInput> = HashMap::new();
    for item in items {
        last.insert(item.unique_id.as_str(), item);
    }
    let mut rows: Vec<&ItemInput> = last.into_values().collect();
    rows.sort_by(|a, b| a.unique_id.cmp(&b.unique_id));
    let now = Timestamp::now().as_micros();
    let col = |f: fn(&ItemInput) -> Option<String>| rows.iter().map(|i| f(i)).collect::<Vec<_>>();
    let unique: Vec<String> = rows.iter().map(|i| i.unique_id.clone()).collect();
    let created: Vec<Option<i64>> = rows
        .iter()
        .map(|i| i.fields.created_at.map(Timestamp::as_micros))
        .collect();
    let tx = client.transaction().await?;
    let ids = tx
        .query(
            UPSERT_ITEMS,
            &[
                &source.project_id.as_str(),
                &source.source_id.as_str(),
                &now,
                &unique,
                &col(|i| i.fields.body.clone()),
                &col(|i| i.fields.author.clone()),
                &col(|i| i.fields.email.clone()),
                &col(|i| i.fields.user_id.clone()),
                &col(|i| i.fields.url.clone()),
                &created,
            ],
        )
        .await?;
    let id_of: HashMap<String, i64> = ids
        .iter()
        .map(|r| Ok((r.try_get::<_, String>(1)?, r.try_get::<_, i64>(0)?)))
        .collect::<Result<_, tokio_postgres::Error>>()?;
    let mut parts: HashMap<&str, (i64, &hark_core::PartInput)> = HashMap::new();
    for item in &rows {
        let id = *id_of.get(&item.unique_id).ok_or("item id not returned")?;
        for p in &item.parts {
            parts.insert(p.unique_id.as_str(), (id, p));
        }
    }
    if !parts.is_empty() {
        let parts: Vec<(i64, &hark_core::PartInput)> = parts.into_values().collect();
        let pcol = |f: fn(&hark_core::PartInput) -> Option<String>| {
            parts.iter().map(|(_, p)| f(p)).collect::<Vec<_>>()
        };
        let item_ids: Vec<i64> = parts.iter().map(|(id, _)| *id).collect();
        let unique: Vec<String> = parts.iter().map(|(_, p)| p.unique_id.clone()).collect();
        let created: Vec<Option<i64>> = parts
            .iter()
            .map(|(_, p)| p.fields.created_at.map(Timestamp::as_micros))
            .collect();
        tx.execute(
            UPSERT_PARTS,
            &[
                &source.source_id.as_str(),
                &now,
                &item_ids,
                &unique,
                &pcol(|p| p.fields.body.clone()),
                &pcol(|p| p.fields.author.clone()),
                &pcol(|p| p.fields.email.clone()),
                &pcol(|p| p.fields.user_id.clone()),
                &pcol(|p| p.fields.url.clone()),
                &created,
            ],
        )
        .await?;
    }
    let mut queued: Vec<i64> = id_of.into_values().collect();
    queued.sort_unstable();
    tx.execute(UPSERT_QUEUE, &[&source.project_id.as_str(), &now, &queued])
        .await?;
    tx.commit().await?;
    Ok(items.len())
}

/// The raw PostgreSQL rate: `connections` clients upserting `batches` into the database at
/// `url` (which has hark's schema and `source`).
pub async fn raw_rate(
    url: &str,
    connections: usize,
    source: &Source,
    batches: Arc<Vec<Vec<ItemInput>>>,
) -> Result<f64, BenchError> {
    // A free list of clients: as many as driver tasks, so a task always finds one.
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        clients.push(connect(url).await?);
    }
    let free = Arc::new(std::sync::Mutex::new(clients));
    let source = source.clone();
    let (stored, elapsed) = drive(connections, batches, move |batches, n| {
        let (free, source) = (free.clone(), source.clone());
        async move {
            let taken = free.lock().map_err(|_| "client list poisoned")?.pop();
            let mut client = taken.ok_or("no free client")?;
            let stored = upsert(&mut client, &source, &batches[n]).await;
            free.lock()
                .map_err(|_| "client list poisoned")?
                .push(client);
            stored
        }
    })
    .await?;
    Ok(stored.iter().sum::<usize>() as f64 / elapsed.as_secs_f64())
}
