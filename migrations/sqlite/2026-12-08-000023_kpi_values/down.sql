BEGIN IMMEDIATE;
DROP TABLE kpi_targets;
DROP TABLE kpi_values;
DELETE FROM pending_imports WHERE kind = 'kpis';
CREATE TABLE new_pending_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    session_token_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CONSTRAINT pending_imports_kind_check CHECK (kind IN ('staff', 'cpd', 'supervision'))
);
INSERT INTO new_pending_imports (id, provider_id, session_token_sha256, kind, sha256, created_at, expires_at)
    SELECT id, provider_id, session_token_sha256, kind, sha256, created_at, expires_at FROM pending_imports;
DELETE FROM sqlite_sequence WHERE name = 'new_pending_imports';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_pending_imports', seq FROM sqlite_sequence WHERE name = 'pending_imports';
DROP TABLE pending_imports;
ALTER TABLE new_pending_imports RENAME TO pending_imports;
CREATE UNIQUE INDEX pending_imports_by_session ON pending_imports (session_token_sha256);
CREATE INDEX pending_imports_by_expiry ON pending_imports (expires_at);
CREATE INDEX pending_imports_by_file ON pending_imports (sha256);
COMMIT;
