//! `hark-bench webhooks`: the delivery worker of a real `hark serve` (release build) against a
//! local receiver, run with `scripts/bench-webhooks.sh`:
//! 1. **deliveries/s** ([`deliveries`]): a backlog of `chat_feedback.received` deliveries to
//!    4, 8, 16 endpoints drained by the worker; baseline, same round: the benchmark posting the
//!    same count straight to a receiver;
//! 2. **the pipeline with endpoints** ([`analysed`]): ingest items/s and analysed items/s with
//!    two endpoints subscribed to `feedback.analyzed`; baseline, same round: no endpoint.
//!
//! Per-round figures as they come, then a table of medians.

mod analysed;
mod deliveries;
mod receiver;

use crate::drive::BenchError;
use crate::server::HarkProcess;
use crate::stats::median;
use std::path::{Path, PathBuf};

/// Options of `hark-bench webhooks`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Endpoint counts of the deliveries measurement.
    #[arg(long, value_delimiter = ',', default_value = "4,8,16")]
    endpoints: Vec<usize>,
    /// Deliveries in the backlog (split evenly over the endpoints).
    #[arg(long, default_value_t = 20_000)]
    deliveries: usize,
    /// Rounds; medians are reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// `webhooks.max_in_flight_per_endpoint` of the server (default: the server's).
    #[arg(long)]
    per_endpoint: Option<u32>,
    /// `webhooks.poll_ms` of the server (default: the server's).
    #[arg(long)]
    poll_ms: Option<u64>,
    /// Ingest requests (100 items each) per ingest-rate measurement.
    #[arg(long, default_value_t = 600)]
    ingest_requests: usize,
    /// Items analysed per analysed-items measurement (real reviews from `--data`).
    #[arg(long, default_value_t = 3_000)]
    analysed_items: usize,
    /// The model folder (`scripts/fetch-model.sh`).
    #[arg(long, default_value = "hark-data/model")]
    model: PathBuf,
    /// The shared data folder holding `minibar/` and `banking77/`.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Skip the deliveries measurement.
    #[arg(long)]
    no_deliveries: bool,
    /// Skip the pipeline measurement.
    #[arg(long)]
    no_pipeline: bool,
}

/// Server settings of the delivery worker (`None`: the server's default).
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkerKnobs {
    per_endpoint: Option<u32>,
    poll_ms: Option<u64>,
}

impl WorkerKnobs {
    /// The in-flight limit per endpoint the server will use.
    fn per_endpoint_or_default(&self) -> u32 {
        self.per_endpoint
            .unwrap_or(hark_webhooks::WorkerConfig::default().per_endpoint)
    }
}

/// Writes a `hark serve` config file `name` in `dir`: private-network endpoints allowed (the
/// receiver is on 127.0.0.1), the worker on or off, the model when given (analysis off
/// otherwise); returns its path.
fn write_config(
    dir: &Path,
    name: &str,
    deliver: bool,
    knobs: &WorkerKnobs,
    model: Option<&Path>,
) -> Result<String, BenchError> {
    let mut toml = format!("[webhooks]\nallow_private_networks = true\ndeliver = {deliver}\n");
    if let Some(n) = knobs.per_endpoint {
        toml += &format!("max_in_flight_per_endpoint = {n}\n");
    }
    if let Some(ms) = knobs.poll_ms {
        toml += &format!("poll_ms = {ms}\n");
    }
    match model {
        Some(m) => toml += &format!("[analysis]\nmodel_dir = {:?}\n", m.display().to_string()),
        None => toml += "[analysis]\nenabled = false\n",
    }
    let path = dir.join(name);
    std::fs::write(&path, toml)?;
    Ok(path.display().to_string())
}

/// Creates an endpoint of the bench project for `url`, subscribed to `event`.
async fn create_endpoint(
    client: &reqwest::Client,
    srv: &HarkProcess,
    url: &str,
    event: &str,
) -> Result<(), BenchError> {
    let resp = client
        .post(format!("{}/api/1/webhooks", srv.base_url))
        .basic_auth(&srv.api_key, Some(&srv.secret_key))
        .json(&serde_json::json!({"url": url, "events": [event]}))
        .send()
        .await?;
    let status = resp.status();
    let v: serde_json::Value = resp.json().await?;
    if status != 201 || !v["secret"].is_string() {
        return Err(format!("creating an endpoint: {status} {v}").into());
    }
    Ok(())
}

/// One line of the final table.
struct Row {
    what: String,
    baseline: String,
    measured: String,
    ratio: String,
}

