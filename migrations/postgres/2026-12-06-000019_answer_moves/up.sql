-- Answers as they were before a move changed them (src/service/codings/moves.rs). When a
-- campaign's plan moves to a version whose codes replace older ones (renamed or merged), each
-- answer whose codes that rewrites is kept here with its old codes; an answer the move left
-- behind and its coder then answered again is kept here whole (its number or text, evidence,
-- memo and time). `coder_id` is empty for an adjudicator's final answer. No foreign key names the
-- answer itself: deciding again replaces an adjudication, and the record must outlive it.
CREATE TABLE answer_moves (
    id BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    question TEXT NOT NULL,
    coder_id BIGINT REFERENCES users (id),
    from_codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    to_codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    from_codes TEXT,
    to_codes TEXT,
    from_number DOUBLE PRECISION,
    from_text TEXT,
    from_evidence TEXT,
    from_memo TEXT,
    answered_at TIMESTAMP,
    moved_by BIGINT NOT NULL REFERENCES users (id),
    moved_at TIMESTAMP NOT NULL
);
CREATE INDEX answer_moves_by_request ON answer_moves (request_id, question);
