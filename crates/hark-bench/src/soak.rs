//! `hark-bench soak`: a real `hark serve` (SQLite, the local model when present) under a mixed
//! load for N minutes — ingest (half the calls), SigV4 PutFeedback (three in ten), item and
//! theme reads (two in ten), with the analysis worker and theme discovery running on what comes
//! in; over a fixed set of items and messages (`--distinct`), re-sent once all are in, so that
//! the work stays the same while the server runs — printing per interval the calls/s, p99, refusals and the server's resident memory, then
//! the first and last intervals side by side and the memory trend. The baseline is the run's
//! own first interval: a server that degrades or leaks shows it against its own start.

use crate::drive::BenchError;
use crate::put_feedback::ChatCredentials;
use crate::{server, stats};
use serde_json::json;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Options of `hark-bench soak`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// How long the load runs, in minutes.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Seconds per reported interval.
    #[arg(long, default_value_t = 30)]
    interval_secs: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Distinct items (and voted messages): past them the load re-sends the same ones, so the
    /// data set stops growing and what changes over time is the server, not the work.
    #[arg(long, default_value_t = 20_000)]
    distinct: usize,
    /// The embedding model (`scripts/fetch-model.sh`); without it the server runs no analysis.
    #[arg(long, default_value = "hark-data/model")]
    model_dir: PathBuf,
}

type BenchResult<T> = Result<T, BenchError>;

/// What the clients measured since the last report.
#[derive(Default)]
struct Window {
    latencies: Vec<Duration>,
    refused: u64,
    failed: u64,
    first_failure: Option<String>,
}

/// Texts the ingested items say (varied per item so that analysis finds several themes).
const TEXTS: [&str; 6] = [
    "The app crashes every time I export a report",
    "Please add a dark mode to the dashboard",
    "Sync has been really fast since the update, love it",
    "Why was I charged twice this month?",
    "I cannot log in after resetting my password",
    "How do I share a board with my team?",
];

