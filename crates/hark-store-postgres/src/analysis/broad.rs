//! Broad themes (a port of the SQLite backend's `analysis/broad.rs`): replacing a project's
//! set and reading them back with their children resolved; and the project's theme granularity.

use super::{execute, query};
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{BroadTheme, ThemeGranularity, ThemeId};
use hark_core::ProjectId;
use hark_store::backend::broad::{encode_children, resolve, RawBroad, BROAD_COLUMNS};
use hark_store::backend::codec::{encode_strings, encode_vector};
use hark_store::StoreError;

/// Replaces the project's broad themes; an id held by another project fails (`Conflict`).
pub(super) async fn replace(
    c: &impl GenericClient,
    project: &ProjectId,
    broad: &[BroadTheme],
) -> Result<(), Error> {
    let p = project.as_str();
    execute(c, "DELETE FROM broad_themes WHERE project_id = $1", &[&p]).await?;
    for b in broad {
        let written = execute(
            c,
            &format!(
                "INSERT INTO broad_themes ({BROAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (id) DO NOTHING"
            ),
            &[
                &b.id.0,
                &p,
                &b.label,
                &encode_strings(&b.key_phrases)?,
                &encode_children(&b.children)?,
                &encode_vector(&b.centroid),
                &b.created_at.as_micros(),
                &b.updated_at.as_micros(),
            ],
        )
        .await?;
        if written == 0 {
            return Err(StoreError::Conflict(format!(
                "broad theme id {} belongs to another project",
                b.id
            ))
            .into());
        }
    }
    Ok(())
}

/// The project's broad themes as stored (children not yet resolved), oldest first.
pub(super) async fn stored(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Vec<BroadTheme>, Error> {
    let rows = query(
        c,
        &format!(
            "SELECT {BROAD_COLUMNS} FROM broad_themes WHERE project_id = $1
             ORDER BY created_at, id COLLATE \"C\""
        ),
        &[&project.as_str()],
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let raw = RawBroad {
            id: r.try_get(0)?,
            project: r.try_get(1)?,
            label: r.try_get(2)?,
            key_phrases: r.try_get(3)?,
            children: r.try_get(4)?,
            centroid: r.try_get(5)?,
            created_at: r.try_get(6)?,
            updated_at: r.try_get(7)?,
        };
        out.push(raw.decode()?);
    }
    Ok(out)
}

/// The project's broad themes, children resolved against its themes.
pub(super) async fn broad_themes(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Vec<BroadTheme>, Error> {
    let rows = query(
        c,
        "SELECT id FROM themes WHERE project_id = $1 ORDER BY created_at, id COLLATE \"C\"",
        &[&project.as_str()],
    )
    .await?;
    let themes: Vec<ThemeId> = rows
        .iter()
        .map(|r| r.try_get(0).map(ThemeId))
        .collect::<Result<_, _>>()?;
    Ok(resolve(stored(c, project).await?, &themes))
}

/// The project's own theme granularity.
pub(super) async fn theme_granularity(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Option<ThemeGranularity>, Error> {
    let row = super::query_opt(
        c,
        "SELECT theme_granularity FROM project_analysis_settings WHERE project_id = $1",
        &[&project.as_str()],
    )
    .await?;
    let stored: Option<String> = match row {
        Some(r) => r.try_get(0)?,
        None => None,
    };
    match stored {
        None => Ok(None),
        Some(name) => ThemeGranularity::parse(&name)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt("theme granularity").into()),
    }
}

/// Sets or clears the project's own theme granularity.
pub(super) async fn set_theme_granularity(
    c: &impl GenericClient,
    project: &ProjectId,
    granularity: Option<ThemeGranularity>,
) -> Result<(), Error> {
    execute(
        c,
        "INSERT INTO project_analysis_settings (project_id, theme_granularity) VALUES ($1, $2)
         ON CONFLICT (project_id) DO UPDATE SET theme_granularity = EXCLUDED.theme_granularity",
        &[
            &project.as_str(),
            &granularity.map(ThemeGranularity::as_str),
        ],
    )
    .await?;
    Ok(())
}
