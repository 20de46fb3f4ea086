//! The backend-independent half of an import.
//!
//! 1. [`Spool::read`] reads the whole stream once, checks every line (format, tables in order,
//!    columns and their types, every row of the header's project, the end record's counts) and
//!    keeps a copy in an anonymous temporary file. A garbled or truncated stream is refused
//!    here, before the target is touched.
//! 2. The backend opens one transaction and replays the spool ([`Spool::replay`]): for each row
//!    [`Replay::next_row`] gives the values to insert, references rewritten to the target's
//!    ids, and the backend reports the id the target gave ([`Replay::inserted`]).
//!
//! The spool makes the stream (often stdin) readable again, so the transaction can be run
//! again from the start: the SQLite writer re-runs a job alone when its group failed, and
//! PostgreSQL transactions are retried on serialization failures.

use super::record::{parse_line, Cell, Record};
use super::tables::{Role, Space, TABLES};
use super::TransferSummary;
use crate::StoreError;
use hark_core::ProjectId;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Read, Seek, SeekFrom, Write};

/// The longest line accepted (a row with a large embedding is a few kilobytes).
const MAX_LINE_BYTES: u64 = 64 * 1024 * 1024;

fn at(line: u64, message: impl std::fmt::Display) -> StoreError {
    StoreError::BadExport(format!("line {line}: {message}"))
}

/// A checked copy of an import stream.
pub struct Spool {
    file: File,
    project: ProjectId,
    rows: u64,
}

impl Spool {
    /// Reads and checks the whole stream, copying it into an anonymous temporary file.
    /// `BadExport` (with the line) for anything that is not a complete export of one project.
    /// Blocking reads: `input` is a file or a pipe.
    pub fn read(input: &mut (dyn Read + Send)) -> Result<Self, StoreError> {
        let mut input = BufReader::new(input);
        let mut copy = BufWriter::new(tempfile::tempfile().map_err(StoreError::Stream)?);
        let mut check = Checker::default();
        let mut text = String::new();
        let mut line = 0u64;
        loop {
            text.clear();
            let read = (&mut input)
                .take(MAX_LINE_BYTES + 1)
                .read_line(&mut text)
                .map_err(|e| match e.kind() {
                    ErrorKind::InvalidData => at(line + 1, "not UTF-8 text"),
                    _ => StoreError::Stream(e),
                })?;
            if read == 0 {
                break;
            }
            line += 1;
            if read as u64 > MAX_LINE_BYTES {
                return Err(at(line, "longer than 64 MiB"));
            }
            check.line(line, &text)?;
            copy.write_all(text.as_bytes())
                .map_err(StoreError::Stream)?;
            if !text.ends_with('\n') {
                copy.write_all(b"\n").map_err(StoreError::Stream)?;
            }
        }
        let (project, rows) = check.finish(line)?;
        let file = copy
            .into_inner()
            .map_err(|e| StoreError::Stream(e.into_error()))?;
        Ok(Self {
            file,
            project,
            rows,
        })
    }

    /// How many rows the export holds.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Starts replaying the rows from the first, with empty id maps.
    pub fn replay(&mut self) -> Result<Replay<'_>, StoreError> {
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(StoreError::Stream)?;
        Ok(Replay {
            reader: BufReader::new(&mut self.file),
            project: &self.project,
            text: String::new(),
            line: 0,
            past_header: false,
            ids: HashMap::new(),
            inserted: vec![0; TABLES.len()],
        })
    }
}

/// The checks of [`Spool::read`], line by line.
#[derive(Default)]
struct Checker {
    project: Option<ProjectId>,
    table: usize,
    counts: Vec<u64>,
    ended: bool,
}

impl Checker {
    fn line(&mut self, line: u64, text: &str) -> Result<(), StoreError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        if self.ended {
            return Err(at(line, "data after the end record"));
        }
        let record = parse_line(text, self.project.is_none()).map_err(|e| at(line, e))?;
        match (record, &self.project) {
            (Record::Header(project), None) => {
                self.project = Some(project);
                self.counts = vec![0; TABLES.len()];
            }
            (Record::End(counts), Some(_)) => {
                if counts != self.counts {
                    return Err(at(
                        line,
                        "the end record's row counts differ from the rows before it",
                    ));
                }
                if self.counts[0] != 1 {
                    return Err(at(line, "the export has no projects row"));
                }
                self.ended = true;
            }
            (Record::Row { table, cells }, Some(project)) => {
                let name = TABLES[table].name;
                if table < self.table {
                    return Err(at(
                        line,
                        format!(
                            "a {name} row after the rows of {}: tables must come in export order",
                            TABLES[self.table].name
                        ),
                    ));
                }
                if table == 0 && self.counts[0] > 0 {
                    return Err(at(line, "a second projects row"));
                }
                for (column, cell) in TABLES[table].columns.iter().zip(&cells) {
                    if column.role == Role::Project
                        && !matches!(cell, Cell::Text(p) if p == project.as_str())
                    {
                        return Err(at(
                            line,
                            format!(
                                "{name}.{} is not the exported project {project}",
                                column.name
                            ),
                        ));
                    }
                }
                self.table = table;
                self.counts[table] += 1;
            }
            // `parse_line` reads the first line only as a header, and later ones never as one.
            _ => return Err(at(line, "misplaced header")),
        }
        Ok(())
    }

    fn finish(self, lines: u64) -> Result<(ProjectId, u64), StoreError> {
        let Some(project) = self.project else {
            return Err(StoreError::BadExport(
                "empty input: not a hark project export".into(),
            ));
        };
        if !self.ended {
            return Err(StoreError::BadExport(format!(
                "the export ends at line {lines} without its end record: it was cut short"
            )));
        }
        Ok((project, self.counts.iter().sum()))
    }
}

