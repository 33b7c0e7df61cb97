-- The commissioner's view (issue 15): the six-monthly customer reviews between a provider and a
-- commissioner, the provider's declaration of how its information system exchanges data with ESR,
-- and the document kind an evidence item is (the plans and processes commissioners ask for). The
-- PostgreSQL migration of the same name does the same.

-- A customer review held between a provider and one of its commissioners. Either side records it
-- (recorded_side); someone of the other side confirms it, and only then does it count.
CREATE TABLE customer_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id INTEGER NOT NULL REFERENCES organisations (id),
    commissioner_id INTEGER NOT NULL REFERENCES organisations (id),
    held_on DATE NOT NULL,
    attendees TEXT NOT NULL,
    topics TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    agreed_actions TEXT NOT NULL DEFAULT '',
    recorded_side TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    confirmed_by INTEGER REFERENCES users (id),
    confirmed_at TIMESTAMP,
    CONSTRAINT customer_reviews_recorded_side_check CHECK (recorded_side IN ('provider', 'commissioner'))
);
CREATE INDEX customer_reviews_by_pair ON customer_reviews (provider_id, commissioner_id, held_on);
CREATE INDEX customer_reviews_by_commissioner ON customer_reviews (commissioner_id, provider_id);

-- The provider's own declaration of how its OH information system exchanges data with the
-- Electronic Staff Record, with the evidence item (a series) that shows it. No row: not declared.
CREATE TABLE esr_declarations (
    provider_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    interface TEXT NOT NULL,
    evidence_series_id INTEGER,
    declared_on DATE NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT esr_declarations_interface_check CHECK (interface IN ('bidirectional', 'one_way', 'none'))
);

-- The kind of document an evidence item is, by its reference in the catalogue's list of document
-- kinds (standards/document-kinds.toml); empty for everything else.
ALTER TABLE evidence_items ADD COLUMN document_kind TEXT;
CREATE INDEX evidence_items_by_document_kind ON evidence_items (provider_id, document_kind);
