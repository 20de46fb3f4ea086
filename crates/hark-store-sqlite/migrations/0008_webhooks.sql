-- 8: webhooks. Endpoints of a project (secrets sealed with the master key; during a rotation the
-- previous one until `previous_until`), the outbox of events (one row per event that at least
-- one endpoint wants, written in the transaction of the change that causes it), one delivery per
-- (event, endpoint) with its schedule and lease, and each attempt's outcome.
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    project_id      TEXT NOT NULL REFERENCES projects(id),
    url             TEXT NOT NULL,
    kind            TEXT NOT NULL,
    events          TEXT NOT NULL,
    filter          TEXT NOT NULL,
    description     TEXT,
    state           TEXT NOT NULL,
    disabled_reason TEXT,
    failing_since   INTEGER,
    secret          BLOB NOT NULL,
    previous_secret BLOB,
    previous_until  INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_project ON webhook_endpoints (project_id);
CREATE TABLE webhook_events (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    project_id  TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    data        TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    event_seq       INTEGER NOT NULL REFERENCES webhook_events (seq) ON DELETE CASCADE,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    project_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_until     INTEGER,
    last_status     INTEGER,
    once_key        TEXT,
    UNIQUE (endpoint_id, once_key)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq);
CREATE TABLE webhook_attempts (
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    status      INTEGER,
    latency_ms  INTEGER NOT NULL,
    response    TEXT NOT NULL,
    PRIMARY KEY (delivery_id, number)
);
