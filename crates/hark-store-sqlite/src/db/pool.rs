//! A small pool of read-only connections used from blocking tasks (WAL lets reads run beside
//! the writer). Hand-written because it is a dozen lines; a pool crate would add a dependency
//! and its own threads for no gain here.

use crate::error::{writer_gone, Error};
use crate::schema::configure;
use hark_store::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle connections kept for reuse; more are opened on demand under load.
const MAX_IDLE: usize = 8;

#[derive(Clone)]
pub(crate) struct ReadPool {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path: Arc::new(path),
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Runs `f` on a read connection in a blocking task; its error leaves the backend here.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    {
        let pool = self.clone();
        let out = tokio::task::spawn_blocking(move || {
            let conn = pool.take()?;
            let out = f(&conn);
            pool.put(conn);
            out
        })
        .await?;
        Ok(out?)
    }

    fn take(&self) -> Result<Connection, Error> {
        if let Some(c) = self.idle.lock().map_err(|_| writer_gone())?.pop() {
            return Ok(c);
        }
        let conn = Connection::open_with_flags(
            self.path.as_path(),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }

    fn put(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE {
                idle.push(conn);
            }
        }
    }
}
