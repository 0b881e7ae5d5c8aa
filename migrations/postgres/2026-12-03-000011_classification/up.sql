-- A researcher's word on what an incoming message is for one of its requests, and the timeline
-- event it recorded (none for `not_a_response`).
ALTER TABLE inbound_links ADD COLUMN classification TEXT CHECK (classification IN ('full', 'partial', 'refused', 'not_held', 'clarification_requested', 'fee_notice', 'extension', 'not_a_response'));
ALTER TABLE inbound_links ADD COLUMN classified_event_id BIGINT REFERENCES events (id);
ALTER TABLE inbound_links ADD COLUMN classified_by BIGINT REFERENCES users (id);
ALTER TABLE inbound_links ADD COLUMN classified_at TIMESTAMP;
