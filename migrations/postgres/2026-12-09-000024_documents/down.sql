DROP TABLE document_settings;
DROP TABLE quality_report_versions;
DROP TABLE quality_reports;
