ALTER TABLE profession_rules DROP COLUMN revalidation_cpd_required;