/// Runs the soak.
pub async fn run(args: Args, hark_bin: &std::path::Path) -> BenchResult<()> {
    let dir = tempfile::tempdir()?;
    let mut extra = Vec::new();
    let config = dir.path().join("hark.toml");
    if args.model_dir.join("config.json").is_file() {
        let model = std::fs::canonicalize(&args.model_dir)?;
        let toml = format!(
            "[analysis]\nmodel_dir = {:?}\n",
            model.display().to_string()
        );
        std::fs::write(&config, toml)?;
        extra = vec!["--config".to_string(), config.display().to_string()];
    } else {
        println!(
            "no model in {}: the server runs without analysis",
            args.model_dir.display()
        );
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let srv =
        server::HarkProcess::start_with(hark_bin, &dir.path().join("data"), None, &extra).await?;
    let creds = Arc::new(ChatCredentials::issue(&srv).await?);
    println!(
        "hark-bench soak: {} min, {} connections, cores: {}",
        args.minutes,
        args.connections,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:>6} {:>9} {:>9} {:>8} {:>7} {:>8}",
        "min", "calls/s", "p99 ms", "refused", "failed", "RSS MB"
    );
    let window = Arc::new(Mutex::new(Window::default()));
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(args.minutes * 60.0);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let mut workers = Vec::new();
    for _ in 0..args.connections {
        let (client, window, next, creds) =
            (client.clone(), window.clone(), next.clone(), creds.clone());
        let distinct = args.distinct.max(1);
        let (base, key, secret, source) = (
            srv.base_url.clone(),
            srv.api_key.clone(),
            srv.secret_key.clone(),
            srv.source_id.clone(),
        );
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let started = Instant::now();
                let request = match n % 10 {
                    0..=4 => {
                        let items: Vec<_> = (0..10)
                            .map(|i| {
                                let k = (n * 10 + i) % distinct;
                                json!({"unique_id": format!("soak-{k}"), "user_id": format!("u{}", k % 5000),
                                       "body": format!("{} (case {k})", TEXTS[k % TEXTS.len()])})
                            })
                            .collect();
                        client
                            .post(format!("{base}/api/1/ai-feedback/ingest"))
                            .basic_auth(&key, Some(&secret))
                            .json(&json!({"source_id": source, "items": items}))
                    }
                    5..=7 => {
                        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
                        let signed = creds.sign(&base, n % distinct, &amz_date)?;
                        client
                            .post(&signed.url)
                            .header("content-type", "application/json")
                            .header("x-amz-date", signed.amz_date)
                            .header("authorization", signed.authorization)
                            .body(signed.body)
                    }
                    8 => client
                        .get(format!("{base}/api/1/items?limit=50"))
                        .basic_auth(&key, Some(&secret)),
                    _ => client
                        .get(format!("{base}/api/1/themes?limit=20"))
                        .basic_auth(&key, Some(&secret)),
                };
                let outcome = match request.send().await {
                    Ok(r) => {
                        let status = r.status();
                        let text = r.text().await.unwrap_or_default();
                        Ok((status, text))
                    }
                    Err(e) => Err(e.to_string()),
                };
                let latency = started.elapsed();
                let mut w = window.lock().map_err(|_| "window lock")?;
                match outcome {
                    Ok((s, _)) if s.is_success() => w.latencies.push(latency),
                    Ok((s, _)) if s == 429 || s == 503 => w.refused += 1,
                    Ok((s, text)) => {
                        w.failed += 1;
                        w.first_failure.get_or_insert(format!("{s} {}", &text[..text.len().min(200)]));
                    }
                    Err(e) => {
                        w.failed += 1;
                        w.first_failure.get_or_insert(e);
                    }
                }
            }
            Ok::<_, BenchError>(())
        }));
    }
    let started = Instant::now();
    let mut rows: Vec<(f64, f64, Duration, f64)> = Vec::new();
    let mut all = Vec::new();
    let mut failures = Vec::new();
    let mut rss_start = srv.rss_mb();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(left.min(Duration::from_secs(args.interval_secs))).await;
        let w = std::mem::take(&mut *window.lock().map_err(|_| "window lock")?);
        let mut lat = w.latencies;
        lat.sort_unstable();
        let at = started.elapsed().as_secs_f64();
        let span = at - rows.last().map_or(0.0, |r| r.0);
        let rate = lat.len() as f64 / span.max(1e-9);
        let p99 = stats::quantile(&lat, 0.99);
        let rss = srv.rss_mb();
        if rows.is_empty() {
            rss_start = rss;
        }
        println!(
            "{:>6.1} {:>9.0} {:>9} {:>8} {:>7} {:>8.1}",
            at / 60.0,
            rate,
            stats::ms(p99),
            w.refused,
            w.failed,
            rss
        );
        failures.extend(w.first_failure);
        all.extend(lat);
        rows.push((at, rate, p99, rss));
        if Instant::now() >= deadline {
            break;
        }
    }
    for w in workers {
        w.await??;
    }
    let rss_end = srv.rss_mb();
    srv.stop().await;
    all.sort_unstable();
    summarize(&rows, &all, rss_start, rss_end);
    if let Some(f) = failures.first() {
        println!("first failure: {f}");
    }
    Ok(())
}

/// The first and last intervals side by side, the overall p99, and the memory trend (least
/// squares over the second half of the run, MB per minute).
fn summarize(rows: &[(f64, f64, Duration, f64)], all: &[Duration], rss_start: f64, rss_end: f64) {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return;
    };
    println!(
        "first interval {:.0} calls/s, p99 {} ms; last {:.0} calls/s ({:.0} % of the first), p99 {} ms",
        first.1,
        stats::ms(first.2),
        last.1,
        100.0 * last.1 / first.1.max(1e-9),
        stats::ms(last.2)
    );
    println!(
        "all calls: {}, p50 {} ms, p99 {} ms",
        all.len(),
        stats::ms(stats::quantile(all, 0.5)),
        stats::ms(stats::quantile(all, 0.99))
    );
    let half: Vec<(f64, f64)> = rows[rows.len() / 2..]
        .iter()
        .map(|r| (r.0 / 60.0, r.3))
        .collect();
    let n = half.len() as f64;
    let (mx, my) = (
        half.iter().map(|p| p.0).sum::<f64>() / n,
        half.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let var: f64 = half.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = if var > 0.0 {
        half.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / var
    } else {
        0.0
    };
    println!(
        "server RSS: {rss_start:.1} MB after the first interval, {rss_end:.1} MB at the end; trend over the second half {slope:+.2} MB/min"
    );
}
