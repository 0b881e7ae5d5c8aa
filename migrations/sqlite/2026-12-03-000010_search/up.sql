-- Full-text search over incoming mail: a message's subject and text, an attachment's name and
-- extracted text. The indexes read their text from views over the tables (external content),
-- so no text is stored twice, and triggers keep them in step.
--
-- Each indexed row also holds a `scope` token: `w` and the message's workspace id (`w0` for
-- the site-wide pen), or nothing once the message is discarded. A search names the scopes it
-- may see in the same MATCH, so the index itself leaves out other workspaces' mail; joining each
-- match to its message to ask would cost more than the search (110 ms for 60,000 matches).
--
-- Only the first 100,000 characters of a text, 2,000 of a subject and 1,000 of a file name are
-- indexed, as on PostgreSQL, whose index has a size limit: both stores then find the same
-- messages.
CREATE VIEW inbound_messages_searched AS
SELECT id,
    CASE WHEN discarded_at IS NULL THEN 'w' || coalesce(workspace_id, 0) ELSE '' END AS scope,
    substr(subject, 1, 2000) AS subject,
    substr(body_text, 1, 100000) AS body_text
FROM inbound_messages;

CREATE VIEW inbound_attachments_searched AS
SELECT a.id,
    CASE WHEN m.discarded_at IS NULL THEN 'w' || coalesce(m.workspace_id, 0) ELSE '' END AS scope,
    substr(a.filename, 1, 1000) AS filename,
    substr(a.extracted_text, 1, 100000) AS extracted_text
FROM inbound_attachments a JOIN inbound_messages m ON m.id = a.inbound_id;

CREATE VIRTUAL TABLE inbound_messages_search USING fts5 (
    scope, subject, body_text,
    content = 'inbound_messages_searched', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE inbound_attachments_search USING fts5 (
    scope, filename, extracted_text,
    content = 'inbound_attachments_searched', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER inbound_messages_search_insert AFTER INSERT ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (rowid, scope, subject, body_text)
    SELECT id, scope, subject, body_text FROM inbound_messages_searched WHERE id = new.id;
END;

-- A message that is assigned, discarded or changed is indexed anew, and so are its
-- attachments, which share its scope. The old values are computed as they were indexed.
CREATE TRIGGER inbound_messages_search_update
AFTER UPDATE OF workspace_id, discarded_at, subject, body_text ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    VALUES ('delete', old.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) ELSE '' END,
        substr(old.subject, 1, 2000), substr(old.body_text, 1, 100000));
    INSERT INTO inbound_messages_search (rowid, scope, subject, body_text)
    SELECT id, scope, subject, body_text FROM inbound_messages_searched WHERE id = new.id;
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', a.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) ELSE '' END,
        substr(a.filename, 1, 1000), substr(a.extracted_text, 1, 100000)
    FROM inbound_attachments a WHERE a.inbound_id = old.id;
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = new.id);
END;

CREATE TRIGGER inbound_attachments_search_insert AFTER INSERT ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched WHERE id = new.id;
END;

CREATE TRIGGER inbound_attachments_search_update
AFTER UPDATE OF filename, extracted_text ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', old.id, scope, substr(old.filename, 1, 1000), substr(old.extracted_text, 1, 100000)
    FROM inbound_attachments_searched WHERE id = old.id;
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched WHERE id = new.id;
END;

-- foitrack never deletes incoming mail; should someone, attachments go before their message.
CREATE TRIGGER inbound_attachments_search_delete AFTER DELETE ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', old.id,
        CASE WHEN m.discarded_at IS NULL THEN 'w' || coalesce(m.workspace_id, 0) ELSE '' END,
        substr(old.filename, 1, 1000), substr(old.extracted_text, 1, 100000)
    FROM inbound_messages m WHERE m.id = old.inbound_id;
END;
CREATE TRIGGER inbound_messages_search_delete AFTER DELETE ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    VALUES ('delete', old.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) ELSE '' END,
        substr(old.subject, 1, 2000), substr(old.body_text, 1, 100000));
END;

-- What was stored before.
INSERT INTO inbound_messages_search (inbound_messages_search) VALUES ('rebuild');
INSERT INTO inbound_attachments_search (inbound_attachments_search) VALUES ('rebuild');
