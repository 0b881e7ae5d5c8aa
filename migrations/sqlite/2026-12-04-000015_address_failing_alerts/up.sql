-- The digest reports requests whose body's address is failing (bounced or refused for good).
-- SQLite cannot change a CHECK, so `alerts` is rebuilt as in 000007_enum_checks. Nothing refers
-- to it, and it has no index but its UNIQUE, no trigger and no view, so this runs inside
-- diesel's transaction with the foreign keys on.
CREATE TABLE alerts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL CHECK (kind IN ('address_failing', 'overdue', 'very_overdue', 'due_soon', 'clarification_waiting', 'review_due', 'chaser', 'review_request')),
    clock_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    outbox_id BIGINT REFERENCES outbox (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (request_id, kind, clock_key, user_id)
);
INSERT INTO alerts_new SELECT * FROM alerts;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'alerts_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'alerts_new', seq FROM sqlite_sequence WHERE name = 'alerts';
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
