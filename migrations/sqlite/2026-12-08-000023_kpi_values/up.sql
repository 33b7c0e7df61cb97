-- Quality indicators (issue 13): the values each provider records for the KPIs of
-- standards/kpis.toml, and the targets it sets for itself. The PostgreSQL migration of the same
-- name does the same.
--
-- A KPI file is previewed like the workforce files, so the list of what a pending import holds
-- gains 'kpis'. SQLite cannot change a constraint, so pending_imports is rebuilt as the closed-lists
-- migration does (nothing refers to it, so foreign keys may stay on); this migration runs outside
-- diesel's transaction (metadata.toml) and opens its own, like that one.
BEGIN IMMEDIATE;

CREATE TABLE new_pending_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    session_token_sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CONSTRAINT pending_imports_kind_check CHECK (kind IN ('staff', 'cpd', 'supervision', 'kpis'))
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

-- One recorded value of a quality indicator (issue 13): a provider's figure for one KPI over one
-- period, a calendar month or a quarter of three whole months. A rate keeps its numerator and
-- denominator beside the value, so the figure can be checked and summed; a figure in days, working
-- days, minutes or a score has neither. A period holds one value: recording it again replaces it,
-- and the history keeps the value before and after.
CREATE TABLE kpi_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    numerator INTEGER,
    denominator INTEGER,
    value DOUBLE NOT NULL,
    entered_at TIMESTAMP NOT NULL,
    entered_by INTEGER REFERENCES users (id),
    CONSTRAINT kpi_values_period_check CHECK (period_start < period_end),
    CONSTRAINT kpi_values_rate_check CHECK ((numerator IS NULL) = (denominator IS NULL)),
    CONSTRAINT kpi_values_numerator_check CHECK (denominator IS NULL OR (denominator > 0 AND numerator >= 0 AND numerator <= denominator)),
    CONSTRAINT kpi_values_value_check CHECK (value >= 0)
);
CREATE UNIQUE INDEX kpi_values_by_period ON kpi_values (provider_id, node_id, period_start, period_end);

-- A provider's own target for a KPI, in the KPI's unit, in place of the definition's default
-- target. Going back to the default deletes the row (the history keeps what it was).
CREATE TABLE kpi_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    target DOUBLE NOT NULL,
    set_at TIMESTAMP NOT NULL,
    set_by INTEGER REFERENCES users (id),
    CONSTRAINT kpi_targets_target_check CHECK (target >= 0)
);
CREATE UNIQUE INDEX kpi_targets_by_kpi ON kpi_targets (provider_id, node_id);

COMMIT;
