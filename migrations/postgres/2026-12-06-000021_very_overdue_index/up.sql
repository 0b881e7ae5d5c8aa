-- The dashboard's very-overdue and overdue lists (src/store/requests.rs, `filtered`): the late
-- requests of a workspace, split at `very_overdue_on`. Ending the index in that column lets
-- both be counted from the index alone, where the index ending in `due_on` read every late
-- request's row. It serves every query the old one did, so it replaces it.
CREATE INDEX requests_workspace_state_due_very ON requests (workspace_id, state, due_on, very_overdue_on);
DROP INDEX requests_workspace_state_due;
