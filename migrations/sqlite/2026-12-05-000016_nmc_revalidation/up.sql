-- NMC revalidation (issue 11): what a nurse has for the cycle ending on their revalidation date,
-- beyond CPD; reflective accounts kept apart from CPD hours; CPD records and supervision sessions
-- entered by mistake withdrawn with a reason. The PostgreSQL migration of the same name does the same.
BEGIN IMMEDIATE;

-- One row per nurse per cycle, keyed by the cycle's last day (the revalidation date it was recorded
-- for), so a new revalidation date starts a new record and the old one stays as it was. The
-- reflective discussion and the confirmation are each all or nothing; only an NMC registrant has a PIN.
CREATE TABLE nmc_revalidations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id INTEGER NOT NULL REFERENCES staff (id),
    cycle_end DATE NOT NULL,
    practice_hours INTEGER NOT NULL,
    feedback_pieces INTEGER NOT NULL,
    discussion_on DATE,
    discussion_with TEXT,
    discussion_with_pin TEXT,
    confirmed_on DATE,
    confirmer TEXT,
    confirmer_role TEXT,
    confirmer_pin TEXT,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    CONSTRAINT nmc_revalidations_practice_hours_check CHECK (practice_hours >= 0),
    CONSTRAINT nmc_revalidations_feedback_pieces_check CHECK (feedback_pieces >= 0),
    CONSTRAINT nmc_revalidations_confirmer_role_check CHECK (confirmer_role IN ('nmc_registrant', 'other_regulated', 'line_manager')),
    CONSTRAINT nmc_revalidations_discussion_check CHECK ((discussion_on IS NULL) = (discussion_with IS NULL) AND (discussion_on IS NULL) = (discussion_with_pin IS NULL)),
    CONSTRAINT nmc_revalidations_confirmation_check CHECK ((confirmed_on IS NULL) = (confirmer IS NULL) AND (confirmed_on IS NULL) = (confirmer_role IS NULL)),
    CONSTRAINT nmc_revalidations_confirmer_pin_check CHECK ((COALESCE(confirmer_role, '') = 'nmc_registrant') = (confirmer_pin IS NOT NULL))
);
CREATE UNIQUE INDEX nmc_revalidations_by_cycle ON nmc_revalidations (staff_id, cycle_end);

-- A reflective account is now a record of its own that carries no CPD hours (reflective = TRUE,
-- hours 0). A record marked reflective that also had hours was a CPD activity with an account
-- written on it: it is split in two, the activity keeping its hours and the account its own row,
-- so no hours and no account are lost, and the accounts no longer add to the hours.
INSERT INTO cpd_records (staff_id, activity_date, title, activity_type, hours, participatory, reflective, evidence_id, created_at, created_by)
    SELECT staff_id, activity_date, 'Reflective account: ' || title, activity_type, 0, FALSE, TRUE, evidence_id, created_at, created_by
    FROM cpd_records WHERE reflective AND hours > 0;
UPDATE cpd_records SET reflective = FALSE WHERE reflective AND hours > 0;

-- Withdrawn by a manager, with a reason: still listed and in the history, no longer counted.
ALTER TABLE cpd_records ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE cpd_records ADD COLUMN withdrawn_by INTEGER REFERENCES users (id);
ALTER TABLE cpd_records ADD COLUMN withdrawal_reason TEXT
    CONSTRAINT cpd_records_withdrawal_check CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL));
ALTER TABLE supervision_sessions ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE supervision_sessions ADD COLUMN withdrawn_by INTEGER REFERENCES users (id);
ALTER TABLE supervision_sessions ADD COLUMN withdrawal_reason TEXT
    CONSTRAINT supervision_sessions_withdrawal_check CHECK ((withdrawn_at IS NULL) = (withdrawal_reason IS NULL));
COMMIT;
