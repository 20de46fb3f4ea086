//! The events SQLite writes cause, written to the outbox inside the same transaction: analysis
//! saved, themes created, renamed, merged or deleted, chat feedback stored. Each first asks
//! whether the project has an endpoint that wants such events, so projects without webhooks pay
//! one small read.

use super::outbox;
use crate::Error;
use hark_core::analysis::{SubjectAnalysis, Theme, ThemeId};
use hark_core::chat::FeedbackInput;
use hark_core::webhooks::{EventType, ThemeChange};
use hark_core::ProjectId;
use hark_store::backend::webhooks as wh;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::BTreeMap;

/// `feedback.analyzed` for the items among `saved` (analyses just written).
pub(crate) fn analysed(conn: &Connection, saved: &[&SubjectAnalysis]) -> Result<(), Error> {
    let mut by_project: BTreeMap<&ProjectId, Vec<&SubjectAnalysis>> = BTreeMap::new();
    for r in saved {
        by_project.entry(&r.project).or_default().push(r);
    }
    for (project, results) in by_project {
        let Some(endpoints) = outbox::wanting(conn, project, &[EventType::FeedbackAnalyzed])?
        else {
            continue;
        };
        let mut events = Vec::new();
        for r in results {
            let hark_core::analysis::Subject::Item(item) = r.subject else {
                continue;
            };
            let unique_id: Option<String> = conn
                .prepare_cached("SELECT unique_id FROM items WHERE id = ?1")?
                .query_row(params![item], |row| row.get(0))
                .optional()?;
            let Some(unique_id) = unique_id else {
                continue;
            };
            let mut names = BTreeMap::new();
            for (theme, _) in r.mentions.iter().filter_map(|m| m.theme.as_ref()) {
                if !names.contains_key(theme) {
                    names.insert(theme.clone(), theme_name(conn, project, theme)?);
                }
            }
            if let Some(e) = wh::feedback_analyzed(r, unique_id, |t| names.get(t).cloned()?) {
                events.push(e);
            }
        }
        outbox::emit_for(conn, project, &endpoints, &events, None)?;
    }
    Ok(())
}

fn theme_name(
    conn: &Connection,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<Option<String>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(name, label) FROM themes WHERE id = ?1 AND project_id = ?2",
        )?
        .query_row(params![id.0, project.as_str()], |r| r.get(0))
        .optional()?)
}

fn mentions_of(conn: &Connection, project: &ProjectId, id: &ThemeId) -> Result<u64, Error> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM mentions WHERE project_id = ?1 AND theme_id = ?2")?
        .query_row(params![project.as_str(), id.0], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Whether `project` wants theme events at all.
pub(crate) fn wants_themes(conn: &Connection, project: &ProjectId) -> Result<bool, Error> {
    Ok(outbox::wanting(
        conn,
        project,
        &[EventType::ThemeCreated, EventType::ThemeUpdated],
    )?
    .is_some())
}

/// `theme.created` for `created` and `theme.updated` (deleted) for `removed`, after a theme
/// discovery was applied (mention counts as they are now).
pub(crate) fn themes_applied(
    conn: &Connection,
    project: &ProjectId,
    created: &[&Theme],
    removed: &[Theme],
) -> Result<(), Error> {
    let mut events = Vec::new();
    for t in created {
        events.push(wh::theme_event(
            t,
            None,
            None,
            mentions_of(conn, project, &t.id)?,
        ));
    }
    for t in removed {
        events.push(wh::theme_event(t, Some(ThemeChange::Deleted), None, 0));
    }
    outbox::emit(conn, project, &events, None)?;
    Ok(())
}

/// `theme.updated` for a theme a person changed: `theme` as it is now (renamed), or as it was
/// (merged into `into`, deleted).
pub(crate) fn theme_changed(
    conn: &Connection,
    project: &ProjectId,
    theme: &Theme,
    change: ThemeChange,
    into: Option<&Theme>,
) -> Result<(), Error> {
    let mentions = match change {
        ThemeChange::Renamed => mentions_of(conn, project, &theme.id)?,
        ThemeChange::Merged | ThemeChange::Deleted => 0,
    };
    let event = wh::theme_event(theme, Some(change), into, mentions);
    outbox::emit(conn, project, &[event], None)?;
    Ok(())
}

/// `chat_feedback.received` (and `chat_feedback.not_useful`) for a stored `PutFeedback` call;
/// `message_row` and the user key name the stored row, to tell whether the call's vote won.
pub(crate) fn feedback_stored(
    conn: &Connection,
    project: &ProjectId,
    input: &FeedbackInput,
    message_row: i64,
) -> Result<(), Error> {
    let types = [
        EventType::ChatFeedbackReceived,
        EventType::ChatFeedbackNotUseful,
    ];
    let Some(endpoints) = outbox::wanting(conn, project, &types)? else {
        return Ok(());
    };
    let won = match &input.usefulness {
        Some(u) => {
            let stored: Option<Option<i64>> = conn
                .prepare_cached(
                    "SELECT submitted_at FROM chat_feedback WHERE message_row = ?1 AND user_key = ?2",
                )?
                .query_row(
                    params![message_row, input.user_id.as_deref().unwrap_or("")],
                    |r| r.get(0),
                )
                .optional()?;
            stored.flatten() == Some(u.submitted_at.as_micros())
        }
        None => false,
    };
    outbox::emit_for(
        conn,
        project,
        &endpoints,
        &wh::chat_feedback(input, won),
        None,
    )?;
    Ok(())
}
