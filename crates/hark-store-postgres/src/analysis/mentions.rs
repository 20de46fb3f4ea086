//! Reading analyses and mentions back, manual categories, and labelled examples.

use super::metrics::Filter;
use super::{count, execute, query, query_opt, subject_text};
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{
    Category, LabelledExample, MentionFilter, MentionView, Sentiment, StoredAnalysis, Subject,
    ThemeId,
};
use hark_core::{ItemId, ProjectId, Timestamp};
use hark_store::backend::codec::{decode_vector, encode_vector, parse_category, parse_origin};
use hark_store::backend::row::{mention_view, MENTION_COLUMNS};
use hark_store::{ItemVector, MentionVector, StoreError, VectorStamp};
use std::collections::HashMap;

/// The subject's roll-up and mentions; `None` until it has been analysed. Both reads should
/// share a snapshot (the caller's transaction).
pub(super) async fn analysis(
    c: &impl GenericClient,
    project: &ProjectId,
    subject: Subject,
) -> Result<Option<StoredAnalysis>, Error> {
    let row = query_opt(
        c,
        "SELECT sentiment, category, confidence, category_source, analyzed_at
         FROM subject_analysis WHERE subject_kind = $1 AND subject_id = $2 AND project_id = $3",
        &[&subject.kind(), &subject.id(), &project.as_str()],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let sentiment: Option<f64> = row.try_get(0)?;
    let analyzed_at: Option<i64> = row.try_get(4)?;
    // A row with only a manual category (set before any analysis ran) is not an analysis yet.
    let (Some(sentiment), Some(analyzed_at)) = (sentiment, analyzed_at) else {
        return Ok(None);
    };
    let category: String = row.try_get(1)?;
    let confidence: f64 = row.try_get(2)?;
    let source: String = row.try_get(3)?;
    let mentions = query(
        c,
        &format!(
            "SELECT {MENTION_COLUMNS} FROM mentions
             WHERE subject_kind = $1 AND subject_id = $2 ORDER BY ordinal, id"
        ),
        &[&subject.kind(), &subject.id()],
    )
    .await?;
    Ok(Some(StoredAnalysis {
        sentiment: Sentiment::from_score(sentiment as f32),
        category: parse_category(&category)?,
        category_source: if source == "user" { "user" } else { "model" },
        confidence: confidence as f32,
        analyzed_at: Timestamp::from_micros(analyzed_at),
        mentions: mentions
            .iter()
            .map(|r| mention_view(&Cols(r)))
            .collect::<Result<_, _>>()?,
    }))
}

/// Sets a manual category and keeps the customer's words as a correction (replacing an earlier
/// correction of the same subject).
pub(super) async fn set_category(
    c: &impl GenericClient,
    project: &ProjectId,
    subject: Subject,
    category: Category,
) -> Result<(), Error> {
    let loaded = subject_text::load(c, subject)
        .await?
        .filter(|l| l.project == project.as_str());
    let Some(loaded) = loaded else {
        return Err(StoreError::NotFound(match subject {
            Subject::Item(_) => "item",
            Subject::Chat(_) => "chat feedback",
        })
        .into());
    };
    let (kind, id, p) = (subject.kind(), subject.id(), project.as_str());
    execute(
        c,
        "INSERT INTO subject_analysis (subject_kind, subject_id, project_id, sentiment, category,
                                       confidence, category_source, analyzed_at)
         VALUES ($1, $2, $3, NULL, $4, 1.0, 'user', NULL)
         ON CONFLICT (subject_kind, subject_id) DO UPDATE SET
             category = EXCLUDED.category, confidence = 1.0, category_source = 'user'",
        &[&kind, &id, &p, &category.as_str()],
    )
    .await?;
    execute(
        c,
        "DELETE FROM labelled_examples
         WHERE subject_kind = $1 AND subject_id = $2 AND origin = 'correction'",
        &[&kind, &id],
    )
    .await?;
    let text = loaded.customer_text();
    if !text.trim().is_empty() {
        execute(
            c,
            "INSERT INTO labelled_examples (project_id, text, category, origin, embedding,
                                            subject_kind, subject_id, created_at)
             VALUES ($1, $2, $3, 'correction', NULL, $4, $5, $6)",
            &[
                &p,
                &text,
                &category.as_str(),
                &kind,
                &id,
                &Timestamp::now().as_micros(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Adds examples to an existing project, in one statement that keeps their order (ids follow
/// it, so [`examples`] lists them as given); returns how many.
pub(super) async fn add_examples(
    c: &impl GenericClient,
    project: &ProjectId,
    examples: &[LabelledExample],
) -> Result<u64, Error> {
    let p = project.as_str();
    if query_opt(c, "SELECT 1 FROM projects WHERE id = $1", &[&p])
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound("project").into());
    }
    if examples.is_empty() {
        return Ok(0);
    }
    let text: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let category: Vec<&str> = examples.iter().map(|e| e.category.as_str()).collect();
    let origin: Vec<&str> = examples.iter().map(|e| e.origin).collect();
    let embedding: Vec<Option<Vec<u8>>> = examples
        .iter()
        .map(|e| e.embedding.as_deref().map(encode_vector))
        .collect();
    execute(
        c,
        "INSERT INTO labelled_examples (project_id, text, category, origin, embedding, created_at)
         SELECT $1, u.text, u.category, u.origin, u.embedding, $2
         FROM unnest($3::text[], $4::text[], $5::text[], $6::bytea[])
              WITH ORDINALITY AS u(text, category, origin, embedding, n)
         ORDER BY u.n",
        &[
            &p,
            &Timestamp::now().as_micros(),
            &text,
            &category,
            &origin,
            &embedding,
        ],
    )
    .await?;
    Ok(examples.len() as u64)
}

/// The project's examples, oldest first.
pub(super) async fn examples(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Vec<LabelledExample>, Error> {
    let rows = query(
        c,
        "SELECT text, category, origin, embedding FROM labelled_examples
         WHERE project_id = $1 ORDER BY id",
        &[&project.as_str()],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let category: String = r.try_get(1)?;
            let origin: String = r.try_get(2)?;
            let embedding: Option<Vec<u8>> = r.try_get(3)?;
            Ok(LabelledExample {
                text: r.try_get(0)?,
                category: parse_category(&category)?,
                origin: parse_origin(&origin)?,
                embedding: embedding.as_deref().map(decode_vector).transpose()?,
            })
        })
        .collect()
}

/// (count, highest id) of the project's examples.
pub(super) async fn examples_stamp(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<(u64, i64), Error> {
    let row = query_opt(
        c,
        "SELECT count(*), COALESCE(max(id), 0) FROM labelled_examples WHERE project_id = $1",
        &[&project.as_str()],
    )
    .await?;
    match row {
        Some(row) => Ok((count(row.try_get(0)?), row.try_get(1)?)),
        None => Ok((0, 0)),
    }
}

/// Projects with mentions in no theme, with how many, oldest project first (each counted on its
/// own index range, as SQLite does project by project; ties by id in byte order, as SQLite
/// compares text).
pub(super) async fn projects_with_unlinked(
    c: &impl GenericClient,
) -> Result<Vec<(ProjectId, u64)>, Error> {
    let rows = query(
        c,
        "SELECT p.id, u.n FROM projects p
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM mentions m
                             WHERE m.project_id = p.id AND m.theme_id IS NULL) u
         WHERE u.n > 0
         ORDER BY p.created_at, p.id COLLATE \"C\"",
        &[],
    )
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                ProjectId::new(r.try_get::<_, String>(0)?),
                count(r.try_get(1)?),
            ))
        })
        .collect()
}

