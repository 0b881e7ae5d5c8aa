ALTER TABLE inbound_links DROP COLUMN classified_at;
ALTER TABLE inbound_links DROP COLUMN classified_by;
ALTER TABLE inbound_links DROP COLUMN classified_event_id;
ALTER TABLE inbound_links DROP COLUMN classification;
