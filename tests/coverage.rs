//! Service coverage on both backends: every state, the day an arrangement ends and the day after,
//! refused input, the history, and the JSON.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use ohgov::coverage::model::{CoverageInput, CoverageKind};
use ohgov::coverage::rules::CoverageState;
use ohgov::coverage::store;
use ohgov::db::{DbConnection, ProviderId};
use support::{browser_signed_in, service, PASSWORD};

fn arrangement(partner: &str, starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> CoverageInput {
    CoverageInput {
        delivery: "arrangement".into(),
        partner_name: partner.into(),
        agreement_reference: "NPP-2024-07".into(),
        starts_on: starts_on.to_string(),
        ends_on: ends_on.map(|d| d.to_string()).unwrap_or_default(),
        ..Default::default()
    }
}

fn save(conn: &mut DbConnection, provider: ProviderId, reference: &str, kind: CoverageKind, input: CoverageInput) {
    let coverage = input.parse(kind).unwrap();
    store::save(conn, None, provider, reference, &coverage, support::today())
        .unwrap_or_else(|e| panic!("{reference} is a row: {e}"));
}

fn state_of(conn: &mut DbConnection, provider: ProviderId, reference: &str, today: NaiveDate) -> CoverageState {
    store::coverage_row(conn, provider, reference, today).unwrap().unwrap().state
}

on_both_backends!(
    every_state_including_the_last_day_and_the_day_after,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let ends = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
        let starts = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
        let in_house =
            CoverageInput { delivery: "in_house".into(), lead_name: "Grace Okafor RN".into(), ..Default::default() };
        save(&mut conn, p, "PREV", CoverageKind::CoreService, in_house);
        save(
            &mut conn,
            p,
            "REHAB",
            CoverageKind::CoreService,
            arrangement("Northshire Physiotherapy Partners LLP", starts, Some(ends)),
        );
        save(&mut conn, p, "TB", CoverageKind::Subspecialism, arrangement("Northshire TB Service", starts, None));
        let none = CoverageInput { delivery: "not_available".into(), ..Default::default() };
        save(&mut conn, p, "RESEARCH", CoverageKind::Subspecialism, none);

        let day_before_window = ends - Duration::days(91);
        assert_eq!(state_of(&mut conn, p, "REHAB", day_before_window), CoverageState::Arrangement);
        assert_eq!(state_of(&mut conn, p, "REHAB", ends - Duration::days(90)), CoverageState::Expiring);
        assert_eq!(state_of(&mut conn, p, "REHAB", ends), CoverageState::Expiring, "covered on its last day");
        assert_eq!(state_of(&mut conn, p, "REHAB", ends + Duration::days(1)), CoverageState::Expired);
        assert_eq!(state_of(&mut conn, p, "PREV", ends), CoverageState::Covered);
        assert_eq!(state_of(&mut conn, p, "TB", ends), CoverageState::Arrangement);
        assert_eq!(state_of(&mut conn, p, "RESEARCH", ends), CoverageState::Gap);
        assert_eq!(state_of(&mut conn, p, "BBV", ends), CoverageState::Gap, "nothing recorded is a gap");

        let rows = store::coverage(&mut conn, p, ends + Duration::days(1)).unwrap();
        assert_eq!(rows.len(), 16);
        assert_eq!(rows.iter().filter(|r| r.kind == CoverageKind::CoreService).count(), 6);
        let totals = store::totals(&rows);
        assert_eq!((totals.covered, totals.arrangement, totals.expired, totals.gap), (1, 1, 1, 13));
        assert_eq!(totals.not_covered, 14, "the expired arrangement counts as a gap");
    }
);

