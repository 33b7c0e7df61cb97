-- Live evidence (issue 16): the standards answered by the provider's own records. The PostgreSQL
-- migration of the same name does the same.

-- The live checks a standard names in its catalogue file, as a JSON list of check codes.
ALTER TABLE catalogue_nodes ADD COLUMN checks TEXT NOT NULL DEFAULT '[]';

-- Each provider's latest verdict of each live check: what it is, since when (the day it changed to
-- this verdict, or was first judged), the facts behind it, and the day and the audit trail's head
-- it was judged on, so a reader can tell whether a change since has made it stale.
CREATE TABLE live_verdicts (
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    check_code TEXT NOT NULL,
    verdict TEXT NOT NULL,
    since DATE NOT NULL,
    summary TEXT NOT NULL,
    facts TEXT NOT NULL DEFAULT '[]',
    judged_on DATE NOT NULL,
    judged_after INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provider_id, check_code),
    CONSTRAINT live_verdicts_check_code_check CHECK (check_code IN ('workforce.registrations_current', 'workforce.doctors_appraised', 'workforce.cpd_on_track', 'workforce.supervision_current', 'coverage.core_services_available', 'coverage.subspecialisms_arranged', 'audits.plan_signed_off', 'audits.audits_planned', 'audits.actions_not_overdue', 'quality.kpis_reported', 'commissioning.customer_reviews_held', 'evidence.met_evidence_current')),
    CONSTRAINT live_verdicts_verdict_check CHECK (verdict IN ('holds', 'fails', 'not_enough_data'))
);

-- An exception to a failing live check on one standard, recorded by someone who may assess it:
-- why the records fail and the standard is still met, and until when. It is never deleted; one
-- ended early keeps its row with ended_at set.
CREATE TABLE live_exceptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    node_id INTEGER NOT NULL REFERENCES catalogue_nodes (id),
    check_code TEXT NOT NULL,
    reason TEXT NOT NULL,
    ends_on DATE NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    ended_by INTEGER REFERENCES users (id),
    CONSTRAINT live_exceptions_check_code_check CHECK (check_code IN ('workforce.registrations_current', 'workforce.doctors_appraised', 'workforce.cpd_on_track', 'workforce.supervision_current', 'coverage.core_services_available', 'coverage.subspecialisms_arranged', 'audits.plan_signed_off', 'audits.audits_planned', 'audits.actions_not_overdue', 'quality.kpis_reported', 'commissioning.customer_reviews_held', 'evidence.met_evidence_current'))
);
CREATE INDEX live_exceptions_by_standard ON live_exceptions (provider_id, node_id, check_code);
