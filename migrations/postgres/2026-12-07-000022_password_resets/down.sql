DROP TABLE password_resets;
DELETE FROM outbox WHERE kind = 'password_reset' OR workspace_id IS NULL;
ALTER TABLE outbox ALTER COLUMN workspace_id SET NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_known
    CHECK (kind IN ('request', 'digest', 'chaser', 'review_request'));
