-- Enum columns accept only the words foitrack knows (the text_enum! spellings), so a stray value
-- is refused when written instead of failing every later read. SQLite cannot add a constraint to
-- a table, so each table with such a column is rebuilt as https://www.sqlite.org/lang_altertable.html
-- section 7 says: foreign keys off (outside a transaction: metadata.toml), create the new table,
-- copy, drop the old one, rename, recreate its indexes (these tables have no triggers or views),
-- check the foreign keys, commit. The columns keep their order, so `SELECT *` copies them.
-- A NULL channel or outcome (not yet sent, not yet answered) passes, as CHECK lets NULL through.
PRAGMA foreign_keys = OFF;
BEGIN;

-- users
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'researcher', 'coder', 'viewer')),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO users_new SELECT * FROM users;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'users_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'users_new', seq FROM sqlite_sequence WHERE name = 'users';
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- requests
CREATE TABLE requests_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    campaign_id BIGINT REFERENCES campaigns (id),
    authority_id BIGINT NOT NULL REFERENCES authorities (id),
    reference TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    regime TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_response', 'awaiting_clarification', 'awaiting_fee', 'answered', 'partially_answered', 'refused', 'not_held', 'internal_review', 'withdrawn', 'closed')),
    sent_at TIMESTAMP,
    sent_on DATE,
    channel TEXT CHECK (channel IN ('email', 'portal', 'post', 'form', 'other')),
    sent_to TEXT,
    clock_started_on DATE,
    due_on DATE,
    very_overdue_on DATE,
    review_due_on DATE,
    body_reference TEXT,
    outcome TEXT CHECK (outcome IN ('full', 'partial', 'refused', 'not_held', 'other')),
    responded_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    received_on DATE,
    original_due_on DATE,
    UNIQUE (campaign_id, authority_id)
);
INSERT INTO requests_new SELECT * FROM requests;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'requests_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'requests_new', seq FROM sqlite_sequence WHERE name = 'requests';
DROP TABLE requests;
ALTER TABLE requests_new RENAME TO requests;
CREATE INDEX requests_state_due ON requests (state, due_on);
CREATE INDEX requests_campaign_state_due ON requests (campaign_id, state, due_on);
CREATE INDEX requests_authority ON requests (authority_id);
CREATE INDEX requests_due ON requests (due_on);
CREATE INDEX requests_body_reference ON requests (body_reference);

-- events
CREATE TABLE events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL CHECK (kind IN ('sent', 'acknowledged', 'clarification_requested', 'clarification_sent', 'fee_notice_given', 'fee_paid', 'extension_claimed', 'response_received', 'internal_review_requested', 'internal_review_answered', 'ico_complaint', 'withdrawn', 'closed', 'note', 'retraction', 'deadline_recalculated')),
    occurred_on DATE NOT NULL,
    details TEXT NOT NULL,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
INSERT INTO events_new SELECT * FROM events;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'events_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_new', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_request ON events (request_id, id);

-- outbox
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
    created_at TIMESTAMP NOT NULL
);
INSERT INTO outbox_new SELECT * FROM outbox;
-- Keep the AUTOINCREMENT counter, so that no id is handed out twice.
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);

-- alerts
CREATE TABLE alerts_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL CHECK (kind IN ('overdue', 'very_overdue', 'due_soon', 'clarification_waiting', 'review_due', 'chaser', 'review_request')),
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
-- A broken foreign key fails the migration here (the CHECK), before anything is committed.
CREATE TEMP TABLE enum_checks_foreign_keys (broken INTEGER NOT NULL CHECK (broken = 0));
INSERT INTO enum_checks_foreign_keys SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE enum_checks_foreign_keys;
COMMIT;
PRAGMA foreign_keys = ON;
