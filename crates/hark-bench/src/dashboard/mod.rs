//! `hark-bench dashboard`: each dashboard page's server time on a big SQLite project
//! (default 200,000 items, 300 themes, 50,000 chat feedback), p50 and p95 over repeated
//! requests to a real `hark serve` on loopback, and each page's weight (HTML + CSS + JS).
//! Baseline, measured in the same run: `GET /api/1/themes`, the JSON listing of the same
//! project. Run with `scripts/bench-dashboard.sh`. Nothing here is timed in CI.

mod fixture;
mod measure;

use crate::drive::BenchError;
use clap::Args as ClapArgs;
use std::path::Path;
use std::sync::Arc;

/// Flags of the dashboard benchmark.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Items of the project.
    #[arg(long, default_value_t = 200_000)]
    items: usize,
    /// Themes of the project.
    #[arg(long, default_value_t = 300)]
    themes: usize,
    /// Chat feedback rows.
    #[arg(long, default_value_t = 50_000)]
    chat: usize,
    /// Timed requests per page (after 3 untimed ones).
    #[arg(long, default_value_t = 30)]
    requests: usize,
    /// Reuse (or keep) the data set in this directory instead of a temporary one.
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
}

/// Builds the data set (unless `--data-dir` holds one), then measures every page.
pub async fn run(args: Args, hark_bin: &Path) -> Result<(), BenchError> {
    let temp = tempfile::tempdir()?;
    let dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("hark.db");
    let creds = dir.join("bench-credentials.json");
    let built = if creds.exists() {
        eprintln!("reusing the data set in {}", dir.display());
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&creds)?)?
    } else {
        eprintln!(
            "building {} items, {} themes, {} chat feedback in {}",
            args.items,
            args.themes,
            args.chat,
            dir.display()
        );
        let store = hark_store_sqlite::SqliteStore::open(&db, Default::default()).await?;
        let store: Arc<dyn hark_store::Store> = Arc::new(store);
        let built = fixture::build(
            store,
            fixture::Size {
                items: args.items,
                themes: args.themes,
                chat: args.chat,
            },
        )
        .await?;
        let v = serde_json::json!({"api_key": built.api_key, "secret_key": built.secret_key});
        std::fs::write(&creds, serde_json::to_vec(&v)?)?;
        v
    };
    let api = (
        built["api_key"].as_str().unwrap_or_default().to_string(),
        built["secret_key"].as_str().unwrap_or_default().to_string(),
    );
    measure::run(hark_bin, &dir, &api, args.requests).await
}
