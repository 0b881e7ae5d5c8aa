-- A raw message may be kept as a file named by its SHA-256 (`inbound.raw_directory`) instead
-- of in `raw`, which is then empty.
ALTER TABLE inbound_messages ADD COLUMN raw_in_directory BOOLEAN NOT NULL DEFAULT false;
