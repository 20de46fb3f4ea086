//! The webhook outbox in PostgreSQL (see the SQLite backend for the rules): events written in
//! the caller's transaction, claims with `FOR UPDATE SKIP LOCKED` and a lease, so each attempt
//! is made by one node.

use super::endpoints;
use crate::analysis::{execute, query, query_opt};
use crate::row::Cols;
use crate::Error;
use deadpool_postgres::GenericClient;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, Delivery, DeliveryStatus, Endpoint, EndpointState,
    EventType, OutboxEvent, SealedSecrets,
};
use hark_core::{EndpointId, EventId, ProjectId, Timestamp};
use hark_store::backend::webhooks::{self as wh, ATTEMPT_COLUMNS, DELIVERY_COLUMNS};
use hark_store::{ClaimLimits, StoreError};
use std::collections::HashMap;

/// Writes `events` for the endpoints of `project` that want them (only `to` when given);
/// returns the deliveries created.
pub(crate) async fn emit(
    c: &impl GenericClient,
    project: &ProjectId,
    events: &[OutboxEvent],
    to: Option<&EndpointId>,
) -> Result<u64, Error> {
    if events.is_empty() {
        return Ok(0);
    }
    let endpoints = endpoints::list(c, project).await?;
    emit_for(c, project, &endpoints, events, to).await
}

/// [`emit`] with the project's endpoints already read (by [`wanting`]).
pub(crate) async fn emit_for(
    c: &impl GenericClient,
    project: &ProjectId,
    endpoints: &[Endpoint],
    events: &[OutboxEvent],
    to: Option<&EndpointId>,
) -> Result<u64, Error> {
    let mut seqs: HashMap<usize, i64> = HashMap::new();
    let mut created = 0;
    for (i, endpoint) in wh::route(endpoints, events, to) {
        let event = &events[i];
        if let Some(key) = &event.once_key {
            let seen = query_opt(
                c,
                "SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1 AND once_key = $2",
                &[&endpoint.id.as_str(), key],
            )
            .await?;
            if seen.is_some() {
                continue;
            }
        }
        let seq = match seqs.get(&i) {
            Some(seq) => *seq,
            None => {
                let row = query(
                    c,
                    "INSERT INTO webhook_events (event_id, project_id, event_type, occurred_at, data)
                     VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                    &[
                        &EventId::generate().as_str(),
                        &project.as_str(),
                        &event.event_type.as_str(),
                        &event.timestamp.as_micros(),
                        &event.data.to_string(),
                    ],
                )
                .await?;
                let seq: i64 = row
                    .first()
                    .ok_or(StoreError::Corrupt("webhook event insert"))?
                    .try_get(0)?;
                seqs.insert(i, seq);
                seq
            }
        };
        // A concurrent emit of the same once-key (another node) makes this one a no-op.
        created += execute(
            c,
            "INSERT INTO webhook_deliveries (event_seq, endpoint_id, project_id, status, attempts,
                                             next_attempt_at, once_key)
             VALUES ($1, $2, $3, 'pending', 0, $4, $5)
             ON CONFLICT (endpoint_id, once_key) DO NOTHING",
            &[
                &seq,
                &endpoint.id.as_str(),
                &project.as_str(),
                &event.timestamp.as_micros(),
                &event.once_key,
            ],
        )
        .await?;
    }
    Ok(created)
}

/// The project's endpoints when one (not disabled) is subscribed to one of `types`, for
/// [`emit_for`]; `None` otherwise.
pub(crate) async fn wanting(
    c: &impl GenericClient,
    project: &ProjectId,
    types: &[EventType],
) -> Result<Option<Vec<Endpoint>>, Error> {
    let endpoints = endpoints::list(c, project).await?;
    Ok(wh::anyone_wants(&endpoints, types).then_some(endpoints))
}

