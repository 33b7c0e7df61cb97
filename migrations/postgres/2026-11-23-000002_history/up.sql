-- The tamper-evident audit trail. `id` is the position in the chain, assigned by the writer under a
-- lock (never by a sequence), so a missing row shows as a gap. No foreign keys: the trail must
-- outlive anything it describes.
CREATE TABLE history (
    id INTEGER PRIMARY KEY NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    user_id INTEGER,
    organisation_id INTEGER,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    row_hash TEXT NOT NULL
);
CREATE INDEX history_by_organisation ON history (organisation_id, entity, id);
CREATE INDEX history_by_user ON history (user_id, id);
