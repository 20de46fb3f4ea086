//! The durable analysis queue, shared by every node on the database.
//!
//! - Enqueueing happens in the transaction that stores the subject (ingest, feedback with a
//!   comment): one upsert per subject that raises its generation and frees its lease (the same
//!   rule as SQLite: `GREATEST(generation + 1, new)`).
//! - A claim locks ready rows (lease free or expired) with `FOR UPDATE SKIP LOCKED`, lowest
//!   subject ids of each kind first, the two kinds interleaved by generation as SQLite does,
//!   sets their lease in the same transaction and commits. Rows another node is claiming at the
//!   same moment are skipped rather than waited for, and once committed their lease keeps every
//!   other node off them until it runs out: each subject is analysed by one node at a time, and
//!   a node that dies mid-work only delays its subjects until their lease expires.
//! - A save deletes the queue row *at the claimed generation* first: that one statement both
//!   checks that the result is current and takes the row's lock, so of two nodes saving the same
//!   generation (the lease ran out and another node claimed it again) exactly one applies, and a
//!   re-enqueue racing the save waits for it and then queues a new generation.
//! - Forgetting a subject (deletion, erasure) removes its row with everything analysed from it.

use super::subject_text;
use super::themes::{self, scrub_quotes};
use super::{count, execute, query, query_opt};
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{Subject, SubjectAnalysis, SubjectText};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::encode_vector;
use hark_store::{QueueDepth, StoreError};
use std::collections::HashSet;

/// One statement on the queue table of the subject's kind: `before` + table + `after`, a
/// constant string for each kind (so each is prepared once per connection).
macro_rules! on_queue {
    ($subject:expr, $before:literal, $after:literal) => {
        match $subject {
            Subject::Item(_) => concat!($before, " analysis_queue_items ", $after),
            Subject::Chat(_) => concat!($before, " analysis_queue_chat ", $after),
        }
    };
}

/// The upsert every enqueue path shares (the target is aliased `q`): a newer generation, the
/// lease freed, and the project set (as SQLite does; harmless where ids are never reused).
macro_rules! on_conflict_requeue {
    () => {
        " ON CONFLICT (subject_id) DO UPDATE SET
             generation = GREATEST(q.generation + 1, EXCLUDED.generation), lease_until = NULL,
             project_id = EXCLUDED.project_id"
    };
}

