//! Project export and import on SQLite ([`ProjectTransfer`]): the backend halves of
//! [`crate::transfer`]. An export reads on one pooled read connection, in one read
//! transaction (a consistent snapshot beside the writer, thanks to WAL); an import is one job
//! of the writer, so it is one transaction, and it goes through the writer as every write does.

use crate::Error;
use crate::SqliteStore;
use async_trait::async_trait;
use hark_core::ProjectId;
use hark_store::transfer::{
    page_channel, write_export, writer_stopped, Cell, Kind, Page, PageSender, ProjectTransfer,
    RowKey, Spool, Table, TransferSummary, PAGE_ROWS, TABLES,
};
use hark_store::StoreError;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, params_from_iter, Connection, ErrorCode, Row};
use std::io::{Read, Write};

#[async_trait]
impl ProjectTransfer for SqliteStore {
    async fn export_project(
        &self,
        project: &ProjectId,
        out: &mut (dyn Write + Send),
    ) -> Result<TransferSummary, StoreError> {
        let (pages, received) = page_channel();
        let p = project.clone();
        let reader = self.readers.read(move |c| read_project(c, &p, &pages));
        write_export(project, received, reader, out).await
    }

    async fn import_project(
        &self,
        input: &mut (dyn Read + Send),
    ) -> Result<TransferSummary, StoreError> {
        let mut spool = Spool::read(input)?;
        // The writer bounds a group transaction by weight: an import is a group of its own.
        let weight = usize::try_from(spool.rows()).unwrap_or(usize::MAX);
        self.writer
            .write(weight, move |c| insert_project(c, &mut spool))
            .await
    }
}

/// Sends the project's rows, table by table, from one read transaction.
fn read_project(conn: &Connection, project: &ProjectId, pages: &PageSender) -> Result<(), Error> {
    // Dropped at the end (a rollback of a transaction that wrote nothing).
    let snapshot = conn.unchecked_transaction()?;
    let exists = snapshot
        .prepare_cached("SELECT 1 FROM projects WHERE id = ?1")?
        .exists(params![project.as_str()])?;
    if !exists {
        return Err(StoreError::NotFound("project").into());
    }
    for (index, table) in TABLES.iter().enumerate() {
        let mut stmt = snapshot.prepare(&table.select_sql("?1", ""))?;
        let mut rows = stmt.query(params![project.as_str()])?;
        let mut page = Vec::with_capacity(PAGE_ROWS);
        while let Some(row) = rows.next()? {
            page.push(cells(table, row)?);
            if page.len() == PAGE_ROWS {
                send(pages, index, std::mem::take(&mut page))?;
            }
        }
        if !page.is_empty() {
            send(pages, index, page)?;
        }
    }
    Ok(())
}

fn send(pages: &PageSender, table: usize, rows: Vec<Vec<Cell>>) -> Result<(), Error> {
    pages
        .blocking_send(Page { table, rows })
        .map_err(|_| writer_stopped().into())
}

/// A row's values by the table's column kinds. Anything else (text in an integer column) is
/// data hark did not write: `Corrupt`.
fn cells(table: &Table, row: &Row<'_>) -> Result<Vec<Cell>, Error> {
    let mut out = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let cell = match (column.kind, row.get_ref(i)?) {
            (_, ValueRef::Null) => Cell::Null,
            (Kind::Int, ValueRef::Integer(v)) => Cell::Int(v),
            (Kind::Real, ValueRef::Real(v)) => Cell::Real(v),
            // A REAL column hands back a whole number it holds as an integer.
            (Kind::Real, ValueRef::Integer(v)) => Cell::Real(v as f64),
            (Kind::Bool, ValueRef::Integer(v)) => Cell::Bool(v != 0),
            (Kind::Text, ValueRef::Text(t)) => Cell::Text(
                String::from_utf8(t.to_vec())
                    .map_err(|_| StoreError::Corrupt("text that is not UTF-8"))?,
            ),
            (Kind::Bytes, ValueRef::Blob(b)) => Cell::Bytes(b.to_vec()),
            _ => return Err(StoreError::Corrupt("a value of the wrong type in an export").into()),
        };
        out.push(cell);
    }
    Ok(out)
}

/// Inserts the spooled project (inside the writer's transaction, which a failure rolls back).
fn insert_project(conn: &Connection, spool: &mut Spool) -> Result<TransferSummary, Error> {
    let mut replay = spool.replay()?;
    let exists = conn
        .prepare_cached("SELECT 1 FROM projects WHERE id = ?1")?
        .exists(params![replay.project().as_str()])?;
    if exists {
        return Err(
            StoreError::Conflict(format!("project {} already exists", replay.project())).into(),
        );
    }
    let inserts: Vec<String> = TABLES
        .iter()
        .map(|t| t.insert_sql(|n| format!("?{n}")))
        .collect();
    while let Some((key, values)) = replay.next_row()? {
        let table = &TABLES[key.table];
        conn.prepare_cached(&inserts[key.table])?
            .execute(params_from_iter(values.into_iter().map(value)))
            .map_err(|e| insert_error(e, table, key))?;
        let id = table.id_column().map(|_| conn.last_insert_rowid());
        replay.inserted(key, id)?;
    }
    Ok(replay.summary())
}

fn value(cell: Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Int(v) => Value::Integer(v),
        Cell::Real(v) => Value::Real(v),
        Cell::Text(v) => Value::Text(v),
        Cell::Bool(v) => Value::Integer(i64::from(v)),
        Cell::Bytes(v) => Value::Blob(v),
    }
}

/// A row the target refuses: a key another project has is `Conflict`, other constraints (a
/// null where one may not be) mean the export is not sound: `BadExport`. Other errors pass.
fn insert_error(e: rusqlite::Error, table: &Table, key: RowKey) -> Error {
    const UNIQUE: i32 = rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE;
    const PRIMARY_KEY: i32 = rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;
    match &e {
        rusqlite::Error::SqliteFailure(f, message) if f.code == ErrorCode::ConstraintViolation => {
            let what = message.clone().unwrap_or_else(|| f.to_string());
            if f.extended_code == UNIQUE || f.extended_code == PRIMARY_KEY {
                StoreError::Conflict(format!(
                    "line {}: a {} row collides with one already stored ({what})",
                    key.line, table.name
                ))
                .into()
            } else {
                StoreError::BadExport(format!("line {}: {} row: {what}", key.line, table.name))
                    .into()
            }
        }
        _ => Error::Sqlite(e),
    }
}
