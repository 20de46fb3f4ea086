//! Reading analyses and mentions back, manual categories, and labelled examples.

use super::metrics::filter_clause;
use super::subject_text;
use crate::row::Cols;
use crate::Error;
use hark_core::analysis::{
    Category, LabelledExample, MentionFilter, MentionView, Sentiment, StoredAnalysis, Subject,
    ThemeId,
};
use hark_core::{ItemId, ProjectId, Timestamp};
use hark_store::backend::codec::{decode_vector, encode_vector, parse_category, parse_origin};
use hark_store::backend::row::{mention_view, MENTION_COLUMNS};
use hark_store::{ItemVector, MentionVector, StoreError, VectorStamp};
use rusqlite::types::{ToSql, Value};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

/// The subject's roll-up and mentions; `None` until it has been analysed.
pub(crate) fn analysis(
    conn: &Connection,
    project: &ProjectId,
    subject: Subject,
) -> Result<Option<StoredAnalysis>, Error> {
    type Row = (Option<f64>, String, f64, String, Option<i64>);
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT sentiment, category, confidence, category_source, analyzed_at
             FROM subject_analysis WHERE subject_kind = ?1 AND subject_id = ?2 AND project_id = ?3",
        )?
        .query_row(
            params![subject.kind(), subject.id(), project.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    // A row with only a manual category (set before any analysis ran) is not an analysis yet.
    let Some((Some(sentiment), category, confidence, source, Some(analyzed_at))) = row else {
        return Ok(None);
    };
    let mentions: Vec<MentionView> = conn
        .prepare_cached(&format!(
            "SELECT {MENTION_COLUMNS} FROM mentions
             WHERE subject_kind = ?1 AND subject_id = ?2 ORDER BY ordinal, id"
        ))?
        .query_map(params![subject.kind(), subject.id()], |r| {
            mention_view(&Cols(r))
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(StoredAnalysis {
        sentiment: Sentiment::from_score(sentiment as f32),
        category: parse_category(&category)?,
        category_source: if source == "user" { "user" } else { "model" },
        confidence: confidence as f32,
        analyzed_at: Timestamp::from_micros(analyzed_at),
        mentions,
    }))
}

/// Sets a manual category and keeps the customer's words as a correction (replacing an earlier
/// correction of the same subject).
pub(crate) fn set_category(
    conn: &Connection,
    project: &ProjectId,
    subject: Subject,
    category: Category,
) -> Result<(), Error> {
    let loaded = subject_text::load(conn, subject)?.filter(|l| l.project == project.as_str());
    let Some(loaded) = loaded else {
        return Err(StoreError::NotFound(match subject {
            Subject::Item(_) => "item",
            Subject::Chat(_) => "chat feedback",
        })
        .into());
    };
    let (kind, id, p) = (subject.kind(), subject.id(), project.as_str());
    conn.prepare_cached(
        "INSERT INTO subject_analysis (subject_kind, subject_id, project_id, sentiment, category,
                                       confidence, category_source, analyzed_at)
         VALUES (?1, ?2, ?3, NULL, ?4, 1.0, 'user', NULL)
         ON CONFLICT (subject_kind, subject_id) DO UPDATE SET
             category = excluded.category, confidence = 1.0, category_source = 'user'",
    )?
    .execute(params![kind, id, p, category.as_str()])?;
    conn.prepare_cached(
        "DELETE FROM labelled_examples
         WHERE subject_kind = ?1 AND subject_id = ?2 AND origin = 'correction'",
    )?
    .execute(params![kind, id])?;
    let text = loaded.customer_text();
    if !text.trim().is_empty() {
        conn.prepare_cached(
            "INSERT INTO labelled_examples (project_id, text, category, origin, embedding,
                                            subject_kind, subject_id, created_at)
             VALUES (?1, ?2, ?3, 'correction', NULL, ?4, ?5, ?6)",
        )?
        .execute(params![
            p,
            text,
            category.as_str(),
            kind,
            id,
            Timestamp::now().as_micros()
        ])?;
    }
    Ok(())
}

/// Adds examples to an existing project; returns how many.
pub(crate) fn add_examples(
    conn: &Connection,
    project: &ProjectId,
    examples: &[LabelledExample],
) -> Result<u64, Error> {
    if crate::core::tenancy::get_project(conn, project)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    let now = Timestamp::now().as_micros();
    let mut insert = conn.prepare_cached(
        "INSERT INTO labelled_examples (project_id, text, category, origin, embedding, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for e in examples {
        insert.execute(params![
            project.as_str(),
            e.text,
            e.category.as_str(),
            e.origin,
            e.embedding.as_deref().map(encode_vector),
            now
        ])?;
    }
    Ok(examples.len() as u64)
}

