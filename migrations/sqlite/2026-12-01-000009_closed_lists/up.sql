-- A CHECK constraint on every column that holds a code from a closed list (the vocabularies in
-- src/), so a value outside the list is refused by the database itself, not only by the forms.
-- The PostgreSQL migration of the same name adds the same constraints, with the same names.
--
-- SQLite cannot add a constraint to a table, so each table is rebuilt as SQLite documents
-- (https://www.sqlite.org/lang_altertable.html#otheralter): a new table with the same columns in the
-- same order plus the constraints, the rows copied, the old table dropped, the new one renamed, and
-- its indexes made again. AUTOINCREMENT counters are carried over, so no id is ever reused.
--
-- Foreign keys must be off while a parent table is dropped, and that pragma does nothing inside a
-- transaction, so this migration runs outside diesel's transaction (metadata.toml) and opens its own.
-- Before committing it proves that no foreign key is broken: a violation fails the CHECK of the
-- temporary table below and the migration stops, leaving the transaction uncommitted.
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
    CONSTRAINT catalogues_kind_check CHECK (kind IN ('framework', 'core_services', 'subspecialisms', 'professions', 'kpis'))
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
    CONSTRAINT catalogue_nodes_kind_check CHECK (kind IN ('domain', 'standard', 'criterion', 'core_service', 'subspecialism', 'profession', 'kpi_group', 'kpi')),
    CONSTRAINT catalogue_nodes_level_check CHECK (level IN ('must', 'should'))
);
INSERT INTO new_catalogue_nodes (id, catalogue_id, reference, parent_id, kind, level, position, title, guidance, expected_evidence, retired)
    SELECT id, catalogue_id, reference, parent_id, kind, level, position, title, guidance, expected_evidence, retired FROM catalogue_nodes;
DELETE FROM sqlite_sequence WHERE name = 'new_catalogue_nodes';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_catalogue_nodes', seq FROM sqlite_sequence WHERE name = 'catalogue_nodes';
DROP TABLE catalogue_nodes;
ALTER TABLE new_catalogue_nodes RENAME TO catalogue_nodes;
CREATE INDEX catalogue_nodes_parent ON catalogue_nodes (parent_id);

-- profession_rules
CREATE TABLE new_profession_rules (
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
    cpd_audit_sample_percent DOUBLE,
    CONSTRAINT profession_rules_regulator_check CHECK (regulator IN ('GMC', 'NMC', 'HCPC', 'none')),
    CONSTRAINT profession_rules_cpd_cycle_check CHECK (cpd_cycle IN ('cpd_year', 'revalidation', 'rolling_periods')),
    CONSTRAINT profession_rules_cpd_unit_check CHECK (cpd_unit IN ('credits', 'hours', 'activities'))
);
INSERT INTO new_profession_rules (node_id, regulator, disciplines, registration_number_pattern, registration_number_example, registration_renewal_months, registration_warning_days, revalidation_months, revalidation_warning_days, appraisal_overdue_months, cpd_cycle, cpd_unit, cpd_required, cpd_participatory_required, reflective_accounts_required, practice_hours_required, feedback_required, cpd_periods, cpd_period_months, cpd_warning_days, cpd_audit_sample_percent)
    SELECT node_id, regulator, disciplines, registration_number_pattern, registration_number_example, registration_renewal_months, registration_warning_days, revalidation_months, revalidation_warning_days, appraisal_overdue_months, cpd_cycle, cpd_unit, cpd_required, cpd_participatory_required, reflective_accounts_required, practice_hours_required, feedback_required, cpd_periods, cpd_period_months, cpd_warning_days, cpd_audit_sample_percent FROM profession_rules;
DROP TABLE profession_rules;
ALTER TABLE new_profession_rules RENAME TO profession_rules;

-- kpi_definitions
CREATE TABLE new_kpi_definitions (
    node_id INTEGER PRIMARY KEY REFERENCES catalogue_nodes (id),
    unit TEXT NOT NULL,
    higher_is_better BOOLEAN NOT NULL,
    default_target DOUBLE NOT NULL,
    source TEXT NOT NULL,
    CONSTRAINT kpi_definitions_unit_check CHECK (unit IN ('working_days', 'days', 'minutes', 'percent', 'score')),
    CONSTRAINT kpi_definitions_source_check CHECK (source IN ('MoHaWK', 'service'))
);
INSERT INTO new_kpi_definitions (node_id, unit, higher_is_better, default_target, source)
    SELECT node_id, unit, higher_is_better, default_target, source FROM kpi_definitions;
DROP TABLE kpi_definitions;
ALTER TABLE new_kpi_definitions RENAME TO kpi_definitions;

