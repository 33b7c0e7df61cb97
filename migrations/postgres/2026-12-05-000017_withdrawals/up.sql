-- A finding or an evidence item entered by mistake is withdrawn by a manager, with a reason,
-- rather than deleted: it stays on record and in the history, and is no longer counted.
ALTER TABLE findings ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE findings ADD COLUMN withdrawn_by INTEGER REFERENCES users (id);
ALTER TABLE findings ADD COLUMN withdrawal_reason TEXT;
ALTER TABLE evidence_items ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE evidence_items ADD COLUMN withdrawn_by INTEGER REFERENCES users (id);
ALTER TABLE evidence_items ADD COLUMN withdrawal_reason TEXT;
