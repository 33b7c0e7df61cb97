-- Issue 19: column mappings a manager makes once and ohgov remembers, per provider and kind of
-- file. The fingerprint is the file's headers (trimmed, lower case, sorted, one a line): the next
-- file with the same headers is read with the mapping without asking. The mapping itself is a JSON
-- document of workforce::mapping::ColumnMapping; the headers as written are kept to show. The
-- PostgreSQL migration of the same name does the same.
CREATE TABLE import_mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    headers TEXT NOT NULL,
    mapping TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT import_mappings_kind_check CHECK (kind IN ('staff', 'cpd', 'supervision', 'kpis'))
);
CREATE UNIQUE INDEX import_mappings_by_name ON import_mappings (provider_id, kind, name);
CREATE UNIQUE INDEX import_mappings_by_headers ON import_mappings (provider_id, kind, fingerprint);