/// Claims due deliveries inside the caller's transaction (see
/// `WebhookStore::claim_deliveries`).
pub(crate) async fn claim(
    c: &impl GenericClient,
    now: Timestamp,
    lease_until: Timestamp,
    limits: ClaimLimits,
) -> Result<Vec<ClaimedDelivery>, Error> {
    let mut in_flight: HashMap<String, u32> = HashMap::new();
    for r in query(
        c,
        "SELECT endpoint_id, count(*) FROM webhook_deliveries
         WHERE status = 'pending' AND lease_until > $1 GROUP BY endpoint_id",
        &[&now.as_micros()],
    )
    .await?
    {
        let n: i64 = r.try_get(1)?;
        in_flight.insert(r.try_get(0)?, u32::try_from(n).unwrap_or(u32::MAX));
    }
    let candidates = query(
        c,
        "SELECT d.id, d.endpoint_id FROM webhook_deliveries d
         JOIN webhook_endpoints w ON w.id = d.endpoint_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= $1
           AND (d.lease_until IS NULL OR d.lease_until <= $1) AND w.state <> 'disabled'
         ORDER BY d.next_attempt_at, d.id LIMIT $2
         FOR UPDATE OF d SKIP LOCKED",
        &[&now.as_micros(), &(i64::from(limits.batch) * 4)],
    )
    .await?;
    let mut claimed = Vec::new();
    for r in candidates {
        if claimed.len() as u32 >= limits.batch {
            break;
        }
        let (id, endpoint): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
        let n = in_flight.entry(endpoint).or_insert(0);
        if *n >= limits.per_endpoint {
            continue;
        }
        *n += 1;
        execute(
            c,
            "UPDATE webhook_deliveries SET lease_until = $2 WHERE id = $1",
            &[&id, &lease_until.as_micros()],
        )
        .await?;
        if let Some(d) = claimed_delivery(c, id).await? {
            claimed.push(d);
        }
    }
    Ok(claimed)
}

async fn claimed_delivery(
    c: &impl GenericClient,
    id: i64,
) -> Result<Option<ClaimedDelivery>, Error> {
    let Some(r) = query_opt(
        c,
        "SELECT d.attempts, e.event_id, e.event_type, e.occurred_at, e.data,
                w.secret, w.previous_secret, w.previous_until, d.project_id, d.endpoint_id
         FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq
         JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id = $1",
        &[&id],
    )
    .await?
    else {
        return Ok(None);
    };
    let project = ProjectId::new(r.try_get::<_, String>(8)?);
    let endpoint_id = EndpointId::new(r.try_get::<_, String>(9)?);
    let Some(endpoint) = endpoints::get(c, &project, &endpoint_id).await? else {
        return Ok(None);
    };
    let event_type: String = r.try_get(2)?;
    let data: String = r.try_get(4)?;
    let previous: Option<Vec<u8>> = r.try_get(6)?;
    let until: Option<i64> = r.try_get(7)?;
    let attempts: i64 = r.try_get(0)?;
    Ok(Some(ClaimedDelivery {
        id,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        endpoint,
        secrets: SealedSecrets {
            current: r.try_get(5)?,
            previous: previous.zip(until.map(Timestamp::from_micros)),
        },
        event_id: EventId::new(r.try_get::<_, String>(1)?),
        event_type: EventType::parse(&event_type).ok_or(StoreError::Corrupt("event type"))?,
        timestamp: Timestamp::from_micros(r.try_get(3)?),
        data: serde_json::from_str(&data).map_err(|_| StoreError::Corrupt("event data"))?,
    }))
}

