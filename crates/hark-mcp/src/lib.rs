//! hark-mcp: hark's MCP server (Model Context Protocol, the official Rust SDK `rmcp`), so that
//! AI assistants can read one project's feedback. Every tool is read-only and scoped to the
//! project the [`HarkMcp`] handler was built for: another project's ids are "not found", its
//! texts never found.
//!
//! | tool | answers | module |
//! |---|---|---|
//! | `search_feedback` | items matching a query (hybrid search, keyword search without the model) | [`tools::feedback`] |
//! | `get_item` | one item with its parts and its analysis | [`tools::feedback`] |
//! | `list_themes` | themes with mentions, users, growth | [`tools::themes`] |
//! | `get_theme` | one theme: metrics, weekly counts, quotes with their items | [`tools::themes`] |
//! | `rising_themes` | the themes rising this week | [`tools::themes`] |
//! | `answer_quality` | useful rate, reasons, the worst-rated AI answers | [`tools::answers`] |
//!
//! Arguments are JSON-schema'd ([`tools::args`]); results are compact JSON with ids and
//! relative dashboard links ([`links`]); bad arguments are tool errors (`isError`) with a
//! message saying what to change ([`error`]). Transports: [`http`] (Streamable HTTP, stateless,
//! mounted by `hark-server` at `/mcp`) and [`stdio`] (`hark mcp --stdio`).

pub mod error;
pub mod http;
pub mod links;
pub mod stdio;
pub mod tools;

use hark_analysis::worker::Pipeline;
use hark_core::ProjectId;
use hark_store::Store;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool_handler, ServerHandler};
use std::fmt;
use std::sync::Arc;

/// How the tools reach the analysis pipeline, which exists only once the embedding model has
/// loaded: `None` until then (search is then by words only, and says so).
pub type PipelineSlot = Arc<dyn Fn() -> Option<Arc<Pipeline>> + Send + Sync>;

/// What the server tells the assistant about itself at initialisation.
const INSTRUCTIONS: &str = "Read-only access to one hark project's customer feedback: \
search_feedback finds items (ids, excerpts, category, sentiment); get_item shows one; \
list_themes, rising_themes and get_theme show what customers talk about and how often; \
answer_quality shows how users rated an AI assistant's answers. Links are relative to the \
hark dashboard. Dates are ISO 8601 (2026-03-15 or 2026-03-15T10:30:00Z).";

/// The MCP server handler of one project: every tool reads only `project`'s data from `store`.
/// Cheap to clone; the HTTP transport builds one per request for the authenticated project.
#[derive(Clone)]
pub struct HarkMcp {
    store: Arc<dyn Store>,
    project: ProjectId,
    pipeline: PipelineSlot,
    tool_router: ToolRouter<Self>,
}

impl HarkMcp {
    /// A handler for `project` over `store`, searching by words only.
    pub fn new(store: Arc<dyn Store>, project: ProjectId) -> Self {
        Self {
            store,
            project,
            pipeline: Arc::new(|| None),
            tool_router: Self::tool_router(),
        }
    }

    /// The same handler, searching by meaning too once `pipeline` gives the loaded pipeline.
    pub fn with_pipeline(mut self, pipeline: PipelineSlot) -> Self {
        self.pipeline = pipeline;
        self
    }

    /// The project every tool is scoped to.
    pub fn project(&self) -> &ProjectId {
        &self.project
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub(crate) fn pipeline(&self) -> Option<Arc<Pipeline>> {
        (self.pipeline)()
    }
}

impl fmt::Debug for HarkMcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarkMcp")
            .field("project", &self.project)
            .field("search_model", &self.pipeline().is_some())
            .finish_non_exhaustive()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for HarkMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("hark", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS.to_string())
    }
}
