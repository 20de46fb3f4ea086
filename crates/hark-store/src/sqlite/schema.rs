//! SQLite schema and its versioned migrations, applied at open.

use crate::StoreError;
use rusqlite::Connection;

// No index on user_id or email: an index keyed by a random value dirties one page per row at
// every commit, which halved the ingest rate in the benchmark. Lookups by user or email (privacy
// erasure, list filters) scan the project's items instead; they are rare next to ingest.

/// Migrations in order; `user_version` holds how many have been applied.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    api_key     TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE sources (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX sources_project ON sources(project_id, created_at);
CREATE TABLE items (
    id          INTEGER PRIMARY KEY,
    project_id  TEXT NOT NULL,
    source_id   TEXT NOT NULL REFERENCES sources(id),
    unique_id   TEXT NOT NULL,
    body        TEXT,
    author      TEXT,
    email       TEXT,
    user_id     TEXT,
    url         TEXT,
    created_at  INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    parts_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_id, unique_id)
);
CREATE INDEX items_project_created ON items(project_id, created_at, id);
CREATE TABLE parts (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    source_id  TEXT NOT NULL,
    unique_id  TEXT NOT NULL,
    body       TEXT NOT NULL,
    author     TEXT,
    email      TEXT,
    user_id    TEXT,
    url        TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (source_id, unique_id)
);
CREATE INDEX parts_item ON parts(item_id, created_at, id);
"#,
    // 2: chat-answer feedback (PutFeedback). Message ids are unique per conversation.
    // Throughput is bounded by the pages each group commit writes, and an index keyed by random
    // ids (the client's conversation and message ids) dirties one page per new row. So only one
    // such index exists, the messages key:
    // - no conversations table: every path that creates a conversation creates a message row,
    //   so a conversation exists when a message of it does (the key's prefix finds it). Its own
    //   key cost a second random page per new conversation: 15k -> 28k new feedback/s measured;
    // - feedback is keyed by the message's row id, which grows, so that index is appended to;
    // - the feedback event time (mostly appended too) serves listing and stats.
    // Applications and access keys are tiny tables read by primary key or scanned.
    r#"
