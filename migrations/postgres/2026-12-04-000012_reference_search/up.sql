-- Text search in references (`GET /api/v1/requests?q=`) looks for the text anywhere in our
-- reference or the body's, which no B-tree index answers: at 1,000,000 requests every search
-- read every row. Trigram indexes answer `LIKE '%…%'` for three characters or more. They index
-- exactly the expressions the search compares: our reference, stored in capitals, and the
-- lower-cased body reference.
--
-- pg_trgm ships with PostgreSQL (the contrib modules) and is a trusted extension, so the
-- database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX requests_reference_trigrams ON requests USING gin (reference gin_trgm_ops);
CREATE INDEX requests_body_reference_trigrams ON requests USING gin (lower(body_reference) gin_trgm_ops);
