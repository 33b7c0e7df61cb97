-- The CPD a whole revalidation cycle must hold (GMC: 250 credits over five years).
ALTER TABLE profession_rules ADD COLUMN revalidation_cpd_required DOUBLE PRECISION;
