//! Two projects on a fresh SQLite store, each with a source, items and an application: what
//! the handler tests read, and what must never leak from one project to the other.

#![allow(dead_code, clippy::unwrap_used)]

use hark_core::{ItemFilter, ItemId, ProjectId};
use hark_mcp::HarkMcp;
use hark_store::{create_application, create_project, create_source, Store};
use hark_store_conformance::feedback::{body, item, part};
use hark_store_conformance::testing::sqlite_store;
use std::sync::Arc;
use tempfile::TempDir;

/// One project of the fixture.
pub struct Tenant {
    pub project: ProjectId,
    pub source: String,
    pub application: String,
    pub items: Vec<ItemId>,
}

/// The fixture: `a` and `b`, with texts that tell them apart.
pub struct World {
    pub _dir: TempDir,
    pub store: Arc<dyn Store>,
    pub a: Tenant,
    pub b: Tenant,
}

impl World {
    /// The handler of project `a`.
    pub fn mcp_a(&self) -> HarkMcp {
        HarkMcp::new(self.store.clone(), self.a.project.clone())
    }
}

async fn tenant(store: &dyn Store, name: &str, texts: &[&str]) -> Tenant {
    let p = create_project(store, name).await.unwrap();
    let project = p.project.project_id;
    let source = create_source(store, &project, "web", hark_core::SourceKind::Webhook)
        .await
        .unwrap();
    let items = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let parts = if i == 0 {
                vec![part("p1", "and the reply from support")]
            } else {
                vec![]
            };
            item(&format!("u{i}"), body(t), parts)
        })
        .collect();
    store.ingest(&source, items).await.unwrap();
    let page = store
        .list_items(&project, &ItemFilter::default(), None, 100)
        .await
        .unwrap();
    let app = create_application(store, &project, "assistant", false)
        .await
        .unwrap();
    Tenant {
        project,
        source: source.source_id.as_str().to_string(),
        application: app.application_id.as_str().to_string(),
        items: page.items.iter().map(|i| i.id).collect(),
    }
}

/// A fresh world.
pub async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite_store(&dir).await);
    let a = tenant(
        store.as_ref(),
        "a",
        &[
            "The export to CSV fails with error E42",
            "Login is slow in the morning",
        ],
    )
    .await;
    let b = tenant(
        store.as_ref(),
        "b",
        &["Secret zebra roadmap of project B, export included"],
    )
    .await;
    World {
        _dir: dir,
        store,
        a,
        b,
    }
}