/// Queues every item and commented feedback of the project; returns how many.
pub(super) async fn requeue_project(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<u64, Error> {
    let generation = Timestamp::now().as_micros();
    let p = project.as_str();
    let items = execute(
        c,
        concat!(
            "INSERT INTO analysis_queue_items AS q (subject_id, project_id, generation, lease_until)
             SELECT id, project_id, $2, NULL FROM items WHERE project_id = $1",
            on_conflict_requeue!()
        ),
        &[&p, &generation],
    )
    .await?;
    let chats = execute(
        c,
        concat!(
            "INSERT INTO analysis_queue_chat AS q (subject_id, project_id, generation, lease_until)
             SELECT id, project_id, $2, NULL FROM chat_feedback
             WHERE project_id = $1 AND comment <> ''",
            on_conflict_requeue!()
        ),
        &[&p, &generation],
    )
    .await?;
    Ok(items + chats)
}

/// Locks up to `limit` ready rows of each kind (skipping rows another transaction holds), and
/// returns the `limit` of them with the oldest generations. The rows locked but not returned are
/// released at commit, unleased, for the next claim.
const CLAIM: &str = "
    WITH items AS (
        SELECT 'item'::text AS kind, subject_id, generation FROM analysis_queue_items
        WHERE lease_until IS NULL OR lease_until < $1
        ORDER BY subject_id LIMIT $2
        FOR UPDATE SKIP LOCKED
    ), chats AS (
        SELECT 'chat'::text AS kind, subject_id, generation FROM analysis_queue_chat
        WHERE lease_until IS NULL OR lease_until < $1
        ORDER BY subject_id LIMIT $2
        FOR UPDATE SKIP LOCKED
    )
    SELECT kind, subject_id, generation
    FROM (SELECT * FROM items UNION ALL SELECT * FROM chats) AS ready
    ORDER BY generation, kind DESC, subject_id
    LIMIT $2";

/// Leases up to `limit` ready rows until `lease_until` and loads their texts. Rows whose subject
/// is gone are removed (with any analysis left of it) and not returned. Runs in the caller's
/// transaction, which must commit for the lease to hold.
pub(super) async fn claim(
    c: &impl GenericClient,
    limit: u32,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Vec<SubjectText>, Error> {
    let rows = query(c, CLAIM, &[&now.as_micros(), &i64::from(limit)]).await?;
    let mut loaded = Vec::with_capacity(rows.len());
    let (mut items, mut chats) = (Vec::new(), Vec::new());
    for row in rows {
        let kind: String = row.try_get(0)?;
        let id: i64 = row.try_get(1)?;
        let generation: i64 = row.try_get(2)?;
        let subject = Subject::from_parts(&kind, id).ok_or(StoreError::Corrupt("queue kind"))?;
        match subject_text::load(c, subject).await? {
            Some(text) => {
                match subject {
                    Subject::Item(id) => items.push(id),
                    Subject::Chat(id) => chats.push(id),
                }
                loaded.push((subject, generation, text));
            }
            None => forget_subject(c, subject).await?,
        }
    }
    let lease = lease_until.as_micros();
    if !items.is_empty() {
        execute(
            c,
            "UPDATE analysis_queue_items SET lease_until = $2 WHERE subject_id = ANY($1)",
            &[&items, &lease],
        )
        .await?;
    }
    if !chats.is_empty() {
        execute(
            c,
            "UPDATE analysis_queue_chat SET lease_until = $2 WHERE subject_id = ANY($1)",
            &[&chats, &lease],
        )
        .await?;
    }
    let item_categories = subject_text::user_categories(c, "item", &items).await?;
    let chat_categories = subject_text::user_categories(c, "chat", &chats).await?;
    Ok(loaded
        .into_iter()
        .map(|(subject, generation, text)| {
            let user_category = match subject {
                Subject::Item(id) => item_categories.get(&id),
                Subject::Chat(id) => chat_categories.get(&id),
            };
            text.into_subject_text(subject, generation, user_category.copied())
        })
        .collect())
}

/// Applies each result whose generation is still queued; returns how many were applied.
/// Results are applied in subject order, so two nodes saving overlapping batches lock the queue
/// rows in the same order instead of deadlocking.
pub(super) async fn save(
    c: &impl GenericClient,
    results: &[SubjectAnalysis],
) -> Result<u64, Error> {
    let now = Timestamp::now().as_micros();
    let mut ordered: Vec<&SubjectAnalysis> = results.iter().collect();
    // Stable: of two results for one subject, the first given is tried first, as in SQLite.
    ordered.sort_by_key(|r| r.subject);
    let mut applied = 0;
    let mut saved = Vec::new();
    for r in ordered {
        let (kind, id, project) = (r.subject.kind(), r.subject.id(), r.project.as_str());
        // No row at this generation: the subject was deleted (nothing of it may be written
        // back), another node saved this generation already, or a newer write re-queued it (and
        // freed the lease, so the row is ready for the next claim as it is).
        let current = execute(
            c,
            on_queue!(
                r.subject,
                "DELETE FROM",
                "WHERE subject_id = $1 AND project_id = $2 AND generation = $3"
            ),
            &[&id, &project, &r.generation],
        )
        .await?;
        if current == 0 {
            continue;
        }
        execute(
            c,
            "DELETE FROM mentions WHERE subject_kind = $1 AND subject_id = $2",
            &[&kind, &id],
        )
        .await?;
        insert_mentions(c, r).await?;
        execute(
            c,
            "INSERT INTO subject_analysis AS a (subject_kind, subject_id, project_id, sentiment,
                                                category, confidence, category_source, analyzed_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'model', $7)
             ON CONFLICT (subject_kind, subject_id) DO UPDATE SET
                 sentiment   = EXCLUDED.sentiment,
                 category    = CASE WHEN a.category_source = 'user' THEN a.category
                                    ELSE EXCLUDED.category END,
                 confidence  = CASE WHEN a.category_source = 'user' THEN a.confidence
                                    ELSE EXCLUDED.confidence END,
                 analyzed_at = EXCLUDED.analyzed_at",
            &[
                &kind,
                &id,
                &project,
                &f64::from(r.sentiment.score),
                &r.category.as_str(),
                &f64::from(r.confidence),
                &now,
            ],
        )
        .await?;
        applied += 1;
        saved.push(r);
    }
    crate::webhooks::causes::analysed(c, &saved).await?;
    Ok(applied)
}

/// Inserts a result's mentions in one statement, in the order given (so their ids follow it, as
/// one insert after another would). A theme link to a theme the project no longer has is left
/// out; the themes linked to are key-share locked until commit, so a concurrent deletion or
/// merge waits and then unlinks (or moves) these mentions too.
async fn insert_mentions(c: &impl GenericClient, r: &SubjectAnalysis) -> Result<(), Error> {
    if r.mentions.is_empty() {
        return Ok(());
    }
    let project = r.project.as_str();
    let linked: Vec<&str> = r
        .mentions
        .iter()
        .filter_map(|m| m.theme.as_ref().map(|(t, _)| t.0.as_str()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known = themes::lock_existing(c, project, &linked).await?;
    let n = r.mentions.len();
    let (mut part_id, mut ordinal, mut text, mut user_key) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut created_at, mut sentiment, mut category, mut confidence) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut theme_id, mut similarity, mut embedding) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for m in &r.mentions {
        let theme = m
            .theme
            .as_ref()
            .filter(|(t, _)| known.contains(&t.0))
            .map(|(t, s)| (t.0.as_str(), f64::from(*s)));
        part_id.push(m.part_id);
        ordinal.push(i64::from(m.ordinal));
        text.push(m.text.as_str());
        user_key.push(m.user_key.as_deref());
        created_at.push(m.created_at.as_micros());
        sentiment.push(f64::from(m.sentiment.score));
        category.push(m.category.as_str());
        confidence.push(f64::from(m.confidence));
        theme_id.push(theme.map(|t| t.0));
        similarity.push(theme.map(|t| t.1));
        embedding.push(encode_vector(&m.embedding));
    }
    execute(
        c,
        "INSERT INTO mentions (project_id, subject_kind, subject_id, part_id, ordinal, text,
                               user_key, source_id, created_at, sentiment, category, confidence,
                               theme_id, theme_similarity, embedding)
         SELECT $1, $2, $3, u.part_id, u.ordinal, u.text, u.user_key, $4, u.created_at,
                u.sentiment, u.category, u.confidence, u.theme_id, u.theme_similarity,
                u.embedding
         FROM unnest($5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::bigint[],
                     $10::float8[], $11::text[], $12::float8[], $13::text[], $14::float8[],
                     $15::bytea[])
              WITH ORDINALITY AS u(part_id, ordinal, text, user_key, created_at, sentiment,
                                   category, confidence, theme_id, theme_similarity,
                                   embedding, n)
         ORDER BY u.n",
        &[
            &project,
            &r.subject.kind(),
            &r.subject.id(),
            &r.source,
            &part_id,
            &ordinal,
            &text,
            &user_key,
            &created_at,
            &sentiment,
            &category,
            &confidence,
            &theme_id,
            &similarity,
            &embedding,
        ],
    )
    .await?;
    Ok(())
}

