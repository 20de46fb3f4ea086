//! Moving one project between stores, whatever their backends: `hark export` / `hark import`
//! ([`ProjectTransfer`], a supertrait of [`crate::Store`]).
//!
//! # Format
//!
//! JSON Lines (UTF-8, one JSON object per line):
//!
//! 1. a header, `{"hark_export":1,"project":"prj_…","schema":{"items":["id",…],…}}`: the format
//!    version, the project, and the columns of every table (an import checks them against its
//!    own, so nothing is silently lost between versions);
//! 2. the rows, `{"table":"items","row":{"id":1,"project_id":"prj_…",…}}`, table by table in
//!    dependency order (projects, sources, items, parts, applications, access_keys, users,
//!    chat_messages, chat_feedback, analysis_queue_items, analysis_queue_chat, themes,
//!    mentions, subject_analysis, labelled_examples), each table in a stable order (its id).
//!    Every column of every row of the project is there: the secret hash, sealed access-key
//!    secrets, dashboard users with their password hashes, the analysis queue, embeddings,
//!    theme names and pins, manual categories. Dashboard sessions are not: they are bearer
//!    credentials of one deployment, and a moved project's users sign in again;
//! 3. an end record, `{"end":{"items":2,…}}`, the row count of every table. A stream without it
//!    was cut short, and is refused.
//!
//! Values: integers as JSON integers, floats as JSON numbers in their shortest round-trip form
//! (read back bit for bit), text as strings, booleans as booleans, bytes (embeddings,
//! centroids, sealed secrets) as base64 strings (standard alphabet, padded), SQL NULL as null.
//! Times are the stored integers (microseconds since the Unix epoch).
//!
//! Access-key secrets are sealed under the deployment's master key, and the export carries them
//! sealed: the target deployment must use the same master key (copy the key file or
//! `HARK_MASTER_KEY` along), or the keys will not open there. Project secrets travel as hashes:
//! the project's API key and secret key keep working.
//!
//! # Import
//!
//! Integer row ids (items, parts, chat messages and feedback, mentions, examples) are given anew
//! by the target, where the exported ones may belong to other projects; references to them
//! (`parts.item_id`, `chat_feedback.message_row`, queue and analysis `subject_id`s,
//! `mentions.part_id`) are rewritten, and rows keep their relative order. Text ids (project,
//! sources, applications, access keys, themes) are kept.
//!
//! An import is all or nothing: the stream is read and checked whole first (a garbled or
//! truncated file fails before the target is touched), then inserted in one transaction of the
//! target (SQLite: one job of its writer; PostgreSQL: one transaction), which a constraint
//! error or a dangling reference rolls back whole. A crash midway leaves nothing either, which
//! deleting a half-imported project afterwards could not promise. The price: on SQLite, other
//! writes wait while the import runs. A project that already exists in the target is
//! refused (`Conflict`), as is one whose API key, source ids or user emails (unique on the
//! whole server) another project has.
//!
//! An export written before the `users` table joined the format has no such table in its
//! header: it imports with no dashboard users (tables::ADDED_TABLES). Any other table missing
//! from a header is refused.

mod export;
mod import;
mod normalise;
mod record;
mod tables;

pub use export::{page_channel, write_export, writer_stopped, Page, PageSender, PAGE_ROWS};
pub use import::{RowKey, Spool};
pub use normalise::normalise_export;
pub use record::Cell;
pub use record::FORMAT_VERSION;
pub use tables::{Kind, Table, TABLES};

use crate::StoreError;
use async_trait::async_trait;
use hark_core::ProjectId;
use std::io::{Read, Write};

/// Export and import of whole projects (see the [module docs](self) for the format).
#[async_trait]
pub trait ProjectTransfer: Send + Sync + 'static {
    /// Writes every row of the project to `out`, from one consistent snapshot, a page at a
    /// time. `NotFound` (and nothing written) when there is no such project; a failure midway
    /// leaves `out` without the end record, which an import refuses. Writes are blocking:
    /// `out` is a file or a pipe.
    async fn export_project(
        &self,
        project: &ProjectId,
        out: &mut (dyn Write + Send),
    ) -> Result<TransferSummary, StoreError>;

    /// Reads an export from `input` and inserts the project, all or nothing. `Conflict` when the
    /// project (or its API key, a source id or a user's email) exists here already;
    /// `BadExport` (with the line) for a stream that is not a complete export. Reads are
    /// blocking: `input` is a file or a pipe.
    async fn import_project(
        &self,
        input: &mut (dyn Read + Send),
    ) -> Result<TransferSummary, StoreError>;
}

/// What an export wrote or an import inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSummary {
    /// The project.
    pub project: ProjectId,
    /// Rows of each table, in export order.
    pub rows: Vec<(&'static str, u64)>,
}

impl TransferSummary {
    /// From the row counts of [`TABLES`], in order.
    pub fn new(project: ProjectId, counts: Vec<u64>) -> Self {
        Self {
            project,
            rows: TABLES.iter().map(|t| t.name).zip(counts).collect(),
        }
    }

    /// Rows of all tables.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }

    /// Rows of one table (0 for an unknown name).
    pub fn rows_of(&self, table: &str) -> u64 {
        self.rows
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}
