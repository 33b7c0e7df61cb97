-- How each NHS core service and sub-specialism reaches a provider's staff: by the OH team itself,
-- by another provider under an arrangement (its end date is the last day covered), partly, or not.
-- No row means nothing is recorded: a gap.
CREATE TABLE service_coverage (
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
    updated_by INTEGER REFERENCES users (id)
);
CREATE UNIQUE INDEX service_coverage_by_provider ON service_coverage (provider_id, node_id);
