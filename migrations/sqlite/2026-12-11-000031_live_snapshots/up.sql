-- Snapshots of what a live check saw (issue 16): each is an evidence item, one series per provider
-- and check, the next snapshot a new version of it. This table finds the series, and says which
-- version was taken last, on which day and with which content, so that a second snapshot on the
-- same day with the same content makes no new version. The PostgreSQL migration of the same name
-- does the same.
CREATE TABLE live_snapshots (
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    check_code TEXT NOT NULL,
    series_id INTEGER NOT NULL REFERENCES evidence_items (id),
    item_id INTEGER NOT NULL REFERENCES evidence_items (id),
    taken_on DATE NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (provider_id, check_code),
    CONSTRAINT live_snapshots_check_code_check CHECK (check_code IN ('workforce.registrations_current', 'workforce.doctors_appraised', 'workforce.cpd_on_track', 'workforce.supervision_current', 'coverage.core_services_available', 'coverage.subspecialisms_arranged', 'audits.plan_signed_off', 'audits.audits_planned', 'audits.actions_not_overdue', 'quality.kpis_reported', 'commissioning.customer_reviews_held', 'evidence.met_evidence_current'))
);
