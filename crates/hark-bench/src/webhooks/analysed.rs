//! What endpoints subscribed to `feedback.analyzed` cost the feedback pipeline, against the
//! same server with no endpoint, measured in the same round:
//! - **ingest API rate**: items/s of `POST /api/1/ai-feedback/ingest` as `hark-bench ingest`
//!   measures it (no model, 100-item payloads, 8 connections);
//! - **analysed items/s**: real review texts ingested into a server with the local model, timed
//!   from the first ingest call until the project's analysis queue is empty
//!   (`GET /api/1/analysis/status`). `feedback.analyzed` is written in the transaction that
//!   saves an item's analysis, so this is where the endpoints cost something; the deliveries
//!   go to the local receiver meanwhile.

use super::receiver::Receiver;
use super::{create_endpoint, write_config, WorkerKnobs};
use crate::drive::{drive, BenchError};
use crate::payload;
use crate::server::HarkProcess;
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The endpoints of one configuration, all on the local receiver.
async fn subscribe(
    client: &reqwest::Client,
    srv: &HarkProcess,
    receiver: &Receiver,
    endpoints: usize,
) -> Result<(), BenchError> {
    for n in 0..endpoints {
        create_endpoint(client, srv, &receiver.url(n), "feedback.analyzed").await?;
    }
    Ok(())
}

/// Posts `bodies` to the ingest API from `connections` connections; items/s.
async fn ingest(
    client: &reqwest::Client,
    srv: &HarkProcess,
    bodies: Vec<Vec<u8>>,
    connections: usize,
) -> Result<(u64, Duration), BenchError> {
    let url = format!("{}/api/1/ai-feedback/ingest", srv.base_url);
    let (key, secret) = (srv.api_key.clone(), srv.secret_key.clone());
    let client = client.clone();
    let (counts, took) = drive(connections, Arc::new(bodies), move |bodies, n| {
        let (client, url, key, secret) = (client.clone(), url.clone(), key.clone(), secret.clone());
        async move {
            crate::ingest::post_ingest(&client, &url, (&key, &secret), bodies[n].clone(), n).await
        }
    })
    .await?;
    Ok((counts.iter().sum(), took))
}

/// The ingest API rate with `endpoints` endpoints (no model).
pub(super) async fn ingest_rate(
    hark_bin: &Path,
    endpoints: usize,
    requests: usize,
) -> Result<f64, BenchError> {
    let receiver = Receiver::start().await?;
    let dir = tempfile::tempdir()?;
    let config = write_config(dir.path(), "hark.toml", true, &WorkerKnobs::default(), None)?;
    let srv = HarkProcess::start_with(
        hark_bin,
        &dir.path().join("data"),
        None,
        &["--config", &config],
    )
    .await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .build()?;
    subscribe(&client, &srv, &receiver, endpoints).await?;
    let bodies = (0..requests)
        .map(|n| serde_json::to_vec(&payload::payload(&srv.source_id, n, 100)))
        .collect::<Result<_, _>>()?;
    let result = ingest(&client, &srv, bodies, 8).await;
    srv.stop().await;
    let (items, took) = result?;
    Ok(items as f64 / took.as_secs_f64())
}

/// What one analysed-items measurement gives.
pub(super) struct Analysed {
    /// Items analysed per second, first ingest call to an empty queue.
    pub rate: f64,
    /// The server's CPU milliseconds per analysed item, first ingest call to last delivery
    /// (analysis, outbox, deliveries: everything).
    pub cpu_ms_per_item: f64,
    /// Deliveries received by the time the queue was empty.
    pub delivered_by_drain: u64,
    /// Seconds after the drain until the last expected delivery arrived (0 with no endpoint).
    pub delivery_lag_s: f64,
}

/// Analysed items/s of `texts` with `endpoints` endpoints, on the model in `model`.
pub(super) async fn analysed_rate(
    hark_bin: &Path,
    model: &Path,
    endpoints: usize,
    texts: &[String],
) -> Result<Analysed, BenchError> {
    let receiver = Receiver::start().await?;
    let dir = tempfile::tempdir()?;
    let config = write_config(
        dir.path(),
        "hark.toml",
        true,
        &WorkerKnobs::default(),
        Some(model),
    )?;
    let srv = HarkProcess::start_with(
        hark_bin,
        &dir.path().join("data"),
        None,
        &["--config", &config],
    )
    .await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(8)
        .build()?;
    let result = analysed_on(&client, &srv, &receiver, endpoints, texts).await;
    srv.stop().await;
    result
}

async fn analysed_on(
    client: &reqwest::Client,
    srv: &HarkProcess,
    receiver: &Receiver,
    endpoints: usize,
    texts: &[String],
) -> Result<Analysed, BenchError> {
    let status_url = format!("{}/api/1/analysis/status", srv.base_url);
    let status = || async {
        let v: serde_json::Value = client
            .get(&status_url)
            .basic_auth(&srv.api_key, Some(&srv.secret_key))
            .send()
            .await?
            .json()
            .await?;
        Ok::<_, BenchError>(v)
    };
    let loading = Instant::now();
    while status().await?["model"] != "ready" {
        if loading.elapsed() > Duration::from_secs(300) {
            return Err("the model did not load in 300 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    subscribe(client, srv, receiver, endpoints).await?;
    let bodies = texts
        .chunks(100)
        .enumerate()
        .map(|(n, chunk)| {
            let items: Vec<_> = chunk
                .iter()
                .enumerate()
                .map(|(i, t)| json!({"unique_id": format!("r{n}-{i}"), "body": t, "user_id": format!("u{}", (n * 100 + i) % 2000)}))
                .collect();
            serde_json::to_vec(&json!({"source_id": srv.source_id, "items": items}))
        })
        .collect::<Result<_, _>>()?;
    let (started, cpu_before) = (Instant::now(), srv.cpu_secs());
    let (items, _) = ingest(client, srv, bodies, 8).await?;
    loop {
        let v = status().await?;
        let left = v["queue"]["ready"].as_u64().unwrap_or(u64::MAX)
            + v["queue"]["leased"].as_u64().unwrap_or(u64::MAX);
        if left == 0 {
            break;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            return Err(format!("analysis queue still holds {left} after 1800 s").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let drained = started.elapsed();
    let delivered_by_drain = receiver.counts().total();
    let expected = items * endpoints as u64;
    let mut delivery_lag_s = 0.0;
    if expected > 0 {
        if !receiver.wait_for(expected, Duration::from_secs(300)).await {
            return Err(format!(
                "{} of {expected} feedback.analyzed deliveries arrived",
                receiver.counts().total()
            )
            .into());
        }
        delivery_lag_s = (receiver.counts().last() - started)
            .saturating_sub(drained)
            .as_secs_f64();
    }
    // After the last delivery: the CPU of everything the items caused.
    let cpu = srv.cpu_secs() - cpu_before;
    Ok(Analysed {
        rate: items as f64 / drained.as_secs_f64(),
        cpu_ms_per_item: 1000.0 * cpu / items.max(1) as f64,
        delivered_by_drain,
        delivery_lag_s,
    })
}
