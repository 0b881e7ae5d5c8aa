-- SQLite cannot drop a column that references another table: the table is rebuilt instead.
CREATE TABLE inbound_links_before (
    inbound_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    matched_by TEXT NOT NULL CHECK (matched_by IN ('reply_address', 'in_reply_to', 'subject_reference', 'body_reference', 'guess', 'researcher')),
    sender_mismatch BOOLEAN NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (inbound_id, request_id)
);
INSERT INTO inbound_links_before SELECT inbound_id, request_id, matched_by, sender_mismatch, linked_at FROM inbound_links;
DROP TABLE inbound_links;
ALTER TABLE inbound_links_before RENAME TO inbound_links;
CREATE INDEX inbound_links_request ON inbound_links (request_id, inbound_id);
