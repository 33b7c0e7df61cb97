//! The self-assessment, the accreditation record and cycles, findings, assessor requests and the
//! readiness figures, on both backends.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use ohgov::assessment::model::{AccreditationInput, AssessmentInput, CycleKind, FindingInput, FindingSource};
use ohgov::assessment::store;
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use support::{browser_signed_in, service, PASSWORD};

fn assess(
    conn: &mut DbConnection,
    by: UserId,
    provider: ProviderId,
    reference: &str,
    workflow: &str,
    result: &str,
    owner: Option<UserId>,
) {
    let input = AssessmentInput {
        workflow: workflow.into(),
        result: result.into(),
        not_applicable_reason: if result == "not_applicable" { "No private patients".into() } else { String::new() },
        owner_user_id: owner.map(|o| o.to_string()).unwrap_or_default(),
        narrative: format!("How the service meets {reference}"),
        ..Default::default()
    };
    store::save_assessment(conn, Some(by), provider, reference, &input.parse().unwrap(), support::today())
        .unwrap_or_else(|e| panic!("{reference} is a standard of the framework: {e}"));
}

/// Adds a text file as evidence for `standards`; returns its id.
fn evidence(
    conn: &mut DbConnection,
    provider: ProviderId,
    title: &str,
    standards: &[&str],
    review_due: Option<NaiveDate>,
    owner: Option<UserId>,
) -> i32 {
    let details = EvidenceInput {
        kind: "file".into(),
        title: title.into(),
        owner_user_id: owner.map(|o| o.to_string()).unwrap_or_default(),
        review_due: review_due.map(|d| d.to_string()).unwrap_or_default(),
        standards: standards.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = check_upload(format!("{title}\n").into_bytes(), "evidence.txt", 1 << 20).unwrap();
    let framework = support::framework(conn, provider);
    ohgov::evidence::store::add(conn, None, provider, framework, &details, Some(&upload)).unwrap()
}

fn finding(conn: &mut DbConnection, by: UserId, provider: ProviderId, reference: &str) -> i32 {
    let input = FindingInput {
        grade: "minor_nonconformity".into(),
        description: "Two of ten case notes lacked a consent record".into(),
        action_needed: "Re-audit consent recording in three months".into(),
        raised_on: "2026-10-01".into(),
    };
    let today = Utc::now().date_naive();
    let finding = input.parse(today).unwrap();
    store::record_finding(conn, Some(by), provider, reference, FindingSource::InternalAudit, &finding).unwrap()
}

on_both_backends!(
    readiness_matches_a_hand_counted_fixture,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let (p, m, cd) = (s.provider, s.manager, s.clinical_director);
        // SEQOHS 2023 has 43 standards, 23 of them "must". GF3, GF5 and RP1 are must; GF1, GF2 and
        // GF4 should. The provider takes on the optional NHS domain (SS), so all 43 count.
        let nhs = ohgov::accounts::model::ProviderDetailsInput {
            name: "Northshire OH Service".into(),
            nhs_domain: "applies".into(),
            ..Default::default()
        };
        ohgov::accounts::store::update_provider(&mut conn, None, p, &nhs.parse().unwrap()).unwrap();
        assess(&mut conn, m, p, "GF1", "done", "met", Some(m));
        assess(&mut conn, m, p, "GF2", "in_review", "not_met", Some(m));
        assess(&mut conn, m, p, "GF3", "done", "met", Some(m));
        assess(&mut conn, m, p, "GF5", "done", "not_applicable", None);
        assess(&mut conn, cd, p, "RP1", "in_progress", "partly_met", Some(cd));
        // E1: GF1's only document, a day past review. E2: GF3 and RP1, no review date. E3: RP1, due
        // in 30 days. E4: GF4, overdue, but replaced by a version with no review date. E5: linked to
        // nothing, due in 61 days.
        evidence(&mut conn, p, "E1", &["GF1"], Some(today - Duration::days(1)), Some(m));
        evidence(&mut conn, p, "E2", &["GF3", "RP1"], None, None);
        evidence(&mut conn, p, "E3", &["RP1"], Some(today + Duration::days(30)), Some(cd));
        let e4 = evidence(&mut conn, p, "E4", &["GF4"], Some(today - Duration::days(10)), Some(m));
        let newer = EvidenceInput { kind: "file".into(), title: "E4".into(), ..Default::default() }.parse().unwrap();
        let upload = check_upload(b"E4, revised\n".to_vec(), "e4.txt", 1 << 20).unwrap();
        ohgov::evidence::store::supersede(&mut conn, None, p, e4, &newer, Some(&upload)).unwrap();
        evidence(&mut conn, p, "E5", &[], Some(today + Duration::days(61)), Some(m));
        // Findings: two open (GF1, RP1), one closed (GF1). Requests: one open, one accepted.
        finding(&mut conn, m, p, "GF1");
        finding(&mut conn, m, p, "RP1");
        let closed = finding(&mut conn, m, p, "GF1");
        store::close_finding(&mut conn, Some(m), p, closed, today).unwrap();
        store::raise_request(&mut conn, Some(s.assessor), p, Some("GF1"), "The last two consent audits").unwrap();
        let done = store::raise_request(&mut conn, Some(s.assessor), p, None, "The business plan").unwrap();
        assert!(
            store::answer_request(&mut conn, Some(m), p, done, "", &[]).is_err(),
            "an answer needs evidence or words"
        );
        store::answer_request(&mut conn, Some(m), p, done, "See the plan on the intranet", &[]).unwrap();
        store::decide_request(&mut conn, Some(s.assessor), p, done, true, "").unwrap();

        let report = store::readiness(&mut conn, p, today, ohgov::live::store::verdicts::by_standard).unwrap();
        let r = &report.readiness;
        assert_eq!(r.standard_count, 43);
        assert_eq!(r.must_not_met, 21, "23 musts less GF3 (met) and GF5 (not applicable)");
        assert_eq!(r.without_evidence, 38, "43 less GF1, GF3, GF4 and RP1, less GF5 which needs none");
        assert_eq!(r.met_without_current_evidence, 1, "GF1");
        assert_eq!((r.evidence_items, r.evidence_overdue, r.evidence_due_soon), (5, 1, 1));
        assert_eq!((r.open_findings, r.open_requests), (2, 1));
        assert_eq!(r.busiest_owners, vec![(m.0, 2), (cd.0, 2)], "GF2 and E1; RP1 and E3");
        let gf = &r.domains[0];
        assert_eq!(gf.reference, "GF");
        let by_result: Vec<(&str, usize)> = gf.by_result.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        assert_eq!(
            by_result,
            [("not_assessed", 2), ("met", 2), ("partly_met", 0), ("not_met", 1), ("not_applicable", 1)]
        );
        let by_workflow: Vec<(&str, usize)> = gf.by_workflow.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        assert_eq!(by_workflow, [("to_do", 2), ("in_progress", 0), ("in_review", 1), ("done", 3)]);
        let line = |reference: &str| {
            r.domains.iter().flat_map(|d| d.standards.iter()).find(|s| s.reference == reference).unwrap().clone()
        };
        let counts = |reference: &str| {
            let l = line(reference);
            (l.evidence_count, l.current_evidence_count, l.overdue_evidence_count)
        };
        assert_eq!(counts("GF1"), (1, 0, 1));
        assert_eq!(counts("GF4"), (1, 1, 0), "only the current version counts");
        assert_eq!(counts("RP1"), (2, 2, 0));
        assert_eq!(line("GF1").open_findings, 1);
    }
);

