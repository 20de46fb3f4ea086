-- 4: broad themes (see the SQLite migration 10): each groups nearby themes of its project
-- (`children`: a JSON array of theme ids), recomputed whole by every theme discovery.
CREATE TABLE broad_themes (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL,
    label       TEXT NOT NULL,
    key_phrases TEXT NOT NULL,
    children    TEXT NOT NULL,
    centroid    BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX broad_themes_project ON broad_themes(project_id, created_at);
