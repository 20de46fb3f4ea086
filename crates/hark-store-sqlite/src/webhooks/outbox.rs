//! The webhook outbox in SQLite: events written with the change that causes them, one
//! delivery per endpoint that wants them; claims with a lease (the one writer serialises them),
//! attempts and their outcome.

use super::endpoints;
use crate::row::Cols;
use crate::Error;
use hark_core::webhooks::{
    Attempt, AttemptResult, ClaimedDelivery, Delivery, DeliveryStatus, Endpoint, EndpointState,
    EventType, OutboxEvent, SealedSecrets,
};
use hark_core::{EndpointId, EventId, ProjectId, Timestamp};
use hark_store::backend::webhooks::{self as wh, ATTEMPT_COLUMNS, DELIVERY_COLUMNS};
use hark_store::ClaimLimits;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

/// Writes `events` for the endpoints of `project` that want them (only `to` when given);
/// returns the deliveries created. Runs inside the caller's transaction.
pub(crate) fn emit(
    conn: &Connection,
    project: &ProjectId,
    events: &[OutboxEvent],
    to: Option<&EndpointId>,
) -> Result<u64, Error> {
    if events.is_empty() {
        return Ok(0);
    }
    emit_for(conn, project, &endpoints::list(conn, project)?, events, to)
}

/// [`emit`] with the project's endpoints already read (by [`wanting`]).
pub(crate) fn emit_for(
    conn: &Connection,
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
            let seen: Option<i64> = conn
                .prepare_cached(
                    "SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ?1 AND once_key = ?2",
                )?
                .query_row(params![endpoint.id.as_str(), key], |r| r.get(0))
                .optional()?;
            if seen.is_some() {
                continue;
            }
        }
        let seq = match seqs.get(&i) {
            Some(seq) => *seq,
            None => {
                conn.prepare_cached(
                    "INSERT INTO webhook_events (event_id, project_id, event_type, occurred_at, data)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    EventId::generate().as_str(),
                    project.as_str(),
                    event.event_type.as_str(),
                    event.timestamp.as_micros(),
                    event.data.to_string()
                ])?;
                let seq = conn.last_insert_rowid();
                seqs.insert(i, seq);
                seq
            }
        };
        conn.prepare_cached(
            "INSERT INTO webhook_deliveries (event_seq, endpoint_id, project_id, status, attempts,
                                             next_attempt_at, once_key)
             VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?5)",
        )?
        .execute(params![
            seq,
            endpoint.id.as_str(),
            project.as_str(),
            event.timestamp.as_micros(),
            event.once_key
        ])?;
        created += 1;
    }
    Ok(created)
}

/// The project's endpoints when one (not disabled) is subscribed to one of `types`, for
/// [`emit_for`]; `None` otherwise, and the writes that cause events skip building them.
pub(crate) fn wanting(
    conn: &Connection,
    project: &ProjectId,
    types: &[EventType],
) -> Result<Option<Vec<Endpoint>>, Error> {
    let endpoints = endpoints::list(conn, project)?;
    Ok(wh::anyone_wants(&endpoints, types).then_some(endpoints))
}

