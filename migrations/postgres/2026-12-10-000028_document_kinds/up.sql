-- The catalogue's list of document kinds (standards/document-kinds.toml): the plans and processes
-- commissioners ask a provider for by name. A catalogue's kind and a node's kind are closed lists,
-- so both CHECK constraints are widened. The SQLite migration of the same name does the same.
ALTER TABLE catalogues DROP CONSTRAINT catalogues_kind_check;
ALTER TABLE catalogues ADD CONSTRAINT catalogues_kind_check
    CHECK (kind IN ('framework', 'core_services', 'subspecialisms', 'professions', 'kpis', 'document_kinds'));
ALTER TABLE catalogue_nodes DROP CONSTRAINT catalogue_nodes_kind_check;
ALTER TABLE catalogue_nodes ADD CONSTRAINT catalogue_nodes_kind_check
    CHECK (kind IN ('domain', 'standard', 'criterion', 'core_service', 'subspecialism', 'profession', 'kpi_group', 'kpi', 'document_kind'));