/// The project's mention embeddings (all, or the unlinked ones), by id.
pub(super) async fn mention_vectors(
    c: &impl GenericClient,
    project: &ProjectId,
    unlinked_only: bool,
) -> Result<Vec<MentionVector>, Error> {
    let rows = query(
        c,
        "SELECT id, theme_id, embedding FROM mentions
         WHERE project_id = $1 AND (NOT $2 OR theme_id IS NULL) ORDER BY id",
        &[&project.as_str(), &unlinked_only],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let theme: Option<String> = r.try_get(1)?;
            let embedding: Vec<u8> = r.try_get(2)?;
            Ok(MentionVector {
                id: r.try_get(0)?,
                theme: theme.map(ThemeId),
                embedding: decode_vector(&embedding)?,
            })
        })
        .collect()
}

/// A page of the project's item-mention embeddings with ids above `after`, by id.
pub(super) async fn item_vectors(
    c: &impl GenericClient,
    project: &ProjectId,
    after: i64,
    limit: u32,
) -> Result<Vec<ItemVector>, Error> {
    let rows = query(
        c,
        "SELECT id, subject_id, embedding FROM mentions
         WHERE project_id = $1 AND subject_kind = $2 AND id > $3 ORDER BY id LIMIT $4",
        &[
            &project.as_str(),
            &Subject::Item(0).kind(),
            &after,
            &i64::from(limit),
        ],
    )
    .await?;
    rows.iter()
        .map(|r| {
            let embedding: Vec<u8> = r.try_get(2)?;
            Ok(ItemVector {
                id: r.try_get(0)?,
                item: ItemId(r.try_get(1)?),
                embedding: decode_vector(&embedding)?,
            })
        })
        .collect()
}

/// How many item mentions the project has, and the highest id.
pub(super) async fn item_vector_stamp(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<VectorStamp, Error> {
    let rows = query(
        c,
        "SELECT count(*), coalesce(max(id), 0) FROM mentions
         WHERE project_id = $1 AND subject_kind = $2",
        &[&project.as_str(), &Subject::Item(0).kind()],
    )
    .await?;
    let Some(r) = rows.first() else {
        return Ok(VectorStamp::default());
    };
    let count: i64 = r.try_get(0)?;
    Ok(VectorStamp {
        count: u64::try_from(count).unwrap_or(0),
        max_id: r.try_get(1)?,
    })
}

/// Texts of the given mentions of the project, in the order asked (repeats included), missing
/// ones skipped.
pub(super) async fn mention_texts(
    c: &impl GenericClient,
    project: &ProjectId,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = query(
        c,
        "SELECT id, text FROM mentions WHERE project_id = $1 AND id = ANY($2)",
        &[&project.as_str(), &ids],
    )
    .await?;
    let mut texts = HashMap::with_capacity(rows.len());
    for r in rows {
        texts.insert(r.try_get::<_, i64>(0)?, r.try_get::<_, String>(1)?);
    }
    Ok(ids
        .iter()
        .filter_map(|id| texts.get(id).map(|t| (*id, t.clone())))
        .collect())
}

/// Mentions matching the filter, newest (highest id) first, below `before_id`.
pub(super) async fn list_mentions(
    c: &impl GenericClient,
    project: &ProjectId,
    filter: &MentionFilter,
    before_id: Option<i64>,
    limit: u32,
) -> Result<Vec<MentionView>, Error> {
    let mut f = Filter::new(project, filter);
    if let Some(id) = before_id {
        f.and("id <", id);
    }
    let limit_at = f.arg(i64::from(limit));
    let sql = format!(
        "SELECT {MENTION_COLUMNS} FROM mentions WHERE {} ORDER BY id DESC LIMIT {limit_at}",
        f.sql
    );
    let rows = query(c, &sql, &f.params()).await?;
    rows.iter().map(|r| mention_view(&Cols(r))).collect()
}
