//! Broad themes: replacing a project's set (the last step of applying a discovery) and reading
//! them back with their children resolved; and the project's theme granularity.

use crate::Error;
use hark_core::analysis::{BroadTheme, ThemeGranularity, ThemeId};
use hark_core::ProjectId;
use hark_store::backend::broad::{encode_children, resolve, RawBroad, BROAD_COLUMNS};
use hark_store::backend::codec::{encode_strings, encode_vector};
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

/// Replaces the project's broad themes; an id held by another project fails (`Conflict`).
pub(crate) fn replace(
    conn: &Connection,
    project: &ProjectId,
    broad: &[BroadTheme],
) -> Result<(), Error> {
    let p = project.as_str();
    conn.prepare_cached("DELETE FROM broad_themes WHERE project_id = ?1")?
        .execute(params![p])?;
    for b in broad {
        let taken = conn
            .prepare_cached("SELECT 1 FROM broad_themes WHERE id = ?1")?
            .query_row(params![b.id.0], |_| Ok(()))
            .optional()?
            .is_some();
        if taken {
            return Err(StoreError::Conflict(format!(
                "broad theme id {} belongs to another project",
                b.id
            ))
            .into());
        }
        conn.prepare_cached(&format!(
            "INSERT INTO broad_themes ({BROAD_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ))?
        .execute(params![
            b.id.0,
            p,
            b.label,
            encode_strings(&b.key_phrases)?,
            encode_children(&b.children)?,
            encode_vector(&b.centroid),
            b.created_at.as_micros(),
            b.updated_at.as_micros()
        ])?;
    }
    Ok(())
}

/// The project's broad themes as stored (children not yet resolved), oldest first.
pub(crate) fn stored(conn: &Connection, project: &ProjectId) -> Result<Vec<BroadTheme>, Error> {
    let raw: Vec<RawBroad> = conn
        .prepare_cached(&format!(
            "SELECT {BROAD_COLUMNS} FROM broad_themes WHERE project_id = ?1
             ORDER BY created_at, id"
        ))?
        .query_map(params![project.as_str()], |r| {
            Ok(RawBroad {
                id: r.get(0)?,
                project: r.get(1)?,
                label: r.get(2)?,
                key_phrases: r.get(3)?,
                children: r.get(4)?,
                centroid: r.get(5)?,
                created_at: r.get(6)?,
                updated_at: r.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(raw
        .into_iter()
        .map(RawBroad::decode)
        .collect::<Result<_, _>>()?)
}

/// The project's broad themes, children resolved against its themes.
pub(crate) fn broad_themes(
    conn: &Connection,
    project: &ProjectId,
) -> Result<Vec<BroadTheme>, Error> {
    let themes: Vec<ThemeId> = conn
        .prepare_cached("SELECT id FROM themes WHERE project_id = ?1 ORDER BY created_at, id")?
        .query_map(params![project.as_str()], |r| Ok(ThemeId(r.get(0)?)))?
        .collect::<Result<_, _>>()?;
    Ok(resolve(stored(conn, project)?, &themes))
}

/// The project's own theme granularity.
pub(crate) fn theme_granularity(
    conn: &Connection,
    project: &ProjectId,
) -> Result<Option<ThemeGranularity>, Error> {
    let stored: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT theme_granularity FROM project_analysis_settings WHERE project_id = ?1",
        )?
        .query_row(params![project.as_str()], |r| r.get(0))
        .optional()?;
    match stored.flatten() {
        None => Ok(None),
        Some(name) => ThemeGranularity::parse(&name)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt("theme granularity").into()),
    }
}

/// Sets or clears the project's own theme granularity.
pub(crate) fn set_theme_granularity(
    conn: &Connection,
    project: &ProjectId,
    granularity: Option<ThemeGranularity>,
) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT INTO project_analysis_settings (project_id, theme_granularity) VALUES (?1, ?2)
         ON CONFLICT (project_id) DO UPDATE SET theme_granularity = excluded.theme_granularity",
    )?
    .execute(params![
        project.as_str(),
        granularity.map(ThemeGranularity::as_str)
    ])?;
    Ok(())
}
