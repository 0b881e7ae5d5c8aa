DROP TABLE inbound_scopes;
