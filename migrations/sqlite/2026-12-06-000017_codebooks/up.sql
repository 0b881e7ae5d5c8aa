-- A workspace's codebooks. Each row is one version of one codebook, written once and never
-- changed: codings will name the version they were made with, so an old coding keeps its
-- meaning when the codebook moves on. `definition` is the codebook as JSON, checked before it
-- is stored (see src/domain/codebook).
CREATE TABLE codebooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    key TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (workspace_id, key, version)
);
