-- 2: chat-answer feedback (PutFeedback). Message ids are unique per conversation.
-- Throughput is bounded by the pages each group commit writes, and an index keyed by random
-- ids (the client's conversation and message ids) dirties one page per new row. So only one
-- such index exists, the messages key:
-- - no conversations table: every path that creates a conversation creates a message row,
-- so a conversation exists when a message of it does (the key's prefix finds it). Its own
-- key cost a second random page per new conversation: 15k -> 28k new feedback/s measured;
-- - feedback is keyed by the message's row id, which grows, so that index is appended to;
-- - the feedback event time (mostly appended too) serves listing and stats.
-- Applications and access keys are tiny tables read by primary key or scanned.
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
