DROP TABLE live_exceptions;
DROP TABLE live_verdicts;
ALTER TABLE catalogue_nodes DROP COLUMN checks;
