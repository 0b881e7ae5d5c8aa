DROP TABLE alerts;
DROP TABLE campaign_watchers;
