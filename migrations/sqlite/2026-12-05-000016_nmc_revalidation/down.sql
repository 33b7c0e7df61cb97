-- Drops the revalidation records and the withdrawal columns. SQLite cannot drop a column that is in
-- a foreign key or a CHECK, so cpd_records and supervision_sessions are rebuilt as they were before
-- (the procedure of 2026-12-01-000009_closed_lists). The split of reflective records made by up.sql
-- is not undone: both halves stay, as up.sql left them.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

DROP TABLE nmc_revalidations;

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
CREATE TEMP TABLE nmc_revalidation_foreign_key_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO nmc_revalidation_foreign_key_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE nmc_revalidation_foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