/// Rows ready and under lease at `now`, of one project or all.
pub(super) async fn queue_depth(
    c: &impl GenericClient,
    project: Option<&ProjectId>,
    now: Timestamp,
) -> Result<QueueDepth, Error> {
    let row = query_opt(
        c,
        "SELECT count(*) FILTER (WHERE lease_until IS NULL OR lease_until < $1),
                count(*) FILTER (WHERE lease_until IS NOT NULL AND lease_until >= $1)
         FROM (SELECT project_id, lease_until FROM analysis_queue_items
               UNION ALL SELECT project_id, lease_until FROM analysis_queue_chat) AS q
         WHERE $2::text IS NULL OR project_id = $2",
        &[&now.as_micros(), &project.map(ProjectId::as_str)],
    )
    .await?;
    let Some(row) = row else {
        return Ok(QueueDepth::default());
    };
    Ok(QueueDepth {
        ready: count(row.try_get(0)?),
        leased: count(row.try_get(1)?),
    })
}

/// Removes everything analysed from a subject: its queue row, its mentions (and theme quotes
/// taken from them), its roll-up and the labelled examples made from it. For deletion and
/// erasure, in the transaction that removes the subject. The queue row goes first, as a save
/// takes it first: both lock in the same order.
pub(crate) async fn forget_subject(c: &impl GenericClient, subject: Subject) -> Result<(), Error> {
    execute(
        c,
        on_queue!(subject, "DELETE FROM", "WHERE subject_id = $1"),
        &[&subject.id()],
    )
    .await?;
    forget_analysis(c, subject).await
}

/// [`forget_subject`] but for the queue row, for a subject that stays and is queued again (its
/// generation keeps increasing, so a result claimed before is stale).
pub(crate) async fn forget_analysis(c: &impl GenericClient, subject: Subject) -> Result<(), Error> {
    let (kind, id) = (subject.kind(), subject.id());
    scrub_quotes(c, subject).await?;
    for sql in [
        "DELETE FROM mentions WHERE subject_kind = $1 AND subject_id = $2",
        "DELETE FROM subject_analysis WHERE subject_kind = $1 AND subject_id = $2",
        "DELETE FROM labelled_examples WHERE subject_kind = $1 AND subject_id = $2",
    ] {
        execute(c, sql, &[&kind, &id]).await?;
    }
    Ok(())
}