CREATE TABLE applications (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name       TEXT NOT NULL,
    strict     INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE access_keys (
    id            TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects(id),
    sealed_secret BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
);
CREATE TABLE chat_messages (
    id              INTEGER PRIMARY KEY,
    project_id      TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    role            TEXT,
    text            TEXT,
    user_id         TEXT,
    created_at      INTEGER NOT NULL,
    sources         TEXT,
    UNIQUE (application_id, conversation_id, message_id)
);
CREATE TABLE chat_feedback (
    id              INTEGER PRIMARY KEY,
    message_row     INTEGER NOT NULL,
    project_id      TEXT NOT NULL,
    application_id  TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    user_key        TEXT NOT NULL,
    usefulness      TEXT,
    reason          TEXT,
    comment         TEXT,
    submitted_at    INTEGER,
    copied_at       INTEGER,
    event_at        INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (message_row, user_key)
);
CREATE INDEX chat_feedback_event ON chat_feedback(project_id, event_at);
"#,
    // 3: analysis. The queue holds one row per subject waiting for (or under) analysis; ingest
    // writes it in the transaction that stores the item. One queue table per subject kind, each
    // keyed by the subject's own (growing) row id, so that an enqueue is an integer-keyed append:
    // a composite (kind, id) key plus an index on the generation cost ingest 2.5 times as many
    // instructions per item (callgrind, ingest benchmark payloads). Claims go by row id.
    // Mentions and the per-subject roll-up are replaced whole on every save; embeddings and
    // centroids are little-endian f32 blobs. `labelled_examples.subject_*` names the subject a
    // correction came from, so erasing the subject erases the example too.
    r#"
CREATE TABLE analysis_queue_items (
    subject_id  INTEGER PRIMARY KEY,
    project_id  TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    lease_until INTEGER
);
CREATE TABLE analysis_queue_chat (
    subject_id  INTEGER PRIMARY KEY,
    project_id  TEXT NOT NULL,
    generation  INTEGER NOT NULL,
    lease_until INTEGER
);
CREATE TABLE mentions (
    id               INTEGER PRIMARY KEY,
    project_id       TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    subject_id       INTEGER NOT NULL,
    part_id          INTEGER,
    ordinal          INTEGER NOT NULL,
    text             TEXT NOT NULL,
    user_key         TEXT,
    source_id        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    sentiment        REAL NOT NULL,
    category         TEXT NOT NULL,
    confidence       REAL NOT NULL,
    theme_id         TEXT,
    theme_similarity REAL,
    embedding        BLOB NOT NULL
);
CREATE INDEX mentions_subject ON mentions(subject_kind, subject_id);
CREATE INDEX mentions_theme ON mentions(project_id, theme_id, created_at);
CREATE INDEX mentions_created ON mentions(project_id, created_at);
CREATE TABLE subject_analysis (
    subject_kind    TEXT NOT NULL,
    subject_id      INTEGER NOT NULL,
    project_id      TEXT NOT NULL,
    sentiment       REAL,
    category        TEXT NOT NULL,
    confidence      REAL NOT NULL,
    category_source TEXT NOT NULL CHECK (category_source IN ('model', 'user')),
    analyzed_at     INTEGER,
    PRIMARY KEY (subject_kind, subject_id)
) WITHOUT ROWID;
CREATE TABLE themes (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL,
    label       TEXT NOT NULL,
    name        TEXT,
    key_phrases TEXT NOT NULL,
    quotes      TEXT NOT NULL,
    pinned      INTEGER NOT NULL,
    centroid    BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX themes_project ON themes(project_id, created_at);
CREATE TABLE labelled_examples (
    id           INTEGER PRIMARY KEY,
    project_id   TEXT NOT NULL,
    text         TEXT NOT NULL,
    category     TEXT NOT NULL,
    origin       TEXT NOT NULL,
    embedding    BLOB,
    subject_kind TEXT,
    subject_id   INTEGER,
    created_at   INTEGER NOT NULL
);
CREATE INDEX labelled_examples_project ON labelled_examples(project_id, id);
CREATE INDEX labelled_examples_subject ON labelled_examples(subject_kind, subject_id)
    WHERE subject_kind IS NOT NULL;
"#,
    // 4: example ids are never reused (AUTOINCREMENT), so (count, highest id) changes whenever
    // an example is added, replaced or removed: the learned model's cache key.
    r#"
CREATE TABLE labelled_examples_v4 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL,
    text         TEXT NOT NULL,
    category     TEXT NOT NULL,
    origin       TEXT NOT NULL,
    embedding    BLOB,
    subject_kind TEXT,
    subject_id   INTEGER,
    created_at   INTEGER NOT NULL
);
INSERT INTO labelled_examples_v4 SELECT * FROM labelled_examples;
DROP TABLE labelled_examples;
ALTER TABLE labelled_examples_v4 RENAME TO labelled_examples;
CREATE INDEX labelled_examples_project ON labelled_examples(project_id, id);
CREATE INDEX labelled_examples_subject ON labelled_examples(subject_kind, subject_id)
    WHERE subject_kind IS NOT NULL;
"#,
];

/// Sets the connection options every hark connection uses. `synchronous=FULL` in WAL mode
/// fsyncs the log at every commit: a committed transaction survives power loss.
pub(crate) fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoint journals in memory, and a page cache large enough that a group transaction
    // does not spill dirty pages mid-way (both measured by the ingest benchmark).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "cache_size", -32_768)?;
    // Checkpoints run on their own thread (see `checkpoint`), never inside a commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    // After a checkpoint resets the log, keep at most 64 MB of it on disk.
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    Ok(())
}

/// Applies the migrations not yet applied, in one immediate transaction, so that two processes
/// opening the same new file do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if applied > supported {
        return Err(StoreError::SchemaTooNew {
            found: applied,
            supported,
        });
    }
    for sql in &MIGRATIONS[applied as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_database_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO projects (id, name, api_key, secret_hash, created_at)
             VALUES ('prj_1', 'kept', 'hk_1', 'h', 0)",
            [],
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        let kept: String = conn
            .query_row("SELECT name FROM projects", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, "kept");
        let feedback: i64 = conn
            .query_row("SELECT count(*) FROM chat_feedback", [], |r| r.get(0))
            .unwrap();
        assert_eq!(feedback, 0);
    }
}