-- organisations
CREATE TABLE new_organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    organisation_type TEXT,
    sites INTEGER,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT organisations_kind_check CHECK (kind IN ('provider', 'commissioner')),
    CONSTRAINT organisations_organisation_type_check CHECK (organisation_type IS NULL
        OR (kind = 'provider' AND organisation_type IN ('nhs_in_house', 'nhs_hosting', 'independent'))
        OR (kind = 'commissioner' AND organisation_type IN ('nhs_trust', 'icb', 'other_employer')))
);
INSERT INTO new_organisations (id, kind, name, code, organisation_type, sites, created_at)
    SELECT id, kind, name, code, organisation_type, sites, created_at FROM organisations;
DELETE FROM sqlite_sequence WHERE name = 'new_organisations';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_organisations', seq FROM sqlite_sequence WHERE name = 'organisations';
DROP TABLE organisations;
ALTER TABLE new_organisations RENAME TO organisations;
CREATE INDEX organisations_by_kind ON organisations (kind, name);

-- memberships
CREATE TABLE new_memberships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    -- Assessors' access ends on this day; None for everyone else.
    expires_on DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, organisation_id, role),
    CONSTRAINT memberships_role_check CHECK (role IN ('manager', 'clinical_director', 'clinician', 'viewer', 'commissioner', 'assessor'))
);
INSERT INTO new_memberships (id, user_id, organisation_id, role, expires_on, created_at)
    SELECT id, user_id, organisation_id, role, expires_on, created_at FROM memberships;
DELETE FROM sqlite_sequence WHERE name = 'new_memberships';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_memberships', seq FROM sqlite_sequence WHERE name = 'memberships';
DROP TABLE memberships;
ALTER TABLE new_memberships RENAME TO memberships;
CREATE INDEX memberships_by_organisation ON memberships (organisation_id);

-- evidence_items
CREATE TABLE new_evidence_items (
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
    superseded_at TIMESTAMP,
    CONSTRAINT evidence_items_kind_check CHECK (kind IN ('file', 'link', 'note'))
);
INSERT INTO new_evidence_items (id, provider_id, series_id, version, kind, title, description, owner_user_id, blob_sha256, file_name, media_type, link_url, effective_on, review_due, contains_patient_data, uploaded_at, uploaded_by, superseded_by, superseded_at)
    SELECT id, provider_id, series_id, version, kind, title, description, owner_user_id, blob_sha256, file_name, media_type, link_url, effective_on, review_due, contains_patient_data, uploaded_at, uploaded_by, superseded_by, superseded_at FROM evidence_items;
DELETE FROM sqlite_sequence WHERE name = 'new_evidence_items';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_evidence_items', seq FROM sqlite_sequence WHERE name = 'evidence_items';
DROP TABLE evidence_items;
ALTER TABLE new_evidence_items RENAME TO evidence_items;
CREATE INDEX evidence_items_by_provider ON evidence_items (provider_id, superseded_by);
CREATE INDEX evidence_items_by_series ON evidence_items (series_id);

-- accreditations
CREATE TABLE new_accreditations (
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
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT accreditations_status_check CHECK (status IN ('not_registered', 'working_towards', 'self_assessment_complete', 'evidence_submitted', 'visit_booked', 'accredited', 'deferred', 'unsuccessful', 'lapsed'))
);
INSERT INTO new_accreditations (provider_id, status, status_on, registered_on, self_assessment_completed_on, evidence_submitted_on, visit_on, accredited_on, deferred_actions, deferred_due, updated_at)
    SELECT provider_id, status, status_on, registered_on, self_assessment_completed_on, evidence_submitted_on, visit_on, accredited_on, deferred_actions, deferred_due, updated_at FROM accreditations;
DROP TABLE accreditations;
ALTER TABLE new_accreditations RENAME TO accreditations;

-- assessment_cycles
CREATE TABLE new_assessment_cycles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    catalogue_id INTEGER NOT NULL REFERENCES catalogues (id),
    kind TEXT NOT NULL,
    started_on DATE NOT NULL,
    previous_cycle_id INTEGER REFERENCES assessment_cycles (id),
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT assessment_cycles_kind_check CHECK (kind IN ('initial', 'annual_renewal', 'reaccreditation'))
);
INSERT INTO new_assessment_cycles (id, provider_id, catalogue_id, kind, started_on, previous_cycle_id, created_at)
    SELECT id, provider_id, catalogue_id, kind, started_on, previous_cycle_id, created_at FROM assessment_cycles;
DELETE FROM sqlite_sequence WHERE name = 'new_assessment_cycles';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_assessment_cycles', seq FROM sqlite_sequence WHERE name = 'assessment_cycles';
DROP TABLE assessment_cycles;
ALTER TABLE new_assessment_cycles RENAME TO assessment_cycles;
CREATE INDEX assessment_cycles_by_provider ON assessment_cycles (provider_id);

