DROP TABLE audit_settings;
DROP TABLE audit_plan_sign_offs;
DROP TABLE audit_progress_reports;
DROP TABLE audit_actions;
DROP TABLE audit_criteria;
DROP TABLE audit_standards;
DROP TABLE audits;
DROP TABLE audit_plans;
