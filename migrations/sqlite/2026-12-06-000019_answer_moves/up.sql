-- Answers carried forward to a newer codebook version (src/service/codings/moves.rs): when a
-- campaign's plan moves to a version whose codes replace older ones (renamed or merged), each
-- answer that then fits is rewritten to the new codes and version, and the answer as it was is
-- kept here. `coder_id` is empty for an adjudicator's final answer. No foreign key names the
-- answer itself: deciding again replaces an adjudication, and the record must outlive it.
CREATE TABLE answer_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    question TEXT NOT NULL,
    coder_id BIGINT REFERENCES users (id),
    from_codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    to_codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    from_codes TEXT,
    to_codes TEXT,
    moved_by BIGINT NOT NULL REFERENCES users (id),
    moved_at TIMESTAMP NOT NULL
);
CREATE INDEX answer_moves_by_request ON answer_moves (request_id, question);
