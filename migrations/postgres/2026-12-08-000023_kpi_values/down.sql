DROP TABLE kpi_targets;
DROP TABLE kpi_values;
DELETE FROM pending_imports WHERE kind = 'kpis';
ALTER TABLE pending_imports DROP CONSTRAINT pending_imports_kind_check;
ALTER TABLE pending_imports ADD CONSTRAINT pending_imports_kind_check CHECK (kind IN ('staff', 'cpd', 'supervision'));
