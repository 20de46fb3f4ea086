-- 10: broad themes, the upper level of the theme hierarchy, and per-project analysis settings.
-- A broad theme groups nearby themes of its project (`children`: a JSON array of theme ids);
-- recomputed whole by every theme discovery, so a theme merged or deleted meanwhile is only
-- skipped when read.
CREATE TABLE broad_themes (
    id          TEXT PRIMARY KEY,
    project_id  TEXT NOT NULL,
    label       TEXT NOT NULL,
    key_phrases TEXT NOT NULL,
    children    TEXT NOT NULL,
    centroid    BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX broad_themes_project ON broad_themes(project_id, created_at);
-- A project's own analysis settings (absent: the deployment's configuration).
CREATE TABLE project_analysis_settings (
    project_id        TEXT PRIMARY KEY,
    theme_granularity TEXT
);
