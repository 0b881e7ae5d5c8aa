-- Workspaces: each team's campaigns, requests and mail live in one, and only its members see
-- them. Every existing campaign, request and message moves into the workspace `default` (id 1),
-- and every existing user becomes a member of it with the rights they had (an admin as owner),
-- so a single-team installation sees no change.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE workspaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    archived_at TIMESTAMP
);

CREATE TABLE memberships (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'researcher', 'coder', 'viewer')),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, workspace_id);

-- A workspace's own contact for a body (a named FOI officer, another address): it overrides the
-- shared register's email for that workspace's mail only.
CREATE TABLE workspace_contacts (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    authority_id BIGINT NOT NULL REFERENCES authorities (id),
    contact_name TEXT,
    email TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (workspace_id, authority_id)
);

INSERT INTO workspaces (id, slug, name, created_at) VALUES (1, 'default', 'Default', CURRENT_TIMESTAMP);
INSERT INTO memberships (workspace_id, user_id, role, added_at)
    SELECT 1, id, CASE role WHEN 'admin' THEN 'owner' ELSE role END, CURRENT_TIMESTAMP FROM users;

-- SQLite needs a default to add a NOT NULL column; foitrack always writes the column itself.
ALTER TABLE campaigns ADD COLUMN workspace_id BIGINT NOT NULL DEFAULT 1 REFERENCES workspaces (id);
ALTER TABLE requests ADD COLUMN workspace_id BIGINT NOT NULL DEFAULT 1 REFERENCES workspaces (id);
ALTER TABLE outbox ADD COLUMN workspace_id BIGINT NOT NULL DEFAULT 1 REFERENCES workspaces (id);

CREATE INDEX campaigns_workspace ON campaigns (workspace_id, id);
CREATE INDEX requests_workspace_state_due ON requests (workspace_id, state, due_on);
CREATE INDEX requests_workspace_due ON requests (workspace_id, due_on);
CREATE INDEX outbox_workspace ON outbox (workspace_id, id);

CREATE TEMP TABLE workspaces_foreign_keys (broken INTEGER NOT NULL CHECK (broken = 0));
INSERT INTO workspaces_foreign_keys SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE workspaces_foreign_keys;
COMMIT;
PRAGMA foreign_keys = ON;
