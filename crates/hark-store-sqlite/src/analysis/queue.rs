//! The durable analysis queue (runs on the writer thread, except `queue_depth`).
//!
//! - Enqueueing happens in the transaction that stores the subject (ingest, feedback with a
//!   comment): one upsert per subject that raises its generation and frees its lease.
//! - Generations are the write time in microseconds, raised to at least the stored one + 1, so
//!   they strictly increase per subject without a shared counter that several processes on one
//!   file would have to agree on.
//! - A claim leases rows whose lease is free or expired, lowest row ids of each kind first (the
//!   oldest subjects; the tables are keyed by them, see the schema), the two kinds interleaved by
//!   generation. A save applies only while the generation it was claimed at is still the queued
//!   one, and then removes the row.
//! - Forgetting a subject (deletion, erasure) removes its row with everything analysed from it.

use super::subject_text;
use super::themes::scrub_quotes;
use crate::Error;
use hark_core::analysis::{MentionRecord, Subject, SubjectAnalysis, SubjectText};
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::codec::encode_vector;
use hark_store::{QueueDepth, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The upsert every enqueue path shares (`excluded` is the row being enqueued), as a literal
/// for `concat!` so the hot ingest path prepares a constant string. The project is set too: a
/// row id SQLite reuses after a deletion must not inherit anything.
macro_rules! on_conflict_requeue {
    () => {
        " ON CONFLICT (subject_id) DO UPDATE SET
             generation = max(generation + 1, excluded.generation), lease_until = NULL,
             project_id = excluded.project_id"
    };
}

/// One statement on the queue table of the subject's kind: `before` + table + `after`, a
/// constant string for each kind.
macro_rules! on_queue {
    ($subject:expr, $before:literal, $after:literal) => {
        match $subject {
            Subject::Item(_) => concat!($before, " analysis_queue_items ", $after),
            Subject::Chat(_) => concat!($before, " analysis_queue_chat ", $after),
        }
    };
}

/// Queues item `item_id` of `project` at `generation` (a write time in microseconds).
pub(crate) fn enqueue_item(
    conn: &Connection,
    item_id: i64,
    project: &str,
    generation: i64,
) -> Result<(), Error> {
    conn.prepare_cached(concat!(
        "INSERT INTO analysis_queue_items (subject_id, project_id, generation, lease_until)
         VALUES (?1, ?2, ?3, NULL)",
        on_conflict_requeue!()
    ))?
    .execute(params![item_id, project, generation])?;
    Ok(())
}

/// Queues the feedback `(message_row, user_key)` when its vote was just applied (its stored
/// `submitted_at` is the one sent) and it has a comment to analyse, or had one that was analysed
/// and must now be forgotten (the claim finds the comment gone and clears the analysis).
pub(crate) fn enqueue_feedback(
    conn: &Connection,
    message_row: i64,
    user_key: &str,
    submitted_at: i64,
    generation: i64,
) -> Result<(), Error> {
    // The upsert's SELECT needs its WHERE clause (SQLite's parsing rule for INSERT … SELECT).
    conn.prepare_cached(concat!(
        "INSERT INTO analysis_queue_chat (subject_id, project_id, generation, lease_until)
         SELECT f.id, f.project_id, ?4, NULL FROM chat_feedback f
         WHERE f.message_row = ?1 AND f.user_key = ?2 AND f.submitted_at = ?3
           AND (f.comment <> '' OR EXISTS (SELECT 1 FROM subject_analysis a
                                          WHERE a.subject_kind = 'chat' AND a.subject_id = f.id))",
        on_conflict_requeue!()
    ))?
    .execute(params![message_row, user_key, submitted_at, generation])?;
    Ok(())
}

/// Queues every item and commented feedback of the project; returns how many.
pub(crate) fn requeue_project(conn: &Connection, project: &ProjectId) -> Result<u64, Error> {
    let generation = Timestamp::now().as_micros();
    let items = conn.execute(
        concat!(
            "INSERT INTO analysis_queue_items (subject_id, project_id, generation, lease_until)
             SELECT id, project_id, ?2, NULL FROM items WHERE project_id = ?1",
            on_conflict_requeue!()
        ),
        params![project.as_str(), generation],
    )?;
    let chats = conn.execute(
        concat!(
            "INSERT INTO analysis_queue_chat (subject_id, project_id, generation, lease_until)
             SELECT id, project_id, ?2, NULL FROM chat_feedback
             WHERE project_id = ?1 AND comment <> ''",
            on_conflict_requeue!()
        ),
        params![project.as_str(), generation],
    )?;
    Ok((items + chats) as u64)
}

/// Leases up to `limit` ready rows and loads their texts. Rows whose subject is gone are removed
/// (with any analysis left of it) and not returned.
pub(crate) fn claim(
    conn: &Connection,
    limit: u32,
    now: Timestamp,
    lease_until: Timestamp,
) -> Result<Vec<SubjectText>, Error> {
    let rows: Vec<(String, i64, i64)> = conn
        .prepare_cached(
            "SELECT kind, subject_id, generation FROM (
                 SELECT * FROM (SELECT 'item' AS kind, subject_id, generation
                                FROM analysis_queue_items
                                WHERE lease_until IS NULL OR lease_until < ?1
                                ORDER BY subject_id LIMIT ?2)
                 UNION ALL
                 SELECT * FROM (SELECT 'chat' AS kind, subject_id, generation
                                FROM analysis_queue_chat
                                WHERE lease_until IS NULL OR lease_until < ?1
                                ORDER BY subject_id LIMIT ?2))
             ORDER BY generation LIMIT ?2",
        )?
        .query_map(params![now.as_micros(), limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut claimed = Vec::with_capacity(rows.len());
    for (kind, id, generation) in rows {
        let subject = Subject::from_parts(&kind, id).ok_or(StoreError::Corrupt("queue kind"))?;
        match subject_text::load(conn, subject)? {
            Some(loaded) => {
                conn.prepare_cached(on_queue!(
                    subject,
                    "UPDATE",
                    "SET lease_until = ?2 WHERE subject_id = ?1"
                ))?
                .execute(params![id, lease_until.as_micros()])?;
                // A category that does not decode must not wedge the queue: analyse without it.
                let user_category =
                    subject_text::user_category(conn, subject).unwrap_or_else(|e| {
                        tracing::warn!(error = %e, kind, id, "ignoring a stored manual category");
                        None
                    });
                claimed.push(loaded.into_subject_text(subject, generation, user_category));
            }
            None => forget_subject(conn, subject)?,
        }
    }
    Ok(claimed)
}

fn remove_row(conn: &Connection, subject: Subject) -> Result<(), Error> {
    conn.prepare_cached(on_queue!(subject, "DELETE FROM", "WHERE subject_id = ?1"))?
        .execute(params![subject.id()])?;
    Ok(())
}

/// Applies each result whose generation is still queued; returns how many were applied.
pub(crate) fn save(conn: &Connection, results: &[SubjectAnalysis]) -> Result<u64, Error> {
    let now = Timestamp::now().as_micros();
    let mut applied = 0;
    let mut saved = Vec::new();
    for r in results {
        let (kind, id, project) = (r.subject.kind(), r.subject.id(), r.project.as_str());
        let queued: Option<i64> = conn
            .prepare_cached(on_queue!(
                r.subject,
                "SELECT generation FROM",
                "WHERE subject_id = ?1 AND project_id = ?2"
            ))?
            .query_row(params![id, project], |r| r.get(0))
            .optional()?;
        // No row: the subject was deleted (nothing of it may be written back) or another worker
        // saved this generation already. Another generation: a newer write re-queued it, and
        // that enqueue freed the lease, so the row is ready for the next claim as it is.
        if queued != Some(r.generation) {
            continue;
        }
        conn.prepare_cached("DELETE FROM mentions WHERE subject_kind = ?1 AND subject_id = ?2")?
            .execute(params![kind, id])?;
        for m in &r.mentions {
            insert_mention(conn, r, m)?;
        }
        conn.prepare_cached(
            "INSERT INTO subject_analysis (subject_kind, subject_id, project_id, sentiment,
                                           category, confidence, category_source, analyzed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'model', ?7)
             ON CONFLICT (subject_kind, subject_id) DO UPDATE SET
                 sentiment   = excluded.sentiment,
                 category    = CASE WHEN category_source = 'user' THEN category
                                    ELSE excluded.category END,
                 confidence  = CASE WHEN category_source = 'user' THEN confidence
                                    ELSE excluded.confidence END,
                 analyzed_at = excluded.analyzed_at",
        )?
        .execute(params![
            kind,
            id,
            project,
            f64::from(r.sentiment.score),
            r.category.as_str(),
            f64::from(r.confidence),
            now
        ])?;
        remove_row(conn, r.subject)?;
        applied += 1;
        saved.push(r);
    }
    crate::webhooks::causes::analysed(conn, &saved)?;
    Ok(applied)
}

/// Inserts a mention; a theme link to a theme the project no longer has is left out.
fn insert_mention(conn: &Connection, r: &SubjectAnalysis, m: &MentionRecord) -> Result<(), Error> {
    let project = r.project.as_str();
    let theme = match &m.theme {
        Some((theme, similarity)) => conn
            .prepare_cached("SELECT 1 FROM themes WHERE id = ?1 AND project_id = ?2")?
            .query_row(params![theme.0, project], |_| Ok(()))
            .optional()?
            .map(|()| (theme.0.as_str(), f64::from(*similarity))),
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO mentions (project_id, subject_kind, subject_id, part_id, ordinal, text,
                               user_key, source_id, created_at, sentiment, category, confidence,
                               theme_id, theme_similarity, embedding)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        project,
        r.subject.kind(),
        r.subject.id(),
        m.part_id,
        m.ordinal,
        m.text,
        m.user_key,
        r.source,
        m.created_at.as_micros(),
        f64::from(m.sentiment.score),
        m.category.as_str(),
        f64::from(m.confidence),
        theme.map(|t| t.0),
        theme.map(|t| t.1),
        encode_vector(&m.embedding)
    ])?;
    Ok(())
}

