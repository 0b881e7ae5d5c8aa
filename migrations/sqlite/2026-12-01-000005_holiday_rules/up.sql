-- The holiday rules each deadline was last worked out under: a fingerprint of the generator and
-- the bundled feed, one row per build that changed them. A database without a row predates this
-- table, so its open requests are worked out again once on the next start.
CREATE TABLE holiday_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    fingerprint TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL
);
