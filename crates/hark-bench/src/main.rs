//! hark-bench: the benchmarks of hark, run with `scripts/bench-ingest.sh`,
//! `scripts/bench-put-feedback.sh` and `scripts/bench-embed.sh`, `scripts/bench-analysis.sh`, `scripts/bench-dashboard.sh`, `scripts/bench-soak.sh`, `scripts/bench-webhooks.sh` (release builds). Each prints per-round figures, then
//! medians and the ratio to a baseline measured in the same run. CI times nothing.

mod analysis;
mod dashboard;
mod drive;
mod embed;
mod ingest;
mod payload;
mod pg;
mod put_feedback;
mod server;
mod soak;
mod stats;
mod webhooks;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(about = "hark benchmarks")]
struct Cli {
    /// The hark binary (default: `hark` beside this executable).
    #[arg(long, global = true)]
    hark_bin: Option<std::path::PathBuf>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand, Debug)]
enum Scenario {
    /// Ingest API: end-to-end HTTP vs the raw store rate.
    Ingest(ingest::Args),
    /// PutFeedback with SigV4 signatures: end-to-end HTTP vs the raw store rate.
    PutFeedback(put_feedback::Args),
    /// The local embedder: sentences/s on real feedback vs fixed 128-token padding.
    Embed(embed::Args),
    /// The analysis pipeline on 10,000 items and theme discovery over 100,000 mentions.
    Analysis(analysis::Args),
    /// The dashboard's pages on a 200,000-item project: server time p50/p95 and page weight.
    Dashboard(dashboard::Args),
    /// Mixed ingest, PutFeedback, reads and analysis for N minutes: throughput, p99 and the
    /// server's memory over time.
    Soak(soak::Args),
    /// Webhook deliveries/s to a local receiver, and the ingest and analysis rates with
    /// endpoints subscribed vs none.
    Webhooks(webhooks::Args),
}

#[tokio::main]
async fn main() -> Result<(), drive::BenchError> {
    let cli = Cli::parse();
    let hark_bin = match cli.hark_bin {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("hark"),
    };
    match cli.scenario {
        Scenario::Ingest(args) => ingest::run(args, &hark_bin).await,
        Scenario::PutFeedback(args) => put_feedback::run(args, &hark_bin).await,
        Scenario::Embed(args) => tokio::task::spawn_blocking(move || embed::run(args)).await?,
        Scenario::Analysis(args) => analysis::run(args).await,
        Scenario::Dashboard(args) => dashboard::run(args, &hark_bin).await,
        Scenario::Soak(args) => soak::run(args, &hark_bin).await,
        Scenario::Webhooks(args) => webhooks::run(args, &hark_bin).await,
    }
}
