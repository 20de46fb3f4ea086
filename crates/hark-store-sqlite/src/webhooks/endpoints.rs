//! Webhook endpoints in SQLite.

use crate::core::tenancy::get_project;
use crate::error::conflict_on_duplicate;
use crate::row::Cols;
use crate::Error;
use hark_core::webhooks::{Endpoint, EndpointState, EventType};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_store::backend::webhooks::{self as wh, ENDPOINT_COLUMNS};
use hark_store::StoreError;
use rusqlite::{params, Connection, OptionalExtension};

pub(crate) fn insert(conn: &Connection, e: &Endpoint, secret: &[u8]) -> Result<(), Error> {
    if get_project(conn, &e.project_id)?.is_none() {
        return Err(StoreError::NotFound("project").into());
    }
    let (events, filter) = wh::endpoint_json(e);
    conn.prepare_cached(
        "INSERT INTO webhook_endpoints (id, project_id, url, kind, events, filter, description,
                                        state, disabled_reason, failing_since, secret,
                                        created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        e.id.as_str(),
        e.project_id.as_str(),
        e.url,
        e.kind.as_str(),
        events,
        filter,
        e.description,
        e.state.as_str(),
        e.disabled_reason,
        e.failing_since.map(Timestamp::as_micros),
        secret,
        e.created_at.as_micros(),
        e.updated_at.as_micros()
    ])
    .map_err(|err| conflict_on_duplicate(err, "endpoint id"))?;
    Ok(())
}

/// The project's endpoints, oldest first.
pub(crate) fn list(conn: &Connection, project: &ProjectId) -> Result<Vec<Endpoint>, Error> {
    let v = conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE project_id = ?1
             ORDER BY created_at, id"
        ))?
        .query_map(params![project.as_str()], |r| wh::endpoint(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub(crate) fn get(
    conn: &Connection,
    project: &ProjectId,
    id: &EndpointId,
) -> Result<Option<Endpoint>, Error> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = ?1 AND project_id = ?2"
        ))?
        .query_row(params![id.as_str(), project.as_str()], |r| {
            wh::endpoint(&Cols(r))
        })
        .optional()?)
}

pub(crate) fn update(conn: &Connection, e: &Endpoint, now: Timestamp) -> Result<(), Error> {
    let (events, filter) = wh::endpoint_json(e);
    let enabled = e.state != EndpointState::Disabled;
    let n = conn
        .prepare_cached(
            "UPDATE webhook_endpoints SET url = ?3, kind = ?4, events = ?5, filter = ?6,
                 description = ?7, state = ?8,
                 disabled_reason = CASE WHEN ?9 THEN NULL ELSE coalesce(disabled_reason, 'disabled by a person') END,
                 failing_since = CASE WHEN ?9 THEN NULL ELSE failing_since END,
                 updated_at = ?10
             WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![
            e.id.as_str(),
            e.project_id.as_str(),
            e.url,
            e.kind.as_str(),
            events,
            filter,
            e.description,
            if enabled {
                EndpointState::Enabled.as_str()
            } else {
                EndpointState::Disabled.as_str()
            },
            enabled,
            now.as_micros()
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound("endpoint").into());
    }
    Ok(())
}

pub(crate) fn delete(
    conn: &Connection,
    project: &ProjectId,
    id: &EndpointId,
) -> Result<bool, Error> {
    let n = conn
        .prepare_cached("DELETE FROM webhook_endpoints WHERE id = ?1 AND project_id = ?2")?
        .execute(params![id.as_str(), project.as_str()])?;
    Ok(n > 0)
}

pub(crate) fn rotate_secret(
    conn: &Connection,
    project: &ProjectId,
    id: &EndpointId,
    secret: &[u8],
    previous_until: Timestamp,
    now: Timestamp,
) -> Result<(), Error> {
    let n = conn
        .prepare_cached(
            "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = ?4,
                 secret = ?3, updated_at = ?5
             WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![
            id.as_str(),
            project.as_str(),
            secret,
            previous_until.as_micros(),
            now.as_micros()
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound("endpoint").into());
    }
    Ok(())
}

/// Every project's endpoints subscribed to `event_type`, not disabled.
pub(crate) fn subscribed(conn: &Connection, event_type: EventType) -> Result<Vec<Endpoint>, Error> {
    let all: Vec<Endpoint> = conn
        .prepare_cached(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE state != 'disabled'
             ORDER BY project_id, created_at, id"
        ))?
        .query_map([], |r| wh::endpoint(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(all
        .into_iter()
        .filter(|e| e.events.contains(&event_type))
        .collect())
}
