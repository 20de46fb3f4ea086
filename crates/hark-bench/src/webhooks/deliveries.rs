//! Deliveries/s: a backlog of `chat_feedback.received` deliveries to N endpoints on the local
//! receiver, drained by a real `hark serve`'s delivery worker.
//!
//! The backlog is written with the worker off (`webhooks.deliver = false`), by PutFeedback
//! calls with Basic auth, one vote per message, each stored vote one event for each endpoint.
//! The server is then restarted on the same database with the worker on, and the clock runs
//! from its start to the receiver's last request. Baseline in the same round: the benchmark
//! itself posting as many signed-size bodies to the same kind of receiver from as many
//! connections as the worker may hold (endpoints × in-flight limit): the loopback HTTP ceiling
//! of this machine.

use super::receiver::Receiver;
use super::{create_endpoint, write_config, WorkerKnobs};
use crate::drive::{drive, BenchError};
use crate::server::HarkProcess;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one round measured.
pub(super) struct Drain {
    /// Deliveries/s of the worker draining the backlog.
    pub rate: f64,
    /// Requests/s of the benchmark posting the same count straight to a receiver.
    pub baseline: f64,
    /// PutFeedback calls/s while the backlog was written.
    pub produced: f64,
}

/// A deterministic 36-character id (UUID layout) from a number.
fn uuid(kind: u8, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

/// One round with `endpoints` endpoints and `deliveries` deliveries in all.
pub(super) async fn round(
    hark_bin: &std::path::Path,
    endpoints: usize,
    deliveries: usize,
    knobs: &WorkerKnobs,
) -> Result<Drain, BenchError> {
    let events = deliveries.div_ceil(endpoints);
    let target = (events * endpoints) as u64;
    let receiver = Receiver::start().await?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let off = write_config(dir.path(), "off.toml", false, knobs, None)?;
    let on = write_config(dir.path(), "on.toml", true, knobs, None)?;
    let srv = HarkProcess::start_with(hark_bin, &data, None, &["--config", &off]).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    for n in 0..endpoints {
        create_endpoint(&client, &srv, &receiver.url(n), "chat_feedback.received").await?;
    }
    let app = crate::put_feedback::create_app(&srv).await?;
    let urls: Arc<Vec<String>> = Arc::new(
        (0..events)
            .map(|n| {
                format!(
                    "{}/applications/{app}/conversations/{}/messages/{}/feedback?userId=user-{}",
                    srv.base_url,
                    uuid(1, n / 4),
                    uuid(2, n),
                    n % 1000
                )
            })
            .collect(),
    );
    let (key, secret) = (srv.api_key.clone(), srv.secret_key.clone());
    let c = client.clone();
    let (_, took) = drive(32, urls, move |urls, n| {
        let (client, key, secret) = (c.clone(), key.clone(), secret.clone());
        async move {
            let body = format!(
                r#"{{"messageUsefulness":{{"usefulness":"USEFUL","submittedAt":{},"reason":"HELPFUL"}}}}"#,
                1_714_979_289 + n
            );
            let resp = client
                .post(&urls[n])
                .basic_auth(&key, Some(&secret))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await?;
            let status = resp.status();
            let text = resp.text().await?;
            if status != 200 {
                return Err(format!("PutFeedback {n}: {status} {text}").into());
            }
            Ok(())
        }
    })
    .await?;
    let produced = events as f64 / took.as_secs_f64();
    if receiver.counts().total() != 0 {
        return Err("deliveries arrived while the worker was off".into());
    }
    let started = Instant::now();
    let srv = srv.restart_with(&data, &["--config", &on]).await?;
    let all = receiver.wait_for(target, Duration::from_secs(600)).await;
    let counts = receiver.counts();
    let elapsed = counts.last().saturating_duration_since(started);
    srv.stop().await;
    if !all {
        return Err(format!(
            "only {} of {target} deliveries arrived in 600 s",
            counts.total()
        )
        .into());
    }
    if counts.malformed() != 0 {
        return Err(format!(
            "{} deliveries without a webhook-id or body",
            counts.malformed()
        )
        .into());
    }
    if let Some(n) = (0..endpoints).find(|&n| counts.of(n) < events as u64) {
        return Err(format!("endpoint {n} got {} of {events}", counts.of(n)).into());
    }
    let rate = counts.total() as f64 / elapsed.as_secs_f64();
    drop(receiver);
    let baseline = baseline(
        deliveries,
        endpoints * knobs.per_endpoint_or_default() as usize,
    )
    .await?;
    Ok(Drain {
        rate,
        baseline,
        produced,
    })
}

/// The benchmark posting `count` bodies of a delivery's size, with the three Standard Webhooks
/// headers, to a fresh receiver from `connections` connections; requests/s.
async fn baseline(count: usize, connections: usize) -> Result<f64, BenchError> {
    let receiver = Receiver::start().await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()?;
    let urls: Arc<Vec<String>> = Arc::new((0..count).map(|n| receiver.url(n % 16)).collect());
    let body = bytes_of_a_delivery();
    let (_, took) = drive(connections, urls, move |urls, n| {
        let (client, body) = (client.clone(), body.clone());
        async move {
            let resp = client
                .post(&urls[n])
                .header("content-type", "application/json")
                .header("webhook-id", format!("msg_{n:024}"))
                .header("webhook-timestamp", "1714979289")
                .header(
                    "webhook-signature",
                    "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
                )
                .body(body)
                .send()
                .await?;
            if resp.status() != 204 {
                return Err(format!("receiver answered {}", resp.status()).into());
            }
            Ok(())
        }
    })
    .await?;
    Ok(count as f64 / took.as_secs_f64())
}

/// A body the size of a `chat_feedback.received` delivery.
fn bytes_of_a_delivery() -> String {
    serde_json::json!({
        "type": "chat_feedback.received",
        "timestamp": "2026-12-07T19:00:00.000000Z",
        "data": {
            "project_id": "prj_0123456789abcdef0123",
            "application_id": uuid(3, 1),
            "conversation_id": uuid(1, 1),
            "message_id": uuid(2, 1),
            "user_id": "user-1",
            "usefulness": "USEFUL",
            "reason": "HELPFUL",
            "comment": null,
            "submitted_at": "2024-05-06T07:08:09Z"
        }
    })
    .to_string()
}
