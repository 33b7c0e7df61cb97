-- A provider's people: who they are, how they are registered, and the dates their compliance turns
-- on. Matched by staff number (the ESR assignment number where there is one) on re-import.
CREATE TABLE staff (
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
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_by_number ON staff (provider_id, staff_number);

-- Continuing professional development: hours (or credits) with what the regulators count.
CREATE TABLE cpd_records (
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
    created_by INTEGER REFERENCES users (id)
);
CREATE INDEX cpd_records_by_staff ON cpd_records (staff_id, activity_date);

-- Clinical supervision sessions, with the cases escalated by destination.
CREATE TABLE supervision_sessions (
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
    created_by INTEGER REFERENCES users (id)
);
CREATE INDEX supervision_sessions_by_provider ON supervision_sessions (provider_id, session_date);

CREATE TABLE supervision_attendees (
    session_id INTEGER NOT NULL REFERENCES supervision_sessions (id),
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    PRIMARY KEY (session_id, staff_id)
);
CREATE INDEX supervision_attendees_by_staff ON supervision_attendees (staff_id);
