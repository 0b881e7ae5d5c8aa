-- Reminders: who watches a campaign besides its owner, and which alerts each person has been
-- sent, so that no lapse is reported twice. The clock key is the date the alert belongs to
-- (a due date, a review due date, a clarification event): a new clock re-arms the alert.
CREATE TABLE campaign_watchers (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (campaign_id, user_id)
);

CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES requests (id),
    kind TEXT NOT NULL,
    clock_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    outbox_id BIGINT REFERENCES outbox (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (request_id, kind, clock_key, user_id)
);

-- Chasers to bodies, per campaign and off by default: a polite follow-up once a request is this
-- many working days overdue, and a request for internal review once it is very overdue.
ALTER TABLE campaigns ADD COLUMN chasers_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE campaigns ADD COLUMN chase_after_working_days INTEGER NOT NULL DEFAULT 5;
