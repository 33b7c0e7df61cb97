-- CSV imports previewed on the web and not yet confirmed. The file is kept in blobs by its SHA-256;
-- this row says whose preview it is (the SHA-256 of a random token kept in that browser's session)
-- and until when it may be confirmed. Confirming deletes the row in the import's transaction; the
-- sweep deletes expired rows, then the files nothing refers to any more, so names, emails and
-- registration numbers in a file nobody imported are not held past a day.
CREATE TABLE pending_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    session_token_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CONSTRAINT pending_imports_kind_check CHECK (kind IN ('staff', 'cpd', 'supervision'))
);
-- A session has one preview awaiting confirmation at a time: a new preview replaces it.
CREATE UNIQUE INDEX pending_imports_by_session ON pending_imports (session_token_sha256);
CREATE INDEX pending_imports_by_expiry ON pending_imports (expires_at);
-- The sweep looks for files still awaited.
CREATE INDEX pending_imports_by_file ON pending_imports (sha256);
-- The sweep asks of each stored file whether an evidence item holds it, and deleting a file makes
-- the database ask the same: without this index each question reads every item.
CREATE INDEX evidence_items_by_file ON evidence_items (blob_sha256);
