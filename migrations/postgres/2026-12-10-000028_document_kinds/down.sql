-- Narrows the lists again; fails while a document-kinds catalogue is stored (delete it first).
ALTER TABLE catalogue_nodes DROP CONSTRAINT catalogue_nodes_kind_check;
ALTER TABLE catalogue_nodes ADD CONSTRAINT catalogue_nodes_kind_check
    CHECK (kind IN ('domain', 'standard', 'criterion', 'core_service', 'subspecialism', 'profession', 'kpi_group', 'kpi'));
ALTER TABLE catalogues DROP CONSTRAINT catalogues_kind_check;
ALTER TABLE catalogues ADD CONSTRAINT catalogues_kind_check
    CHECK (kind IN ('framework', 'core_services', 'subspecialisms', 'professions', 'kpis'));
