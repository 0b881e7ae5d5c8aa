-- Back to an outbox whose every message belongs to a workspace; reset mail is dropped with the
-- links it carried.
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE password_resets;
DELETE FROM outbox WHERE kind = 'password_reset' OR workspace_id IS NULL;
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'digest', 'chaser', 'review_request')),
    request_id BIGINT REFERENCES requests (id),
    campaign_id BIGINT REFERENCES campaigns (id),
    message_id TEXT NOT NULL UNIQUE,
    from_address TEXT NOT NULL,
    to_address TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_by TEXT,
    leased_until TIMESTAMP,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    workspace_id BIGINT NOT NULL DEFAULT 1 REFERENCES workspaces (id)
);
INSERT INTO outbox_new SELECT * FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);
CREATE INDEX outbox_workspace ON outbox (workspace_id, id);
CREATE INDEX outbox_workspace_state ON outbox (workspace_id, state);
COMMIT;
PRAGMA foreign_keys = ON;
