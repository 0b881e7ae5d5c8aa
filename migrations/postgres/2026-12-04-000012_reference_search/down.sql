DROP INDEX requests_body_reference_trigrams;
DROP INDEX requests_reference_trigrams;
-- The extension stays: something else in the database may use it.
