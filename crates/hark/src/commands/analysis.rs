//! The analysis commands and the pipeline `serve` runs: `hark analyze` (re-analyse a project
//! now, with a progress bar), `hark train` (import labelled examples).
use super::{open_store, print_json};
use crate::config::Config;
use crate::error::Error;
use hark_analysis::analyzer::Analyzer;
use hark_analysis::embed::Embedder;
use hark_analysis::eval::data;
use hark_analysis::themes::Scope;
use hark_analysis::worker::Pipeline;
use hark_core::analysis::LabelledExample;
use hark_core::ProjectId;
use hark_store::Store;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Loads the model and builds the pipeline (a second or two of CPU, off the async threads).
pub(super) async fn pipeline(
    config: &Config,
    store: Arc<dyn Store>,
) -> Result<Arc<Pipeline>, Error> {
    let dir = config.model_dir();
    let analyzer = tokio::task::spawn_blocking(move || Analyzer::new(Embedder::load(&dir)?))
        .await
        .map_err(|e| Error::Usage(format!("model loading failed: {e}")))??;
    let settings = config
        .pipeline_config()
        .with_thresholds(analyzer.embedder().theme_thresholds());
    Ok(Arc::new(Pipeline::new(store, Arc::new(analyzer), settings)))
}

/// Starts the background analysis for `serve`: loads the model in the background and runs the
/// pipeline until `shutdown`. Without a model, ingest goes on and subjects wait in the queue;
/// the log says how to fetch the model.
pub(super) fn spawn_background(
    config: &Config,
    store: Arc<dyn Store>,
    handle: hark_server::AnalysisHandle,
    shutdown: CancellationToken,
) {
    if !config.analysis.enabled {
        tracing::info!("analysis disabled by configuration (analysis.enabled = false)");
        return;
    }
    let config = config.clone();
    tokio::spawn(async move {
        match pipeline(&config, store).await {
            Ok(p) => {
                tracing::info!(model = %config.model_dir().display(), "analysis running");
                handle.set(p.clone());
                p.run(shutdown).await;
            }
            Err(e) => tracing::warn!(
                error = %e,
                "analysis is off: ingest continues and items wait in the analysis queue until hark restarts with the model"
            ),
        }
    });
}

/// `hark analyze`: queues every item and chat comment of the project again, analyses the queue
/// in this process with a progress bar, then re-clusters all the project's mentions into themes.
pub async fn analyze(config: &Config, project: &str) -> Result<(), Error> {
    let store = open_store(config).await?;
    let project = ProjectId::new(project);
    if store.get_project(&project).await?.is_none() {
        return Err(Error::Usage(format!("no project {}", project.as_str())));
    }
    let started = Instant::now();
    let pipeline = pipeline(config, store.clone()).await?;
    let queued = store.requeue_project(&project).await?;
    let bar = indicatif::ProgressBar::new(queued);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} subjects  {per_sec}  eta {eta}",
        )
        .map_err(|e| Error::Usage(e.to_string()))?,
    );
    loop {
        let depth = store.queue_depth(Some(&project)).await?;
        bar.set_position(queued.saturating_sub(depth.ready + depth.leased));
        if depth.ready == 0 && depth.leased == 0 {
            break;
        }
        if pipeline.step().await? == 0 {
            // Only leased subjects remain (another process has them): wait for them.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
    bar.finish();
    let themes = pipeline.discover(&project, Scope::All).await?;
    print_json(&serde_json::json!({
        "project": project.as_str(),
        "subjects_analyzed": queued,
        "themes_updated": themes,
        "seconds": started.elapsed().as_secs_f64(),
    }))
}

/// `hark train`: adds a labelled CSV (`text,category` with hark's categories, or Mini-BAR's
/// columns) to the project's examples; the next analyses use the learned classifier.
pub async fn train(config: &Config, project: &str, file: &Path) -> Result<(), Error> {
    let store = open_store(config).await?;
    let project = ProjectId::new(project);
    if store.get_project(&project).await?.is_none() {
        return Err(Error::Usage(format!("no project {}", project.as_str())));
    }
    let rows = data::load(file)?;
    let examples: Vec<LabelledExample> = rows
        .into_iter()
        .flat_map(|r| {
            let text = r.text;
            r.categories
                .into_iter()
                .map(move |category| LabelledExample {
                    text: text.clone(),
                    category,
                    origin: "import",
                    embedding: None,
                })
        })
        .collect();
    if examples.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no row has a category (columns text,category with bug, feature_request, complaint, praise, question or other)",
            file.display()
        )));
    }
    let added = store.add_examples(&project, examples).await?;
    let total = store.examples(&project).await?.len();
    print_json(
        &serde_json::json!({ "project": project.as_str(), "added": added, "examples": total }),
    )
}
