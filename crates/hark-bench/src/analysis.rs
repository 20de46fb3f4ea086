//! The analysis benchmark, on real feedback from `../shared/data` (see its README):
//! 1. **pipeline**: 10,000 items (the English Mini-BAR reviews, then banking77 queries) are
//!    ingested into a fresh SQLite store and analysed by the real pipeline (mentions,
//!    embeddings, categories, sentiment, theme links), then the project's themes are discovered;
//!    baseline in the same run: embedding the same mention texts alone.
//! 2. **themes at scale**: theme discovery over 100,000 mention vectors (the pipeline's mentions
//!    repeated with small noise, as a large project's would be) with their texts; baseline in the
//!    same run: the neighbour search alone, the step that dominates.
//!
//! Prints the figures and the peak RSS of this process.
use crate::drive::BenchError;
use crate::embed::{minibar_files, peak_rss_mb, read_column};
use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_analysis::themes::{self, knn::knn, DiscoverParams, MentionInput, Scope};
use hark_analysis::worker::{Pipeline, PipelineConfig};
use hark_store::StoreOptions;
use hark_store_sqlite::SqliteStore;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Options of `hark-bench analysis`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The model folder (fetch it with `scripts/fetch-model.sh`).
    #[arg(long, default_value = "hark-data/model")]
    model: PathBuf,
    /// The shared data folder holding `banking77/` and `minibar/`.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Items analysed by the pipeline.
    #[arg(long, default_value_t = 10_000)]
    items: usize,
    /// Mention vectors in the theme-discovery run.
    #[arg(long, default_value_t = 100_000)]
    mentions: usize,
}

/// Runs the benchmark.
pub async fn run(args: Args) -> Result<(), BenchError> {
    let mut texts = Vec::new();
    for path in minibar_files(&args.data.join("minibar"))? {
        texts.extend(read_column(&path, "data")?);
    }
    texts.extend(read_column(&args.data.join("banking77/train.csv"), "text")?);
    texts.truncate(args.items);
    let dir = tempfile::tempdir()?;
    let store: Arc<dyn hark_store::Store> =
        Arc::new(SqliteStore::open(dir.path().join("bench.db"), StoreOptions::default()).await?);
    let p = hark_store::create_project(store.as_ref(), "bench").await?;
    let project = p.project.project_id.clone();
    let src = hark_store::create_source(
        store.as_ref(),
        &project,
        "bench",
        hark_core::SourceKind::Webhook,
    )
    .await?;
    let mut rng = StdRng::seed_from_u64(7);
    for (n, chunk) in texts.chunks(100).enumerate() {
        let items: Vec<serde_json::Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, t)| {
                json!({"unique_id": format!("r{n}-{i}"), "body": t, "user_id": format!("u{}", rng.gen_range(0..2000)),
                       "created_at": format!("2026-{:02}-{:02}T10:00:00Z", 9 + (i % 2), 1 + rng.gen_range(0..28))})
            })
            .collect();
        let body = json!({"source_id": src.source_id.as_str(), "items": items});
        let valid =
            hark_core::validate::ingest::validate_ingest(&body).map_err(|e| format!("{e:?}"))?;
        store.ingest(&src, valid.items).await?;
    }
    let t = Instant::now();
    let analyzer = Arc::new(Analyzer::new(Embedder::load(&args.model)?)?);
    let load_s = t.elapsed().as_secs_f64();
    let config = PipelineConfig {
        batch: 256,
        ..PipelineConfig::default()
    };
    let pipeline = Pipeline::new(store.clone(), analyzer.clone(), config);
    println!(
        "hark-bench analysis: {} items, model load + seed training {load_s:.1} s, cores: {}",
        texts.len(),
        cores()
    );
    let t = Instant::now();
    while pipeline.step().await? > 0 {}
    let analyse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let themes_found = pipeline.discover(&project, Scope::All).await?;
    let discover_s = t.elapsed().as_secs_f64();
    let vectors = store.mention_vectors(&project, false).await?;
    let ids: Vec<i64> = vectors.iter().map(|v| v.id).collect();
    let mention_texts: Vec<String> = store
        .mention_texts(&project, &ids)
        .await?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let refs: Vec<&str> = mention_texts.iter().map(String::as_str).collect();
    let t = Instant::now();
    analyzer.embedder().embed(&refs)?;
    let embed_s = t.elapsed().as_secs_f64();
    println!(
        "pipeline: {} items → {} mentions in {analyse_s:.1} s = {:.0} items/s, {:.0} mentions/s; theme discovery {discover_s:.1} s ({themes_found} themes)",
        texts.len(),
        vectors.len(),
        texts.len() as f64 / analyse_s,
        vectors.len() as f64 / analyse_s
    );
    println!(
        "baseline (same run): embedding the {} mention texts alone {embed_s:.1} s = {:.0} sentences/s; pipeline / embedding-only time = {:.2}",
        refs.len(),
        refs.len() as f64 / embed_s,
        analyse_s / embed_s
    );
    let (flat, scaled_texts) = scale(
        &vectors
            .iter()
            .map(|v| v.embedding.clone())
            .collect::<Vec<_>>(),
        &mention_texts,
        args.mentions,
    );
    drop(vectors);
    let dim = analyzer.dim();
    let n = scaled_texts.len();
    let t = Instant::now();
    let inputs: Vec<MentionInput<'_>> = flat
        .chunks_exact(dim)
        .zip(&scaled_texts)
        .enumerate()
        .map(|(i, (embedding, text))| MentionInput {
            id: i as i64,
            theme: None,
            embedding,
            text,
        })
        .collect();
    let found = themes::discover(&[], &inputs, Scope::All, &DiscoverParams::default())?;
    let scale_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    knn(&flat, dim, &DiscoverParams::default().cluster.knn_params())?;
    let knn_s = t.elapsed().as_secs_f64();
    println!(
        "themes at scale: {n} mentions → {} themes in {scale_s:.1} s; baseline (same run): neighbour search alone {knn_s:.1} s (ratio {:.2})",
        found.themes.len(),
        scale_s / knn_s
    );
    println!("peak RSS of this process: {:.0} MB", peak_rss_mb()?);
    Ok(())
}

/// `n` vectors: the given ones repeated, each copy moved by small noise and re-normalised.
fn scale(vectors: &[Vec<f32>], texts: &[String], n: usize) -> (Vec<f32>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut flat = Vec::with_capacity(n * vectors.first().map_or(0, Vec::len));
    let mut out_texts = Vec::with_capacity(n);
    if vectors.is_empty() {
        return (flat, out_texts);
    }
    for i in 0..n {
        let src = &vectors[i % vectors.len()];
        let mut v: Vec<f32> = src.iter().map(|x| x + rng.gen_range(-0.05..0.05)).collect();
        themes::normalize(&mut v);
        flat.extend(v);
        out_texts.push(texts.get(i % texts.len()).cloned().unwrap_or_default());
    }
    (flat, out_texts)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
