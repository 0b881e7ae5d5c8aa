-- Full-text search over incoming mail: a message's subject and text, an attachment's name and
-- extracted text, as English words (stemmed: "trained" finds "training"), with a GIN index.
-- The subject and file name weigh more than the text. Only the first 100,000 characters of a
-- text, 2,000 of a subject and 1,000 of a file name are indexed: a tsvector holds at most 1 MB,
-- and a hostile message must still be stored, not refused. SQLite indexes the same parts.
--
-- The configuration is PostgreSQL's English one with no stop words, as SQLite's index has
-- none: in FOI replies the little words matter ("not held", "we do not have").
CREATE TEXT SEARCH DICTIONARY foitrack_english_stem (TEMPLATE = snowball, LANGUAGE = english);
CREATE TEXT SEARCH CONFIGURATION foitrack_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION foitrack_english
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH foitrack_english_stem;

ALTER TABLE inbound_messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('foitrack_english', left(subject, 2000)), 'A')
    || setweight(to_tsvector('foitrack_english', left(body_text, 100000)), 'B')
) STORED;
CREATE INDEX inbound_messages_search ON inbound_messages USING gin (search);

ALTER TABLE inbound_attachments ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('foitrack_english', left(coalesce(filename, ''), 1000)), 'A')
    || setweight(to_tsvector('foitrack_english', left(coalesce(extracted_text, ''), 100000)), 'B')
) STORED;
CREATE INDEX inbound_attachments_search ON inbound_attachments USING gin (search);
