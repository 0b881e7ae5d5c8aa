DROP TRIGGER requests_references_delete;
DROP TRIGGER requests_references_update;
DROP TRIGGER requests_references_insert;
DROP TABLE requests_references;
