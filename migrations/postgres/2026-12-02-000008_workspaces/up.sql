-- Workspaces: each team's campaigns, requests and mail live in one, and only its members see
-- them. Every existing campaign, request and message moves into the workspace `default`, and
-- every existing user becomes a member of it with the rights they had (an admin as owner), so a
-- single-team installation sees no change.
CREATE TABLE workspaces (
    id BIGSERIAL PRIMARY KEY,
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

INSERT INTO workspaces (slug, name, created_at) VALUES ('default', 'Default', now() AT TIME ZONE 'UTC');
INSERT INTO memberships (workspace_id, user_id, role, added_at)
    SELECT w.id, u.id, CASE u.role WHEN 'admin' THEN 'owner' ELSE u.role END, now() AT TIME ZONE 'UTC'
    FROM users u, workspaces w WHERE w.slug = 'default';

ALTER TABLE campaigns ADD COLUMN workspace_id BIGINT REFERENCES workspaces (id);
ALTER TABLE requests ADD COLUMN workspace_id BIGINT REFERENCES workspaces (id);
ALTER TABLE outbox ADD COLUMN workspace_id BIGINT REFERENCES workspaces (id);
UPDATE campaigns SET workspace_id = (SELECT id FROM workspaces WHERE slug = 'default');
UPDATE requests SET workspace_id = (SELECT id FROM workspaces WHERE slug = 'default');
UPDATE outbox SET workspace_id = (SELECT id FROM workspaces WHERE slug = 'default');
ALTER TABLE campaigns ALTER COLUMN workspace_id SET NOT NULL;
ALTER TABLE requests ALTER COLUMN workspace_id SET NOT NULL;
ALTER TABLE outbox ALTER COLUMN workspace_id SET NOT NULL;

CREATE INDEX campaigns_workspace ON campaigns (workspace_id, id);
CREATE INDEX requests_workspace_state_due ON requests (workspace_id, state, due_on);
CREATE INDEX requests_workspace_due ON requests (workspace_id, due_on);
CREATE INDEX outbox_workspace ON outbox (workspace_id, id);