on_both_backends!(
    an_annual_renewal_marks_every_result_as_carried_over,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (p, m) = (s.provider, s.manager);
        for (reference, result) in
            [("GF1", "met"), ("GF2", "partly_met"), ("RP1", "not_met"), ("GF5", "not_applicable")]
        {
            assess(&mut conn, m, p, reference, "done", result, Some(m));
        }
        let first = store::current_cycle(&mut conn, p).unwrap().unwrap();
        assert_eq!(first.kind.as_str(), "initial", "the first save began the initial cycle");
        let started = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let (cycle, carried) =
            store::start_cycle(&mut conn, Some(m), p, CycleKind::AnnualRenewal, "seqohs-2023", started).unwrap();
        assert_eq!(carried, 4);
        use ohgov::db::schema::standard_assessments as sa;
        let rows: Vec<(String, bool, String)> = sa::table
            .filter(sa::cycle_id.eq(cycle))
            .select((sa::result, sa::carried_over, sa::workflow))
            .order(sa::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|(_, carried, _)| *carried), "every result is marked carried over: {rows:?}");
        assert!(rows.iter().all(|(_, _, workflow)| workflow == "in_review"), "done work goes back to review");
        let mut results: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        results.sort_unstable();
        assert_eq!(results, ["met", "not_applicable", "not_met", "partly_met"], "results are kept");
        let before: i64 = sa::table.filter(sa::cycle_id.eq(first.id)).count().get_result(&mut conn).unwrap();
        assert_eq!(before, 4, "the old cycle is left as it was");

        let today = Utc::now().date_naive();
        assert_eq!(
            store::readiness(&mut conn, p, today, ohgov::live::store::verdicts::by_standard)
                .unwrap()
                .readiness
                .carried_over,
            4
        );
        assess(&mut conn, m, p, "GF1", "done", "met", Some(m));
        assert_eq!(
            store::readiness(&mut conn, p, today, ohgov::live::store::verdicts::by_standard)
                .unwrap()
                .readiness
                .carried_over,
            3,
            "saving confirms it"
        );

        let refused = store::start_cycle(&mut conn, Some(m), p, CycleKind::Initial, "seqohs-2023", started);
        assert!(matches!(refused, Err(ohgov::db::StoreError::Invalid(e)) if e.0.contains_key("kind")));
        let backwards = store::start_cycle(&mut conn, Some(m), p, CycleKind::Reaccreditation, "seqohs-2015", started);
        assert!(
            matches!(backwards, Err(ohgov::db::StoreError::Invalid(e)) if e.0["framework"].contains("does not replace"))
        );
    }
);

