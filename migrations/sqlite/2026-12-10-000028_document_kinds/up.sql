-- The catalogue's list of document kinds (standards/document-kinds.toml): the plans and processes
-- commissioners ask a provider for by name. A catalogue's kind and a node's kind are closed lists,
-- so both CHECK constraints are widened. The PostgreSQL migration of the same name does the same.
--
-- SQLite cannot alter a constraint, so the two tables are rebuilt as 2026-12-01-000009_closed_lists
-- did (see there): new table, rows copied with their ids and AUTOINCREMENT counters, old one dropped,
-- new one renamed, indexes made again, foreign keys proved intact before committing.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

-- catalogues
CREATE TABLE new_catalogues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    note TEXT,
    replaces_code TEXT,
    source_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    CONSTRAINT catalogues_kind_check CHECK (kind IN ('framework', 'core_services', 'subspecialisms', 'professions', 'kpis', 'document_kinds'))
);
INSERT INTO new_catalogues (id, code, kind, title, version, note, replaces_code, source_name, content_sha256, loaded_at)
    SELECT id, code, kind, title, version, note, replaces_code, source_name, content_sha256, loaded_at FROM catalogues;
DELETE FROM sqlite_sequence WHERE name = 'new_catalogues';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_catalogues', seq FROM sqlite_sequence WHERE name = 'catalogues';
DROP TABLE catalogues;
ALTER TABLE new_catalogues RENAME TO catalogues;

-- catalogue_nodes
CREATE TABLE new_catalogue_nodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    catalogue_id INTEGER NOT NULL REFERENCES catalogues (id),
    reference TEXT NOT NULL,
    parent_id INTEGER REFERENCES catalogue_nodes (id),
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    guidance TEXT NOT NULL,
    expected_evidence TEXT NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT 0,
    UNIQUE (catalogue_id, reference),
    CONSTRAINT catalogue_nodes_kind_check CHECK (kind IN ('domain', 'standard', 'criterion', 'core_service', 'subspecialism', 'profession', 'kpi_group', 'kpi', 'document_kind')),
    CONSTRAINT catalogue_nodes_level_check CHECK (level IN ('must', 'should'))
);
INSERT INTO new_catalogue_nodes (id, catalogue_id, reference, parent_id, kind, level, position, title, guidance, expected_evidence, retired)
    SELECT id, catalogue_id, reference, parent_id, kind, level, position, title, guidance, expected_evidence, retired FROM catalogue_nodes;
DELETE FROM sqlite_sequence WHERE name = 'new_catalogue_nodes';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_catalogue_nodes', seq FROM sqlite_sequence WHERE name = 'catalogue_nodes';
DROP TABLE catalogue_nodes;
ALTER TABLE new_catalogue_nodes RENAME TO catalogue_nodes;
CREATE INDEX catalogue_nodes_parent ON catalogue_nodes (parent_id);

-- PRAGMA foreign_key_check only reports; counting its rows into a checked table makes it fail.
CREATE TEMP TABLE document_kinds_foreign_key_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO document_kinds_foreign_key_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE document_kinds_foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
