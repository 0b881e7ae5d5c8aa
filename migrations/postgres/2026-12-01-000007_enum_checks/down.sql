ALTER TABLE alerts DROP CONSTRAINT alerts_kind_known;
ALTER TABLE outbox DROP CONSTRAINT outbox_state_known;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_known;
ALTER TABLE events DROP CONSTRAINT events_kind_known;
ALTER TABLE requests DROP CONSTRAINT requests_outcome_known;
ALTER TABLE requests DROP CONSTRAINT requests_channel_known;
ALTER TABLE requests DROP CONSTRAINT requests_state_known;
ALTER TABLE users DROP CONSTRAINT users_role_known;
