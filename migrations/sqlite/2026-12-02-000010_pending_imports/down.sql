DROP INDEX evidence_items_by_file;
DROP TABLE pending_imports;
