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
WHERE m.workspace_id IS DISTINCT FROM r.workspace_id;
