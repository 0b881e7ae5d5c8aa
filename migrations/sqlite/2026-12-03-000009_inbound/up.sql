-- Incoming mail. Each message is stored once, byte for byte, however often it arrives (its
-- SHA-256 and its Message-ID are unique), with what was read from it. It belongs to a workspace
-- once it is matched to a request there, or when it arrived at a mailbox or address of that
-- workspace; a message of no workspace waits in the site-wide holding pen.
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    message_id TEXT,
    workspace_id BIGINT REFERENCES workspaces (id),
    source TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('response', 'acknowledgement', 'auto_reply', 'bounce', 'rejected')),
    matched_by TEXT NOT NULL CHECK (matched_by IN ('reply_address', 'in_reply_to', 'subject_reference', 'body_reference', 'guess', 'researcher', 'none')),
    reason TEXT,
    delivery_status TEXT,
    from_address TEXT,
    subject TEXT NOT NULL,
    sent_at TIMESTAMP,
    received_at TIMESTAMP NOT NULL,
    body_text TEXT NOT NULL,
    suggestions TEXT NOT NULL,
    size BIGINT NOT NULL,
    raw BLOB NOT NULL,
    received_by BIGINT NOT NULL REFERENCES users (id),
    discarded_at TIMESTAMP,
    discarded_by BIGINT REFERENCES users (id),
    discard_reason TEXT
);
CREATE UNIQUE INDEX inbound_messages_message_id ON inbound_messages (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX inbound_messages_workspace ON inbound_messages (workspace_id, id);

-- Which requests a message answers, and how that was decided. A reply addressed to several
-- requests has a link to each.
CREATE TABLE inbound_links (
    inbound_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    matched_by TEXT NOT NULL CHECK (matched_by IN ('reply_address', 'in_reply_to', 'subject_reference', 'body_reference', 'guess', 'researcher')),
    -- The sender wrote from another domain than the body's: matched, but worth a look.
    sender_mismatch BOOLEAN NOT NULL,
    linked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (inbound_id, request_id)
);
CREATE INDEX inbound_links_request ON inbound_links (request_id, inbound_id);

CREATE TABLE inbound_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    inbound_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    position INTEGER NOT NULL,
    filename TEXT,
    -- As the message declared it, and as sniffed from the bytes.
    declared_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    extraction TEXT NOT NULL CHECK (extraction IN ('ok', 'failed', 'unsupported')),
    extraction_error TEXT,
    extracted_text TEXT,
    UNIQUE (inbound_id, position)
);

-- A token may be good only for delivering incoming mail (POST /api/v1/inbound); its mail that
-- matches no request waits in its workspace's holding pen, or the site's when it has none.
ALTER TABLE api_tokens ADD COLUMN ingest_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE api_tokens ADD COLUMN workspace_id BIGINT REFERENCES workspaces (id);