/// Rows ready and under lease at `now`, of one project or all.
pub(crate) fn queue_depth(
    conn: &Connection,
    project: Option<&ProjectId>,
    now: Timestamp,
) -> Result<QueueDepth, Error> {
    let (ready, leased): (Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT sum(lease_until IS NULL OR lease_until < ?1),
                    sum(lease_until IS NOT NULL AND lease_until >= ?1)
             FROM (SELECT project_id, lease_until FROM analysis_queue_items
                   UNION ALL SELECT project_id, lease_until FROM analysis_queue_chat)
             WHERE ?2 IS NULL OR project_id = ?2",
        )?
        .query_row(
            params![now.as_micros(), project.map(ProjectId::as_str)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    Ok(QueueDepth {
        ready: ready.unwrap_or(0).max(0) as u64,
        leased: leased.unwrap_or(0).max(0) as u64,
    })
}

/// Removes everything analysed from a subject: its mentions (and theme quotes taken from
/// them), its roll-up, its queue row and the labelled examples made from it.
pub(crate) fn forget_subject(conn: &Connection, subject: Subject) -> Result<(), Error> {
    forget_analysis(conn, subject)?;
    remove_row(conn, subject)
}

/// [`forget_subject`] but for the queue row, for a subject that stays and is queued again (its
/// generation keeps increasing, so a result claimed before is stale).
pub(crate) fn forget_analysis(conn: &Connection, subject: Subject) -> Result<(), Error> {
    let (kind, id) = (subject.kind(), subject.id());
    scrub_quotes(conn, subject)?;
    for sql in [
        "DELETE FROM mentions WHERE subject_kind = ?1 AND subject_id = ?2",
        "DELETE FROM subject_analysis WHERE subject_kind = ?1 AND subject_id = ?2",
        "DELETE FROM labelled_examples WHERE subject_kind = ?1 AND subject_id = ?2",
    ] {
        conn.prepare_cached(sql)?.execute(params![kind, id])?;
    }
    Ok(())
}
