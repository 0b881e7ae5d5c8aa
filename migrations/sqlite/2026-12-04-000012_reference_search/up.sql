-- Text search in references (`GET /api/v1/requests?q=`) looks for the text anywhere in our
-- reference or the body's, which no B-tree index answers: at 1,000,000 requests every search
-- read every row. A trigram index finds any substring of three characters or more from the
-- index alone (case-folded, as the search is). It reads its text from `requests` itself
-- (external content), and triggers keep it in step.
--
-- A later migration that rebuilds `requests` must recreate these triggers.
CREATE VIRTUAL TABLE requests_references USING fts5 (
    reference, body_reference,
    content = 'requests', content_rowid = 'id',
    tokenize = 'trigram'
);

CREATE TRIGGER requests_references_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_references (rowid, reference, body_reference)
    VALUES (new.id, new.reference, new.body_reference);
END;

CREATE TRIGGER requests_references_update AFTER UPDATE OF reference, body_reference ON requests BEGIN
    INSERT INTO requests_references (requests_references, rowid, reference, body_reference)
    VALUES ('delete', old.id, old.reference, old.body_reference);
    INSERT INTO requests_references (rowid, reference, body_reference)
    VALUES (new.id, new.reference, new.body_reference);
END;

CREATE TRIGGER requests_references_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_references (requests_references, rowid, reference, body_reference)
    VALUES ('delete', old.id, old.reference, old.body_reference);
END;

-- The requests stored before.
INSERT INTO requests_references (requests_references) VALUES ('rebuild');
