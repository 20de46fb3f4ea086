//! `hark export` and `hark import`: one project, every row of it, as JSON Lines (the format is
//! described in `hark_store`'s `transfer` module), between databases of either backend.
//!
//! Access-key secrets travel sealed under this deployment's master key: the target deployment
//! needs the same key (its file, or `HARK_MASTER_KEY`). Project secrets travel as hashes, so
//! the project's API key and secret key keep working in the target.

use super::{open_store, print_json};
use crate::config::Config;
use crate::error::Error;
use hark_core::ProjectId;
use hark_store::TransferSummary;
use serde_json::{json, Map, Value};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// `hark export`: writes the project to `out` (a file, replaced only once the export is
/// complete), else to stdout. With a file, prints a summary on stdout.
pub async fn export(config: &Config, project: &str, out: Option<&Path>) -> Result<(), Error> {
    let store = open_store(config).await?;
    let project = ProjectId::new(project);
    let Some(path) = out else {
        store
            .export_project(&project, &mut std::io::stdout())
            .await?;
        return Ok(());
    };
    // Written beside the file and renamed over it at the end: a failed export leaves neither a
    // partial file nor a damaged previous one.
    let partial = partial_path(path);
    let file_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::TransferFile { path, source }
    };
    // The export holds secret hashes and PII: readable by its owner only.
    let mut file = hark_store::backend::files::owner_only()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&partial)
        .map_err(file_error(&partial))?;
    let written = match store.export_project(&project, &mut file).await {
        Ok(summary) => file
            .sync_all()
            .map_err(file_error(&partial))
            .and_then(|()| std::fs::rename(&partial, path).map_err(file_error(path)))
            .map(|()| summary),
        Err(e) => Err(e.into()),
    };
    match written {
        Ok(summary) => print_json(&summary_json(&summary, "exported")),
        Err(e) => {
            // Best effort: the error that stopped the export is the one to report.
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// `hark import`: reads a project from `input` (else stdin) into the database, all or
/// nothing; prints a summary.
pub async fn import(config: &Config, input: Option<&Path>) -> Result<(), Error> {
    // The file is opened before the store, so a wrong path creates no database.
    let mut reader: Box<dyn Read + Send> = match input {
        Some(path) => Box::new(File::open(path).map_err(|source| Error::TransferFile {
            path: path.to_path_buf(),
            source,
        })?),
        None => Box::new(std::io::stdin()),
    };
    let store = open_store(config).await?;
    let summary = store.import_project(&mut *reader).await?;
    print_json(&summary_json(&summary, "imported"))
}

/// `FILE.partial`, beside `FILE`.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// `{"project", VERB: {table: rows, …}, "rows": total}`.
fn summary_json(summary: &TransferSummary, verb: &str) -> Value {
    let tables: Map<String, Value> = summary
        .rows
        .iter()
        .map(|(table, rows)| ((*table).to_string(), json!(rows)))
        .collect();
    json!({
        "project": summary.project.as_str(),
        verb: tables,
        "rows": summary.total(),
    })
}