-- standard_assessments
CREATE TABLE new_standard_assessments (
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
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT standard_assessments_workflow_check CHECK (workflow IN ('to_do', 'in_progress', 'in_review', 'done')),
    CONSTRAINT standard_assessments_result_check CHECK (result IN ('not_assessed', 'met', 'partly_met', 'not_met', 'not_applicable'))
);
INSERT INTO new_standard_assessments (id, cycle_id, node_id, workflow, result, not_applicable_reason, owner_user_id, target_on, narrative, carried_over, updated_at, updated_by)
    SELECT id, cycle_id, node_id, workflow, result, not_applicable_reason, owner_user_id, target_on, narrative, carried_over, updated_at, updated_by FROM standard_assessments;
DELETE FROM sqlite_sequence WHERE name = 'new_standard_assessments';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_standard_assessments', seq FROM sqlite_sequence WHERE name = 'standard_assessments';
DROP TABLE standard_assessments;
ALTER TABLE new_standard_assessments RENAME TO standard_assessments;
CREATE UNIQUE INDEX standard_assessments_by_cycle ON standard_assessments (cycle_id, node_id);

-- findings
CREATE TABLE new_findings (
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
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT findings_grade_check CHECK (grade IN ('major_nonconformity', 'minor_nonconformity', 'observation', 'opportunity_for_improvement', 'good_practice')),
    CONSTRAINT findings_source_check CHECK (source IN ('internal_audit', 'external_assessment'))
);
INSERT INTO new_findings (id, provider_id, node_id, grade, source, description, action_needed, raised_on, raised_by, closed_on, closed_by, created_at)
    SELECT id, provider_id, node_id, grade, source, description, action_needed, raised_on, raised_by, closed_on, closed_by, created_at FROM findings;
DELETE FROM sqlite_sequence WHERE name = 'new_findings';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_findings', seq FROM sqlite_sequence WHERE name = 'findings';
DROP TABLE findings;
ALTER TABLE new_findings RENAME TO findings;
CREATE INDEX findings_by_provider ON findings (provider_id, closed_on);

-- assessor_requests
CREATE TABLE new_assessor_requests (
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
    decided_at TIMESTAMP,
    CONSTRAINT assessor_requests_status_check CHECK (status IN ('open', 'answered', 'accepted', 'returned'))
);
INSERT INTO new_assessor_requests (id, provider_id, node_id, request_text, status, raised_by, raised_at, answer_text, answered_by, answered_at, decision_comment, decided_by, decided_at)
    SELECT id, provider_id, node_id, request_text, status, raised_by, raised_at, answer_text, answered_by, answered_at, decision_comment, decided_by, decided_at FROM assessor_requests;
DELETE FROM sqlite_sequence WHERE name = 'new_assessor_requests';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_assessor_requests', seq FROM sqlite_sequence WHERE name = 'assessor_requests';
DROP TABLE assessor_requests;
ALTER TABLE new_assessor_requests RENAME TO assessor_requests;
CREATE INDEX assessor_requests_by_provider ON assessor_requests (provider_id, status);

-- service_coverage
CREATE TABLE new_service_coverage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    delivery TEXT NOT NULL,
    partner_name TEXT,
    agreement_reference TEXT,
    partner_contact TEXT,
    starts_on DATE,
    ends_on DATE,
    included TEXT,
    excluded TEXT,
    lead_name TEXT,
    notes TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT service_coverage_delivery_check CHECK (delivery IN ('in_house', 'arrangement', 'partial', 'not_available'))
);
INSERT INTO new_service_coverage (id, provider_id, node_id, delivery, partner_name, agreement_reference, partner_contact, starts_on, ends_on, included, excluded, lead_name, notes, updated_at, updated_by)
    SELECT id, provider_id, node_id, delivery, partner_name, agreement_reference, partner_contact, starts_on, ends_on, included, excluded, lead_name, notes, updated_at, updated_by FROM service_coverage;
DELETE FROM sqlite_sequence WHERE name = 'new_service_coverage';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_service_coverage', seq FROM sqlite_sequence WHERE name = 'service_coverage';
DROP TABLE service_coverage;
ALTER TABLE new_service_coverage RENAME TO service_coverage;
CREATE UNIQUE INDEX service_coverage_by_provider ON service_coverage (provider_id, node_id);

