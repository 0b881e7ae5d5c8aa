-- Password reset links (src/service/password_reset.rs), mailed through the outbox. A reset mail
-- belongs to an account, not to a team: the outbox takes a new kind and a message with no
-- workspace, which no workspace's outbox lists.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known
    CHECK (kind IN ('request', 'digest', 'chaser', 'review_request', 'password_reset'));
ALTER TABLE outbox ALTER COLUMN workspace_id DROP NOT NULL;

-- One row per link sent: only the SHA-256 of its secret is kept. A link works once, until
-- `expires_at`; using one spends every other link of the same user.
CREATE TABLE password_resets (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    outbox_id BIGINT REFERENCES outbox (id)
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
