CREATE INDEX requests_workspace_state_due ON requests (workspace_id, state, due_on);
DROP INDEX requests_workspace_state_due_very;
