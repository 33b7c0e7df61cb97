-- Providers (OH services) and commissioners (NHS trusts, ICBs, other employers), and the contracts
-- that let a commissioner read a provider's records.
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    code TEXT,
    organisation_type TEXT,
    sites INTEGER,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_by_kind ON organisations (kind, name);

CREATE TABLE contracts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    commissioner_id INTEGER NOT NULL REFERENCES organisations (id),
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    services TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX contracts_by_commissioner ON contracts (commissioner_id, provider_id);
CREATE INDEX contracts_by_provider ON contracts (provider_id);