/// The project's examples, oldest first.
pub(crate) fn examples(
    conn: &Connection,
    project: &ProjectId,
) -> Result<Vec<LabelledExample>, Error> {
    let rows: Vec<(String, String, String, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT text, category, origin, embedding FROM labelled_examples
             WHERE project_id = ?1 ORDER BY id",
        )?
        .query_map(params![project.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(text, category, origin, embedding)| {
            Ok(LabelledExample {
                text,
                category: parse_category(&category)?,
                origin: parse_origin(&origin)?,
                embedding: embedding.as_deref().map(decode_vector).transpose()?,
            })
        })
        .collect()
}

/// (count, highest id) of the project's examples.
pub(crate) fn examples_stamp(conn: &Connection, project: &ProjectId) -> Result<(u64, i64), Error> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(id), 0) FROM labelled_examples WHERE project_id = ?1",
        )?
        .query_row(params![project.as_str()], |r| {
            Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?))
        })?)
}

/// Projects with mentions in no theme, with how many (each counted on its own index range).
pub(crate) fn projects_with_unlinked(conn: &Connection) -> Result<Vec<(ProjectId, u64)>, Error> {
    let projects: Vec<String> = conn
        .prepare_cached("SELECT id FROM projects ORDER BY created_at, id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for p in projects {
        let n: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM mentions WHERE project_id = ?1 AND theme_id IS NULL",
            )?
            .query_row(params![p], |r| r.get(0))?;
        if n > 0 {
            out.push((ProjectId::new(p), n as u64));
        }
    }
    Ok(out)
}

/// The project's mention embeddings (all, or the unlinked ones), by id.
pub(crate) fn mention_vectors(
    conn: &Connection,
    project: &ProjectId,
    unlinked_only: bool,
) -> Result<Vec<MentionVector>, Error> {
    let rows: Vec<(i64, Option<String>, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT id, theme_id, embedding FROM mentions
             WHERE project_id = ?1 AND (?2 = 0 OR theme_id IS NULL) ORDER BY id",
        )?
        .query_map(params![project.as_str(), unlinked_only], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, theme, embedding)| {
            Ok(MentionVector {
                id,
                theme: theme.map(ThemeId),
                embedding: decode_vector(&embedding)?,
            })
        })
        .collect()
}

/// A page of the project's item-mention embeddings with ids above `after`, by id.
pub(crate) fn item_vectors(
    conn: &Connection,
    project: &ProjectId,
    after: i64,
    limit: u32,
) -> Result<Vec<ItemVector>, Error> {
    let rows: Vec<(i64, i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT id, subject_id, embedding FROM mentions
             WHERE project_id = ?1 AND subject_kind = ?2 AND id > ?3 ORDER BY id LIMIT ?4",
        )?
        .query_map(
            params![project.as_str(), Subject::Item(0).kind(), after, limit],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect::<Result<_, _>>()?;
    rows.into_iter()
        .map(|(id, item, embedding)| {
            Ok(ItemVector {
                id,
                item: ItemId(item),
                embedding: decode_vector(&embedding)?,
            })
        })
        .collect()
}

/// How many item mentions the project has, and the highest id.
pub(crate) fn item_vector_stamp(
    conn: &Connection,
    project: &ProjectId,
) -> Result<VectorStamp, Error> {
    let (count, max_id): (i64, i64) = conn
        .prepare_cached(
            "SELECT count(*), coalesce(max(id), 0) FROM mentions
             WHERE project_id = ?1 AND subject_kind = ?2",
        )?
        .query_row(params![project.as_str(), Subject::Item(0).kind()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(VectorStamp {
        count: u64::try_from(count).unwrap_or(0),
        max_id,
    })
}

/// Texts of the given mentions of the project, in the order asked, missing ones skipped.
pub(crate) fn mention_texts(
    conn: &Connection,
    project: &ProjectId,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, Error> {
    let mut stmt =
        conn.prepare_cached("SELECT text FROM mentions WHERE id = ?1 AND project_id = ?2")?;
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        if let Some(text) = stmt
            .query_row(params![id, project.as_str()], |r| r.get(0))
            .optional()?
        {
            out.push((id, text));
        }
    }
    Ok(out)
}

/// Mentions matching the filter, newest (highest id) first, below `before_id`.
pub(crate) fn list_mentions(
    conn: &Connection,
    project: &ProjectId,
    filter: &MentionFilter,
    before_id: Option<i64>,
    limit: u32,
) -> Result<Vec<MentionView>, Error> {
    let (cond, mut args) = filter_clause(project, filter);
    let mut sql = format!("SELECT {MENTION_COLUMNS} FROM mentions WHERE {cond}");
    if let Some(id) = before_id {
        sql.push_str(" AND id < ?");
        args.push(Value::Integer(id));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    args.push(Value::Integer(i64::from(limit)));
    let args: Vec<&dyn ToSql> = args.iter().map(|a| a as &dyn ToSql).collect();
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params_from_iter(args), |r| mention_view(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
