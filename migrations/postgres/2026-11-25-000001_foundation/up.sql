-- Timestamps are UTC (TIMESTAMP without zone), dates are DATE.

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE authorities (
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
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
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL,
    occurred_on DATE NOT NULL,
    details TEXT NOT NULL,
    note TEXT,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX events_request ON events (request_id, id);