/// Records an attempt and its consequence, in the caller's transaction.
pub(crate) async fn finish(
    c: &impl GenericClient,
    delivery: i64,
    attempt: &Attempt,
    result: &AttemptResult,
    now: Timestamp,
) -> Result<(), Error> {
    let Some(row) = query_opt(
        c,
        "SELECT endpoint_id, status, attempts FROM webhook_deliveries WHERE id = $1 FOR UPDATE",
        &[&delivery],
    )
    .await?
    else {
        return Ok(());
    };
    // The attempt's number is the row's: a worker whose lease ran out while another node made
    // an attempt too records the next number, not a duplicate.
    let (endpoint, status, attempts): (String, String, i64) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if status != DeliveryStatus::Pending.as_str() {
        return Ok(());
    }
    let http_status = attempt.status.map(i64::from);
    execute(
        c,
        &format!(
            "INSERT INTO webhook_attempts (delivery_id, {ATTEMPT_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6)"
        ),
        &[
            &delivery,
            &(attempts + 1),
            &attempt.at.as_micros(),
            &http_status,
            &i64::try_from(attempt.latency_ms).unwrap_or(i64::MAX),
            &attempt.response,
        ],
    )
    .await?;
    let (status, next) = match result {
        AttemptResult::Delivered => (DeliveryStatus::Delivered, None),
        AttemptResult::RetryAt(t) => (DeliveryStatus::Pending, Some(t.as_micros())),
        AttemptResult::GiveUp | AttemptResult::DisableEndpoint(_) => (DeliveryStatus::Failed, None),
    };
    execute(
        c,
        "UPDATE webhook_deliveries SET status = $2, attempts = attempts + 1,
             next_attempt_at = $3, lease_until = NULL, last_status = $4
         WHERE id = $1",
        &[&delivery, &status.as_str(), &next, &http_status],
    )
    .await?;
    match result {
        AttemptResult::Delivered => {
            execute(
                c,
                "UPDATE webhook_endpoints SET state = 'enabled', failing_since = NULL
                 WHERE id = $1 AND state = 'failing'",
                &[&endpoint],
            )
            .await?;
        }
        AttemptResult::RetryAt(_) | AttemptResult::GiveUp => {
            execute(
                c,
                "UPDATE webhook_endpoints SET state = 'failing',
                     failing_since = COALESCE(failing_since, $2)
                 WHERE id = $1 AND state <> 'disabled'",
                &[&endpoint, &now.as_micros()],
            )
            .await?;
        }
        AttemptResult::DisableEndpoint(reason) => {
            execute(
                c,
                "UPDATE webhook_endpoints SET state = $2, disabled_reason = $3, updated_at = $4
                 WHERE id = $1",
                &[
                    &endpoint,
                    &EndpointState::Disabled.as_str(),
                    reason,
                    &now.as_micros(),
                ],
            )
            .await?;
            execute(
                c,
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                     lease_until = NULL
                 WHERE endpoint_id = $1 AND status = 'pending'",
                &[&endpoint],
            )
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn list(
    c: &impl GenericClient,
    project: &ProjectId,
    endpoint: &EndpointId,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>, Error> {
    let rows = query(
        c,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhook_events e ON e.seq = d.event_seq
             WHERE d.endpoint_id = $1 AND d.project_id = $2 AND d.id < $3
             ORDER BY d.id DESC LIMIT $4"
        ),
        &[
            &endpoint.as_str(),
            &project.as_str(),
            &before.unwrap_or(i64::MAX),
            &i64::from(limit),
        ],
    )
    .await?;
    rows.iter().map(|r| wh::delivery(&Cols(r))).collect()
}

pub(crate) async fn get(
    c: &impl GenericClient,
    project: &ProjectId,
    id: i64,
) -> Result<Option<(Delivery, Vec<Attempt>)>, Error> {
    let Some(row) = query_opt(
        c,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhook_events e ON e.seq = d.event_seq WHERE d.id = $1 AND d.project_id = $2"
        ),
        &[&id, &project.as_str()],
    )
    .await?
    else {
        return Ok(None);
    };
    let delivery = wh::delivery(&Cols(&row))?;
    let attempts = query(
        c,
        &format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE delivery_id = $1 ORDER BY number"
        ),
        &[&id],
    )
    .await?
    .iter()
    .map(|r| wh::attempt(&Cols(r)))
    .collect::<Result<_, _>>()?;
    Ok(Some((delivery, attempts)))
}

pub(crate) async fn resend(
    c: &impl GenericClient,
    project: &ProjectId,
    id: i64,
    now: Timestamp,
) -> Result<bool, Error> {
    let n = execute(
        c,
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, lease_until = NULL
         WHERE id = $1 AND project_id = $2",
        &[&id, &project.as_str(), &now.as_micros()],
    )
    .await?;
    Ok(n > 0)
}

pub(crate) async fn pending(c: &impl GenericClient) -> Result<u64, Error> {
    let row = query(
        c,
        "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'",
        &[],
    )
    .await?;
    let n: i64 = row
        .first()
        .ok_or(StoreError::Corrupt("count"))?
        .try_get(0)?;
    Ok(u64::try_from(n).unwrap_or(0))
}
