//! Themes: applying a discovery result, the hand edits (rename, pin, merge, delete), reading
//! them back, and scrubbing quotes of erased text.
//!
//! A theme id is global (random), but every statement is also keyed by the project, so an id of
//! another project behaves as an unknown one.

use crate::Error;
use hark_core::analysis::{Subject, Theme, ThemeId};
use hark_core::webhooks::ThemeChange;
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::broad::set_parents;
use hark_store::backend::codec::{
    decode_strings, decode_vector, encode_strings, encode_vector, quotes_without,
};
use hark_store::{StoreError, ThemeUpdate};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const THEME_COLUMNS: &str =
    "id, project_id, label, name, key_phrases, quotes, pinned, centroid, created_at, updated_at";

/// A theme row before its JSON and blob columns are decoded (which may fail as `Corrupt`).
struct RawTheme {
    id: String,
    project: String,
    label: String,
    name: Option<String>,
    key_phrases: String,
    quotes: String,
    pinned: bool,
    centroid: Vec<u8>,
    created_at: i64,
    updated_at: i64,
}

fn raw_theme(r: &Row<'_>) -> rusqlite::Result<RawTheme> {
    Ok(RawTheme {
        id: r.get(0)?,
        project: r.get(1)?,
        label: r.get(2)?,
        name: r.get(3)?,
        key_phrases: r.get(4)?,
        quotes: r.get(5)?,
        pinned: r.get(6)?,
        centroid: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

impl RawTheme {
    fn decode(self) -> Result<Theme, Error> {
        Ok(Theme {
            id: ThemeId(self.id),
            project: ProjectId::new(self.project),
            label: self.label,
            name: self.name,
            key_phrases: decode_strings(&self.key_phrases)?,
            pinned: self.pinned,
            quotes: decode_strings(&self.quotes)?,
            centroid: decode_vector(&self.centroid)?,
            parent_id: None,
            created_at: Timestamp::from_micros(self.created_at),
            updated_at: Timestamp::from_micros(self.updated_at),
        })
    }
}

fn theme_exists(conn: &Connection, project: &str, id: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM themes WHERE id = ?1 AND project_id = ?2")?
        .query_row(params![id, project], |_| Ok(()))
        .optional()?
        .is_some())
}

fn unlink_theme(conn: &Connection, project: &str, id: &str) -> Result<(), Error> {
    conn.prepare_cached(
        "UPDATE mentions SET theme_id = NULL, theme_similarity = NULL
         WHERE project_id = ?1 AND theme_id = ?2",
    )?
    .execute(params![project, id])?;
    Ok(())
}

/// Applies a discovery result: upserts (keeping a stored theme's name, pin and creation time),
/// removals of unpinned themes, then links (a link to a theme the project does not have after
/// the update leaves the mention unlinked, for the next discovery to place).
pub(crate) fn apply_themes(
    conn: &Connection,
    project: &ProjectId,
    update: &ThemeUpdate,
) -> Result<(), Error> {
    let p = project.as_str();
    let announce = crate::webhooks::causes::wants_themes(conn, project)?;
    let mut created = Vec::new();
    let mut removed_themes = Vec::new();
    for t in &update.upsert {
        let owner: Option<String> = conn
            .prepare_cached("SELECT project_id FROM themes WHERE id = ?1")?
            .query_row(params![t.id.0], |r| r.get(0))
            .optional()?;
        if owner.is_none() {
            created.push(t);
        }
        if owner.is_some_and(|o| o != p) {
            return Err(StoreError::Conflict(format!(
                "theme id {} belongs to another project",
                t.id
            ))
            .into());
        }
        conn.prepare_cached(
            "INSERT INTO themes (id, project_id, label, name, key_phrases, quotes, pinned,
                                 centroid, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET
                 label = excluded.label, key_phrases = excluded.key_phrases,
                 quotes = excluded.quotes, centroid = excluded.centroid,
                 updated_at = excluded.updated_at",
        )?
        .execute(params![
            t.id.0,
            p,
            t.label,
            t.name,
            encode_strings(&t.key_phrases)?,
            encode_strings(&t.quotes)?,
            t.pinned,
            encode_vector(&t.centroid),
            t.created_at.as_micros(),
            t.updated_at.as_micros()
        ])?;
    }
    for id in &update.remove {
        let before = if announce {
            theme(conn, project, id)?
        } else {
            None
        };
        let removed = conn
            .prepare_cached("DELETE FROM themes WHERE id = ?1 AND project_id = ?2 AND pinned = 0")?
            .execute(params![id.0, p])?;
        if removed > 0 {
            unlink_theme(conn, p, &id.0)?;
            removed_themes.extend(before);
        }
    }
    let mut known: HashMap<&str, bool> = HashMap::new();
    for (mention, theme, similarity) in &update.links {
        let theme = match theme {
            Some(t) => {
                let exists = match known.get(t.0.as_str()) {
                    Some(e) => *e,
                    None => {
                        let e = theme_exists(conn, p, &t.0)?;
                        known.insert(&t.0, e);
                        e
                    }
                };
                exists.then_some(t.0.as_str())
            }
            None => None,
        };
        conn.prepare_cached(
            "UPDATE mentions SET theme_id = ?3, theme_similarity = ?4
             WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![
            mention,
            p,
            theme,
            theme.map(|_| f64::from(*similarity))
        ])?;
    }
    if let Some(broad) = &update.broad {
        super::broad::replace(conn, project, broad)?;
    }
    if announce {
        crate::webhooks::causes::themes_applied(conn, project, &created, &removed_themes)?;
    }
    Ok(())
}

/// The project's themes, oldest first.
pub(crate) fn themes(conn: &Connection, project: &ProjectId) -> Result<Vec<Theme>, Error> {
    let raw: Vec<RawTheme> = conn
        .prepare_cached(&format!(
            "SELECT {THEME_COLUMNS} FROM themes WHERE project_id = ?1 ORDER BY created_at, id"
        ))?
        .query_map(params![project.as_str()], raw_theme)?
        .collect::<Result<_, _>>()?;
    let mut themes: Vec<Theme> = raw
        .into_iter()
        .map(RawTheme::decode)
        .collect::<Result<_, _>>()?;
    set_parents(&mut themes, &super::broad::stored(conn, project)?);
    Ok(themes)
}

/// One theme of the project.
pub(crate) fn theme(
    conn: &Connection,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<Option<Theme>, Error> {
    conn.prepare_cached(&format!(
        "SELECT {THEME_COLUMNS} FROM themes WHERE id = ?1 AND project_id = ?2"
    ))?
    .query_row(params![id.0, project.as_str()], raw_theme)
    .optional()?
    .map(|raw| {
        let mut t = [raw.decode()?];
        set_parents(&mut t, &super::broad::stored(conn, project)?);
        let [t] = t;
        Ok(t)
    })
    .transpose()
}

/// Sets or clears the name given by a person.
pub(crate) fn rename_theme(
    conn: &Connection,
    project: &ProjectId,
    id: &ThemeId,
    name: Option<&str>,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached(
            "UPDATE themes SET name = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![
            id.0,
            project.as_str(),
            name,
            Timestamp::now().as_micros()
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound("theme").into());
    }
    if crate::webhooks::causes::wants_themes(conn, project)? {
        if let Some(t) = theme(conn, project, id)? {
            crate::webhooks::causes::theme_changed(conn, project, &t, ThemeChange::Renamed, None)?;
        }
    }
    Ok(())
}

/// Pins or unpins.
pub(crate) fn pin_theme(
    conn: &Connection,
    project: &ProjectId,
    id: &ThemeId,
    pinned: bool,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached(
            "UPDATE themes SET pinned = ?3, updated_at = ?4 WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![
            id.0,
            project.as_str(),
            pinned,
            Timestamp::now().as_micros()
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound("theme").into());
    }
    Ok(())
}

/// Moves `from`'s mentions into `into` and deletes `from`. Merging a theme into itself changes
/// nothing.
pub(crate) fn merge_themes(
    conn: &Connection,
    project: &ProjectId,
    from: &ThemeId,
    into: &ThemeId,
) -> Result<(), Error> {
    let p = project.as_str();
    if !theme_exists(conn, p, &from.0)? || !theme_exists(conn, p, &into.0)? {
        return Err(StoreError::NotFound("theme").into());
    }
    if from == into {
        return Ok(());
    }
    let announce = crate::webhooks::causes::wants_themes(conn, project)?;
    let merged = if announce {
        theme(conn, project, from)?
    } else {
        None
    };
    conn.prepare_cached(
        "UPDATE mentions SET theme_id = ?3 WHERE project_id = ?1 AND theme_id = ?2",
    )?
    .execute(params![p, from.0, into.0])?;
    conn.prepare_cached("DELETE FROM themes WHERE id = ?1 AND project_id = ?2")?
        .execute(params![from.0, p])?;
    conn.prepare_cached("UPDATE themes SET updated_at = ?3 WHERE id = ?1 AND project_id = ?2")?
        .execute(params![into.0, p, Timestamp::now().as_micros()])?;
    if let (Some(merged), Some(target)) = (merged, theme(conn, project, into)?) {
        crate::webhooks::causes::theme_changed(
            conn,
            project,
            &merged,
            ThemeChange::Merged,
            Some(&target),
        )?;
    }
    Ok(())
}

/// Deletes a theme and unlinks its mentions; false when the project had none such.
pub(crate) fn delete_theme(
    conn: &Connection,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<bool, Error> {
    let p = project.as_str();
    let before = if crate::webhooks::causes::wants_themes(conn, project)? {
        theme(conn, project, id)?
    } else {
        None
    };
    let n = conn
        .prepare_cached("DELETE FROM themes WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.0, p])?;
    if n > 0 {
        unlink_theme(conn, p, &id.0)?;
        if let Some(t) = before {
            crate::webhooks::causes::theme_changed(conn, project, &t, ThemeChange::Deleted, None)?;
        }
    }
    Ok(n > 0)
}

/// Removes from the project's theme quotes any quote taken from the subject's mentions (before
/// they are deleted): a quote is verbatim customer text, and erasure must not leave it behind.
/// A quote is dropped when it and a mention's text contain one another (a quote may be cut
/// short, with or without an ellipsis); dropping one too many only costs an example.
pub(crate) fn scrub_quotes(conn: &Connection, subject: Subject) -> Result<(), Error> {
    let mentions: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT project_id, text FROM mentions WHERE subject_kind = ?1 AND subject_id = ?2",
        )?
        .query_map(params![subject.kind(), subject.id()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let Some((project, _)) = mentions.first() else {
        return Ok(());
    };
    let texts: Vec<&str> = mentions
        .iter()
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let themes: Vec<(String, String)> = conn
        .prepare_cached("SELECT id, quotes FROM themes WHERE project_id = ?1")?
        .query_map(params![project], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, stored) in themes {
        if let Some(kept) = quotes_without(&stored, &texts)? {
            conn.prepare_cached("UPDATE themes SET quotes = ?2 WHERE id = ?1")?
                .execute(params![id, kept])?;
        }
    }
    Ok(())
}
