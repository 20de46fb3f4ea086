//! The events PostgreSQL writes cause, written to the outbox in the same transaction (see the
//! SQLite backend's `causes`).

use super::outbox;
use crate::analysis::{query, query_opt};
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::analysis::{SubjectAnalysis, Theme, ThemeId};
use hark_core::chat::FeedbackInput;
use hark_core::webhooks::{Endpoint, EventType, ThemeChange};
use hark_core::ProjectId;
use hark_store::backend::webhooks as wh;
use std::collections::BTreeMap;

/// `feedback.analyzed` for the items among `saved` (analyses just written).
pub(crate) async fn analysed(
    c: &impl GenericClient,
    saved: &[&SubjectAnalysis],
) -> Result<(), Error> {
    let mut by_project: BTreeMap<&ProjectId, Vec<&SubjectAnalysis>> = BTreeMap::new();
    for r in saved {
        by_project.entry(&r.project).or_default().push(r);
    }
    for (project, results) in by_project {
        let Some(endpoints) = outbox::wanting(c, project, &[EventType::FeedbackAnalyzed]).await?
        else {
            continue;
        };
        let mut events = Vec::new();
        for r in results {
            let hark_core::analysis::Subject::Item(item) = r.subject else {
                continue;
            };
            let Some(row) =
                query_opt(c, "SELECT unique_id FROM items WHERE id = $1", &[&item]).await?
            else {
                continue;
            };
            let unique_id: String = row.try_get(0)?;
            let mut names = BTreeMap::new();
            for (theme, _) in r.mentions.iter().filter_map(|m| m.theme.as_ref()) {
                if !names.contains_key(theme) {
                    names.insert(theme.clone(), theme_name(c, project, theme).await?);
                }
            }
            if let Some(e) = wh::feedback_analyzed(r, unique_id, |t| names.get(t).cloned()?) {
                events.push(e);
            }
        }
        outbox::emit_for(c, project, &endpoints, &events, None).await?;
    }
    Ok(())
}

async fn theme_name(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<Option<String>, Error> {
    let row = query_opt(
        c,
        "SELECT COALESCE(name, label) FROM themes WHERE id = $1 AND project_id = $2",
        &[&id.0, &project.as_str()],
    )
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

async fn mentions_of(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &ThemeId,
) -> Result<u64, Error> {
    let rows = query(
        c,
        "SELECT count(*) FROM mentions WHERE project_id = $1 AND theme_id = $2",
        &[&project.as_str(), &id.0],
    )
    .await?;
    let n: i64 = match rows.first() {
        Some(r) => r.try_get(0)?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Whether `project` wants theme events at all.
pub(crate) async fn wants_themes(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<bool, Error> {
    Ok(outbox::wanting(
        c,
        project,
        &[EventType::ThemeCreated, EventType::ThemeUpdated],
    )
    .await?
    .is_some())
}

/// `theme.created` for `created` and `theme.updated` (deleted) for `removed`.
pub(crate) async fn themes_applied(
    c: &impl GenericClient,
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
            mentions_of(c, project, &t.id).await?,
        ));
    }
    for t in removed {
        events.push(wh::theme_event(t, Some(ThemeChange::Deleted), None, 0));
    }
    outbox::emit(c, project, &events, None).await?;
    Ok(())
}

/// `theme.updated` for a theme a person changed.
pub(crate) async fn theme_changed(
    c: &impl GenericClient,
    project: &ProjectId,
    theme: &Theme,
    change: ThemeChange,
    into: Option<&Theme>,
) -> Result<(), Error> {
    let mentions = match change {
        ThemeChange::Renamed => mentions_of(c, project, &theme.id).await?,
        ThemeChange::Merged | ThemeChange::Deleted => 0,
    };
    let event = wh::theme_event(theme, Some(change), into, mentions);
    outbox::emit(c, project, &[event], None).await?;
    Ok(())
}

/// The project's endpoints when one wants chat-feedback events (see `outbox::wanting`).
pub(crate) async fn wants_feedback(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Option<Vec<Endpoint>>, Error> {
    outbox::wanting(
        c,
        project,
        &[
            EventType::ChatFeedbackReceived,
            EventType::ChatFeedbackNotUseful,
        ],
    )
    .await
}

/// `chat_feedback.received` (and `chat_feedback.not_useful`) for a stored call; `stored_submitted`
/// is the row's `submitted_at` after the upsert.
pub(crate) async fn feedback_stored(
    c: &impl GenericClient,
    project: &ProjectId,
    endpoints: &[Endpoint],
    input: &FeedbackInput,
    stored_submitted: Option<i64>,
) -> Result<(), Error> {
    let won = input
        .usefulness
        .as_ref()
        .is_some_and(|u| stored_submitted == Some(u.submitted_at.as_micros()));
    outbox::emit_for(c, project, endpoints, &wh::chat_feedback(input, won), None).await?;
    Ok(())
}
