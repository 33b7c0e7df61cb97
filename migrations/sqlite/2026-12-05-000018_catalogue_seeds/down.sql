ALTER TABLE kpi_definitions DROP COLUMN indicator;
