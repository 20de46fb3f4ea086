//! Themes: applying a discovery result, the hand edits (rename, pin, merge, delete), reading
//! them back, and scrubbing quotes of erased text.
//!
//! A theme id is global (random), but every statement is also keyed by the project, so an id of
//! another project behaves as an unknown one. Where a mention is linked to a theme, the theme
//! row is locked (`FOR KEY SHARE`) until commit, and deletions and merges lock it exclusively:
//! a link and a concurrent deletion are ordered, so no mention is left pointing at a theme that
//! is gone.

use super::{execute, query, query_opt};
use crate::webhooks::causes;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{Subject, Theme, ThemeId};
use hark_core::webhooks::ThemeChange;
use hark_core::{ProjectId, Timestamp};
use hark_store::backend::broad::set_parents;
use hark_store::backend::codec::{
    decode_strings, decode_vector, encode_strings, encode_vector, quotes_without,
};
use hark_store::{StoreError, ThemeUpdate};
use std::collections::{BTreeMap, HashSet};
use tokio_postgres::Row;

/// The columns [`decode_theme`] reads, in its order.
const THEME_COLUMNS: &str =
    "id, project_id, label, name, key_phrases, quotes, pinned, centroid, created_at, updated_at";

fn decode_theme(r: &Row) -> Result<Theme, Error> {
    let key_phrases: String = r.try_get(4)?;
    let quotes: String = r.try_get(5)?;
    let centroid: Vec<u8> = r.try_get(7)?;
    Ok(Theme {
        id: ThemeId(r.try_get(0)?),
        project: ProjectId::new(r.try_get::<_, String>(1)?),
        label: r.try_get(2)?,
        name: r.try_get(3)?,
        key_phrases: decode_strings(&key_phrases)?,
        pinned: r.try_get(6)?,
        quotes: decode_strings(&quotes)?,
        centroid: decode_vector(&centroid)?,
        parent_id: None,
        created_at: Timestamp::from_micros(r.try_get(8)?),
        updated_at: Timestamp::from_micros(r.try_get(9)?),
    })
}

/// How [`theme_locked`] locks the theme it finds.
#[derive(Clone, Copy)]
enum Lock {
    /// `FOR UPDATE`: no one else may link to, change or delete it.
    Exclusive,
    /// `FOR KEY SHARE`: it may change but not be deleted.
    KeyShare,
}

/// Whether the project has the theme, locking it until commit so the answer holds for the rest
/// of the transaction.
async fn theme_locked(
    c: &impl GenericClient,
    project: &str,
    id: &str,
    lock: Lock,
) -> Result<bool, Error> {
    let sql = match lock {
        Lock::Exclusive => "SELECT 1 FROM themes WHERE id = $1 AND project_id = $2 FOR UPDATE",
        Lock::KeyShare => "SELECT 1 FROM themes WHERE id = $1 AND project_id = $2 FOR KEY SHARE",
    };
    Ok(query_opt(c, sql, &[&id, &project]).await?.is_some())
}

async fn unlink_theme(c: &impl GenericClient, project: &str, id: &str) -> Result<(), Error> {
    execute(
        c,
        "UPDATE mentions SET theme_id = NULL, theme_similarity = NULL
         WHERE project_id = $1 AND theme_id = $2",
        &[&project, &id],
    )
    .await?;
    Ok(())
}

/// Which of `ids` are themes of the project, each locked `FOR KEY SHARE` (in id order) until
/// the transaction ends, so that a mention linked to one now cannot be left pointing at a theme
/// a concurrent merge or delete removes.
pub(super) async fn lock_existing(
    c: &impl GenericClient,
    project: &str,
    ids: &[&str],
) -> Result<HashSet<String>, Error> {
    let mut known = HashSet::new();
    if ids.is_empty() {
        return Ok(known);
    }
    let rows = query(
        c,
        "SELECT id FROM themes WHERE project_id = $1 AND id = ANY($2)
         ORDER BY id FOR KEY SHARE",
        &[&project, &ids],
    )
    .await?;
    for row in rows {
        known.insert(row.try_get::<_, String>(0)?);
    }
    Ok(known)
}

