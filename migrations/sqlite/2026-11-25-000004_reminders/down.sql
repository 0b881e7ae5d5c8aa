ALTER TABLE campaigns DROP COLUMN chase_after_working_days;
ALTER TABLE campaigns DROP COLUMN chasers_enabled;
DROP TABLE alerts;
DROP TABLE campaign_watchers;
