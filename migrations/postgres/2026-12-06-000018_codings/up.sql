-- Coding a campaign's replies (see src/domain/coding.rs and docs/coding.md).
--
-- A campaign's coding plan names the codebook version its coders use and how replies are
-- shared among them; `coding_coders` lists the coders in the order they were named, which the
-- seeded assignment depends on.
CREATE TABLE coding_plans (
    campaign_id BIGINT PRIMARY KEY NOT NULL REFERENCES campaigns (id),
    codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    double_percent INTEGER NOT NULL CHECK (double_percent BETWEEN 0 AND 100),
    seed BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE coding_coders (
    campaign_id BIGINT NOT NULL REFERENCES coding_plans (campaign_id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);

-- One coder's answer to one question about one request: codes (keys joined by ';'), a number
-- or text, exactly one of them. A coder answers a question once; `codebook_id` is the version
-- they answered with, kept when the plan moves to a newer one.
CREATE TABLE codings (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    codebook_id BIGINT NOT NULL REFERENCES codebooks (id),
    question TEXT NOT NULL,
    coder_id BIGINT NOT NULL REFERENCES users (id),
    codes TEXT,
    number DOUBLE PRECISION,
    text TEXT,
    evidence TEXT NOT NULL,
    memo TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK ((codes IS NOT NULL)::int + (number IS NOT NULL)::int + (text IS NOT NULL)::int = 1),
    UNIQUE (request_id, question, coder_id)
);
CREATE INDEX codings_by_campaign ON codings (campaign_id, request_id);
CREATE INDEX codings_by_coder ON codings (campaign_id, coder_id);
-- The report's response statistics read this index alone, grouped in its order.
CREATE INDEX requests_response_dates ON requests (campaign_id, regime, received_on, responded_on, due_on, sent_on);

-- An adjudicator's final answer where coders disagreed, with the reason; deciding again
-- replaces it.
CREATE TABLE adjudications (
    id BIGSERIAL PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    question TEXT NOT NULL,
    codes TEXT,
    number DOUBLE PRECISION,
    text TEXT,
    rationale TEXT NOT NULL,
    adjudicator_id BIGINT NOT NULL REFERENCES users (id),
    decided_at TIMESTAMP NOT NULL,
    CHECK ((codes IS NOT NULL)::int + (number IS NOT NULL)::int + (text IS NOT NULL)::int = 1),
    UNIQUE (request_id, question)
);

-- The final answers, rewritten for a (request, question) whenever one of its codings or its
-- adjudication is written, so that the report counts them in the database: one row per final
-- code (several for a multiple-choice answer), one holding the number, one with neither for
-- text, or one marked undecided where coders disagree and no one has adjudicated.
-- `applies` says whether the question applies to the request given the final answer to the
-- question its condition names (and is rewritten when that answer changes); `region` is the
-- body's region, kept in step when the register changes it. Both are copied here so that the
-- report reads its indexes alone, instead of joining every row to its body and its condition.
CREATE TABLE final_codes (
    id BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    request_id BIGINT NOT NULL REFERENCES requests (id),
    question TEXT NOT NULL,
    code TEXT,
    number DOUBLE PRECISION,
    undecided BOOLEAN NOT NULL,
    applies BOOLEAN NOT NULL,
    region TEXT
);
CREATE INDEX final_codes_by_question ON final_codes (campaign_id, question, applies, undecided, code, region, request_id);
CREATE INDEX final_codes_by_number ON final_codes (campaign_id, question, applies, undecided, number);
CREATE INDEX final_codes_by_request ON final_codes (request_id, question, applies, undecided, code);
