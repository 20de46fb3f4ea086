-- 1: projects, sources, items and their conversation parts.
-- No index on user_id or email: an index keyed by a random value dirties one page per row at
-- every commit, which halved the ingest rate in the benchmark. Lookups by user or email (privacy
-- erasure, list filters) scan the project's items instead; they are rare next to ingest.
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
