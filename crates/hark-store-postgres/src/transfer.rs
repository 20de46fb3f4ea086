//! Project export and import on PostgreSQL ([`ProjectTransfer`]): the backend halves of
//! [`crate::transfer`]. An export reads in one `REPEATABLE READ` read-only transaction (one
//! snapshot however long it takes), a page at a time through a portal; an import is one
//! transaction ([`in_tx!`], which runs it again from the spool on a serialization failure).

use crate::Error;
use crate::PgStore;
use async_trait::async_trait;
use hark_core::ProjectId;
use hark_store::transfer::{
    page_channel, write_export, writer_stopped, Cell, Kind, Page, PageSender, ProjectTransfer,
    RowKey, Spool, Table, TransferSummary, PAGE_ROWS, TABLES,
};
use hark_store::StoreError;
use std::io::{Read, Write};
use tokio_postgres::types::ToSql;
use tokio_postgres::{IsolationLevel, Row, Statement};

/// Orders text by bytes, as SQLite's default `BINARY` collation does, so both backends export
/// rows in the same order.
const BYTE_ORDER: &str = " COLLATE \"C\"";

#[async_trait]
impl ProjectTransfer for PgStore {
    async fn export_project(
        &self,
        project: &ProjectId,
        out: &mut (dyn Write + Send),
    ) -> Result<TransferSummary, StoreError> {
        let (pages, received) = page_channel();
        let reader = async { Ok(read_project(self, project, pages).await?) };
        write_export(project, received, reader, out).await
    }

    async fn import_project(
        &self,
        input: &mut (dyn Read + Send),
    ) -> Result<TransferSummary, StoreError> {
        let mut spool = Spool::read(input)?;
        in_tx!(self, |tx| insert_project(&tx, &mut spool).await)
    }
}

/// Sends the project's rows, table by table, from one snapshot.
async fn read_project(
    store: &PgStore,
    project: &ProjectId,
    pages: PageSender,
) -> Result<(), Error> {
    let mut client = store.client().await?;
    let snapshot = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let p = project.as_str();
    if snapshot
        .query_opt("SELECT 1 FROM projects WHERE id = $1", &[&p])
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound("project").into());
    }
    for (index, table) in TABLES.iter().enumerate() {
        let stmt = snapshot
            .prepare(&table.select_sql("$1", BYTE_ORDER))
            .await?;
        let portal = snapshot.bind(&stmt, &[&p]).await?;
        loop {
            let rows = snapshot.query_portal(&portal, PAGE_ROWS as i32).await?;
            let last = rows.len() < PAGE_ROWS;
            if !rows.is_empty() {
                let rows = rows
                    .iter()
                    .map(|r| cells(table, r))
                    .collect::<Result<Vec<_>, _>>()?;
                pages
                    .send(Page { table: index, rows })
                    .await
                    .map_err(|_| writer_stopped())?;
            }
            if last {
                break;
            }
        }
    }
    snapshot.commit().await?;
    Ok(())
}

/// A row's values by the table's column kinds.
fn cells(table: &Table, row: &Row) -> Result<Vec<Cell>, Error> {
    let mut out = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let cell = match column.kind {
            Kind::Int => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
            Kind::Real => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
            Kind::Text => row.try_get::<_, Option<String>>(i)?.map(Cell::Text),
            Kind::Bool => row.try_get::<_, Option<bool>>(i)?.map(Cell::Bool),
            Kind::Bytes => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Cell::Bytes),
        };
        out.push(cell.unwrap_or(Cell::Null));
    }
    Ok(out)
}

/// Inserts the spooled project in `tx` (which the caller commits, or drops on error).
async fn insert_project(
    tx: &deadpool_postgres::Transaction<'_>,
    spool: &mut Spool,
) -> Result<TransferSummary, Error> {
    let mut replay = spool.replay()?;
    let project = replay.project().as_str().to_string();
    if tx
        .query_opt("SELECT 1 FROM projects WHERE id = $1", &[&project])
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!("project {project} already exists")).into());
    }
    let mut statements: Vec<Option<Statement>> = vec![None; TABLES.len()];
    while let Some((key, values)) = replay.next_row()? {
        let table = &TABLES[key.table];
        let stmt = match &statements[key.table] {
            Some(stmt) => stmt.clone(),
            None => {
                let mut sql = table.insert_sql(|n| format!("${n}"));
                if table.id_column().is_some() {
                    sql.push_str(" RETURNING id");
                }
                let stmt = tx.prepare(&sql).await?;
                statements[key.table] = Some(stmt.clone());
                stmt
            }
        };
        let params: Vec<Box<dyn ToSql + Sync + Send>> = table
            .insert_columns()
            .zip(values)
            .map(|(column, cell)| param(column.kind, cell))
            .collect();
        let params: Vec<&(dyn ToSql + Sync)> = params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect();
        let id = if table.id_column().is_some() {
            let row = tx
                .query_one(&stmt, &params)
                .await
                .map_err(|e| insert_error(e, table, key))?;
            Some(row.try_get::<_, i64>(0)?)
        } else {
            tx.execute(&stmt, &params)
                .await
                .map_err(|e| insert_error(e, table, key))?;
            None
        };
        replay.inserted(key, id)?;
    }
    Ok(replay.summary())
}

/// A cell as a parameter of its column's type (a NULL too is typed: the statement's parameter
/// types come from the columns).
fn param(kind: Kind, cell: Cell) -> Box<dyn ToSql + Sync + Send> {
    match (kind, cell) {
        (_, Cell::Int(v)) => Box::new(v),
        (_, Cell::Real(v)) => Box::new(v),
        (_, Cell::Text(v)) => Box::new(v),
        (_, Cell::Bool(v)) => Box::new(v),
        (_, Cell::Bytes(v)) => Box::new(v),
        (Kind::Int, Cell::Null) => Box::new(None::<i64>),
        (Kind::Real, Cell::Null) => Box::new(None::<f64>),
        (Kind::Text, Cell::Null) => Box::new(None::<String>),
        (Kind::Bool, Cell::Null) => Box::new(None::<bool>),
        (Kind::Bytes, Cell::Null) => Box::new(None::<Vec<u8>>),
    }
}

/// A row the target refuses: a key another project has is `Conflict`, other constraint or
/// data errors (a null where one may not be, a NUL character in text) mean the export does not
/// fit: `BadExport`. Mapped before [`in_tx!`] sees them: it would retry a unique violation.
/// Other errors (connection, serialization) pass.
fn insert_error(e: tokio_postgres::Error, table: &Table, key: RowKey) -> Error {
    let (Some(code), Some(db)) = (e.code(), e.as_db_error()) else {
        return Error::Postgres(e);
    };
    let what = match db.detail() {
        Some(detail) => format!("{} ({detail})", db.message()),
        None => db.message().to_string(),
    };
    if *code == tokio_postgres::error::SqlState::UNIQUE_VIOLATION {
        StoreError::Conflict(format!(
            "line {}: a {} row collides with one already stored ({what})",
            key.line, table.name
        ))
        .into()
    } else if code.code().starts_with("23") || code.code().starts_with("22") {
        StoreError::BadExport(format!("line {}: {} row: {what}", key.line, table.name)).into()
    } else {
        Error::Postgres(e)
    }
}
