-- The commissioner's comparison (issue 15): each provider's facts as gathered on a day, kept until
-- the audit trail shows a change to the provider's records (or the catalogue's), with the figures
-- the comparison sorts and filters by as real columns, so sorting, filtering and paging run in SQL.
-- The PostgreSQL migration of the same name does the same.
CREATE TABLE provider_figures (
    provider_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    -- The day the facts were judged on, the history row they were read after (0: none yet), and
    -- the supervision interval the workforce rules were given.
    as_of DATE NOT NULL,
    history_id INTEGER NOT NULL,
    supervision_days INTEGER NOT NULL,
    -- commissioning::model::ProviderFacts as JSON.
    facts TEXT NOT NULL,
    name TEXT NOT NULL,
    accredited BOOLEAN NOT NULL,
    months_working_towards INTEGER,
    met_per_mille INTEGER NOT NULL,
    must_not_met INTEGER NOT NULL,
    gaps INTEGER NOT NULL,
    arrangements_ending INTEGER NOT NULL,
    people_with_issues INTEGER NOT NULL,
    non_clinical_unsupervised INTEGER NOT NULL,
    plan_signed_off BOOLEAN NOT NULL,
    overdue_actions INTEGER NOT NULL,
    last_kpi_period_end DATE,
    kpis_missing_target INTEGER NOT NULL
);
