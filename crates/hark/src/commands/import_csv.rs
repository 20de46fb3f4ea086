//! `hark import-csv`: loads a CSV file of feedback into a source of a project.
//!
//! Each row is turned into the JSON item the ingest API would receive ([`super::csv_rows`]),
//! validated by `hark_core`'s ingest validation in requests of at most 100 items, exactly as
//! the API does, and the valid items of each batch go to [`Store::ingest`] in one call. The
//! ingest is an upsert by `unique_id` within the source, so importing a file again updates the
//! items it stored before instead of adding copies. A bad row is counted and reported; it does
//! not stop the import. A file that cannot be read, or whose header names no text column, is an
//! error before the database is opened.

use super::csv_rows::{self, ColumnMap, RowItem};
use super::progress::Progress;
use super::{open_store, print_json};
use crate::cli::ImportCsvArgs;
use crate::config::Config;
use crate::error::Error;
use csv::{ByteRecord, ErrorKind};
use hark_core::limits::MAX_ITEMS;
use hark_core::validate::ingest::validate_ingest;
use hark_core::validate::Issue;
use hark_core::{ItemInput, ItemOutcome, ProjectId, Source, SourceId};
use hark_store::Store;
use serde::Serialize;
use serde_json::{json, Value};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Most row errors listed in the summary (`failed` counts them all).
const LISTED_ERRORS: usize = 10;

/// The summary printed on stdout.
#[derive(Debug, Default, Serialize)]
struct Summary {
    project: String,
    source: String,
    file: String,
    /// Data rows read (the header not counted): `stored + failed + skipped_empty`.
    rows: u64,
    /// Rows stored (new or updated items).
    stored: u64,
    /// Of those, items that did not exist before.
    created: u64,
    /// Rows refused by validation or by the store, or not well-formed CSV.
    failed: u64,
    /// Rows whose text is empty or blank.
    skipped_empty: u64,
    /// The first failed rows.
    errors: Vec<RowError>,
}

/// Why one row was not stored.
#[derive(Debug, Serialize)]
struct RowError {
    /// Line of the file where the row starts (the header is line 1).
    line: u64,
    /// Row number (1 = the first row after the header).
    row: u64,
    /// The row's unique_id, when it has one.
    unique_id: Option<String>,
    /// Every problem, by column.
    error: String,
}

/// Where a row came from, kept beside its item until the store has answered.
#[derive(Debug, Clone)]
struct RowRef {
    line: u64,
    row: u64,
    unique_id: Option<String>,
}

/// `hark import-csv`: reads `args.file` into the source, prints the summary.
pub async fn run(config: &Config, args: &ImportCsvArgs) -> Result<(), Error> {
    let path = &args.file;
    // The file and its header are checked before the store is opened: a wrong path or a file
    // without a text column creates no database.
    let file = File::open(path).map_err(|e| csv_error(path, e.into()))?;
    let size = file.metadata().ok().map(|m| m.len());
    let mut reader = csv::ReaderBuilder::new().from_reader(file);
    let header = csv_rows::header_names(reader.byte_headers().map_err(|e| csv_error(path, e))?);
    let columns = ColumnMap::new(&header, &args.columns).map_err(|p| Error::CsvHeader {
        path: path.clone(),
        problem: p.0,
    })?;
    let prefix = args.id_prefix.clone().unwrap_or_else(|| file_name(path));

    let store = open_store(config).await?;
    let source = find_source(store.as_ref(), &args.project, &args.source).await?;
    if !columns.ignored().is_empty() {
        eprintln!(
            "hark import-csv: ignoring columns not imported: {}",
            columns.ignored().join(", ")
        );
    }
    let mut import = Import {
        summary: Summary {
            project: args.project.clone(),
            source: args.source.clone(),
            file: path.display().to_string(),
            ..Summary::default()
        },
        store,
        source,
        columns,
        batch_size: usize::try_from(args.batch_size).unwrap_or(MAX_ITEMS),
        items: Vec::new(),
        refs: Vec::new(),
        invalid_utf8: 0,
    };
    let mut progress = Progress::new("hark import-csv", size);
    let mut record = ByteRecord::new();
    let result = loop {
        let read = reader.read_byte_record(&mut record);
        let step = match read {
            Ok(false) => break import.flush().await,
            Ok(true) => {
                let line = record.position().map_or(0, csv::Position::line);
                import.row(&record, line, &prefix).await
            }
            Err(e) => match e.kind() {
                ErrorKind::UnequalLengths { pos, len, .. } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    import.malformed(line, *len);
                    Ok(())
                }
                _ => Err(csv_error(path, e)),
            },
        };
        if let Err(e) = step {
            break Err(e);
        }
        let s = &import.summary;
        progress.update(reader.position().byte(), || {
            format!(
                "{} rows, {} stored, {} failed, {} empty",
                s.rows, s.stored, s.failed, s.skipped_empty
            )
        });
    };
    progress.finish();
    if let Err(e) = result {
        let s = &import.summary;
        eprintln!(
            "hark import-csv: stopped at row {} ({} rows stored before); importing the file again is safe",
            s.rows, s.stored
        );
        return Err(e);
    }
    if import.invalid_utf8 > 0 {
        eprintln!(
            "hark import-csv: {} rows had bytes that are not UTF-8, imported as U+FFFD",
            import.invalid_utf8
        );
    }
    print_json(&import.summary)
}

