DROP INDEX outbox_workspace_state;
DROP INDEX inbound_links_unclassified;
DROP INDEX requests_workspace_state_very;
