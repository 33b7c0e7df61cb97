-- A CHECK constraint on every column that holds a code from a closed list (the vocabularies in
-- src/), so a value outside the list is refused by the database itself, not only by the forms.
-- The SQLite migration of the same name adds the same constraints, with the same names.
ALTER TABLE catalogues ADD CONSTRAINT catalogues_kind_check
    CHECK (kind IN ('framework', 'core_services', 'subspecialisms', 'professions', 'kpis'));
ALTER TABLE catalogue_nodes ADD CONSTRAINT catalogue_nodes_kind_check
    CHECK (kind IN ('domain', 'standard', 'criterion', 'core_service', 'subspecialism', 'profession', 'kpi_group', 'kpi'));
ALTER TABLE catalogue_nodes ADD CONSTRAINT catalogue_nodes_level_check
    CHECK (level IN ('must', 'should'));
ALTER TABLE profession_rules ADD CONSTRAINT profession_rules_regulator_check
    CHECK (regulator IN ('GMC', 'NMC', 'HCPC', 'none'));
ALTER TABLE profession_rules ADD CONSTRAINT profession_rules_cpd_cycle_check
    CHECK (cpd_cycle IN ('cpd_year', 'revalidation', 'rolling_periods'));
ALTER TABLE profession_rules ADD CONSTRAINT profession_rules_cpd_unit_check
    CHECK (cpd_unit IN ('credits', 'hours', 'activities'));
ALTER TABLE kpi_definitions ADD CONSTRAINT kpi_definitions_unit_check
    CHECK (unit IN ('working_days', 'days', 'minutes', 'percent', 'score'));
ALTER TABLE kpi_definitions ADD CONSTRAINT kpi_definitions_source_check
    CHECK (source IN ('MoHaWK', 'service'));
ALTER TABLE organisations ADD CONSTRAINT organisations_kind_check
    CHECK (kind IN ('provider', 'commissioner'));
ALTER TABLE organisations ADD CONSTRAINT organisations_organisation_type_check
    CHECK (organisation_type IS NULL
        OR (kind = 'provider' AND organisation_type IN ('nhs_in_house', 'nhs_hosting', 'independent'))
        OR (kind = 'commissioner' AND organisation_type IN ('nhs_trust', 'icb', 'other_employer')));
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
    CHECK (role IN ('manager', 'clinical_director', 'clinician', 'viewer', 'commissioner', 'assessor'));
ALTER TABLE evidence_items ADD CONSTRAINT evidence_items_kind_check
    CHECK (kind IN ('file', 'link', 'note'));
ALTER TABLE accreditations ADD CONSTRAINT accreditations_status_check
    CHECK (status IN ('not_registered', 'working_towards', 'self_assessment_complete', 'evidence_submitted', 'visit_booked', 'accredited', 'deferred', 'unsuccessful', 'lapsed'));
ALTER TABLE assessment_cycles ADD CONSTRAINT assessment_cycles_kind_check
    CHECK (kind IN ('initial', 'annual_renewal', 'reaccreditation'));
ALTER TABLE standard_assessments ADD CONSTRAINT standard_assessments_workflow_check
    CHECK (workflow IN ('to_do', 'in_progress', 'in_review', 'done'));
ALTER TABLE standard_assessments ADD CONSTRAINT standard_assessments_result_check
    CHECK (result IN ('not_assessed', 'met', 'partly_met', 'not_met', 'not_applicable'));
ALTER TABLE findings ADD CONSTRAINT findings_grade_check
    CHECK (grade IN ('major_nonconformity', 'minor_nonconformity', 'observation', 'opportunity_for_improvement', 'good_practice'));
ALTER TABLE findings ADD CONSTRAINT findings_source_check
    CHECK (source IN ('internal_audit', 'external_assessment'));
ALTER TABLE assessor_requests ADD CONSTRAINT assessor_requests_status_check
    CHECK (status IN ('open', 'answered', 'accepted', 'returned'));
ALTER TABLE service_coverage ADD CONSTRAINT service_coverage_delivery_check
    CHECK (delivery IN ('in_house', 'arrangement', 'partial', 'not_available'));
ALTER TABLE staff ADD CONSTRAINT staff_discipline_check
    CHECK (discipline IN ('consultant_occupational_physician', 'occupational_physician', 'specialty_registrar', 'oh_nurse_scphn', 'oh_nurse', 'oh_technician', 'physiotherapist', 'psychologist', 'other_ahp', 'non_clinical_case_worker', 'administrator'));
ALTER TABLE staff ADD CONSTRAINT staff_tier_check
    CHECK (tier IN ('specialist', 'clinical', 'non_clinical'));
ALTER TABLE staff ADD CONSTRAINT staff_regulator_check
    CHECK (regulator IN ('gmc', 'nmc', 'hcpc', 'none'));
ALTER TABLE staff ADD CONSTRAINT staff_specialist_route_check
    CHECK (specialist_route IN ('specialist_register', 'cct', 'cesr'));
ALTER TABLE cpd_records ADD CONSTRAINT cpd_records_activity_type_check
    CHECK (activity_type IN ('course', 'conference', 'e_learning', 'peer_discussion', 'audit', 'teaching', 'reading', 'other'));
ALTER TABLE supervision_sessions ADD CONSTRAINT supervision_sessions_kind_check
    CHECK (kind IN ('individual', 'group', 'case_review'));
