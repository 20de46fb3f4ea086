//! `hark mcp --stdio`: one project's MCP tools (crate `hark-mcp`) on stdin/stdout, for desktop
//! assistants that start hark as a child process. stdout carries only MCP messages; logs go to
//! stderr ([`crate::logging`]). The model loads in the background: search is by words until it
//! has, then by meaning too, as on the server.

use super::open_store;
use crate::config::Config;
use crate::error::Error;
use hark_core::ProjectId;
use hark_mcp::HarkMcp;
use hark_server::AnalysisHandle;
use std::sync::Arc;

/// Serves the project's tools on stdio until the client closes stdin.
pub async fn stdio(config: &Config, project: &str) -> Result<(), Error> {
    let store = open_store(config).await?;
    let project = ProjectId::new(project);
    if store.get_project(&project).await?.is_none() {
        return Err(Error::Usage(format!("no project {}", project.as_str())));
    }
    let search = AnalysisHandle::default();
    if config.analysis.enabled {
        load_model(config, store.clone(), search.clone());
    }
    let mcp = HarkMcp::new(store, project).with_pipeline(Arc::new(move || search.get().cloned()));
    hark_mcp::stdio::serve(mcp).await?;
    Ok(())
}

/// Loads the model in the background and fills `slot` with the pipeline (not run: this process
/// only embeds search queries; `hark serve` analyses).
fn load_model(config: &Config, store: Arc<dyn hark_store::Store>, slot: AnalysisHandle) {
    let config = config.clone();
    tokio::spawn(async move {
        match super::analysis::pipeline(&config, store).await {
            Ok(pipeline) => {
                slot.set(pipeline);
                tracing::info!("search by meaning ready");
            }
            Err(e) => tracing::warn!(
                error = %e,
                "the model is not available: search_feedback searches by words only"
            ),
        }
    });
}