/// Runs the benchmark.
pub async fn run(args: Args, hark_bin: &Path) -> Result<(), BenchError> {
    println!(
        "hark-bench webhooks: {} rounds, cores: {}",
        args.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let knobs = WorkerKnobs {
        per_endpoint: args.per_endpoint,
        poll_ms: args.poll_ms,
    };
    let mut table = Vec::new();
    if !args.no_deliveries {
        println!(
            "deliveries: backlog of {} chat_feedback.received deliveries, worker in-flight limit {} per endpoint",
            args.deliveries,
            knobs.per_endpoint_or_default()
        );
        for &n in &args.endpoints {
            table.push(deliveries_at(&args, hark_bin, n, &knobs).await?);
        }
    }
    if !args.no_pipeline {
        table.extend(pipeline(&args, hark_bin).await?);
    }
    println!("---");
    println!("| measurement | baseline, same run | measured | ratio |");
    println!("|---|---|---|---|");
    for r in table {
        println!(
            "| {} | {} | {} | {} |",
            r.what, r.baseline, r.measured, r.ratio
        );
    }
    Ok(())
}

/// The deliveries rounds with `n` endpoints and their medians.
async fn deliveries_at(
    args: &Args,
    hark_bin: &Path,
    n: usize,
    knobs: &WorkerKnobs,
) -> Result<Row, BenchError> {
    let (mut rates, mut baselines) = (Vec::new(), Vec::new());
    for round in 1..=args.rounds {
        let d = deliveries::round(hark_bin, n, args.deliveries, knobs).await?;
        println!(
            "{n:>2} endpoints, round {round}: {:>7.0} deliveries/s | direct POSTs {:>7.0} req/s ({:.0} %) | backlog written at {:.0} PutFeedback calls/s",
            d.rate,
            d.baseline,
            100.0 * d.rate / d.baseline,
            d.produced
        );
        rates.push(d.rate);
        baselines.push(d.baseline);
    }
    let (rate, base) = (median(rates), median(baselines));
    Ok(Row {
        what: format!("deliveries/s, {n} endpoints ({} backlog)", args.deliveries),
        baseline: format!("direct POSTs {base:.0} req/s"),
        measured: format!("**{rate:.0} deliveries/s**"),
        ratio: format!("{:.0} %", 100.0 * rate / base),
    })
}

/// The ingest and analysed-items rounds, none vs two `feedback.analyzed` endpoints.
async fn pipeline(args: &Args, hark_bin: &Path) -> Result<Vec<Row>, BenchError> {
    let model = std::fs::canonicalize(&args.model)
        .map_err(|e| format!("the model {}: {e}", args.model.display()))?;
    let mut texts = Vec::new();
    for path in crate::embed::minibar_files(&args.data.join("minibar"))? {
        texts.extend(crate::embed::read_column(&path, "data")?);
    }
    texts.extend(crate::embed::read_column(
        &args.data.join("banking77/train.csv"),
        "text",
    )?);
    texts.truncate(args.analysed_items);
    println!(
        "pipeline: ingest {} x 100 items (no model) and {} reviews analysed (model), with no endpoint vs two on feedback.analyzed",
        args.ingest_requests,
        texts.len()
    );
    let mut ingest = [Vec::new(), Vec::new()];
    let mut analysed = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    let mut paired = Vec::new();
    for round in 1..=args.rounds {
        // Alternate which goes first so a drifting machine favours neither.
        let order = if round % 2 == 1 { [0, 2] } else { [2, 0] };
        let mut this = [0.0; 2];
        for endpoints in order {
            let i = usize::from(endpoints > 0);
            let rate = analysed::ingest_rate(hark_bin, endpoints, args.ingest_requests).await?;
            let a = analysed::analysed_rate(hark_bin, &model, endpoints, &texts).await?;
            println!(
                "round {round}, {endpoints} endpoints: ingest {rate:>7.0} items/s | analysed {:>5.1} items/s, server CPU {:.2} ms/item, {} deliveries by then, the last {:.2} s after",
                a.rate, a.cpu_ms_per_item, a.delivered_by_drain, a.delivery_lag_s
            );
            ingest[i].push(rate);
            analysed[i].push(a.rate);
            cpu[i].push(a.cpu_ms_per_item);
            this[i] = a.rate;
        }
        paired.push(this[1] / this[0]);
    }
    let [i0, i2] = ingest.map(median);
    let [a0, a2] = analysed.map(median);
    let [c0, c2] = cpu.map(median);
    let paired = median(paired);
    Ok(vec![
        Row {
            what: format!("ingest API, 2 endpoints on feedback.analyzed ({} x 100 items, 8 connections, no model)", args.ingest_requests),
            baseline: format!("no endpoint {i0:.0} items/s"),
            measured: format!("**{i2:.0} items/s**"),
            ratio: format!("{:.0} %", 100.0 * i2 / i0),
        },
        Row {
            what: format!("analysed items/s, 2 endpoints on feedback.analyzed ({} reviews, local model)", texts.len()),
            baseline: format!("no endpoint {a0:.1} items/s"),
            measured: format!("**{a2:.1} items/s**"),
            ratio: format!(
                "{:.0} % (median of the rounds' paired ratios {:.0} %)",
                100.0 * a2 / a0,
                100.0 * paired
            ),
        },
        Row {
            what: "server CPU per analysed item, same runs (first ingest call to last delivery)"
                .into(),
            baseline: format!("no endpoint {c0:.2} ms"),
            measured: format!("**{c2:.2} ms**"),
            ratio: format!("{:.0} % (items per CPU-second)", 100.0 * c0 / c2),
        },
    ])
}
