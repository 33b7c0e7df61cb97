ALTER TABLE pending_imports DROP COLUMN read_as;
