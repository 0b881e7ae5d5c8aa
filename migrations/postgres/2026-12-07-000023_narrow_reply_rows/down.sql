ALTER TABLE inbound_messages RESET (toast_tuple_target);
ALTER TABLE inbound_attachments RESET (toast_tuple_target);
ALTER TABLE inbound_messages SET WITHOUT CLUSTER;
ALTER TABLE inbound_attachments SET WITHOUT CLUSTER;
