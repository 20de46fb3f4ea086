-- 4: example ids are never reused (AUTOINCREMENT), so (count, highest id) changes whenever
-- an example is added, replaced or removed: the learned model's cache key.
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
