ALTER TABLE inbound_messages DROP COLUMN body_html;