on_both_backends!(
    a_framework_change_carries_results_narratives_and_evidence_through_the_mapping,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (p, m) = (s.provider, s.manager);
        let began = NaiveDate::from_ymd_opt(2022, 4, 1).unwrap();
        store::start_cycle(&mut conn, Some(m), p, CycleKind::Initial, "seqohs-2015", began).unwrap();
        assess(&mut conn, m, p, "A1", "done", "met", Some(m));
        assess(&mut conn, m, p, "A2", "done", "met", Some(m));
        assess(&mut conn, m, p, "A3", "in_progress", "partly_met", Some(m));
        let document = evidence(&mut conn, p, "Statement of purpose", &["A1"], None, Some(m));

        let moved = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap();
        store::start_cycle(&mut conn, Some(m), p, CycleKind::Reaccreditation, "seqohs-2023", moved).unwrap();
        let today = Utc::now().date_naive();
        let report = store::readiness(&mut conn, p, today, ohgov::live::store::verdicts::by_standard).unwrap();
        let line = |reference: &str| {
            report.readiness.domains.iter().flat_map(|d| d.standards.iter()).find(|s| s.reference == reference).unwrap()
        };
        // GF1 and GF2 replace A1; GF5 replaces A2 and A3, so takes the less assured of the two.
        for reference in ["GF1", "GF2"] {
            assert_eq!((line(reference).result.as_str(), line(reference).carried_over), ("met", true), "{reference}");
            assert_eq!(line(reference).evidence_count, 1, "{reference} inherits A1's evidence");
        }
        assert_eq!(line("GF5").result.as_str(), "partly_met");
        assert_eq!(line("GF5").workflow.as_str(), "in_progress");
        assert!(!line("RP1").carried_over, "nothing to carry into RP1");
        let page = store::standard_page(&mut conn, p, "GF5").unwrap().unwrap();
        assert_eq!(
            page.narrative,
            "Carried from A2: How the service meets A2\n\nCarried from A3: How the service meets A3"
        );
        let links = ohgov::evidence::store::item(&mut conn, p, document, today).unwrap().unwrap().links;
        let linked: Vec<&str> = links.iter().map(|l| l.reference.as_str()).collect();
        assert_eq!(linked, ["A1", "GF1", "GF2"], "the old link is kept beside the new ones");
    }
);