/// Identifies a row being inserted, for [`Replay::inserted`].
#[derive(Debug, Clone, Copy)]
pub struct RowKey {
    /// Index into [`TABLES`].
    pub table: usize,
    /// The line it came from, for errors.
    pub line: u64,
    /// Its id in the export, when its table has integer ids.
    old_id: Option<i64>,
}

/// A replay of a spool: the rows to insert, references rewritten.
pub struct Replay<'a> {
    reader: BufReader<&'a mut File>,
    project: &'a ProjectId,
    text: String,
    line: u64,
    past_header: bool,
    /// Export id → target id, per space.
    ids: HashMap<Space, HashMap<i64, i64>>,
    inserted: Vec<u64>,
}

impl Replay<'_> {
    /// The exported project.
    pub fn project(&self) -> &ProjectId {
        self.project
    }

    /// The next row to insert: the values of `TABLES[key.table].insert_columns()` in order,
    /// references rewritten to the target's ids; `None` after the last. `BadExport` for a
    /// reference to a row the export does not hold (before it).
    pub fn next_row(&mut self) -> Result<Option<(RowKey, Vec<Cell>)>, StoreError> {
        loop {
            self.text.clear();
            let read = self
                .reader
                .read_line(&mut self.text)
                .map_err(StoreError::Stream)?;
            if read == 0 {
                return Err(StoreError::BadExport("the spool ended early".into()));
            }
            self.line += 1;
            if self.text.trim().is_empty() {
                continue;
            }
            let record = parse_line(&self.text, !self.past_header).map_err(|e| at(self.line, e))?;
            match record {
                Record::Header(_) => self.past_header = true,
                Record::End(_) => return Ok(None),
                Record::Row { table, cells } => {
                    if let Some(row) = self.rewrite(table, cells)? {
                        return Ok(Some(row));
                    }
                }
            }
        }
    }

    /// Records the id the target gave the row (`None` for tables without integer ids).
    pub fn inserted(&mut self, key: RowKey, new_id: Option<i64>) -> Result<(), StoreError> {
        let table = &TABLES[key.table];
        if let (Some(old), Some(Role::Id(Some(space)))) =
            (key.old_id, table.id_column().map(|i| table.columns[i].role))
        {
            let new = new_id.ok_or(StoreError::Corrupt("the target gave no row id"))?;
            if self
                .ids
                .entry(space)
                .or_default()
                .insert(old, new)
                .is_some()
            {
                return Err(at(
                    key.line,
                    format!("{} id {old} appears twice", table.name),
                ));
            }
        }
        self.inserted[key.table] += 1;
        Ok(())
    }

    /// What was inserted.
    pub fn summary(&self) -> TransferSummary {
        TransferSummary::new(self.project.clone(), self.inserted.clone())
    }

    /// The row's insert values; `None` for a queue row whose subject is not in the export.
    fn rewrite(
        &self,
        table: usize,
        cells: Vec<Cell>,
    ) -> Result<Option<(RowKey, Vec<Cell>)>, StoreError> {
        let t = &TABLES[table];
        let line = self.line;
        // The space of `subject_id`, named by the row's `subject_kind`.
        let subject_space = match t.column("subject_kind").map(|i| &cells[i]) {
            Some(Cell::Text(kind)) => Some(
                Space::of_subject_kind(kind)
                    .ok_or_else(|| at(line, format!("unknown subject_kind {kind:?}")))?,
            ),
            _ => None,
        };
        let mut old_id = None;
        let mut values = Vec::with_capacity(cells.len());
        for (column, cell) in t.columns.iter().zip(cells) {
            let value = match column.role {
                Role::Plain | Role::Project => cell,
                Role::Id(_) => {
                    let Cell::Int(id) = cell else {
                        return Err(at(line, format!("{}.id is null", t.name)));
                    };
                    old_id = Some(id);
                    continue;
                }
                Role::Ref(space) => self.map(space, cell, line, t.name, column.name)?,
                Role::QueueSubject(space) => match cell {
                    Cell::Int(old) => match self.ids.get(&space).and_then(|m| m.get(&old)) {
                        Some(new) => Cell::Int(*new),
                        None => {
                            tracing::warn!(
                                table = t.name,
                                subject = old,
                                "import: dropping a queue row whose subject is not in the export"
                            );
                            return Ok(None);
                        }
                    },
                    _ => return Err(at(line, format!("{}.subject_id is null", t.name))),
                },
                Role::Subject => match (subject_space, cell) {
                    (_, Cell::Null) => Cell::Null,
                    (Some(space), cell) => self.map(space, cell, line, t.name, column.name)?,
                    (None, _) => {
                        return Err(at(line, format!("{}.subject_kind is null", t.name)));
                    }
                },
            };
            values.push(value);
        }
        let key = RowKey {
            table,
            line,
            old_id,
        };
        Ok(Some((key, values)))
    }

    /// A reference rewritten to the target's id.
    fn map(
        &self,
        space: Space,
        cell: Cell,
        line: u64,
        table: &str,
        column: &str,
    ) -> Result<Cell, StoreError> {
        match cell {
            Cell::Null => Ok(Cell::Null),
            Cell::Int(old) => match self.ids.get(&space).and_then(|m| m.get(&old)) {
                Some(new) => Ok(Cell::Int(*new)),
                None => Err(at(
                    line,
                    format!(
                        "{table}.{column} refers to {} id {old}, which the export does not hold",
                        space.table()
                    ),
                )),
            },
            _ => Err(at(line, format!("{table}.{column} is not an integer"))),
        }
    }
}
