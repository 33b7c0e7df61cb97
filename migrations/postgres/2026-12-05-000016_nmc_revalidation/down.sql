-- The split of reflective records made by up.sql is not undone: both halves stay, as up.sql left them.
ALTER TABLE supervision_sessions DROP CONSTRAINT supervision_sessions_withdrawal_check;
ALTER TABLE supervision_sessions DROP COLUMN withdrawal_reason;
ALTER TABLE supervision_sessions DROP COLUMN withdrawn_by;
ALTER TABLE supervision_sessions DROP COLUMN withdrawn_at;
ALTER TABLE cpd_records DROP CONSTRAINT cpd_records_withdrawal_check;
ALTER TABLE cpd_records DROP COLUMN withdrawal_reason;
ALTER TABLE cpd_records DROP COLUMN withdrawn_by;
ALTER TABLE cpd_records DROP COLUMN withdrawn_at;
DROP TABLE nmc_revalidations;
