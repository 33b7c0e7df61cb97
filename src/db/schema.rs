//! Tables as diesel sees them. Written by hand and kept to the SQL types both backends share;
//! `tests/db.rs` checks it against both migration folders.

diesel::table! {
    catalogues (id) {
        id -> Integer,
        code -> Text,
        kind -> Text,
        title -> Text,
        version -> Text,
        note -> Nullable<Text>,
        replaces_code -> Nullable<Text>,
        source_name -> Text,
        content_sha256 -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    catalogue_nodes (id) {
        id -> Integer,
        catalogue_id -> Integer,
        reference -> Text,
        parent_id -> Nullable<Integer>,
        kind -> Text,
        level -> Text,
        position -> Integer,
        title -> Text,
        guidance -> Text,
        expected_evidence -> Text,
        retired -> Bool,
        checks -> Text,
    }
}

diesel::table! {
    catalogue_replaces (id) {
        id -> Integer,
        node_id -> Integer,
        replaced_node_id -> Integer,
    }
}

diesel::table! {
    profession_rules (node_id) {
        node_id -> Integer,
        regulator -> Text,
        disciplines -> Text,
        registration_number_pattern -> Nullable<Text>,
        registration_number_example -> Nullable<Text>,
        registration_renewal_months -> Nullable<Integer>,
        registration_warning_days -> Nullable<Integer>,
        revalidation_months -> Nullable<Integer>,
        revalidation_warning_days -> Nullable<Integer>,
        appraisal_overdue_months -> Nullable<Integer>,
        cpd_cycle -> Nullable<Text>,
        cpd_unit -> Nullable<Text>,
        cpd_required -> Nullable<Double>,
        cpd_participatory_required -> Nullable<Double>,
        reflective_accounts_required -> Nullable<Integer>,
        practice_hours_required -> Nullable<Integer>,
        feedback_required -> Nullable<Integer>,
        cpd_periods -> Nullable<Integer>,
        cpd_period_months -> Nullable<Integer>,
        cpd_warning_days -> Nullable<Integer>,
        cpd_audit_sample_percent -> Nullable<Double>,
        supervised_disciplines -> Text,
        revalidation_cpd_required -> Nullable<Double>,
    }
}

diesel::table! {
    kpi_definitions (node_id) {
        node_id -> Integer,
        unit -> Text,
        higher_is_better -> Bool,
        default_target -> Double,
        source -> Text,
        indicator -> Nullable<Text>,
    }
}

diesel::table! {
    history (id) {
        id -> Integer,
        recorded_at -> Timestamp,
        user_id -> Nullable<Integer>,
        organisation_id -> Nullable<Integer>,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        changes -> Text,
        previous_hash -> Text,
        row_hash -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Integer,
        kind -> Text,
        name -> Text,
        code -> Nullable<Text>,
        organisation_type -> Nullable<Text>,
        sites -> Nullable<Integer>,
        created_at -> Timestamp,
        nhs_domain_applies -> Nullable<Bool>,
    }
}

diesel::table! {
    contracts (id) {
        id -> Integer,
        commissioner_id -> Integer,
        provider_id -> Integer,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        services -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        failed_sign_ins -> Integer,
        locked_until -> Nullable<Timestamp>,
        session_epoch -> Integer,
        created_at -> Timestamp,
        reminder_digest -> Bool,
    }
}

diesel::table! {
    memberships (id) {
        id -> Integer,
        user_id -> Integer,
        organisation_id -> Integer,
        role -> Text,
        expires_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        token_sha256 -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_in_failures (id) {
        id -> Integer,
        address -> Text,
        email -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Integer,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        size_bytes -> BigInt,
        content -> Binary,
        created_at -> Timestamp,
        kept -> Bool,
    }
}

diesel::table! {
    evidence_items (id) {
        id -> Integer,
        provider_id -> Integer,
        series_id -> Integer,
        version -> Integer,
        kind -> Text,
        title -> Text,
        description -> Text,
        owner_user_id -> Nullable<Integer>,
        blob_sha256 -> Nullable<Text>,
        file_name -> Nullable<Text>,
        media_type -> Nullable<Text>,
        link_url -> Nullable<Text>,
        effective_on -> Nullable<Date>,
        review_due -> Nullable<Date>,
        contains_patient_data -> Bool,
        uploaded_at -> Timestamp,
        uploaded_by -> Nullable<Integer>,
        superseded_by -> Nullable<Integer>,
        superseded_at -> Nullable<Timestamp>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Integer>,
        withdrawal_reason -> Nullable<Text>,
        document_kind -> Nullable<Text>,
    }
}

diesel::table! {
    evidence_links (series_id, node_id) {
        series_id -> Integer,
        node_id -> Integer,
    }
}

diesel::table! {
    accreditations (provider_id) {
        provider_id -> Integer,
        status -> Text,
        status_on -> Nullable<Date>,
        registered_on -> Nullable<Date>,
        self_assessment_completed_on -> Nullable<Date>,
        evidence_submitted_on -> Nullable<Date>,
        visit_on -> Nullable<Date>,
        accredited_on -> Nullable<Date>,
        deferred_actions -> Nullable<Text>,
        deferred_due -> Nullable<Date>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    assessment_cycles (id) {
        id -> Integer,
        provider_id -> Integer,
        catalogue_id -> Integer,
        kind -> Text,
        started_on -> Date,
        previous_cycle_id -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    standard_assessments (id) {
        id -> Integer,
        cycle_id -> Integer,
        node_id -> Integer,
        workflow -> Text,
        result -> Text,
        not_applicable_reason -> Nullable<Text>,
        owner_user_id -> Nullable<Integer>,
        target_on -> Nullable<Date>,
        narrative -> Text,
        carried_over -> Bool,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    findings (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Integer,
        grade -> Text,
        source -> Text,
        description -> Text,
        action_needed -> Text,
        raised_on -> Date,
        raised_by -> Nullable<Integer>,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<Integer>,
        created_at -> Timestamp,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Integer>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    assessor_requests (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Nullable<Integer>,
        request_text -> Text,
        status -> Text,
        raised_by -> Nullable<Integer>,
        raised_at -> Timestamp,
        answer_text -> Nullable<Text>,
        answered_by -> Nullable<Integer>,
        answered_at -> Nullable<Timestamp>,
        decision_comment -> Nullable<Text>,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    assessor_request_evidence (request_id, evidence_id) {
        request_id -> Integer,
        evidence_id -> Integer,
    }
}

diesel::table! {
    service_coverage (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Integer,
        delivery -> Text,
        partner_name -> Nullable<Text>,
        agreement_reference -> Nullable<Text>,
        partner_contact -> Nullable<Text>,
        starts_on -> Nullable<Date>,
        ends_on -> Nullable<Date>,
        included -> Nullable<Text>,
        excluded -> Nullable<Text>,
        lead_name -> Nullable<Text>,
        notes -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    staff (id) {
        id -> Integer,
        provider_id -> Integer,
        staff_number -> Text,
        full_name -> Text,
        email -> Nullable<Text>,
        discipline -> Text,
        tier -> Text,
        tier_overridden -> Bool,
        regulator -> Text,
        registration_number -> Nullable<Text>,
        registration_renewal -> Nullable<Date>,
        revalidation_due -> Nullable<Date>,
        specialist_route -> Nullable<Text>,
        last_appraisal -> Nullable<Date>,
        responsible_officer -> Nullable<Text>,
        practice_teacher -> Bool,
        start_date -> Nullable<Date>,
        leaving_date -> Nullable<Date>,
        fte -> Nullable<Double>,
        user_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sort_name -> Text,
    }
}

diesel::table! {
    cpd_records (id) {
        id -> Integer,
        staff_id -> Integer,
        activity_date -> Date,
        title -> Text,
        activity_type -> Text,
        hours -> Double,
        participatory -> Bool,
        reflective -> Bool,
        evidence_id -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Integer>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    supervision_sessions (id) {
        id -> Integer,
        provider_id -> Integer,
        session_date -> Date,
        kind -> Text,
        supervisor_id -> Integer,
        minutes -> Text,
        cases_discussed -> Integer,
        escalated_gp -> Integer,
        escalated_clinical -> Integer,
        escalated_specialist -> Integer,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Integer>,
        withdrawal_reason -> Nullable<Text>,
    }
}

diesel::table! {
    nmc_revalidations (id) {
        id -> Integer,
        staff_id -> Integer,
        cycle_end -> Date,
        practice_hours -> Integer,
        feedback_pieces -> Integer,
        discussion_on -> Nullable<Date>,
        discussion_with -> Nullable<Text>,
        discussion_with_pin -> Nullable<Text>,
        confirmed_on -> Nullable<Date>,
        confirmer -> Nullable<Text>,
        confirmer_role -> Nullable<Text>,
        confirmer_pin -> Nullable<Text>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    supervision_attendees (session_id, staff_id) {
        session_id -> Integer,
        staff_id -> Integer,
    }
}

diesel::table! {
    pending_imports (id) {
        id -> Integer,
        provider_id -> Integer,
        session_token_sha256 -> Text,
        kind -> Text,
        sha256 -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        read_as -> Text,
    }
}

diesel::table! {
    import_mappings (id) {
        id -> Integer,
        provider_id -> Integer,
        kind -> Text,
        name -> Text,
        fingerprint -> Text,
        headers -> Text,
        mapping -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    audit_plans (id) {
        id -> Integer,
        provider_id -> Integer,
        year_start -> Integer,
        state -> Text,
        submitted_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Integer>,
        returned_at -> Nullable<Timestamp>,
        returned_by -> Nullable<Integer>,
        return_comment -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    audits (id) {
        id -> Integer,
        plan_id -> Integer,
        title -> Text,
        audit_type -> Text,
        service_node_id -> Nullable<Integer>,
        lead_staff_id -> Nullable<Integer>,
        planned_quarter -> Integer,
        method -> Text,
        sample_size -> Nullable<Integer>,
        status -> Text,
        status_reason -> Nullable<Text>,
        started_on -> Nullable<Date>,
        completed_on -> Nullable<Date>,
        findings -> Nullable<Text>,
        reaudit_of -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    audit_standards (audit_id, node_id) {
        audit_id -> Integer,
        node_id -> Integer,
    }
}

diesel::table! {
    audit_criteria (id) {
        id -> Integer,
        audit_id -> Integer,
        position -> Integer,
        description -> Text,
        target_percent -> Double,
        cases_met -> Nullable<Integer>,
        cases_checked -> Nullable<Integer>,
    }
}

diesel::table! {
    audit_actions (id) {
        id -> Integer,
        audit_id -> Integer,
        description -> Text,
        owner_id -> Integer,
        due_on -> Date,
        status -> Text,
        closed_on -> Nullable<Date>,
        completion_note -> Nullable<Text>,
        drop_reason -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    audit_progress_reports (id) {
        id -> Integer,
        plan_id -> Integer,
        report_date -> Date,
        summary -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
    }
}

diesel::table! {
    audit_plan_sign_offs (id) {
        id -> Integer,
        plan_id -> Integer,
        version -> Integer,
        signed_at -> Timestamp,
        signed_by -> Integer,
        submitted_by -> Nullable<Integer>,
        snapshot -> Text,
        snapshot_sha256 -> Text,
    }
}

diesel::table! {
    audit_settings (provider_id) {
        provider_id -> Integer,
        submitter_may_sign_off -> Bool,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    kpi_values (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Integer,
        period_start -> Date,
        period_end -> Date,
        numerator -> Nullable<Integer>,
        denominator -> Nullable<Integer>,
        value -> Double,
        entered_at -> Timestamp,
        entered_by -> Nullable<Integer>,
    }
}

diesel::table! {
    kpi_targets (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Integer,
        target -> Double,
        set_at -> Timestamp,
        set_by -> Nullable<Integer>,
    }
}

diesel::table! {
    quality_reports (id) {
        id -> Integer,
        provider_id -> Integer,
        year_start -> Integer,
        pledge_narrative -> Text,
        research_this_year -> Text,
        research_next_year -> Text,
        plans_next_year -> Text,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    quality_report_versions (id) {
        id -> Integer,
        report_id -> Integer,
        version -> Integer,
        blob_sha256 -> Text,
        file_name -> Text,
        approved_at -> Timestamp,
        approved_by -> Integer,
    }
}

diesel::table! {
    document_settings (provider_id) {
        provider_id -> Integer,
        pack_shared_with_commissioners -> Bool,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    customer_reviews (id) {
        id -> Integer,
        provider_id -> Integer,
        commissioner_id -> Integer,
        held_on -> Date,
        attendees -> Text,
        topics -> Text,
        outcomes -> Text,
        agreed_actions -> Text,
        recorded_side -> Text,
        recorded_by -> Nullable<Integer>,
        recorded_at -> Timestamp,
        confirmed_by -> Nullable<Integer>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    esr_declarations (provider_id) {
        provider_id -> Integer,
        interface -> Text,
        evidence_series_id -> Nullable<Integer>,
        declared_on -> Date,
        updated_at -> Timestamp,
        updated_by -> Nullable<Integer>,
    }
}

diesel::table! {
    provider_figures (provider_id) {
        provider_id -> Integer,
        as_of -> Date,
        history_id -> Integer,
        supervision_days -> Integer,
        facts -> Text,
        name -> Text,
        accredited -> Bool,
        months_working_towards -> Nullable<Integer>,
        met_per_mille -> Integer,
        must_not_met -> Integer,
        gaps -> Integer,
        arrangements_ending -> Integer,
        people_with_issues -> Integer,
        non_clinical_unsupervised -> Integer,
        plan_signed_off -> Bool,
        overdue_actions -> Integer,
        last_kpi_period_end -> Nullable<Date>,
        kpis_missing_target -> Integer,
    }
}

diesel::table! {
    live_verdicts (provider_id, check_code) {
        provider_id -> Integer,
        check_code -> Text,
        verdict -> Text,
        since -> Date,
        summary -> Text,
        facts -> Text,
        judged_on -> Date,
        judged_after -> Integer,
    }
}

diesel::table! {
    live_exceptions (id) {
        id -> Integer,
        provider_id -> Integer,
        node_id -> Integer,
        check_code -> Text,
        reason -> Text,
        ends_on -> Date,
        recorded_by -> Nullable<Integer>,
        recorded_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        ended_by -> Nullable<Integer>,
    }
}

diesel::table! {
    live_snapshots (provider_id, check_code) {
        provider_id -> Integer,
        check_code -> Text,
        series_id -> Integer,
        item_id -> Integer,
        taken_on -> Date,
        sha256 -> Text,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Integer,
        message_key -> Text,
        kind -> Text,
        provider_id -> Nullable<Integer>,
        recipient_user_id -> Nullable<Integer>,
        recipient_email -> Text,
        recipient_name -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        queued_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> Integer,
        message_id -> Integer,
        attempted_at -> Timestamp,
        sender -> Text,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    account_links (id) {
        id -> Integer,
        user_id -> Integer,
        purpose -> Text,
        token_sha256 -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Integer>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reset_requests (id) {
        id -> Integer,
        address -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    reminder_opt_outs (user_id, kind) {
        user_id -> Integer,
        kind -> Text,
        chosen_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(outbox_attempts -> outbox_messages (message_id));
diesel::joinable!(account_links -> users (user_id));
diesel::joinable!(reminder_opt_outs -> users (user_id));
diesel::joinable!(catalogue_nodes -> catalogues (catalogue_id));
diesel::joinable!(profession_rules -> catalogue_nodes (node_id));
diesel::joinable!(kpi_definitions -> catalogue_nodes (node_id));
diesel::joinable!(evidence_links -> catalogue_nodes (node_id));
diesel::joinable!(evidence_items -> blobs (blob_sha256));
diesel::joinable!(quality_report_versions -> quality_reports (report_id));
diesel::joinable!(assessor_requests -> catalogue_nodes (node_id));
diesel::joinable!(assessor_request_evidence -> evidence_items (evidence_id));
diesel::joinable!(standard_assessments -> catalogue_nodes (node_id));
diesel::joinable!(standard_assessments -> assessment_cycles (cycle_id));
diesel::joinable!(findings -> catalogue_nodes (node_id));
diesel::joinable!(service_coverage -> catalogue_nodes (node_id));
diesel::joinable!(cpd_records -> staff (staff_id));
diesel::joinable!(supervision_attendees -> staff (staff_id));
diesel::joinable!(supervision_attendees -> supervision_sessions (session_id));
diesel::joinable!(supervision_sessions -> staff (supervisor_id));
diesel::joinable!(nmc_revalidations -> staff (staff_id));
diesel::joinable!(assessment_cycles -> catalogues (catalogue_id));

diesel::joinable!(audits -> audit_plans (plan_id));
diesel::joinable!(audit_standards -> audits (audit_id));
diesel::joinable!(audit_standards -> catalogue_nodes (node_id));
diesel::joinable!(audit_criteria -> audits (audit_id));
diesel::joinable!(audit_actions -> audits (audit_id));
diesel::joinable!(audit_actions -> users (owner_id));
diesel::joinable!(audit_progress_reports -> audit_plans (plan_id));
diesel::joinable!(audit_plan_sign_offs -> audit_plans (plan_id));
diesel::joinable!(kpi_values -> catalogue_nodes (node_id));
diesel::joinable!(kpi_targets -> catalogue_nodes (node_id));
diesel::joinable!(live_exceptions -> catalogue_nodes (node_id));

diesel::allow_tables_to_appear_in_same_query!(
    catalogues,
    catalogue_nodes,
    catalogue_replaces,
    profession_rules,
    kpi_definitions,
    history,
    organisations,
    contracts,
    users,
    memberships,
    api_tokens,
    instance_secrets,
    sign_in_failures,
    blobs,
    evidence_items,
    evidence_links,
    accreditations,
    assessment_cycles,
    standard_assessments,
    findings,
    assessor_requests,
    assessor_request_evidence,
    service_coverage,
    staff,
    cpd_records,
    supervision_sessions,
    supervision_attendees,
    nmc_revalidations,
    pending_imports,
    import_mappings,
    sessions,
    audit_plans,
    audits,
    audit_standards,
    audit_criteria,
    audit_actions,
    audit_progress_reports,
    audit_plan_sign_offs,
    audit_settings,
    kpi_values,
    kpi_targets,
    quality_reports,
    quality_report_versions,
    document_settings,
    customer_reviews,
    esr_declarations,
    provider_figures,
    live_verdicts,
    live_exceptions,
    live_snapshots,
    outbox_messages,
    outbox_attempts,
    account_links,
    reset_requests,
    reminder_opt_outs,
);

// The self-assessment's results counted by cycle, domain (the standard's parent) and result in one
// grouped query (assessment::store::self_assessment_for_providers).
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    standard_assessments::cycle_id,
    standard_assessments::result,
    catalogue_nodes::parent_id,
);
