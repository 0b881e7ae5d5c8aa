ALTER TABLE authorities DROP COLUMN email_failure;
ALTER TABLE authorities DROP COLUMN email_failed_at;
