-- A body whose mail server refused our message for good (a 5xx answer): when, and what the
-- server said. Cleared when an import gives the body another email address.
ALTER TABLE authorities ADD COLUMN email_failed_at TIMESTAMP;
ALTER TABLE authorities ADD COLUMN email_failure TEXT;