-- staff
CREATE TABLE new_staff (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    staff_number TEXT NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT,
    discipline TEXT NOT NULL,
    tier TEXT NOT NULL,
    tier_overridden BOOLEAN NOT NULL DEFAULT FALSE,
    regulator TEXT NOT NULL,
    registration_number TEXT,
    registration_renewal DATE,
    revalidation_due DATE,
    specialist_route TEXT,
    last_appraisal DATE,
    responsible_officer TEXT,
    practice_teacher BOOLEAN NOT NULL DEFAULT FALSE,
    start_date DATE,
    leaving_date DATE,
    fte DOUBLE,
    user_id INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT staff_discipline_check CHECK (discipline IN ('consultant_occupational_physician', 'occupational_physician', 'specialty_registrar', 'oh_nurse_scphn', 'oh_nurse', 'oh_technician', 'physiotherapist', 'psychologist', 'other_ahp', 'non_clinical_case_worker', 'administrator')),
    CONSTRAINT staff_tier_check CHECK (tier IN ('specialist', 'clinical', 'non_clinical')),
    CONSTRAINT staff_regulator_check CHECK (regulator IN ('gmc', 'nmc', 'hcpc', 'none')),
    CONSTRAINT staff_specialist_route_check CHECK (specialist_route IN ('specialist_register', 'cct', 'cesr'))
);
INSERT INTO new_staff (id, provider_id, staff_number, full_name, email, discipline, tier, tier_overridden, regulator, registration_number, registration_renewal, revalidation_due, specialist_route, last_appraisal, responsible_officer, practice_teacher, start_date, leaving_date, fte, user_id, created_at, updated_at)
    SELECT id, provider_id, staff_number, full_name, email, discipline, tier, tier_overridden, regulator, registration_number, registration_renewal, revalidation_due, specialist_route, last_appraisal, responsible_officer, practice_teacher, start_date, leaving_date, fte, user_id, created_at, updated_at FROM staff;
DELETE FROM sqlite_sequence WHERE name = 'new_staff';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_staff', seq FROM sqlite_sequence WHERE name = 'staff';
DROP TABLE staff;
ALTER TABLE new_staff RENAME TO staff;
CREATE UNIQUE INDEX staff_by_number ON staff (provider_id, staff_number);

-- cpd_records
CREATE TABLE new_cpd_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    activity_date DATE NOT NULL,
    title TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    hours DOUBLE NOT NULL,
    participatory BOOLEAN NOT NULL,
    reflective BOOLEAN NOT NULL,
    evidence_id INTEGER REFERENCES evidence_items (id),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    CONSTRAINT cpd_records_activity_type_check CHECK (activity_type IN ('course', 'conference', 'e_learning', 'peer_discussion', 'audit', 'teaching', 'reading', 'other'))
);
INSERT INTO new_cpd_records (id, staff_id, activity_date, title, activity_type, hours, participatory, reflective, evidence_id, created_at, created_by)
    SELECT id, staff_id, activity_date, title, activity_type, hours, participatory, reflective, evidence_id, created_at, created_by FROM cpd_records;
DELETE FROM sqlite_sequence WHERE name = 'new_cpd_records';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_cpd_records', seq FROM sqlite_sequence WHERE name = 'cpd_records';
DROP TABLE cpd_records;
ALTER TABLE new_cpd_records RENAME TO cpd_records;
CREATE INDEX cpd_records_by_staff ON cpd_records (staff_id, activity_date);

-- supervision_sessions
CREATE TABLE new_supervision_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    session_date DATE NOT NULL,
    kind TEXT NOT NULL,
    supervisor_id INTEGER NOT NULL REFERENCES staff (id),
    minutes TEXT NOT NULL,
    cases_discussed INTEGER NOT NULL,
    escalated_gp INTEGER NOT NULL,
    escalated_clinical INTEGER NOT NULL,
    escalated_specialist INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    CONSTRAINT supervision_sessions_kind_check CHECK (kind IN ('individual', 'group', 'case_review'))
);
INSERT INTO new_supervision_sessions (id, provider_id, session_date, kind, supervisor_id, minutes, cases_discussed, escalated_gp, escalated_clinical, escalated_specialist, created_at, created_by)
    SELECT id, provider_id, session_date, kind, supervisor_id, minutes, cases_discussed, escalated_gp, escalated_clinical, escalated_specialist, created_at, created_by FROM supervision_sessions;
DELETE FROM sqlite_sequence WHERE name = 'new_supervision_sessions';
INSERT INTO sqlite_sequence (name, seq) SELECT 'new_supervision_sessions', seq FROM sqlite_sequence WHERE name = 'supervision_sessions';
DROP TABLE supervision_sessions;
ALTER TABLE new_supervision_sessions RENAME TO supervision_sessions;
CREATE INDEX supervision_sessions_by_provider ON supervision_sessions (provider_id, session_date);

-- PRAGMA foreign_key_check only reports; counting its rows into a checked table makes it fail.
CREATE TEMP TABLE closed_lists_foreign_key_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO closed_lists_foreign_key_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE closed_lists_foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