async fn post(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = client.post(url).form(form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

on_both_backends!(
    a_bad_arrangement_is_refused_at_the_field_and_changes_are_in_the_history,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let mut conn = app.db.migrated();
        let regulations = ohgov::workforce::store::regulations(&mut conn).unwrap();
        for (number, name, discipline, registration) in
            [("N1", "Grace Okafor", "oh_nurse", "12A3456E"), ("A1", "Alex Kerr", "administrator", "")]
        {
            let input = ohgov::workforce::model::StaffInput {
                staff_number: number.into(),
                full_name: name.into(),
                discipline: discipline.into(),
                registration_number: registration.into(),
                ..Default::default()
            };
            ohgov::workforce::store::create_staff(&mut conn, None, s.provider, &input.parse(&regulations).unwrap())
                .unwrap();
        }
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/coverage/REHAB", app.address, s.provider);
        let (status, page) = post(
            &client,
            &url,
            &[
                ("csrf_token", &token),
                ("delivery", "arrangement"),
                ("partner_name", " "),
                ("starts_on", "2026-04-01"),
                ("ends_on", "2026-03-31"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter the name of the provider the arrangement is with"));
        assert!(page.contains("The end date (the last day covered) cannot be before the start date"));
        assert!(page.contains("<option value=\"Grace Okafor\">"), "leads are picked from the clinical staff");
        assert!(!page.contains("<option value=\"Alex Kerr\">"), "but not from the non-clinical tier");
        let today = Utc::now().date_naive();
        assert_eq!(store::coverage_row(&mut conn, s.provider, "REHAB", today).unwrap().unwrap().updated_at, None);

        let ends = (today + Duration::days(30)).to_string();
        let good = [
            ("csrf_token", token.as_str()),
            ("delivery", "arrangement"),
            ("partner_name", "Northshire Physiotherapy Partners LLP"),
            ("starts_on", "2025-04-01"),
            ("ends_on", ends.as_str()),
            ("lead_name", "Dr Alasdair Finch"),
        ];
        assert_eq!(post(&client, &url, &good).await.0, 303);
        let table = client.get(format!("{}/providers/{}/coverage", app.address, s.provider)).send().await.unwrap();
        let table = table.text().await.unwrap();
        assert!(table.contains("Arrangement ends within 90 days"));
        assert!(table.contains("Northshire Physiotherapy Partners LLP"));
        let overview = client.get(format!("{}/providers/{}", app.address, s.provider)).send().await.unwrap();
        let overview = overview.text().await.unwrap();
        assert!(overview.contains("1 of 16 core services and sub-specialisms covered"), "{overview}");
        assert!(overview.contains("0 of 2 people need attention"));
        let (assessor, _) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let seen = assessor.get(format!("{}/providers/{}", app.address, s.provider)).send().await.unwrap();
        let seen = seen.text().await.unwrap();
        assert!(seen.contains("core services and sub-specialisms covered"));
        assert!(!seen.contains("people need attention"), "an assessor does not see the workforce");
        let history = client
            .get(format!("{}/providers/{}/history?entity=coverage", app.address, s.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(history.contains("Partner: Northshire Physiotherapy Partners LLP"), "{history}");

        let (status, _) = post(
            &client,
            &format!("{}/providers/{}/coverage/BBV", app.address, s.provider),
            &[("csrf_token", &token), ("delivery", "partial")],
        )
        .await;
        assert_eq!(status, 422, "a sub-specialism is not partly delivered");
        let (viewer, viewer_token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let (status, _) = post(&viewer, &url, &[("csrf_token", &viewer_token), ("delivery", "in_house")]).await;
        assert_eq!(status, 403);
    }
);

on_both_backends!(
    the_coverage_api_reports_each_row,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let today = Utc::now().date_naive();
        let expired = arrangement("Old Physio Ltd", today - Duration::days(400), Some(today - Duration::days(1)));
        save(&mut conn, s.provider, "REHAB", CoverageKind::CoreService, expired);
        let token = ohgov::accounts::store::create_token(&mut conn, None, "viewer@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/coverage", app.address, s.provider);
        let body: serde_json::Value =
            app.client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let rows = body["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 16);
        let rehab = rows.iter().find(|r| r["reference"] == "REHAB").unwrap();
        assert_eq!(
            *rehab,
            serde_json::json!({
                "kind": "core_service", "reference": "REHAB", "title": "Rehabilitation", "state": "expired",
                "partial": false, "partner": "Old Physio Ltd", "ends_on": (today - Duration::days(1)).to_string(),
                "lead": null
            })
        );
        assert_eq!(rows.iter().find(|r| r["reference"] == "CYTO").unwrap()["kind"], "subspecialism");
        assert_eq!(body["totals"]["not_covered"], 16);
        assert_eq!(app.client.get(&url).send().await.unwrap().status().as_u16(), 401);
    }
);

on_both_backends!(
    the_coverage_command_prints_sixteen_rows_and_ends_quietly_into_a_closed_pipe,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let run = |extra: &[&str]| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"));
            command.args(["coverage", "--provider", &s.provider.to_string()]).args(extra);
            command.args(["--database-url", &db.url]).env_remove("DATABASE_URL");
            command.env("OHGOV_HISTORY_KEY_FILE", db.history_key_file());
            command
        };
        let whole = run(&[]).output().unwrap();
        assert!(whole.status.success());
        let text = String::from_utf8_lossy(&whole.stdout);
        assert_eq!(text.lines().filter(|l| l.contains(" Gap")).count(), 16, "nothing recorded: sixteen gaps\n{text}");
        // Like `ohgov coverage | head -0`: the reader has gone before the first line is written.
        let mut child =
            run(&[]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"), "no panic on a closed pipe");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "ended by SIGPIPE, as `head` expects");
        }
    }
);

on_both_backends!(
    a_partly_delivered_core_service_is_its_own_state_and_total,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let in_house = CoverageInput { delivery: "in_house".into(), ..Default::default() };
        save(&mut conn, s.provider, "PREV", CoverageKind::CoreService, in_house);
        let partly = CoverageInput {
            delivery: "partial".into(),
            included: "Health checks".into(),
            excluded: "Financial wellbeing".into(),
            ..Default::default()
        };
        save(&mut conn, s.provider, "HWB", CoverageKind::CoreService, partly);
        let today = support::today();
        assert_eq!(state_of(&mut conn, s.provider, "HWB", today), CoverageState::Partial);
        let totals = store::totals(&store::coverage(&mut conn, s.provider, today).unwrap());
        assert_eq!((totals.covered, totals.partial, totals.gap, totals.not_covered), (1, 1, 14, 14));

        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let page = client.get(format!("{}/providers/{}/coverage", app.address, s.provider)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains(">Partly</span>"), "{page}");
        assert!(page.contains("</span> partly delivered</a></li>"), "{page}");
        let overview = client.get(format!("{}/providers/{}", app.address, s.provider)).send().await.unwrap();
        let overview = overview.text().await.unwrap();
        assert!(
            overview.contains("1 of 16 core services and sub-specialisms covered</a>; 1 partly delivered"),
            "partly is not counted as covered: {overview}"
        );

        let token = ohgov::accounts::store::create_token(&mut conn, None, "viewer@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/coverage", app.address, s.provider);
        let body: serde_json::Value =
            app.client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let hwb = body["rows"].as_array().unwrap().iter().find(|r| r["reference"] == "HWB").unwrap().clone();
        assert_eq!((hwb["state"].as_str(), hwb["partial"].as_bool()), (Some("partial"), Some(true)));
        assert_eq!(body["totals"]["partial"], 1);
        assert_eq!(body["totals"]["covered"], 1);
        assert_eq!(body["totals"]["not_covered"], 14);

        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(["coverage", "--provider", &s.provider.to_string(), "--database-url", &app.db.url])
            .env_remove("DATABASE_URL")
            .env("OHGOV_HISTORY_KEY_FILE", app.db.history_key_file())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.lines().any(|l| l.contains("HWB") && l.contains("Partly")), "{text}");
        assert!(text.contains("partly delivered (neither covered nor a gap): 1"), "{text}");
    }
);
