//! Webhook endpoints in PostgreSQL.

use crate::analysis::{execute, query, query_opt};
use crate::error::map_insert_error;
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::webhooks::{Endpoint, EndpointState, EventType};
use hark_core::{EndpointId, ProjectId, Timestamp};
use hark_store::backend::webhooks::{self as wh, ENDPOINT_COLUMNS};
use hark_store::StoreError;

pub(crate) async fn insert(
    c: &impl GenericClient,
    e: &Endpoint,
    secret: &[u8],
) -> Result<(), Error> {
    let (events, filter) = wh::endpoint_json(e);
    let statement = c
        .prepare_cached(
            "INSERT INTO webhook_endpoints (id, project_id, url, kind, events, filter, description,
                                            state, disabled_reason, failing_since, secret,
                                            created_at, updated_at)
             SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text,
                    $8::text, $9::text, $10::bigint, $11::bytea, $12::bigint, $13::bigint
             WHERE EXISTS (SELECT 1 FROM projects WHERE id = $2::text)",
        )
        .await?;
    let n = c
        .execute(
            &statement,
            &[
                &e.id.as_str(),
                &e.project_id.as_str(),
                &e.url,
                &e.kind.as_str(),
                &events,
                &filter,
                &e.description,
                &e.state.as_str(),
                &e.disabled_reason,
                &e.failing_since.map(Timestamp::as_micros),
                &secret,
                &e.created_at.as_micros(),
                &e.updated_at.as_micros(),
            ],
        )
        .await
        .map_err(|err| map_insert_error(err, "endpoint id", "project"))?;
    if n == 0 {
        return Err(StoreError::NotFound("project").into());
    }
    Ok(())
}

/// The project's endpoints, oldest first.
pub(crate) async fn list(
    c: &impl GenericClient,
    project: &ProjectId,
) -> Result<Vec<Endpoint>, Error> {
    let rows = query(
        c,
        &format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE project_id = $1
             ORDER BY created_at, id"
        ),
        &[&project.as_str()],
    )
    .await?;
    rows.iter().map(|r| wh::endpoint(&Cols(r))).collect()
}

pub(crate) async fn get(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &EndpointId,
) -> Result<Option<Endpoint>, Error> {
    let row = query_opt(
        c,
        &format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND project_id = $2"
        ),
        &[&id.as_str(), &project.as_str()],
    )
    .await?;
    row.as_ref().map(|r| wh::endpoint(&Cols(r))).transpose()
}

pub(crate) async fn update(
    c: &impl GenericClient,
    e: &Endpoint,
    now: Timestamp,
) -> Result<(), Error> {
    let (events, filter) = wh::endpoint_json(e);
    let enabled = e.state != EndpointState::Disabled;
    let state = if enabled {
        EndpointState::Enabled
    } else {
        EndpointState::Disabled
    };
    let n = execute(
        c,
        "UPDATE webhook_endpoints SET url = $3, kind = $4, events = $5, filter = $6,
             description = $7, state = $8,
             disabled_reason = CASE WHEN $9 THEN NULL
                                    ELSE COALESCE(disabled_reason, 'disabled by a person') END,
             failing_since = CASE WHEN $9 THEN NULL ELSE failing_since END,
             updated_at = $10
         WHERE id = $1 AND project_id = $2",
        &[
            &e.id.as_str(),
            &e.project_id.as_str(),
            &e.url,
            &e.kind.as_str(),
            &events,
            &filter,
            &e.description,
            &state.as_str(),
            &enabled,
            &now.as_micros(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound("endpoint").into());
    }
    Ok(())
}

pub(crate) async fn delete(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &EndpointId,
) -> Result<bool, Error> {
    let n = execute(
        c,
        "DELETE FROM webhook_endpoints WHERE id = $1 AND project_id = $2",
        &[&id.as_str(), &project.as_str()],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn rotate_secret(
    c: &impl GenericClient,
    project: &ProjectId,
    id: &EndpointId,
    secret: &[u8],
    previous_until: Timestamp,
    now: Timestamp,
) -> Result<(), Error> {
    let n = execute(
        c,
        "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = $4,
             secret = $3, updated_at = $5
         WHERE id = $1 AND project_id = $2",
        &[
            &id.as_str(),
            &project.as_str(),
            &secret,
            &previous_until.as_micros(),
            &now.as_micros(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound("endpoint").into());
    }
    Ok(())
}

/// Every project's endpoints subscribed to `event_type`, not disabled.
pub(crate) async fn subscribed(
    c: &impl GenericClient,
    event_type: EventType,
) -> Result<Vec<Endpoint>, Error> {
    let rows = query(
        c,
        &format!(
            "SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE state <> 'disabled'
             ORDER BY project_id, created_at, id"
        ),
        &[],
    )
    .await?;
    let all = rows
        .iter()
        .map(|r| wh::endpoint(&Cols(r)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(all
        .into_iter()
        .filter(|e| e.events.contains(&event_type))
        .collect())
}
