ALTER TABLE api_tokens DROP COLUMN workspace_id;
ALTER TABLE api_tokens DROP COLUMN ingest_only;
DROP TABLE inbound_attachments;
DROP TABLE inbound_links;
DROP TABLE inbound_messages;
