DROP TRIGGER inbound_scopes_search_after_delete;
DROP TRIGGER inbound_scopes_search_before_delete;
DROP TRIGGER inbound_scopes_search_after;
DROP TRIGGER inbound_scopes_search_before;
DROP TRIGGER inbound_messages_search_update;
DROP TRIGGER inbound_attachments_search_delete;
DROP TRIGGER inbound_messages_search_delete;
DROP VIEW inbound_attachments_searched;
DROP VIEW inbound_messages_searched;

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

DROP TABLE inbound_scopes;
INSERT INTO inbound_messages_search (inbound_messages_search) VALUES ('rebuild');
INSERT INTO inbound_attachments_search (inbound_attachments_search) VALUES ('rebuild');
