-- Each evidence file once, by the SHA-256 of its content: a document linked to five standards, or
-- uploaded twice, is stored once, and every pack can state its hash.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- The evidence library. Every version of a document is a row; `series_id` is the id of its first
-- version, and a replaced version points at its successor through `superseded_by`.
CREATE TABLE evidence_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    series_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_user_id INTEGER REFERENCES users (id),
    blob_sha256 TEXT REFERENCES blobs (sha256),
    file_name TEXT,
    media_type TEXT,
    link_url TEXT,
    effective_on DATE,
    review_due DATE,
    contains_patient_data BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_at TIMESTAMP NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    superseded_by INTEGER REFERENCES evidence_items (id),
    superseded_at TIMESTAMP
);
CREATE INDEX evidence_items_by_provider ON evidence_items (provider_id, superseded_by);
CREATE INDEX evidence_items_by_series ON evidence_items (series_id);

-- What each document is evidence for: standards now, core services and sub-specialisms later.
-- Links belong to the series, so a new version keeps them.
CREATE TABLE evidence_links (
    series_id INTEGER NOT NULL REFERENCES evidence_items (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    PRIMARY KEY (series_id, node_id)
);
CREATE INDEX evidence_links_by_node ON evidence_links (node_id);

-- Where each provider stands on the SEQOHS pathway, with the date of each step reached.
CREATE TABLE accreditations (
    provider_id INTEGER PRIMARY KEY NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL,
    status_on DATE,
    registered_on DATE,
    self_assessment_completed_on DATE,
    evidence_submitted_on DATE,
    visit_on DATE,
    accredited_on DATE,
    deferred_actions TEXT,
    deferred_due DATE,
    updated_at TIMESTAMP NOT NULL
);

-- A round of self-assessment against one framework: the initial one, each annual renewal and each
-- reaccreditation. The provider's newest cycle is the one being worked on.
CREATE TABLE assessment_cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    catalogue_id INTEGER NOT NULL REFERENCES catalogues (id),
    kind TEXT NOT NULL,
    started_on DATE NOT NULL,
    previous_cycle_id INTEGER REFERENCES assessment_cycles (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_cycles_by_provider ON assessment_cycles (provider_id);

-- The self-assessment of one standard in one cycle. No row means "to do, not assessed".
CREATE TABLE standard_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id INTEGER NOT NULL REFERENCES assessment_cycles (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    workflow TEXT NOT NULL,
    result TEXT NOT NULL,
    not_applicable_reason TEXT,
    owner_user_id INTEGER REFERENCES users (id),
    target_on DATE,
    narrative TEXT NOT NULL,
    carried_over BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX standard_assessments_by_cycle ON standard_assessments (cycle_id, node_id);

-- Findings of an internal audit or an external assessment, in the assessors' grading.
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    grade TEXT NOT NULL,
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    action_needed TEXT NOT NULL,
    raised_on DATE NOT NULL,
    raised_by INTEGER REFERENCES users (id),
    closed_on DATE,
    closed_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX findings_by_provider ON findings (provider_id, closed_on);

-- An assessor's request for evidence, and the service's answer.
CREATE TABLE assessor_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER REFERENCES catalogue_nodes (id),
    request_text TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_by INTEGER REFERENCES users (id),
    raised_at TIMESTAMP NOT NULL,
    answer_text TEXT,
    answered_by INTEGER REFERENCES users (id),
    answered_at TIMESTAMP,
    decision_comment TEXT,
    decided_by INTEGER REFERENCES users (id),
    decided_at TIMESTAMP
);
CREATE INDEX assessor_requests_by_provider ON assessor_requests (provider_id, status);

CREATE TABLE assessor_request_evidence (
    request_id INTEGER NOT NULL REFERENCES assessor_requests (id),
    evidence_id INTEGER NOT NULL REFERENCES evidence_items (id),
    PRIMARY KEY (request_id, evidence_id)
);
