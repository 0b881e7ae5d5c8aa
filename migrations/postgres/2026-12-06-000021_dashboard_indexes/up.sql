-- The indexes the web dashboard counts from (src/service/dashboard.rs).
--
-- The very-overdue and overdue lists (src/store/requests.rs, `filtered`): the late requests of
-- a workspace, split at `very_overdue_on`. Led by that column, the index finds the few merely
-- overdue requests by a range (1 ms at 1,000,000 requests, where `(workspace_id, state,
-- due_on)` read all 350,000 late ones), and counts the very overdue from the index alone.
CREATE INDEX requests_workspace_state_very ON requests (workspace_id, state, very_overdue_on, due_on);

-- The replies waiting to be classified (src/store/inbound.rs, `unclassified`): few, among
-- links that grow with every reply.
CREATE INDEX inbound_links_unclassified ON inbound_links (request_id) WHERE classification IS NULL;

-- The mail that failed, by workspace (src/store/outbox.rs, `list` with a state).
CREATE INDEX outbox_workspace_state ON outbox (workspace_id, state);
