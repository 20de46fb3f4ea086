//! The ingest benchmark: for each round it measures, on fresh databases:
//! - **raw**: the SQLite store upserting the validated payloads from `--connections` concurrent
//!   tasks, no HTTP (the baseline);
//! - **e2e**: a real `hark serve` process driven over HTTP by `--connections` keep-alive
//!   connections sending the same 100-item payloads (JSON, Basic auth), checking every answer.
//!
//! It prints per-round figures, then medians and the e2e/raw ratio.

use crate::drive::drive;
use crate::{payload, server, stats};
use hark_core::validate::ingest::validate_ingest;
use hark_store::StoreOptions;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Options of `hark-bench ingest`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Requests (of `--items` items each) per measurement.
    #[arg(long, default_value_t = 1500)]
    requests: usize,
    /// Items per request.
    #[arg(long, default_value_t = 100)]
    items: usize,
    /// Concurrent connections (e2e) and concurrent writers (raw).
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Rounds; medians are reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Measure only the raw store rate (no server).
    #[arg(long)]
    raw_only: bool,
}

/// Runs the ingest benchmark.
pub async fn run(args: Args, hark_bin: &std::path::Path) -> Result<(), crate::drive::BenchError> {
    println!(
        "hark-bench ingest: {} requests x {} items, {} connections, {} rounds, cores: {}",
        args.requests,
        args.items,
        args.connections,
        args.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rounds = stats::Rounds::default();
    for round in 1..=args.rounds {
        let raw = raw_round(&args).await?;
        if args.raw_only {
            rounds.push_raw(round, "items", raw);
        } else {
            rounds.push(round, "items", raw, &e2e_round(&args, hark_bin).await?);
        }
    }
    rounds.print_medians("items");
    Ok(())
}

/// The raw rate: validated payloads straight into a fresh SQLite store.
async fn raw_round(args: &Args) -> Result<f64, crate::drive::BenchError> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("raw.db").display());
    let store = hark_store::open(&url, StoreOptions::default()).await?;
    let p = hark_store::create_project(store.as_ref(), "bench").await?;
    let src = hark_store::create_source(
        store.as_ref(),
        &p.project.project_id,
        "bench",
        hark_core::SourceKind::Webhook,
    )
    .await?;
    let batches: Arc<Vec<_>> = Arc::new(
        (0..args.requests)
            .map(|n| {
                let v = payload::payload(src.source_id.as_str(), n, args.items);
                validate_ingest(&v).map(|r| r.items).unwrap_or_default()
            })
            .collect(),
    );
    let (stored, elapsed) = drive(args.connections, batches, move |batches, n| {
        let (store, src) = (store.clone(), src.clone());
        async move { Ok(store.ingest(&src, batches[n].clone()).await?.len()) }
    })
    .await?;
    Ok(stored.iter().sum::<usize>() as f64 / elapsed.as_secs_f64())
}

/// The end-to-end rate and latencies against a real `hark serve` process.
async fn e2e_round(
    args: &Args,
    hark_bin: &std::path::Path,
) -> Result<stats::E2e, crate::drive::BenchError> {
    let dir = tempfile::tempdir()?;
    let srv = server::HarkProcess::start(hark_bin, dir.path()).await?;
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..args.requests)
            .map(|n| serde_json::to_vec(&payload::payload(&srv.source_id, n, args.items)))
            .collect::<Result<_, _>>()?,
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let url = format!("{}/api/1/ai-feedback/ingest", srv.base_url);
    let (key, secret) = (srv.api_key.clone(), srv.secret_key.clone());
    let (results, elapsed) = drive(args.connections, bodies, move |bodies, n| {
        let (client, url, key, secret) = (client.clone(), url.clone(), key.clone(), secret.clone());
        async move {
            let t = Instant::now();
            let resp = client
                .post(&url)
                .basic_auth(&key, Some(&secret))
                .header("content-type", "application/json")
                .body(bodies[n].clone())
                .send()
                .await?;
            let status = resp.status();
            let v: serde_json::Value = resp.json().await?;
            let latency = t.elapsed();
            if !status.is_success() || v["failed"] != 0 {
                return Err(format!("request {n}: {status} {v}").into());
            }
            Ok((latency, v["ingested"].as_u64().unwrap_or(0)))
        }
    })
    .await?;
    let mut lat: Vec<Duration> = results.iter().map(|r| r.0).collect();
    let items: u64 = results.iter().map(|r| r.1).sum();
    let rss_peak_mb = srv.peak_rss_mb();
    srv.stop().await;
    lat.sort_unstable();
    Ok(stats::E2e {
        rate: items as f64 / elapsed.as_secs_f64(),
        p50: stats::quantile(&lat, 0.5),
        p99: stats::quantile(&lat, 0.99),
        rss_peak_mb,
    })
}
