ALTER TABLE outbox DROP COLUMN workspace_id;
ALTER TABLE requests DROP COLUMN workspace_id;
ALTER TABLE campaigns DROP COLUMN workspace_id;
DROP TABLE workspace_contacts;
DROP TABLE memberships;
DROP TABLE workspaces;
