//! The schema version of a SQLite database (`PRAGMA user_version`, the number of migrations
//! applied), for `hark migrate`.

use crate::Error;
use crate::SqliteStore;
use hark_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;

impl SqliteStore {
    /// The schema version of the open database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.readers
            .read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
            .await
    }
}

/// The schema version of the database file at `path` before it is opened (and migrated): 0 for
/// a file that does not exist yet. Read-only; creates nothing.
pub async fn stored_schema_version(path: &str) -> Result<i64, StoreError> {
    let path = PathBuf::from(path);
    let version = tokio::task::spawn_blocking(move || -> Result<i64, Error> {
        if !path.exists() {
            return Ok(0);
        }
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    })
    .await?;
    Ok(version?)
}
