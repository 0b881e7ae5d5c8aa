DROP TABLE holiday_files;
ALTER TABLE requests DROP COLUMN original_due_on;
ALTER TABLE requests DROP COLUMN received_on;
