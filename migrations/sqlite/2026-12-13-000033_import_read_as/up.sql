-- Issue 19: how a previewed file is to be read (its workbook sheet, its column mapping, whether it is
-- a full staff extract), kept with the preview so the confirmation reads it the same way: a JSON
-- document of workforce::import::ReadAs.
ALTER TABLE pending_imports ADD COLUMN read_as TEXT NOT NULL DEFAULT '{}';
