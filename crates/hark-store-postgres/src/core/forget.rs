//! Forgetting what was analysed from deleted or changed subjects (the SQLite backend's
//! `forget_subject` / `forget_analysis`): mentions, the theme quotes taken from them, the
//! roll-up, the labelled examples made from the subject, and its queue row.
//!
//! The queue row goes (or is re-queued) first. An analysis worker saves a result only while
//! its generation is still queued, in the transaction that removes the row; touching the row
//! first therefore either waits for a save in flight (whose mentions the statements below,
//! each with a fresh snapshot, then see and delete) or makes a later save find nothing to
//! apply. Deleting the mentions first could leave a concurrent save's mentions behind.

use crate::Error;
use deadpool_postgres::Transaction;
use hark_store::backend::codec::quotes_without;
use std::collections::BTreeMap;

/// The kind of a subject: its `subject_kind` name and its queue table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Feedback items.
    Item,
    /// Chat-answer feedback.
    Chat,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Chat => "chat",
        }
    }
}

/// Removes everything analysed from the subjects, their queue rows included (deleted subjects).
pub(super) async fn forget_subjects(
    tx: &Transaction<'_>,
    kind: Kind,
    ids: &[i64],
) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = match kind {
        Kind::Item => "DELETE FROM analysis_queue_items WHERE subject_id = ANY($1::bigint[])",
        Kind::Chat => "DELETE FROM analysis_queue_chat WHERE subject_id = ANY($1::bigint[])",
    };
    tx.execute(&tx.prepare_cached(sql).await?, &[&ids]).await?;
    forget_analysis(tx, kind, ids).await
}

/// Queues items of `project` again (their text changed) and removes their analysis, which
/// quoted the old text. The new generation makes any result claimed before stale.
pub(super) async fn reanalyse_items(
    tx: &Transaction<'_>,
    project: &str,
    ids: &[i64],
    generation: i64,
) -> Result<(), Error> {
    if ids.is_empty() {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO analysis_queue_items (subject_id, project_id, generation, lease_until)
             SELECT id, $2, $3, NULL FROM UNNEST($1::bigint[]) AS id ORDER BY id
             ON CONFLICT (subject_id) DO UPDATE SET
                 generation = GREATEST(analysis_queue_items.generation + 1, EXCLUDED.generation),
                 lease_until = NULL, project_id = EXCLUDED.project_id",
        )
        .await?;
    tx.execute(&stmt, &[&ids, &project, &generation]).await?;
    forget_analysis(tx, Kind::Item, ids).await
}

/// Deletes the subjects' mentions (scrubbing theme quotes taken from them first), roll-ups
/// and labelled examples. The caller has dealt with the queue rows (module docs).
async fn forget_analysis(tx: &Transaction<'_>, kind: Kind, ids: &[i64]) -> Result<(), Error> {
    scrub_quotes(tx, kind, ids).await?;
    for sql in [
        "DELETE FROM mentions WHERE subject_kind = $1 AND subject_id = ANY($2::bigint[])",
        "DELETE FROM subject_analysis WHERE subject_kind = $1 AND subject_id = ANY($2::bigint[])",
        "DELETE FROM labelled_examples WHERE subject_kind = $1 AND subject_id = ANY($2::bigint[])",
    ] {
        tx.execute(&tx.prepare_cached(sql).await?, &[&kind.name(), &ids])
            .await?;
    }
    Ok(())
}

/// Removes from the themes of the mentions' projects every quote taken from the subjects'
/// mentions: a quote is verbatim customer text, and erasure must not leave it behind. The
/// themes are locked while they are rewritten, so a concurrent theme update is not lost.
async fn scrub_quotes(tx: &Transaction<'_>, kind: Kind, ids: &[i64]) -> Result<(), Error> {
    let stmt = tx
        .prepare_cached(
            "SELECT project_id, text FROM mentions
             WHERE subject_kind = $1 AND subject_id = ANY($2::bigint[])",
        )
        .await?;
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in tx.query(&stmt, &[&kind.name(), &ids]).await? {
        let text: &str = row.try_get(1)?;
        let text = text.trim();
        if !text.is_empty() {
            texts
                .entry(row.try_get(0)?)
                .or_default()
                .push(text.to_string());
        }
    }
    let themes = tx
        .prepare_cached(
            "SELECT id, quotes FROM themes WHERE project_id = $1 ORDER BY id FOR UPDATE",
        )
        .await?;
    let update = tx
        .prepare_cached(
            "UPDATE themes SET quotes = u.quotes
             FROM UNNEST($1::text[], $2::text[]) AS u(id, quotes) WHERE themes.id = u.id",
        )
        .await?;
    for (project, texts) in &texts {
        let (mut changed_ids, mut changed_quotes) = (Vec::new(), Vec::new());
        for row in tx.query(&themes, &[project]).await? {
            if let Some(kept) = quotes_without(row.try_get(1)?, texts)? {
                changed_ids.push(row.try_get::<_, String>(0)?);
                changed_quotes.push(kept);
            }
        }
        if !changed_ids.is_empty() {
            tx.execute(&update, &[&changed_ids, &changed_quotes])
                .await?;
        }
    }
    Ok(())
}