async fn post_form(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> (u16, String) {
    let response = client.post(url).form(form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The history rows of changes people made: a page that shows readiness also records the live
/// checks' verdicts when they are first judged or change (entity `live_check`).
const CHANGES: &str = "history WHERE entity <> 'live_check'";

fn count(db: &support::TestDb, table: &str) -> i64 {
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<Count>(&mut conn).unwrap().n
}

on_both_backends!(
    bad_assessments_are_refused_at_the_field_and_write_nothing,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/assessment/GF1", app.address, s.provider);
        let history = count(&app.db, CHANGES);
        let long = "a".repeat(20_001);
        let (status, page) = post_form(
            &client,
            url.clone(),
            &[("csrf_token", &token), ("workflow", "in_progress"), ("result", "met"), ("narrative", &long)],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("The narrative must be 20000 characters or fewer; it has 20001"),
            "the message is at the field"
        );
        assert!(page.contains("aria-invalid=\"true\""));
        let (status, page) = post_form(
            &client,
            url.clone(),
            &[("csrf_token", &token), ("workflow", "done"), ("result", "not_applicable"), ("narrative", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Say why this standard does not apply to the service"));
        assert_eq!(count(&app.db, "standard_assessments"), 0, "nothing was written");
        assert_eq!(count(&app.db, "assessment_cycles"), 0);
        assert_eq!(count(&app.db, CHANGES), history);

        let (status, _) = post_form(
            &client,
            url.clone(),
            &[
                ("csrf_token", &token),
                ("workflow", "done"),
                ("result", "met"),
                ("narrative", "Policy signed by the board"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let page = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Policy signed by the board"));
        assert_eq!(count(&app.db, "standard_assessments"), 1);
        assert_eq!(count(&app.db, CHANGES), history + 2, "the new cycle and the assessment");

        let (viewer, viewer_token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let (status, _) =
            post_form(&viewer, url, &[("csrf_token", &viewer_token), ("workflow", "done"), ("result", "not_met")])
                .await;
        assert_eq!(status, 403, "a viewer reads but does not assess");
    }
);

on_both_backends!(
    the_accreditation_record_follows_the_pathway,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/accreditation", app.address, s.provider);
        let step = |status: &'static str, on: &'static str| {
            let token = token.clone();
            let client = client.clone();
            let url = url.clone();
            async move {
                post_form(&client, url, &[("csrf_token", token.as_str()), ("status", status), ("status_on", on)]).await
            }
        };
        let (status, page) = step("accredited", "2026-01-10").await;
        assert_eq!(status, 422, "accreditation needs a registration date first");
        assert!(page.contains("Record when the service registered"));
        assert_eq!(step("working_towards", "2023-03-15").await.0, 303);
        let (status, page) = step("deferred", "2025-06-01").await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter the key actions the assessors asked for"));
        let mut conn = app.db.migrated();
        let record =
            store::accreditation(&mut conn, s.provider, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
        assert_eq!(record.status.as_str(), "working_towards", "the refused step changed nothing");
        assert_eq!(record.months_working_towards, Some(44));
        assert_eq!(record.next_milestone.unwrap().on, NaiveDate::from_ymd_opt(2025, 3, 15).unwrap());
        assert!(record.milestone_overdue, "the two years to self-assess ran out in March 2025");

        assert_eq!(step("accredited", "2026-01-10").await.0, 303);
        let record =
            store::accreditation(&mut conn, s.provider, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).unwrap();
        assert_eq!(record.expires_on, NaiveDate::from_ymd_opt(2031, 1, 10));
        assert_eq!(record.next_renewal_on, NaiveDate::from_ymd_opt(2027, 1, 10));
        assert_eq!(record.registered_on, NaiveDate::from_ymd_opt(2023, 3, 15), "earlier steps keep their dates");
        assert_eq!(record.months_working_towards, Some(33), "registration to accreditation");
        let page = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("10 Jan 2031"), "the page shows the expiry");

        let history = count(&app.db, "history");
        let visit = AccreditationInput {
            status: "visit_booked".into(),
            status_on: "2026-11-01".into(),
            visit_on: "2026-10-01".into(),
            ..Default::default()
        };
        let errors = visit.parse().unwrap_err();
        assert_eq!(errors.0["visit_on"], "The visit cannot be before the day it was booked");
        assert_eq!(count(&app.db, "history"), history);
    }
);

on_both_backends!(
    findings_and_requests_pass_between_assessor_and_service,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let other = service(&mut app.db.migrated(), "Southvale Occupational Health Ltd", "southvale");
        let document = evidence(&mut app.db.migrated(), s.provider, "Consent audit 2026", &["IC1"], None, None);
        let theirs = evidence(&mut app.db.migrated(), other.provider, "Southvale audit", &[], None, None);
        let base = format!("{}/providers/{}", app.address, s.provider);
        let (assessor, a_token) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let (manager, m_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;

        let finding = [
            ("grade", "major_nonconformity"),
            ("description", "No lone-working policy for home visits"),
            ("action_needed", ""),
            ("raised_on", "2026-11-20"),
        ];
        let mut form = vec![("csrf_token", a_token.as_str())];
        form.extend(finding);
        let (status, page) = post_form(&assessor, format!("{base}/assessment/RP3/findings"), &form).await;
        assert_eq!(status, 422);
        assert!(page.contains("Say what the service must do about this nonconformity"));
        form[3] = ("action_needed", "Write and brief a lone-working policy");
        assert_eq!(post_form(&assessor, format!("{base}/assessment/RP3/findings"), &form).await.0, 303);
        form[0] = ("csrf_token", m_token.as_str());
        form[1] = ("grade", "good_practice");
        assert_eq!(post_form(&manager, format!("{base}/assessment/RP3/findings"), &form).await.0, 303);
        let findings = store::findings_list(&mut app.db.migrated(), s.provider, None, true).unwrap();
        let sources: Vec<&str> = findings.iter().map(|f| f.source.as_str()).collect();
        assert_eq!(sources.len(), 2);
        assert!(sources.contains(&"external_assessment") && sources.contains(&"internal_audit"), "{sources:?}");

        let (status, _) = post_form(
            &assessor,
            format!("{base}/requests"),
            &[("csrf_token", &a_token), ("standard", "ic1"), ("request_text", "The last two consent audits")],
        )
        .await;
        assert_eq!(status, 303);
        let request = store::requests_list(&mut app.db.migrated(), s.provider, None, false).unwrap()[0].id;
        let answer = format!("{base}/requests/{request}/answer");
        let (status, page) = post_form(
            &manager,
            answer.clone(),
            &[("csrf_token", &m_token), ("answer_text", "Attached"), ("evidence", &theirs.to_string())],
        )
        .await;
        assert_eq!(status, 422, "another provider's evidence cannot be attached");
        assert!(page.contains("Attach evidence from this service&#x27;s own library") || page.contains("own library"));
        let (status, _) = post_form(
            &manager,
            answer.clone(),
            &[("csrf_token", &m_token), ("answer_text", "The 2026 audit"), ("evidence", &document.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let decision = format!("{base}/requests/{request}/decision");
        let (status, page) =
            post_form(&assessor, decision.clone(), &[("csrf_token", &a_token), ("decision", "return")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Say what is missing"));
        let returned =
            [("csrf_token", a_token.as_str()), ("decision", "return"), ("decision_comment", "We asked for two")];
        assert_eq!(post_form(&assessor, decision.clone(), &returned).await.0, 303);
        let (status, _) =
            post_form(&manager, decision.clone(), &[("csrf_token", &m_token), ("decision", "accept")]).await;
        assert_eq!(status, 422, "only an answered request can be decided");
        assert_eq!(
            post_form(
                &manager,
                answer,
                &[("csrf_token", &m_token), ("answer_text", "Both audits"), ("evidence", &document.to_string())]
            )
            .await
            .0,
            303
        );
        assert_eq!(post_form(&assessor, decision, &[("csrf_token", &a_token), ("decision", "accept")]).await.0, 303);
        let page = assessor.get(format!("{base}/requests/{request}")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Accepted") && page.contains("Consent audit 2026"));
        let (status, _) =
            post_form(&assessor, format!("{base}/assessment/GF1"), &[("csrf_token", &a_token), ("result", "met")])
                .await;
        assert_eq!(status, 403, "an assessor records findings but never the service's own assessment");
    }
);

on_both_backends!(
    the_readiness_api_reports_every_standard,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        assess(&mut conn, s.manager, s.provider, "GF1", "done", "met", None);
        evidence(&mut conn, s.provider, "Policy", &["GF1"], Some(Utc::now().date_naive() - Duration::days(3)), None);
        let token = ohgov::accounts::store::create_token(&mut conn, None, "assessor@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/readiness", app.address, s.provider);
        let response = app.client.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["accreditation"]["status"], "not_registered");
        assert_eq!(body["cycle"]["kind"], "initial");
        assert_eq!(body["cycle"]["framework"], "seqohs-2023");
        let domains = body["domains"].as_array().unwrap();
        assert_eq!(domains.len(), 6);
        let standards: usize = domains.iter().map(|d| d["standards"].as_array().unwrap().len()).sum();
        assert_eq!(standards, 43);
        let gf1 = &domains[0]["standards"][0];
        let mut figures = gf1.clone();
        for live in ["live_checks", "contradicted_by_records"] {
            figures.as_object_mut().unwrap().remove(live);
        }
        assert_eq!(
            figures,
            serde_json::json!({
                "reference": "GF1", "level": "should", "workflow_state": "done", "result": "met",
                "carried_over": false, "evidence_count": 1, "current_evidence_count": 0, "overdue_evidence_count": 1
            })
        );
        // GF1 is marked met and its only evidence is past review: its live check fails, so the
        // records contradict it.
        let checks = gf1["live_checks"].as_array().unwrap();
        assert_eq!(checks.len(), 1, "{gf1}");
        assert_eq!(checks[0]["code"], "evidence.met_evidence_current");
        assert_eq!(checks[0]["verdict"], "fails");
        assert_eq!(checks[0]["exception_in_force"], false);
        assert_eq!(checks[0]["summary"], "1 evidence item past its review date: Policy");
        assert!(checks[0]["facts"][0].as_str().unwrap().starts_with("Policy (GF1): review was due"), "{}", checks[0]);
        assert_eq!(checks[0]["since"], support::today().to_string());
        assert_eq!(gf1["contradicted_by_records"], true);
        assert_eq!(body["totals"]["contradicted_by_records"], 1);
        let other = service(&mut conn, "Southvale Occupational Health Ltd", "southvale");
        let theirs = format!("{}/api/v1/providers/{}/readiness", app.address, other.provider);
        assert_eq!(app.client.get(&theirs).bearer_auth(&token).send().await.unwrap().status().as_u16(), 404);
    }
);

on_both_backends!(
    an_assessor_closes_a_finding_on_a_real_date,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let id = finding(&mut conn, s.manager, s.provider, "IC2");
        let (assessor, token) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/findings/{id}/close", app.address, s.provider);
        let tomorrow = (Utc::now().date_naive() + Duration::days(1)).to_string();
        let refused = assessor
            .post(url.clone())
            .form(&[("csrf_token", token.as_str()), ("closed_on", &tomorrow)])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 303, "sent back to the findings with the reason");
        let back = refused.headers()["location"].to_str().unwrap().to_string();
        assert!(back.ends_with("/findings?problem=date"), "{back}");
        let page = assessor.get(format!("{}{back}", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("The finding was not closed"), "{page}");
        let open = store::findings_list(&mut app.db.migrated(), s.provider, None, true).unwrap();
        assert_eq!(open.len(), 1, "still open");
        let (status, _) = post_form(&assessor, url, &[("csrf_token", &token), ("closed_on", "")]).await;
        assert_eq!(status, 303, "closed today, then the list");
        assert!(store::findings_list(&mut app.db.migrated(), s.provider, None, true).unwrap().is_empty());
        let closed = store::findings_list(&mut app.db.migrated(), s.provider, None, false).unwrap();
        assert_eq!(closed[0].closed_on, Some(Utc::now().date_naive()));
    }
);

on_both_backends!(
    one_standards_evidence_is_the_library_narrowed_to_it,
    db | db | {
        use ohgov::evidence::store::{library, LibraryFilter};
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let today = support::today();
        evidence(&mut conn, p, "Both", &["GF1", "GF2"], None, None);
        evidence(&mut conn, p, "Second only", &["GF2"], Some(today - Duration::days(1)), None);
        evidence(&mut conn, p, "Neither", &["GF3"], None, None);
        evidence(&mut conn, p, "Unlinked", &[], None, None);
        let framework = support::framework(&mut conn, p);
        let everything = library(&mut conn, p, &LibraryFilter::default(), today).unwrap();
        for reference in ["GF1", "GF2", "GF4"] {
            use ohgov::db::schema::catalogue_nodes;
            let node_id: i32 = catalogue_nodes::table
                .filter(catalogue_nodes::catalogue_id.nullable().eq(framework))
                .filter(catalogue_nodes::reference.eq(reference))
                .select(catalogue_nodes::id)
                .first(&mut conn)
                .unwrap();
            let narrowed =
                library(&mut conn, p, &LibraryFilter { node_id: Some(node_id), ..Default::default() }, today).unwrap();
            let titles = |lines: &[ohgov::evidence::store::LibraryLine]| -> Vec<(String, Vec<String>)> {
                lines.iter().map(|l| (l.item.title.clone(), l.links.clone())).collect()
            };
            let expected: Vec<_> =
                everything.iter().filter(|l| l.links.iter().any(|r| r == reference)).cloned().collect();
            assert_eq!(titles(&narrowed), titles(&expected), "{reference}: each item with all its links");
        }
        let gf2: Vec<String> =
            everything.iter().filter(|l| l.links.contains(&"GF2".to_string())).map(|l| l.item.title.clone()).collect();
        assert_eq!(gf2, vec!["Second only".to_string(), "Both".to_string()], "newest first");
    }
);

on_both_backends!(
    the_nhs_domain_counts_only_where_it_applies,
    app | app | {
        use ohgov::accounts::model::{NewContract, OrganisationInput, ProviderDetailsInput};
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (p, today) = (s.provider, support::today());
        let details = |nhs_domain: &str| ProviderDetailsInput {
            name: "Northshire OH Service".into(),
            organisation_type: "independent".into(),
            nhs_domain: nhs_domain.into(),
            ..Default::default()
        };
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("default").parse().unwrap()).unwrap();
        let counts = |conn: &mut DbConnection| {
            let r = store::readiness(conn, p, today, ohgov::live::store::verdicts::by_standard).unwrap().readiness;
            let ss = r.domains.iter().find(|d| d.reference == "SS").expect("the domain is shown");
            assert_eq!(ss.title, "Sector specific standards (optional)");
            (ss.applies, r.standard_count, r.must_not_met, r.without_evidence)
        };
        // An independent provider without NHS contracts: the eleven SS standards (all must) are out.
        assert_eq!(counts(&mut conn), (false, 32, 12, 32));

        // Chosen on: they are back.
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("applies").parse().unwrap()).unwrap();
        assert_eq!(counts(&mut conn), (true, 43, 23, 43));
        assert_eq!(ohgov::accounts::store::nhs_domain_choice(&mut conn, p).unwrap(), Some(true));

        // By default again, with a current contract with an NHS trust: on.
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("default").parse().unwrap()).unwrap();
        let trust = OrganisationInput {
            kind: "commissioner".into(),
            name: "Northshire NHS Trust".into(),
            organisation_type: "nhs_trust".into(),
            ..Default::default()
        };
        let trust = ohgov::accounts::store::create_organisation(&mut conn, None, &trust.parse().unwrap()).unwrap();
        let contract = NewContract {
            commissioner_id: trust,
            provider_id: p,
            starts_on: today - Duration::days(30),
            ends_on: Some(today + Duration::days(300)),
            services: vec![],
        };
        ohgov::accounts::store::create_contract(&mut conn, None, &contract).unwrap();
        assert!(counts(&mut conn).0, "the domain applies");
        // The provider chooses: off, whatever the contract.
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("does_not_apply").parse().unwrap())
            .unwrap();
        assert_eq!(counts(&mut conn), (false, 32, 12, 32));

        // The API reflects it.
        let token = ohgov::accounts::store::create_token(&mut conn, None, "viewer@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/readiness", app.address, p);
        let body: serde_json::Value =
            app.client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["totals"]["standards"], 32);
        let ss = body["domains"].as_array().unwrap().iter().find(|d| d["reference"] == "SS").unwrap().clone();
        assert_eq!(ss["applies"], false);

        // The manager's edit page offers the choice, and the dashboard marks the domain.
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let page = client.get(format!("{}/providers/{}/edit", app.address, p)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains(r#"<option value="does_not_apply" selected>"#), "{page}");
        let response = client
            .post(format!("{}/providers/{}", app.address, p))
            .form(&[
                ("csrf_token", token.as_str()),
                ("name", "Northshire OH Service"),
                ("organisation_type", "independent"),
                ("nhs_domain", "applies"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert!(counts(&mut conn).0, "the domain applies");
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("does_not_apply").parse().unwrap())
            .unwrap();
        let dashboard = client.get(format!("{}/providers/{}/assessment", app.address, p)).send().await.unwrap();
        let dashboard = dashboard.text().await.unwrap();
        assert!(dashboard.contains("Not applicable to this service"), "{dashboard}");
    }
);

/// The newest history row: (entity, action, changes).
fn last_history(db: &support::TestDb) -> (String, String, String) {
    use ohgov::db::schema::history;
    history::table
        .order(history::id.desc())
        .select((history::entity, history::action, history::changes))
        .first(&mut db.conn())
        .unwrap()
}

on_both_backends!(
    a_manager_withdraws_a_finding_entered_by_mistake_with_a_reason,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let today = support::today();
        let id = finding(&mut conn, s.manager, s.provider, "IC2");
        let open = |conn: &mut DbConnection| {
            store::readiness(conn, s.provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap()
                .readiness
                .open_findings
        };
        assert_eq!(open(&mut conn), 1);
        let url = format!("{}/providers/{}/findings/{id}/withdraw", app.address, s.provider);

        let (assessor, token) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let (status, _) = post_form(&assessor, url.clone(), &[("csrf_token", &token), ("reason", "Typed twice")]).await;
        assert_eq!(status, 403, "only a manager withdraws");
        let page = assessor.get(format!("{}/providers/{}/findings", app.address, s.provider)).send().await.unwrap();
        assert!(!page.text().await.unwrap().contains("/withdraw"), "no link for those who may not");
        assert_eq!(assessor.get(url.clone()).send().await.unwrap().status().as_u16(), 403);

        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let findings = manager.get(format!("{}/providers/{}/findings", app.address, s.provider)).send().await;
        assert!(findings.unwrap().text().await.unwrap().contains(&format!("/findings/{id}/withdraw\"")));
        let form = manager.get(url.clone()).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("Why is it withdrawn?") && form.contains("Two of ten case notes"), "{form}");
        let history = count(&app.db, "history");
        let (status, page) = post_form(&manager, url.clone(), &[("csrf_token", &token), ("reason", "  ")]).await;
        assert_eq!(status, 422, "a reason is required");
        assert!(page.contains("Say why it is withdrawn"), "{page}");
        assert_eq!((open(&mut conn), count(&app.db, "history")), (1, history), "nothing changed");

        let (status, _) = post_form(
            &manager,
            url.clone(),
            &[("csrf_token", &token), ("reason", "Entered against the wrong standard")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(open(&mut conn), 0, "no longer counted");
        assert!(store::findings_list(&mut conn, s.provider, None, true).unwrap().is_empty());
        let all = store::findings_list(&mut conn, s.provider, None, false).unwrap();
        assert_eq!(all.len(), 1, "still listed");
        assert_eq!(all[0].withdrawal_reason.as_deref(), Some("Entered against the wrong standard"));
        let (entity, action, changes) = last_history(&app.db);
        assert_eq!((entity.as_str(), action.as_str()), ("finding", "withdraw"));
        assert!(changes.contains("Entered against the wrong standard"), "{changes}");
        let page = manager.get(format!("{}/providers/{}/findings", app.address, s.provider)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains("Withdrawn") && page.contains("Entered against the wrong standard"), "{page}");

        let (assessor, assessor_token) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let history = count(&app.db, "history");
        let (status, page) = post_form(&manager, url, &[("csrf_token", &token), ("reason", "Again")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("already been withdrawn"), "{page}");
        let close = format!("{}/providers/{}/findings/{id}/close", app.address, s.provider);
        let (status, _) = post_form(&assessor, close, &[("csrf_token", &assessor_token), ("closed_on", "")]).await;
        assert_eq!(status, 404, "a withdrawn finding is not closed");
        assert_eq!(count(&app.db, "history"), history);
    }
);

on_both_backends!(
    a_manager_withdraws_an_evidence_item_and_it_stops_counting,
    app | app | {
        use ohgov::evidence::store::{library, LibraryFilter};
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let today = support::today();
        let id = evidence(&mut conn, s.provider, "Wrong service's policy", &["GF1"], None, None);
        let gf1 = |conn: &mut DbConnection| {
            let report =
                store::readiness(conn, s.provider, today, ohgov::live::store::verdicts::by_standard).unwrap().readiness;
            let standard = report.domains.iter().flat_map(|d| &d.standards).find(|l| l.reference == "GF1").cloned();
            (report.evidence_items, standard.unwrap().evidence_count)
        };
        assert_eq!(gf1(&mut conn), (1, 1));
        let url = format!("{}/providers/{}/evidence/{id}/withdraw", app.address, s.provider);

        let (viewer, token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let (status, _) = post_form(&viewer, url.clone(), &[("csrf_token", &token), ("reason", "Mistake")]).await;
        assert_eq!(status, 403);

        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let (status, page) = post_form(&manager, url.clone(), &[("csrf_token", &token), ("reason", "")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Say why it is withdrawn") && page.contains("aria-invalid"), "at the field: {page}");
        assert_eq!(gf1(&mut conn), (1, 1), "nothing changed");

        let (status, _) =
            post_form(&manager, url, &[("csrf_token", &token), ("reason", "Another service's policy")]).await;
        assert_eq!(status, 303);
        assert_eq!(gf1(&mut conn), (0, 0), "no longer evidence for anything");
        assert!(library(&mut conn, s.provider, &LibraryFilter::default(), today).unwrap().is_empty());
        let withdrawn = LibraryFilter { withdrawn: true, ..Default::default() };
        let kept = library(&mut conn, s.provider, &withdrawn, today).unwrap();
        assert_eq!(kept.len(), 1, "kept, among the withdrawn");
        assert_eq!(kept[0].links, ["GF1"], "with its links");
        let (entity, action, changes) = last_history(&app.db);
        assert_eq!((entity.as_str(), action.as_str()), ("evidence", "withdraw"));
        assert!(changes.contains("Another service's policy"), "{changes}");
        let page = manager.get(format!("{}/providers/{}/evidence/{id}", app.address, s.provider)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains("This item was withdrawn on"), "{page}");
        assert!(!page.contains("Upload a new version"), "{page}");
        let listed = manager.get(format!("{}/providers/{}/evidence?withdrawn=1", app.address, s.provider)).send().await;
        assert!(listed.unwrap().text().await.unwrap().contains("Wrong service"));
    }
);