/// The source `source` of project `project`; a clear error when either is unknown (a source of
/// another project is unknown too).
async fn find_source(store: &dyn Store, project: &str, source: &str) -> Result<Source, Error> {
    let project = ProjectId::new(project);
    if store.get_project(&project).await?.is_none() {
        return Err(Error::Usage(format!(
            "no project {} (hark admin list-projects lists them)",
            project.as_str()
        )));
    }
    store
        .get_source(&project, &SourceId::new(source))
        .await?
        .ok_or_else(|| {
            Error::Usage(format!(
                "project {p} has no source {source} (hark admin list-sources --project {p} lists them)",
                p = project.as_str()
            ))
        })
}

/// The import under way: the rows of the current batch and the counts so far.
struct Import {
    summary: Summary,
    store: Arc<dyn Store>,
    source: Source,
    columns: ColumnMap,
    batch_size: usize,
    /// The batch's items as the ingest API would receive them, with `refs` in step.
    items: Vec<Value>,
    refs: Vec<RowRef>,
    invalid_utf8: u64,
}

impl Import {
    /// Takes one well-formed row; stores the batch when it is full.
    async fn row(&mut self, record: &ByteRecord, line: u64, prefix: &str) -> Result<(), Error> {
        self.summary.rows += 1;
        let row = self.summary.rows;
        if csv_rows::has_invalid_utf8(record) {
            self.invalid_utf8 += 1;
        }
        match self.columns.item(record, &format!("{prefix}#{row}")) {
            RowItem::Empty => self.summary.skipped_empty += 1,
            RowItem::Item(item) => {
                let unique_id = item["unique_id"].as_str().map(str::to_string);
                self.items.push(item);
                self.refs.push(RowRef {
                    line,
                    row,
                    unique_id,
                });
            }
        }
        if self.items.len() >= self.batch_size {
            self.flush().await?;
        }
        Ok(())
    }

    /// Counts a row whose number of fields differs from the header's.
    fn malformed(&mut self, line: u64, len: u64) {
        self.summary.rows += 1;
        let row = RowRef {
            line,
            row: self.summary.rows,
            unique_id: None,
        };
        let error = format!(
            "the row has {len} fields, the header {} (a quote not closed?)",
            self.columns.width()
        );
        self.fail(&row, error);
    }

