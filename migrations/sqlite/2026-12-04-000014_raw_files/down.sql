ALTER TABLE inbound_messages DROP COLUMN raw_in_directory;
