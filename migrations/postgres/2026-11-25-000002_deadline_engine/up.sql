-- The statutory deadline engine: the date of receipt and the pre-extension due date are kept on
-- each request, and bank holiday files imported at run time replace the bundled feed.
ALTER TABLE requests ADD COLUMN received_on DATE;
ALTER TABLE requests ADD COLUMN original_due_on DATE;
UPDATE requests SET received_on = sent_on;

CREATE TABLE holiday_files (
    id BIGSERIAL PRIMARY KEY,
    content TEXT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL
);
