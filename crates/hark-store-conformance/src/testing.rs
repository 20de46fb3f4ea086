//! Test databases: a fresh store on the backend the suites run on, and fresh PostgreSQL databases.
//!
//! `HARK_TEST_POSTGRES_URL` names a server the tests may create databases on (a role with
//! `CREATEDB`); `scripts/pg-test-server.sh` starts one on loopback and prints the variable.
//! Every call makes a new, empty database, so tests never see each other's rows.

use hark_store::{Store, StoreOptions};
use hark_store_postgres::PgStore;
use hark_store_sqlite::SqliteStore;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use tempfile::TempDir;

/// The variable naming the test server.
pub const POSTGRES_URL_VAR: &str = "HARK_TEST_POSTGRES_URL";

/// The variable choosing the backend of the HTTP and binary suites: `postgres` runs them on a
/// fresh PostgreSQL database each, anything else (or unset) on SQLite.
pub const BACKEND_VAR: &str = "HARK_TEST_BACKEND";

/// Whether the suites run on PostgreSQL ([`BACKEND_VAR`] is `postgres`).
pub fn postgres_selected() -> bool {
    std::env::var(BACKEND_VAR).is_ok_and(|v| v == "postgres")
}

/// The URL of a new, empty database on the test server. Panics (failing the test, as it
/// should) when no server is configured or it cannot be reached.
pub async fn fresh_postgres_url() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{POSTGRES_URL_VAR} is not set: start a test server with \
             `eval \"$(scripts/pg-test-server.sh)\"` (scripts/test.sh does it)"
        )
    });
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "hark_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    );
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to the test server ({POSTGRES_URL_VAR}): {e}"));
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("create test database {name}: {e}"));
    drop(client);
    let _ = task.await;
    with_database(&admin, &name)
}

/// A new, empty store on the backend the suites run on: a SQLite file in a new temporary
/// directory (the returned directory; keep it alive as long as the store), or a new PostgreSQL
/// database when [`postgres_selected`]. Panics when it cannot be opened.
pub async fn fresh_store() -> (TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store: Arc<dyn Store> = if postgres_selected() {
        Arc::new(fresh_postgres_store().await)
    } else {
        Arc::new(sqlite_store(&dir).await)
    };
    (dir, store)
}

/// A SQLite store on the file `hark.db` of `dir`.
pub async fn sqlite_store(dir: &TempDir) -> SqliteStore {
    SqliteStore::open(dir.path().join("hark.db"), StoreOptions::default())
        .await
        .expect("open the SQLite store")
}

/// A PostgreSQL store on a new, empty database of the test server.
pub async fn fresh_postgres_store() -> PgStore {
    let url = fresh_postgres_url().await;
    PgStore::open(&url, StoreOptions::default())
        .await
        .expect("open the PostgreSQL store")
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            super::with_database("postgres://h:p@127.0.0.1:5432/postgres", "x"),
            "postgres://h:p@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://h@localhost:1?sslmode=disable", "x"),
            "postgres://h@localhost:1/x?sslmode=disable"
        );
    }
}
