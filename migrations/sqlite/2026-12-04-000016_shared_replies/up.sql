-- A reply addressed to requests of several workspaces belongs to each of them. The message's
-- row holds the first request's workspace; `inbound_scopes` holds the others, so that every
-- team whose request it answers finds it in a search. Only such replies have rows here, and
-- foitrack never deletes them.
CREATE TABLE inbound_scopes (
    inbound_id BIGINT NOT NULL REFERENCES inbound_messages (id),
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    PRIMARY KEY (inbound_id, workspace_id)
);
CREATE INDEX inbound_scopes_workspace ON inbound_scopes (workspace_id, inbound_id);

-- The replies stored before.
INSERT INTO inbound_scopes (inbound_id, workspace_id)
SELECT DISTINCT l.inbound_id, r.workspace_id
FROM inbound_links l JOIN requests r ON r.id = l.request_id JOIN inbound_messages m ON m.id = l.inbound_id
WHERE m.workspace_id IS NOT r.workspace_id;

-- The search index's `scope` column (see 000010_search) now holds a token for each of those
-- workspaces too, in their order, so that the triggers can always remove what they indexed.
DROP TRIGGER inbound_messages_search_update;
DROP TRIGGER inbound_attachments_search_delete;
DROP TRIGGER inbound_messages_search_delete;
DROP VIEW inbound_attachments_searched;
DROP VIEW inbound_messages_searched;

CREATE VIEW inbound_messages_searched AS
SELECT id,
    CASE WHEN discarded_at IS NULL THEN 'w' || coalesce(workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = inbound_messages.id ORDER BY s.workspace_id)) ELSE '' END AS scope,
    substr(subject, 1, 2000) AS subject,
    substr(body_text, 1, 100000) AS body_text
FROM inbound_messages;

CREATE VIEW inbound_attachments_searched AS
SELECT a.id,
    CASE WHEN m.discarded_at IS NULL THEN 'w' || coalesce(m.workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = m.id ORDER BY s.workspace_id)) ELSE '' END AS scope,
    substr(a.filename, 1, 1000) AS filename,
    substr(a.extracted_text, 1, 100000) AS extracted_text
FROM inbound_attachments a JOIN inbound_messages m ON m.id = a.inbound_id;

CREATE TRIGGER inbound_messages_search_update
AFTER UPDATE OF workspace_id, discarded_at, subject, body_text ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    VALUES ('delete', old.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = old.id ORDER BY s.workspace_id)) ELSE '' END,
        substr(old.subject, 1, 2000), substr(old.body_text, 1, 100000));
    INSERT INTO inbound_messages_search (rowid, scope, subject, body_text)
    SELECT id, scope, subject, body_text FROM inbound_messages_searched WHERE id = new.id;
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', a.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = old.id ORDER BY s.workspace_id)) ELSE '' END,
        substr(a.filename, 1, 1000), substr(a.extracted_text, 1, 100000)
    FROM inbound_attachments a WHERE a.inbound_id = old.id;
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = new.id);
END;

CREATE TRIGGER inbound_attachments_search_delete AFTER DELETE ON inbound_attachments BEGIN
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', old.id,
        CASE WHEN m.discarded_at IS NULL THEN 'w' || coalesce(m.workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = m.id ORDER BY s.workspace_id)) ELSE '' END,
        substr(old.filename, 1, 1000), substr(old.extracted_text, 1, 100000)
    FROM inbound_messages m WHERE m.id = old.inbound_id;
END;
CREATE TRIGGER inbound_messages_search_delete AFTER DELETE ON inbound_messages BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    VALUES ('delete', old.id,
        CASE WHEN old.discarded_at IS NULL THEN 'w' || coalesce(old.workspace_id, 0) || (SELECT coalesce(group_concat(t, ''), '') FROM (SELECT ' w' || s.workspace_id AS t FROM inbound_scopes s WHERE s.inbound_id = old.id ORDER BY s.workspace_id)) ELSE '' END,
        substr(old.subject, 1, 2000), substr(old.body_text, 1, 100000));
END;

-- A new workspace for a reply: its rows are removed from the index as they were, then indexed
-- anew. The BEFORE trigger runs before the key is checked: a plain INSERT of a pair already
-- there fails and is rolled back whole, but INSERT OR IGNORE (or ON CONFLICT DO NOTHING) would
-- keep the removal and skip the re-indexing, so it must never be used on this table. The
-- sorted order of the tokens is the views' and the triggers' alike, so that what is removed is
-- exactly what was indexed. Written with an ordered subquery, not group_concat(… ORDER BY …),
-- so that SQLite tools older than 3.44 can still read the schema.
CREATE TRIGGER inbound_scopes_search_before BEFORE INSERT ON inbound_scopes BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    SELECT 'delete', id, scope, subject, body_text FROM inbound_messages_searched WHERE id = new.inbound_id;
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = new.inbound_id);
END;
CREATE TRIGGER inbound_scopes_search_after AFTER INSERT ON inbound_scopes BEGIN
    INSERT INTO inbound_messages_search (rowid, scope, subject, body_text)
    SELECT id, scope, subject, body_text FROM inbound_messages_searched WHERE id = new.inbound_id;
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = new.inbound_id);
END;

-- foitrack never deletes these rows; should someone, the reply is re-indexed the same way.
CREATE TRIGGER inbound_scopes_search_before_delete BEFORE DELETE ON inbound_scopes BEGIN
    INSERT INTO inbound_messages_search (inbound_messages_search, rowid, scope, subject, body_text)
    SELECT 'delete', id, scope, subject, body_text FROM inbound_messages_searched WHERE id = old.inbound_id;
    INSERT INTO inbound_attachments_search (inbound_attachments_search, rowid, scope, filename, extracted_text)
    SELECT 'delete', id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = old.inbound_id);
END;
CREATE TRIGGER inbound_scopes_search_after_delete AFTER DELETE ON inbound_scopes BEGIN
    INSERT INTO inbound_messages_search (rowid, scope, subject, body_text)
    SELECT id, scope, subject, body_text FROM inbound_messages_searched WHERE id = old.inbound_id;
    INSERT INTO inbound_attachments_search (rowid, scope, filename, extracted_text)
    SELECT id, scope, filename, extracted_text FROM inbound_attachments_searched
    WHERE id IN (SELECT id FROM inbound_attachments WHERE inbound_id = old.inbound_id);
END;

INSERT INTO inbound_messages_search (inbound_messages_search) VALUES ('rebuild');
INSERT INTO inbound_attachments_search (inbound_attachments_search) VALUES ('rebuild');
