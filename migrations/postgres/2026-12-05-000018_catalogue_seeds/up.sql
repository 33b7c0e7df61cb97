-- Whether a KPI is a leading indicator or a lagging (outcome) one, for the balanced set Growing OH
-- asks for (`indicator` in standards/kpis.toml). NULL: loaded before the catalogue said; loading
-- the changed kpis.toml (`ohgov catalogue load`) fills it, as every KPI file must now say.
ALTER TABLE kpi_definitions ADD COLUMN indicator TEXT
    CONSTRAINT kpi_definitions_indicator_check CHECK (indicator IN ('leading', 'lagging'));
