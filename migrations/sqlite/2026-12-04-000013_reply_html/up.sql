-- A reply's HTML body, sanitised when it was stored (no scripts, styles, forms, frames or
-- images), for showing a letter with its tables and emphasis. NULL for plain text mail, for
-- HTML beyond 2 MB, and for mail stored before this column: its raw message still holds it.
ALTER TABLE inbound_messages ADD COLUMN body_html TEXT;