    /// Validates the batch as ingest requests of at most [`MAX_ITEMS`] items and stores the
    /// valid items in one call.
    async fn flush(&mut self) -> Result<(), Error> {
        let items = std::mem::take(&mut self.items);
        let refs = std::mem::take(&mut self.refs);
        let mut valid: Vec<ItemInput> = Vec::with_capacity(items.len());
        let mut valid_refs: Vec<RowRef> = Vec::with_capacity(items.len());
        let mut items = items.into_iter();
        for chunk_refs in refs.chunks(MAX_ITEMS) {
            let chunk: Vec<Value> = items.by_ref().take(chunk_refs.len()).collect();
            let body = json!({ "source_id": self.source.source_id.as_str(), "items": chunk });
            // The envelope is ours (a known source id, 1–100 items): a problem there is a bug.
            let request = validate_ingest(&body).map_err(|issues| {
                Error::Internal(format!(
                    "ingest envelope refused: {}",
                    issues
                        .iter()
                        .map(Issue::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            })?;
            for rejection in request.rejected {
                let error = self.describe(&rejection.issues);
                self.fail(&chunk_refs[rejection.index], error);
            }
            for mut item in request.items {
                valid_refs.push(chunk_refs[item.index].clone());
                item.index = valid.len();
                valid.push(item);
            }
        }
        if valid.is_empty() {
            return Ok(());
        }
        let expected = valid.len();
        let outcomes = self.store.ingest(&self.source, valid).await?;
        if outcomes.len() != expected {
            return Err(Error::Internal(format!(
                "the store answered {} outcomes for {expected} items",
                outcomes.len()
            )));
        }
        for (row, outcome) in valid_refs.iter().zip(outcomes) {
            match outcome {
                ItemOutcome::Stored { created } => {
                    self.summary.stored += 1;
                    self.summary.created += u64::from(created);
                }
                ItemOutcome::Failed { field, error } => {
                    let issue = Issue::new(field.unwrap_or_default(), error);
                    let error = self.describe(std::slice::from_ref(&issue));
                    self.fail(row, error);
                }
            }
        }
        Ok(())
    }

    fn fail(&mut self, row: &RowRef, error: String) {
        self.summary.failed += 1;
        if self.summary.errors.len() < LISTED_ERRORS {
            self.summary.errors.push(RowError {
                line: row.line,
                row: row.row,
                unique_id: row.unique_id.clone(),
                error,
            });
        }
    }

    /// The problems of one row in the file's terms: `column "review": exceeds …` rather than
    /// the request path `items[3].body`.
    fn describe(&self, issues: &[Issue]) -> String {
        issues
            .iter()
            .map(|issue| {
                let field = field_of(&issue.path);
                match self.columns.column_of(field) {
                    Some(column) => format!("column {column:?}: {}", issue.message),
                    None if field == "unique_id" => {
                        format!("derived unique_id: {}", issue.message)
                    }
                    None if field.is_empty() => issue.message.clone(),
                    None => format!("{field}: {}", issue.message),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The item field an issue path is about: `items[3].body` → `body`; `body` → `body`;
/// `items[3]` → ``.
fn field_of(path: &str) -> &str {
    let rest = match path.strip_prefix("items[") {
        Some(rest) => rest.split_once(']').map_or("", |(_, after)| after),
        None => path,
    };
    let rest = rest.trim_start_matches('.');
    rest.split(['.', '[']).next().unwrap_or(rest)
}

/// The name the derived unique ids start with: the file's name without its folders, so that
/// the same file imported from another place keeps its ids.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn csv_error(path: &Path, source: csv::Error) -> Error {
    Error::CsvFile {
        path: PathBuf::from(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_paths_name_the_item_field() {
        assert_eq!(field_of("items[3].body"), "body");
        assert_eq!(
            field_of("items[12].conversation_parts[0].unique_id"),
            "conversation_parts"
        );
        assert_eq!(field_of("items[3]"), "");
        assert_eq!(field_of("url"), "url");
        assert_eq!(field_of(""), "");
    }

    #[test]
    fn derived_ids_use_the_file_name_only() {
        assert_eq!(file_name(Path::new("/a/b/reviews.csv")), "reviews.csv");
        assert_eq!(file_name(Path::new("reviews.csv")), "reviews.csv");
    }
}
