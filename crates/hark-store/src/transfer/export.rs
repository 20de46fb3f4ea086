//! The backend-independent half of an export: the backend reads the project's rows (in one
//! snapshot, page by page) and sends them through a bounded channel; this side writes them as
//! JSON lines. At most a few pages are in memory at once, whatever the project's size.

use super::record::{end_line, header_line, row_line, Cell};
use super::tables::TABLES;
use super::TransferSummary;
use crate::StoreError;
use hark_core::ProjectId;
use std::future::Future;
use std::io::{BufWriter, Write};
use tokio::sync::mpsc;

/// Rows per page a backend reads and sends at once.
pub const PAGE_ROWS: usize = 500;

/// Pages in flight between the backend's reader and the writer.
const PAGES_IN_FLIGHT: usize = 4;

/// A page of rows of `TABLES[table]`, each with one cell per column in table order.
pub struct Page {
    /// Index into [`TABLES`].
    pub table: usize,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Where a backend sends the pages of an export.
pub type PageSender = mpsc::Sender<Page>;

/// The channel between a backend's reader and [`write_export`].
pub fn page_channel() -> (PageSender, mpsc::Receiver<Page>) {
    mpsc::channel(PAGES_IN_FLIGHT)
}

/// The error a backend's reader returns when the writer stopped taking pages (it failed; its
/// own error is the one reported).
pub fn writer_stopped() -> StoreError {
    StoreError::Stream(std::io::Error::new(
        std::io::ErrorKind::BrokenPipe,
        "the export writer stopped",
    ))
}

/// Runs `reader` (a backend sending the project's pages table by table, in [`TABLES`] order,
/// the `projects` row first, or failing `NotFound` before sending anything when there is no
/// such project) and writes what it sends to `out`: the header, the rows, then the end record
/// once the reader has succeeded. A failed export leaves `out` without the end record, so an
/// import refuses what was written. Writes are blocking (`out` is a file or a pipe).
pub async fn write_export<R>(
    project: &ProjectId,
    pages: mpsc::Receiver<Page>,
    reader: R,
    out: &mut (dyn Write + Send),
) -> Result<TransferSummary, StoreError>
where
    R: Future<Output = Result<(), StoreError>> + Send,
{
    let mut out = BufWriter::new(out);
    let writer = async {
        let mut pages = pages;
        let mut counts = vec![0u64; TABLES.len()];
        let mut started = false;
        while let Some(page) = pages.recv().await {
            let table = TABLES
                .get(page.table)
                .ok_or(StoreError::Corrupt("export page of an unknown table"))?;
            // The header waits for the first page, so an unknown project writes nothing.
            if !started {
                write(&mut out, &header_line(project)?)?;
                started = true;
            }
            for row in &page.rows {
                write(&mut out, &row_line(table, row)?)?;
            }
            counts[page.table] += page.rows.len() as u64;
        }
        Ok::<_, StoreError>(counts)
    };
    // When the writer fails it drops the receiver, and the reader's next send fails.
    let (read, written) = tokio::join!(reader, writer);
    let counts = written?;
    read?;
    if counts[0] != 1 {
        return Err(StoreError::NotFound("project"));
    }
    write(&mut out, &end_line(&counts)?)?;
    out.flush().map_err(StoreError::Stream)?;
    Ok(TransferSummary::new(project.clone(), counts))
}

fn write(out: &mut impl Write, bytes: &[u8]) -> Result<(), StoreError> {
    out.write_all(bytes).map_err(StoreError::Stream)
}
