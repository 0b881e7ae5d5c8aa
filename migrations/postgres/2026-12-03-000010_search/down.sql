DROP INDEX inbound_attachments_search;
ALTER TABLE inbound_attachments DROP COLUMN search;
DROP INDEX inbound_messages_search;
ALTER TABLE inbound_messages DROP COLUMN search;
DROP TEXT SEARCH CONFIGURATION foitrack_english;
DROP TEXT SEARCH DICTIONARY foitrack_english_stem;
