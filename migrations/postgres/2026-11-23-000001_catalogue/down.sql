DROP TABLE kpi_definitions;
DROP TABLE profession_rules;
DROP TABLE catalogue_replaces;
DROP TABLE catalogue_nodes;
DROP TABLE catalogues;
