ALTER TABLE evidence_items DROP COLUMN withdrawal_reason;
ALTER TABLE evidence_items DROP COLUMN withdrawn_by;
ALTER TABLE evidence_items DROP COLUMN withdrawn_at;
ALTER TABLE findings DROP COLUMN withdrawal_reason;
ALTER TABLE findings DROP COLUMN withdrawn_by;
ALTER TABLE findings DROP COLUMN withdrawn_at;