/// Claims due deliveries (see `WebhookStore::claim_deliveries`).
pub(crate) fn claim(
    conn: &Connection,
    now: Timestamp,
    lease_until: Timestamp,
    limits: ClaimLimits,
) -> Result<Vec<ClaimedDelivery>, Error> {
    // Spelled to match the partial index `webhook_deliveries_leased` (only the rows in flight).
    let mut in_flight: HashMap<String, u32> = conn
        .prepare_cached(
            "SELECT endpoint_id, count(*) FROM webhook_deliveries
             WHERE status = 'pending' AND lease_until IS NOT NULL AND lease_until > ?1
             GROUP BY endpoint_id",
        )?
        .query_map(params![now.as_micros()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let candidates: Vec<(i64, String)> = conn
        .prepare_cached(
            "SELECT d.id, d.endpoint_id FROM webhook_deliveries d
             JOIN webhook_endpoints w ON w.id = d.endpoint_id
             WHERE d.status = 'pending' AND d.next_attempt_at <= ?1
               AND (d.lease_until IS NULL OR d.lease_until <= ?1) AND w.state != 'disabled'
             ORDER BY d.next_attempt_at, d.id LIMIT ?2",
        )?
        .query_map(params![now.as_micros(), i64::from(limits.batch) * 4], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    let mut claimed = Vec::new();
    for (id, endpoint) in candidates {
        if claimed.len() as u32 >= limits.batch {
            break;
        }
        let n = in_flight.entry(endpoint).or_insert(0);
        if *n >= limits.per_endpoint {
            continue;
        }
        *n += 1;
        conn.prepare_cached("UPDATE webhook_deliveries SET lease_until = ?2 WHERE id = ?1")?
            .execute(params![id, lease_until.as_micros()])?;
        if let Some(c) = claimed_delivery(conn, id)? {
            claimed.push(c);
        }
    }
    Ok(claimed)
}

fn claimed_delivery(conn: &Connection, id: i64) -> Result<Option<ClaimedDelivery>, Error> {
    let found = conn
        .prepare_cached(
            "SELECT d.attempts, e.event_id, e.event_type, e.occurred_at, e.data,
                    w.secret, w.previous_secret, w.previous_until, d.project_id, d.endpoint_id
             FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq
             JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.id = ?1",
        )?
        .query_row(params![id], |r| {
            let event_type: String = r.get(2)?;
            let data: String = r.get(4)?;
            let previous: Option<Vec<u8>> = r.get(6)?;
            let until: Option<i64> = r.get(7)?;
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                event_type,
                r.get::<_, i64>(3)?,
                data,
                SealedSecrets {
                    current: r.get(5)?,
                    previous: previous.zip(until.map(Timestamp::from_micros)),
                },
                ProjectId::new(r.get::<_, String>(8)?),
                EndpointId::new(r.get::<_, String>(9)?),
            ))
        })
        .optional()?;
    let Some((attempts, event_id, event_type, at, data, secrets, project, endpoint)) = found else {
        return Ok(None);
    };
    let Some(endpoint) = endpoints::get(conn, &project, &endpoint)? else {
        return Ok(None);
    };
    let event_type =
        EventType::parse(&event_type).ok_or_else(|| crate::row::bad_value(2, "event type"))?;
    let data = serde_json::from_str(&data).map_err(|_| crate::row::bad_value(4, "event data"))?;
    Ok(Some(ClaimedDelivery {
        id,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        endpoint,
        secrets,
        event_id: EventId::new(event_id),
        event_type,
        timestamp: Timestamp::from_micros(at),
        data,
    }))
}

/// Records an attempt and its consequence (see `WebhookStore::finish_attempt`).
pub(crate) fn finish(
    conn: &Connection,
    delivery: i64,
    attempt: &Attempt,
    result: &AttemptResult,
    now: Timestamp,
) -> Result<(), Error> {
    let row: Option<(String, String, i64)> = conn
        .prepare_cached(
            "SELECT endpoint_id, status, attempts FROM webhook_deliveries WHERE id = ?1",
        )?
        .query_row(params![delivery], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    // The attempt's number is the row's: a worker whose lease ran out while another node made
    // an attempt too records the next number, not a duplicate.
    let Some((endpoint, status, attempts)) = row else {
        return Ok(()); // deleted meanwhile (its endpoint was)
    };
    if status != DeliveryStatus::Pending.as_str() {
        return Ok(());
    }
    conn.prepare_cached(&format!(
        "INSERT INTO webhook_attempts (delivery_id, {ATTEMPT_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?
    .execute(params![
        delivery,
        attempts + 1,
        attempt.at.as_micros(),
        attempt.status,
        i64::try_from(attempt.latency_ms).unwrap_or(i64::MAX),
        attempt.response
    ])?;
    let (status, next) = match result {
        AttemptResult::Delivered => (DeliveryStatus::Delivered, None),
        AttemptResult::RetryAt(t) => (DeliveryStatus::Pending, Some(t.as_micros())),
        AttemptResult::GiveUp | AttemptResult::DisableEndpoint(_) => (DeliveryStatus::Failed, None),
    };
    conn.prepare_cached(
        "UPDATE webhook_deliveries SET status = ?2, attempts = attempts + 1, next_attempt_at = ?3,
             lease_until = NULL, last_status = ?4
         WHERE id = ?1",
    )?
    .execute(params![delivery, status.as_str(), next, attempt.status])?;
    match result {
        AttemptResult::Delivered => {
            conn.prepare_cached(
                "UPDATE webhook_endpoints SET state = 'enabled', failing_since = NULL
                 WHERE id = ?1 AND state = 'failing'",
            )?
            .execute(params![endpoint])?;
        }
        AttemptResult::RetryAt(_) | AttemptResult::GiveUp => {
            conn.prepare_cached(
                "UPDATE webhook_endpoints SET state = 'failing',
                     failing_since = coalesce(failing_since, ?2)
                 WHERE id = ?1 AND state != 'disabled'",
            )?
            .execute(params![endpoint, now.as_micros()])?;
        }
        AttemptResult::DisableEndpoint(reason) => {
            conn.prepare_cached(
                "UPDATE webhook_endpoints SET state = ?2, disabled_reason = ?3, updated_at = ?4
                 WHERE id = ?1",
            )?
            .execute(params![
                endpoint,
                EndpointState::Disabled.as_str(),
                reason,
                now.as_micros()
            ])?;
            conn.prepare_cached(
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                     lease_until = NULL
                 WHERE endpoint_id = ?1 AND status = 'pending'",
            )?
            .execute(params![endpoint])?;
        }
    }
    Ok(())
}

pub(crate) fn list(
    conn: &Connection,
    project: &ProjectId,
    endpoint: &EndpointId,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>, Error> {
    let v = conn
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhook_events e ON e.seq = d.event_seq
             WHERE d.endpoint_id = ?1 AND d.project_id = ?2 AND d.id < ?3
             ORDER BY d.id DESC LIMIT ?4"
        ))?
        .query_map(
            params![
                endpoint.as_str(),
                project.as_str(),
                before.unwrap_or(i64::MAX),
                limit
            ],
            |r| wh::delivery(&Cols(r)),
        )?
        .collect::<Result<_, _>>()?;
    Ok(v)
}

pub(crate) fn get(
    conn: &Connection,
    project: &ProjectId,
    id: i64,
) -> Result<Option<(Delivery, Vec<Attempt>)>, Error> {
    let delivery = conn
        .prepare_cached(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d
             JOIN webhook_events e ON e.seq = d.event_seq WHERE d.id = ?1 AND d.project_id = ?2"
        ))?
        .query_row(params![id, project.as_str()], |r| wh::delivery(&Cols(r)))
        .optional()?;
    let Some(delivery) = delivery else {
        return Ok(None);
    };
    let attempts = conn
        .prepare_cached(&format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE delivery_id = ?1 ORDER BY number"
        ))?
        .query_map(params![id], |r| wh::attempt(&Cols(r)))?
        .collect::<Result<_, _>>()?;
    Ok(Some((delivery, attempts)))
}

pub(crate) fn resend(
    conn: &Connection,
    project: &ProjectId,
    id: i64,
    now: Timestamp,
) -> Result<bool, Error> {
    let n = conn
        .prepare_cached(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?3,
                 lease_until = NULL
             WHERE id = ?1 AND project_id = ?2",
        )?
        .execute(params![id, project.as_str(), now.as_micros()])?;
    Ok(n > 0)
}

pub(crate) fn pending(conn: &Connection) -> Result<u64, Error> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
