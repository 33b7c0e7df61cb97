-- The annual audit programme (issue 13): plans by NHS financial year, their audits, criteria and
-- results, the actions they lead to, progress reports and the clinical director's sign-offs.
-- The PostgreSQL migration of the same name does the same.

-- One plan per provider per NHS financial year (year_start 2026 is 2026/27). Its state is where it
-- stands with the clinical director; "changed since sign-off" is not stored but found by comparing
-- the plan as it is with the newest signed snapshot.
CREATE TABLE audit_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    year_start INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft',
    submitted_at TIMESTAMP,
    submitted_by INTEGER REFERENCES users (id),
    returned_at TIMESTAMP,
    returned_by INTEGER REFERENCES users (id),
    return_comment TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    CONSTRAINT audit_plans_state_check CHECK (state IN ('draft', 'submitted', 'returned', 'signed_off')),
    CONSTRAINT audit_plans_year_check CHECK (year_start >= 1900 AND year_start <= 2100),
    CONSTRAINT audit_plans_return_check CHECK ((returned_at IS NULL) = (return_comment IS NULL))
);
CREATE UNIQUE INDEX audit_plans_by_year ON audit_plans (provider_id, year_start);

-- An audit in a plan. A deferred or cancelled audit carries its reason; a re-audit names the audit
-- it repeats, and an audit is re-audited once.
CREATE TABLE audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES audit_plans (id),
    title TEXT NOT NULL,
    audit_type TEXT NOT NULL,
    service_node_id INTEGER REFERENCES catalogue_nodes (id),
    lead_staff_id INTEGER REFERENCES staff (id),
    planned_quarter INTEGER NOT NULL,
    method TEXT NOT NULL,
    sample_size INTEGER,
    status TEXT NOT NULL DEFAULT 'planned',
    status_reason TEXT,
    started_on DATE,
    completed_on DATE,
    findings TEXT,
    reaudit_of INTEGER REFERENCES audits (id),
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT audits_audit_type_check CHECK (audit_type IN ('local_clinical', 'national_benchmarking', 'seqohs_internal', 'record_keeping', 'report_quality', 'other')),
    CONSTRAINT audits_status_check CHECK (status IN ('planned', 'in_progress', 'completed', 'deferred', 'cancelled')),
    CONSTRAINT audits_status_reason_check CHECK ((status IN ('deferred', 'cancelled')) = (status_reason IS NOT NULL)),
    CONSTRAINT audits_planned_quarter_check CHECK (planned_quarter >= 1 AND planned_quarter <= 4),
    CONSTRAINT audits_sample_size_check CHECK (sample_size IS NULL OR sample_size > 0),
    CONSTRAINT audits_completed_check CHECK (completed_on IS NULL OR started_on IS NULL OR started_on <= completed_on)
);
CREATE INDEX audits_by_plan ON audits (plan_id);
CREATE UNIQUE INDEX audits_by_reaudit_of ON audits (reaudit_of);

-- The standards an audit addresses (catalogue references).
CREATE TABLE audit_standards (
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    PRIMARY KEY (audit_id, node_id)
);

-- What an audit measures, with its target, and once audited the cases that met it of those checked.
CREATE TABLE audit_criteria (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    target_percent DOUBLE NOT NULL,
    cases_met INTEGER,
    cases_checked INTEGER,
    CONSTRAINT audit_criteria_target_check CHECK (target_percent >= 0 AND target_percent <= 100),
    CONSTRAINT audit_criteria_result_check CHECK ((cases_met IS NULL) = (cases_checked IS NULL)),
    CONSTRAINT audit_criteria_cases_check CHECK (cases_checked IS NULL OR (cases_checked > 0 AND cases_met >= 0 AND cases_met <= cases_checked))
);
CREATE UNIQUE INDEX audit_criteria_by_position ON audit_criteria (audit_id, position);

-- What an audit led to: owned by someone who can sign in, open until done or dropped (with a reason).
CREATE TABLE audit_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    description TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    due_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    closed_on DATE,
    completion_note TEXT,
    drop_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT audit_actions_status_check CHECK (status IN ('open', 'done', 'dropped')),
    CONSTRAINT audit_actions_closed_check CHECK ((status = 'open') = (closed_on IS NULL)),
    CONSTRAINT audit_actions_drop_reason_check CHECK ((status = 'dropped') = (drop_reason IS NOT NULL))
);
CREATE INDEX audit_actions_by_audit ON audit_actions (audit_id);
CREATE INDEX audit_actions_by_owner ON audit_actions (owner_id, status, due_on);

-- A periodic progress report on a plan: a date and a summary; what changed since the report before
-- is worked out from the records, never typed.
CREATE TABLE audit_progress_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES audit_plans (id),
    report_date DATE NOT NULL,
    summary TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    created_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX audit_progress_reports_by_date ON audit_progress_reports (plan_id, report_date);

-- Every sign-off of a plan, newest version last: the canonical JSON of the plan as signed and its
-- SHA-256. Never updated or deleted, so every signed version stays readable.
CREATE TABLE audit_plan_sign_offs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES audit_plans (id),
    version INTEGER NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    signed_by INTEGER NOT NULL REFERENCES users (id),
    submitted_by INTEGER REFERENCES users (id),
    snapshot TEXT NOT NULL,
    snapshot_sha256 TEXT NOT NULL,
    CONSTRAINT audit_plan_sign_offs_version_check CHECK (version > 0)
);
CREATE UNIQUE INDEX audit_plan_sign_offs_by_version ON audit_plan_sign_offs (plan_id, version);

-- Per provider: whether whoever submitted a plan may also sign it off (a service with a single
-- clinical director). Off unless a row says otherwise.
CREATE TABLE audit_settings (
    provider_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    submitter_may_sign_off BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