/// Applies a discovery result: upserts (keeping a stored theme's name, pin and creation time),
/// removals of unpinned themes, then links (a link to a theme the project does not have after
/// the update leaves the mention unlinked, for the next discovery to place).
pub(super) async fn apply_themes(
    c: &impl GenericClient,
    project: &ProjectId,
    update: &ThemeUpdate,
) -> Result<(), Error> {
    let p = project.as_str();
    let announce = causes::wants_themes(c, project).await?;
    let mut created = Vec::new();
    let mut removed_themes = Vec::new();
    for t in &update.upsert {
        if announce
            && query_opt(c, "SELECT 1 FROM themes WHERE id = $1", &[&t.id.0])
                .await?
                .is_none()
        {
            created.push(t);
        }
        // The update applies only to the project's own theme: an id another project holds
        // changes nothing and fails the whole update (checked and written in one statement).
        let written = execute(
            c,
            "INSERT INTO themes AS t (id, project_id, label, name, key_phrases, quotes, pinned,
                                      centroid, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET
                 label = EXCLUDED.label, key_phrases = EXCLUDED.key_phrases,
                 quotes = EXCLUDED.quotes, centroid = EXCLUDED.centroid,
                 updated_at = EXCLUDED.updated_at
             WHERE t.project_id = EXCLUDED.project_id",
            &[
                &t.id.0,
                &p,
                &t.label,
                &t.name,
                &encode_strings(&t.key_phrases)?,
                &encode_strings(&t.quotes)?,
                &t.pinned,
                &encode_vector(&t.centroid),
                &t.created_at.as_micros(),
                &t.updated_at.as_micros(),
            ],
        )
        .await?;
        if written == 0 {
            return Err(StoreError::Conflict(format!(
                "theme id {} belongs to another project",
                t.id
            ))
            .into());
        }
    }
    for id in &update.remove {
        let before = if announce {
            theme(c, project, id).await?
        } else {
            None
        };
        let removed = execute(
            c,
            "DELETE FROM themes WHERE id = $1 AND project_id = $2 AND NOT pinned",
            &[&id.0, &p],
        )
        .await?;
        if removed > 0 {
            unlink_theme(c, p, &id.0).await?;
            removed_themes.extend(before);
        }
    }
    apply_links(c, p, &update.links).await?;
    if let Some(broad) = &update.broad {
        super::broad::replace(c, project, broad).await?;
    }
    if announce {
        causes::themes_applied(c, project, &created, &removed_themes).await?;
    }
    Ok(())
}

/// Sets the links in one statement. A mention listed twice gets its last link, as one update
/// after another would leave it; links to themes the project does not have unlink.
async fn apply_links(
    c: &impl GenericClient,
    project: &str,
    links: &[(i64, Option<ThemeId>, f32)],
) -> Result<(), Error> {
    if links.is_empty() {
        return Ok(());
    }
    let last: BTreeMap<i64, (Option<&str>, f32)> = links
        .iter()
        .map(|(m, t, s)| (*m, (t.as_ref().map(|t| t.0.as_str()), *s)))
        .collect();
    let wanted: Vec<&str> = last
        .values()
        .filter_map(|(t, _)| *t)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known = lock_existing(c, project, &wanted).await?;
    let mut ids = Vec::with_capacity(last.len());
    let mut themes = Vec::with_capacity(last.len());
    let mut similarities = Vec::with_capacity(last.len());
    for (mention, (theme, similarity)) in last {
        let theme = theme.filter(|t| known.contains(*t));
        ids.push(mention);
        themes.push(theme);
        similarities.push(theme.map(|_| f64::from(similarity)));
    }
    execute(
        c,
        "UPDATE mentions AS m SET theme_id = u.theme_id, theme_similarity = u.similarity
         FROM unnest($2::bigint[], $3::text[], $4::float8[]) AS u(id, theme_id, similarity)
         WHERE m.id = u.id AND m.project_id = $1",
        &[&project, &ids, &themes, &similarities],
    )
    .await?;
    Ok(())
}

