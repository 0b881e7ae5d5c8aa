-- Full-text search over incoming mail: a message's subject and text, an attachment's name and
-- extracted text. The indexes read their rows from the tables themselves (external content),
-- so no text is stored twice, and triggers keep them in step. Only the first 100,000
-- characters of a text are indexed, as on PostgreSQL, whose index has a size limit: both
-- stores then find the same messages.
CREATE VIRTUAL TABLE inbound_messages_search USING fts5 (
    subject, body_text,
    content = 'inbound_messages', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE inbound_attachments_search USING fts5 (
    filename, extracted_text,
    content = 'inbound_attachments', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER inbound_messages_search_insert AFTER INSERT ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (rowid, subject, body_text)
    VALUES (new.id, new.subject, substr(new.body_text, 1, 100000));
END;
CREATE TRIGGER inbound_messages_search_delete AFTER DELETE ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, subject, body_text)
    VALUES ('delete', old.id, old.subject, substr(old.body_text, 1, 100000));
END;
CREATE TRIGGER inbound_messages_search_update AFTER UPDATE OF subject, body_text ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, subject, body_text)
    VALUES ('delete', old.id, old.subject, substr(old.body_text, 1, 100000));
    INSERT INTO inbound_messages_search (rowid, subject, body_text)
    VALUES (new.id, new.subject, substr(new.body_text, 1, 100000));
END;

CREATE TRIGGER inbound_attachments_search_insert AFTER INSERT ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (rowid, filename, extracted_text)
    VALUES (new.id, new.filename, substr(new.extracted_text, 1, 100000));
END;
CREATE TRIGGER inbound_attachments_search_delete AFTER DELETE ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, filename, extracted_text)
    VALUES ('delete', old.id, old.filename, substr(old.extracted_text, 1, 100000));
END;
CREATE TRIGGER inbound_attachments_search_update AFTER UPDATE OF filename, extracted_text ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, filename, extracted_text)
    VALUES ('delete', old.id, old.filename, substr(old.extracted_text, 1, 100000));
    INSERT INTO inbound_attachments_search (rowid, filename, extracted_text)
    VALUES (new.id, new.filename, substr(new.extracted_text, 1, 100000));
END;

-- What was stored before.
INSERT INTO inbound_messages_search (rowid, subject, body_text)
    SELECT id, subject, substr(body_text, 1, 100000) FROM inbound_messages;
INSERT INTO inbound_attachments_search (rowid, filename, extracted_text)
    SELECT id, filename, substr(extracted_text, 1, 100000) FROM inbound_attachments;
