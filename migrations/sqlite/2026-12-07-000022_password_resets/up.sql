-- Password reset links (src/service/password_reset.rs), mailed through the outbox. A reset mail
-- belongs to an account, not to a team, so the outbox takes a new kind and a message with no
-- workspace; no workspace's outbox lists it, so its link is never shown to anyone but its
-- recipient. SQLite cannot change a CHECK or a NOT NULL, so `outbox` is rebuilt as in
-- 000007_enum_checks (foreign keys off, outside diesel's transaction: metadata.toml).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('request', 'digest', 'chaser', 'review_request', 'password_reset')),
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
    workspace_id BIGINT REFERENCES workspaces (id)
);
INSERT INTO outbox_new SELECT * FROM outbox;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);
CREATE INDEX outbox_workspace ON outbox (workspace_id, id);
CREATE INDEX outbox_workspace_state ON outbox (workspace_id, state);

-- One row per link sent: only the SHA-256 of its secret is kept. A link works once, until
-- `expires_at`; using one spends every other link of the same user.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    outbox_id BIGINT REFERENCES outbox (id)
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);

-- A broken foreign key fails the migration here (the CHECK), before anything is committed.
CREATE TEMP TABLE password_resets_foreign_keys (broken INTEGER NOT NULL CHECK (broken = 0));
INSERT INTO password_resets_foreign_keys SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE password_resets_foreign_keys;
COMMIT;
PRAGMA foreign_keys = ON;
