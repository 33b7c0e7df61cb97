-- The documents (issue 14): the annual quality report's own words and its approved versions, and
-- whether a provider shares its evidence pack with its commissioners. The PostgreSQL migration of the
-- same name does the same.

-- One provider's annual quality report for one financial year (year_start 2025 is 2025-26): the
-- parts the manager writes. The figures are read from the other areas when the report is drawn.
CREATE TABLE quality_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    year_start INTEGER NOT NULL,
    pledge_narrative TEXT NOT NULL DEFAULT '',
    research_this_year TEXT NOT NULL DEFAULT '',
    research_next_year TEXT NOT NULL DEFAULT '',
    plans_next_year TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT quality_reports_year_start_check CHECK (year_start >= 1900 AND year_start <= 2100)
);
CREATE UNIQUE INDEX quality_reports_by_year ON quality_reports (provider_id, year_start);

-- A report a clinical director approved: the PDF as it was then, frozen in blobs with its hash, so
-- it downloads unchanged whatever changes later. Approving again makes the next version.
CREATE TABLE quality_report_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES quality_reports (id),
    version INTEGER NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    file_name TEXT NOT NULL,
    approved_at TIMESTAMP NOT NULL,
    approved_by INTEGER NOT NULL REFERENCES users (id),
    CONSTRAINT quality_report_versions_version_check CHECK (version >= 1)
);
CREATE UNIQUE INDEX quality_report_versions_by_version ON quality_report_versions (report_id, version);

-- What a provider lets its commissioners download. No row: the pack is not shared.
CREATE TABLE document_settings (
    provider_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    pack_shared_with_commissioners BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
