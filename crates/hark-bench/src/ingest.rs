//! The ingest benchmark: for each round it measures, on fresh databases:
//! - **raw**: on SQLite, the store upserting the validated payloads from `--connections`
//!   concurrent tasks, no HTTP (the baseline); on PostgreSQL (`--postgres URL`), PostgreSQL
//!   itself upserting the same rows with plain set-based SQL (`pg::raw_rate`), and, for
//!   information, hark's PostgreSQL store called directly;
//! - **e2e**: a real `hark serve` process driven over HTTP by `--connections` keep-alive
//!   connections sending the same 100-item payloads (JSON, Basic auth), checking every answer.
//!
//! It prints per-round figures, then medians and the e2e/raw ratio.

use crate::drive::drive;
use crate::{payload, pg, server, stats};
use hark_core::validate::ingest::validate_ingest;
use hark_store::StoreOptions;
use hark_store_postgres::PgStore;
use hark_store_sqlite::SqliteStore;
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
    /// Run on PostgreSQL: the URL of a server where the benchmark may create databases (one
    /// per measurement, dropped after), e.g. postgres://hark:hark@127.0.0.1:54330/postgres.
    #[arg(long)]
    postgres: Option<String>,
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
        let raw = match &args.postgres {
            Some(admin) => pg_raw_round(&args, admin).await?,
            None => raw_round(&args).await?,
        };
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
    let store = SqliteStore::open(dir.path().join("raw.db"), StoreOptions::default()).await?;
    store_rate(args, Arc::new(store)).await
}

/// PostgreSQL's raw rate on a fresh database, and hark's store rate on another (printed).
async fn pg_raw_round(args: &Args, admin: &str) -> Result<f64, crate::drive::BenchError> {
    let url = pg::fresh_database(admin).await?;
    let store = PgStore::open(&url, StoreOptions::default()).await?;
    let (source, batches) = bench_source(&store, args).await?;
    drop(store);
    let raw = pg::raw_rate(&url, args.connections, &source, batches).await?;
    pg::drop_database(admin, &url).await?;
    let url = pg::fresh_database(admin).await?;
    let store = PgStore::open(&url, StoreOptions::default()).await?;
    let rate = store_rate(args, Arc::new(store)).await?;
    pg::drop_database(admin, &url).await?;
    println!("         hark's PostgreSQL store called directly: {rate:.0} items/s");
    Ok(raw)
}

/// A bench project and source in `store`, and the validated payloads for it.
async fn bench_source(
    store: &dyn hark_store::Store,
    args: &Args,
) -> Result<(hark_core::Source, Arc<Vec<Vec<hark_core::ItemInput>>>), crate::drive::BenchError> {
    let p = hark_store::create_project(store, "bench").await?;
    let src = hark_store::create_source(
        store,
        &p.project.project_id,
        "bench",
        hark_core::SourceKind::Webhook,
    )
    .await?;
    let batches = (0..args.requests)
        .map(|n| {
            let v = payload::payload(src.source_id.as_str(), n, args.items);
            validate_ingest(&v).map(|r| r.items).unwrap_or_default()
        })
        .collect();
    Ok((src, Arc::new(batches)))
}

/// hark's `store` upserting the payloads from `--connections` tasks.
async fn store_rate(
    args: &Args,
    store: Arc<dyn hark_store::Store>,
) -> Result<f64, crate::drive::BenchError> {
    let (src, batches) = bench_source(store.as_ref(), args).await?;
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
    let db = match &args.postgres {
        Some(admin) => Some(pg::fresh_database(admin).await?),
        None => None,
    };
    let srv = server::HarkProcess::start(hark_bin, dir.path(), db.as_deref()).await?;
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
            let ingested =
                post_ingest(&client, &url, (&key, &secret), bodies[n].clone(), n).await?;
            Ok((t.elapsed(), ingested))
        }
    })
    .await?;
    let mut lat: Vec<Duration> = results.iter().map(|r| r.0).collect();
    let items: u64 = results.iter().map(|r| r.1).sum();
    let rss_peak_mb = srv.peak_rss_mb();
    srv.stop().await;
    if let (Some(admin), Some(db)) = (&args.postgres, &db) {
        pg::drop_database(admin, db).await?;
    }
    lat.sort_unstable();
    Ok(stats::E2e {
        rate: items as f64 / elapsed.as_secs_f64(),
        p50: stats::quantile(&lat, 0.5),
        p99: stats::quantile(&lat, 0.99),
        rss_peak_mb,
    })
}

/// POSTs one ingest body with the project's credentials; the items ingested, or an error naming
/// request `n` when the answer is not a 2xx with nothing failed.
pub(crate) async fn post_ingest(
    client: &reqwest::Client,
    url: &str,
    (key, secret): (&str, &str),
    body: Vec<u8>,
    n: usize,
) -> Result<u64, crate::drive::BenchError> {
    let resp = client
        .post(url)
        .basic_auth(key, Some(secret))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = resp.status();
    let v: serde_json::Value = resp.json().await?;
    if !status.is_success() || v["failed"] != 0 {
        return Err(format!("ingest request {n}: {status} {v}").into());
    }
    Ok(v["ingested"].as_u64().unwrap_or(0))
}
