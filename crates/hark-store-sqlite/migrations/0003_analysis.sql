-- 3: analysis. The queue holds one row per subject waiting for (or under) analysis; ingest
-- writes it in the transaction that stores the item. One queue table per subject kind, each
-- keyed by the subject's own (growing) row id, so that an enqueue is an integer-keyed append:
-- a composite (kind, id) key plus an index on the generation cost ingest 2.5 times as many
-- instructions per item (callgrind, ingest benchmark payloads). Claims go by row id.
-- Mentions and the per-subject roll-up are replaced whole on every save; embeddings and
-- centroids are little-endian f32 blobs. `labelled_examples.subject_*` names the subject a
-- correction came from, so erasing the subject erases the example too.
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
