-- Timestamps are UTC text (YYYY-MM-DD HH:MM:SS.f), dates are YYYY-MM-DD text: both sort as text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE authorities (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    email TEXT,
    region TEXT,
    region_code TEXT,
    ods_code TEXT UNIQUE,
    tags TEXT NOT NULL DEFAULT '',
    postcode TEXT,
    opened_on DATE,
    closed_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX authorities_name_key ON authorities (name_key);
CREATE INDEX authorities_region ON authorities (region);

CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    reference_prefix TEXT NOT NULL UNIQUE,
    subject_template TEXT NOT NULL,
    body_template TEXT NOT NULL,
    regime TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    campaign_id BIGINT REFERENCES campaigns (id),
    authority_id BIGINT NOT NULL REFERENCES authorities (id),
    reference TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    regime TEXT NOT NULL,
    state TEXT NOT NULL,
    sent_at TIMESTAMP,
    sent_on DATE,
    channel TEXT,
    sent_to TEXT,
    clock_started_on DATE,
    due_on DATE,
    very_overdue_on DATE,
    review_due_on DATE,
    body_reference TEXT,
    outcome TEXT,
    responded_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (campaign_id, authority_id)
);
CREATE INDEX requests_state_due ON requests (state, due_on);
CREATE INDEX requests_campaign_state_due ON requests (campaign_id, state, due_on);
CREATE INDEX requests_authority ON requests (authority_id);
CREATE INDEX requests_due ON requests (due_on);
CREATE INDEX requests_body_reference ON requests (body_reference);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    details TEXT NOT NULL,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX events_request ON events (request_id, id);

-- One row that every SQLite write transaction updates first, so that it takes the write lock at
-- its start instead of failing to upgrade a read lock half-way (PostgreSQL locks rows instead).
CREATE TABLE write_lock (
    id INTEGER PRIMARY KEY NOT NULL,
    writes BIGINT NOT NULL
);
INSERT INTO write_lock (id, writes) VALUES (1, 0);
