-- 6: theme metrics read only the index (covering): scanning the mention rows themselves, wide
-- with their embeddings, took ~1 s per 200,000 mentions. One index for a theme's mentions, one
-- for a time range; both end with every column the metrics read.
DROP INDEX mentions_theme;
DROP INDEX mentions_created;
CREATE INDEX mentions_theme ON mentions(project_id, theme_id, created_at, category, source_id,
    user_key, sentiment, subject_kind);
CREATE INDEX mentions_created ON mentions(project_id, created_at, theme_id, category, source_id,
    user_key, sentiment, subject_kind);