/// The project's themes, oldest first (ties by id in byte order, as SQLite compares text,
/// whatever the database's collation).
pub(super) async fn themes(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Vec<Theme>, Error> {
    let rows = query(
        c,
        &format!(
            "SELECT {THEME_COLUMNS} FROM themes WHERE project_id = $1
             ORDER BY created_at, id COLLATE \"C\""
        ),
        &[&project.as_str()],
    )
    .await?;
    let mut themes: Vec<Theme> = rows.iter().map(decode_theme).collect::<Result<_, _>>()?;
    set_parents(&mut themes, &super::broad::stored(c, project).await?);
    Ok(themes)
}

/// One theme of the project.
pub(super) async fn theme(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<Option<Theme>, Error> {
    let row = query_opt(
        c,
        &format!("SELECT {THEME_COLUMNS} FROM themes WHERE id = $1 AND project_id = $2"),
        &[&id.0, &project.as_str()],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut t = [decode_theme(&row)?];
    set_parents(&mut t, &super::broad::stored(c, project).await?);
    let [t] = t;
    Ok(Some(t))
}

/// Sets or clears the name given by a person.
pub(super) async fn rename_theme(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
    name: Option<&str>,
) -> Result<(), Error> {
    let n = execute(
        c,
        "UPDATE themes SET name = $3, updated_at = $4 WHERE id = $1 AND project_id = $2",
        &[
            &id.0,
            &project.as_str(),
            &name,
            &Timestamp::now().as_micros(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound("theme").into());
    }
    if causes::wants_themes(c, project).await? {
        if let Some(t) = theme(c, project, id).await? {
            causes::theme_changed(c, project, &t, ThemeChange::Renamed, None).await?;
        }
    }
    Ok(())
}

/// Pins or unpins.
pub(super) async fn pin_theme(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
    pinned: bool,
) -> Result<(), Error> {
    let n = execute(
        c,
        "UPDATE themes SET pinned = $3, updated_at = $4 WHERE id = $1 AND project_id = $2",
        &[
            &id.0,
            &project.as_str(),
            &pinned,
            &Timestamp::now().as_micros(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound("theme").into());
    }
    Ok(())
}

/// Moves `from`'s mentions into `into` and deletes `from`. Merging a theme into itself changes
/// nothing. `from` is locked exclusively first, so a save linking a mention to it waits and then
/// finds it gone; `into` is key-share locked, so it cannot be deleted under the merge.
pub(super) async fn merge_themes(
    c: &impl GenericClient,
    project: &ProjectId,
    from: &ThemeId,
    into: &ThemeId,
) -> Result<(), Error> {
    let p = project.as_str();
    if !theme_locked(c, p, &from.0, Lock::Exclusive).await?
        || !theme_locked(c, p, &into.0, Lock::KeyShare).await?
    {
        return Err(StoreError::NotFound("theme").into());
    }
    if from == into {
        return Ok(());
    }
    let merged = if causes::wants_themes(c, project).await? {
        theme(c, project, from).await?
    } else {
        None
    };
    execute(
        c,
        "UPDATE mentions SET theme_id = $3 WHERE project_id = $1 AND theme_id = $2",
        &[&p, &from.0, &into.0],
    )
    .await?;
    execute(
        c,
        "DELETE FROM themes WHERE id = $1 AND project_id = $2",
        &[&from.0, &p],
    )
    .await?;
    execute(
        c,
        "UPDATE themes SET updated_at = $3 WHERE id = $1 AND project_id = $2",
        &[&into.0, &p, &Timestamp::now().as_micros()],
    )
    .await?;
    if let Some(merged) = merged {
        if let Some(target) = theme(c, project, into).await? {
            causes::theme_changed(c, project, &merged, ThemeChange::Merged, Some(&target)).await?;
        }
    }
    Ok(())
}

/// Deletes a theme and unlinks its mentions; false when the project had none such.
pub(super) async fn delete_theme(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<bool, Error> {
    let p = project.as_str();
    let before = if causes::wants_themes(c, project).await? {
        theme(c, project, id).await?
    } else {
        None
    };
    let n = execute(
        c,
        "DELETE FROM themes WHERE id = $1 AND project_id = $2",
        &[&id.0, &p],
    )
    .await?;
    if n > 0 {
        unlink_theme(c, p, &id.0).await?;
        if let Some(t) = before {
            causes::theme_changed(c, project, &t, ThemeChange::Deleted, None).await?;
        }
    }
    Ok(n > 0)
}

/// Removes from the project's theme quotes any quote taken from the subject's mentions (before
/// they are deleted): a quote is verbatim customer text, and erasure must not leave it behind.
/// A quote is dropped when it and a mention's text contain one another (a quote may be cut
/// short, with or without an ellipsis); dropping one too many only costs an example. The
/// project's themes are locked while their quotes are rewritten, so a concurrent discovery
/// cannot write back quotes read before.
pub(super) async fn scrub_quotes(c: &impl GenericClient, subject: Subject) -> Result<(), Error> {
    let mentions = query(
        c,
        "SELECT project_id, text FROM mentions WHERE subject_kind = $1 AND subject_id = $2",
        &[&subject.kind(), &subject.id()],
    )
    .await?;
    let Some(first) = mentions.first() else {
        return Ok(());
    };
    let project: String = first.try_get(0)?;
    let mut texts: Vec<String> = Vec::with_capacity(mentions.len());
    for m in &mentions {
        let text: String = m.try_get(1)?;
        let text = text.trim();
        if !text.is_empty() {
            texts.push(text.to_string());
        }
    }
    let themes = query(
        c,
        "SELECT id, quotes FROM themes WHERE project_id = $1 ORDER BY id FOR NO KEY UPDATE",
        &[&project],
    )
    .await?;
    for row in themes {
        let id: String = row.try_get(0)?;
        let stored: String = row.try_get(1)?;
        if let Some(kept) = quotes_without(&stored, &texts)? {
            execute(
                c,
                "UPDATE themes SET quotes = $2 WHERE id = $1",
                &[&id, &kept],
            )
            .await?;
        }
    }
    Ok(())
}
