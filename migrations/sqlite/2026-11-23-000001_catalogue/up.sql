-- The reference catalogue: frameworks, core services, sub-specialisms, professions and KPIs.
CREATE TABLE catalogues (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT NOT NULL,
    note TEXT,
    replaces_code TEXT,
    source_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE catalogue_nodes (
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
    UNIQUE (catalogue_id, reference)
);
CREATE INDEX catalogue_nodes_parent ON catalogue_nodes (parent_id);

CREATE TABLE catalogue_replaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    replaced_node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    UNIQUE (node_id, replaced_node_id)
);

CREATE TABLE profession_rules (
    node_id INTEGER PRIMARY KEY REFERENCES catalogue_nodes (id),
    regulator TEXT NOT NULL,
    disciplines TEXT NOT NULL,
    registration_number_pattern TEXT,
    registration_number_example TEXT,
    registration_renewal_months INTEGER,
    registration_warning_days INTEGER,
    revalidation_months INTEGER,
    revalidation_warning_days INTEGER,
    appraisal_overdue_months INTEGER,
    cpd_cycle TEXT,
    cpd_unit TEXT,
    cpd_required DOUBLE,
    cpd_participatory_required DOUBLE,
    reflective_accounts_required INTEGER,
    practice_hours_required INTEGER,
    feedback_required INTEGER,
    cpd_periods INTEGER,
    cpd_period_months INTEGER,
    cpd_warning_days INTEGER,
    cpd_audit_sample_percent DOUBLE
);

CREATE TABLE kpi_definitions (
    node_id INTEGER PRIMARY KEY REFERENCES catalogue_nodes (id),
    unit TEXT NOT NULL,
    higher_is_better BOOLEAN NOT NULL,
    default_target DOUBLE NOT NULL,
    source TEXT NOT NULL
);
