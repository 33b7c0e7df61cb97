//! Live evidence on both backends: the checks' verdicts kept with the day they changed, the flag
//! on a standard marked met that the records contradict (dashboard, standards list, the standard's
//! page, the readiness JSON, the commissioner's page and API), exceptions recorded and ended, and
//! what is refused writing nothing.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::Grant;
use ohgov::accounts::Role;
use ohgov::assessment::model::{AssessmentInput, Verdict};
use ohgov::catalogue::model::LiveCheck;
use ohgov::db::schema::{history, live_exceptions, live_verdicts};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::live::model::ExceptionInput;
use ohgov::live::store::{exceptions, verdicts};
use support::{browser_signed_in, service, PASSWORD};

const REGISTRATIONS: &str = "workforce.registrations_current";
/// The registrations check's question as a page writes it (the apostrophe escaped).
const QUESTION_IN_HTML: &str = "Every registered clinician&#x27;s registration is current";

/// Marks `reference` met, done, as of `today`.
fn mark_met(conn: &mut DbConnection, by: UserId, provider: ProviderId, reference: &str, today: NaiveDate) {
    let input = AssessmentInput {
        workflow: "done".into(),
        result: "met".into(),
        narrative: format!("How the service meets {reference}"),
        ..Default::default()
    };
    ohgov::assessment::store::save_assessment(conn, Some(by), provider, reference, &input.parse().unwrap(), today)
        .unwrap();
}

/// An OH nurse, N1, whose registration is to be renewed by `renewal`; returns their id.
fn nurse(conn: &mut DbConnection, provider: ProviderId, renewal: NaiveDate) -> ohgov::db::StaffId {
    let regulations = ohgov::workforce::store::regulations(conn).unwrap();
    let input = ohgov::workforce::model::StaffInput {
        staff_number: "N1".into(),
        full_name: "Grace Okafor".into(),
        discipline: "oh_nurse".into(),
        registration_number: "12A3456E".into(),
        registration_renewal: renewal.to_string(),
        ..Default::default()
    };
    ohgov::workforce::store::create_staff(conn, None, provider, &input.parse(&regulations).unwrap()).unwrap()
}

/// Sets N1's renewal date, as a manager correcting the record would.
fn renew(conn: &mut DbConnection, provider: ProviderId, staff: ohgov::db::StaffId, renewal: NaiveDate) {
    let regulations = ohgov::workforce::store::regulations(conn).unwrap();
    let input = ohgov::workforce::model::StaffInput {
        staff_number: "N1".into(),
        full_name: "Grace Okafor".into(),
        discipline: "oh_nurse".into(),
        registration_number: "12A3456E".into(),
        registration_renewal: renewal.to_string(),
        ..Default::default()
    };
    ohgov::workforce::store::update_staff(conn, None, provider, staff, &input.parse(&regulations).unwrap()).unwrap();
}

/// The registrations check as it stands on RP1 on `day`.
fn rp1(conn: &mut DbConnection, provider: ProviderId, day: NaiveDate) -> ohgov::assessment::rules::LiveVerdict {
    let framework = support::framework(conn, provider).unwrap();
    let node = ohgov::catalogue::store::live_checks(conn, framework)
        .unwrap()
        .into_iter()
        .find(|(_, reference, _)| reference == "RP1")
        .map(|(node, _, _)| node)
        .expect("RP1 names a live check");
    verdicts::by_standard(conn, provider, day)
        .unwrap()
        .remove(&node)
        .unwrap()
        .into_iter()
        .find(|v| v.check == LiveCheck::RegistrationsCurrent)
        .expect("RP1 names the registrations check")
}

/// The history rows of the registrations check for `provider`: (action, changes).
fn verdict_history(conn: &mut DbConnection, provider: ProviderId) -> Vec<(String, String)> {
    history::table
        .filter(history::organisation_id.eq(provider.0))
        .filter(history::entity.eq("live_check"))
        .filter(history::entity_id.eq(REGISTRATIONS))
        .order(history::id)
        .select((history::action, history::changes))
        .load(conn)
        .unwrap()
}

/// Every kept verdict of the provider, as stored.
fn kept(conn: &mut DbConnection, provider: ProviderId) -> Vec<(String, String, NaiveDate, String, NaiveDate, i32)> {
    live_verdicts::table
        .filter(live_verdicts::provider_id.eq(provider))
        .order(live_verdicts::check_code)
        .select((
            live_verdicts::check_code,
            live_verdicts::verdict,
            live_verdicts::since,
            live_verdicts::summary,
            live_verdicts::judged_on,
            live_verdicts::judged_after,
        ))
        .load(conn)
        .unwrap()
}

fn history_rows(conn: &mut DbConnection) -> i64 {
    history::table.count().get_result(conn).unwrap()
}

on_both_backends!(
    a_verdict_is_kept_with_the_day_it_changed_and_a_quiet_view_writes_nothing,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let first = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let staff = nurse(&mut conn, s.provider, first + Duration::days(10));
        mark_met(&mut conn, s.manager, s.provider, "RP1", first);

        let holds = rp1(&mut conn, s.provider, first);
        assert_eq!((holds.verdict, holds.since), (Verdict::Holds, first));
        assert_eq!(holds.summary, "The one registration is current");
        assert_eq!(verdict_history(&mut conn, s.provider).len(), 1, "first judged");

        // A second view the same day: the kept rows and the history are as they were.
        let (rows, trail) = (kept(&mut conn, s.provider), history_rows(&mut conn));
        assert_eq!(rp1(&mut conn, s.provider, first).since, first);
        assert_eq!(kept(&mut conn, s.provider), rows, "nothing rewritten");
        assert_eq!(history_rows(&mut conn), trail, "no history row");

        // The registration lapses: the day after the renewal date the check fails, from that day.
        let lapsed = first + Duration::days(11);
        let fails = rp1(&mut conn, s.provider, lapsed);
        assert_eq!((fails.verdict, fails.since), (Verdict::Fails, lapsed));
        assert_eq!(fails.summary, "1 registration expired: N1");
        let trail = verdict_history(&mut conn, s.provider);
        assert_eq!(trail.len(), 2, "one row for the change");
        assert_eq!(trail[1].0, "change");
        let changes: serde_json::Value = serde_json::from_str(&trail[1].1).unwrap();
        assert_eq!(changes["verdict"], serde_json::json!({"before": "holds", "after": "fails"}));
        assert_eq!(changes["summary"]["after"], "1 registration expired: N1");
        let report = ohgov::assessment::store::readiness(&mut conn, s.provider, lapsed, verdicts::by_standard).unwrap();
        assert_eq!(report.readiness.contradicted, 1, "RP1 is marked met and its check fails");

        // Days later it still fails since the day it lapsed, with no further row.
        let later = lapsed + Duration::days(5);
        assert_eq!(rp1(&mut conn, s.provider, later).since, lapsed);
        assert_eq!(verdict_history(&mut conn, s.provider).len(), 2);

        // The record is put right: it holds again from that day, and the change is recorded.
        renew(&mut conn, s.provider, staff, later + Duration::days(365));
        let fixed = rp1(&mut conn, s.provider, later);
        assert_eq!((fixed.verdict, fixed.since), (Verdict::Holds, later));
        let trail = verdict_history(&mut conn, s.provider);
        assert_eq!(trail.len(), 3);
        let changes: serde_json::Value = serde_json::from_str(&trail[2].1).unwrap();
        assert_eq!(changes["verdict"], serde_json::json!({"before": "fails", "after": "holds"}));
        let report = ohgov::assessment::store::readiness(&mut conn, s.provider, later, verdicts::by_standard).unwrap();
        assert_eq!(report.readiness.contradicted, 0);
    }
);

on_both_backends!(
    an_exception_excuses_a_failing_check_until_its_last_day_and_stays_listed,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        nurse(&mut conn, s.provider, today - Duration::days(3));
        mark_met(&mut conn, s.manager, s.provider, "RP1", today);
        assert_eq!(rp1(&mut conn, s.provider, today).verdict, Verdict::Fails);
        let contradicted = |conn: &mut DbConnection, day: NaiveDate| {
            ohgov::assessment::store::readiness(conn, s.provider, day, verdicts::by_standard)
                .unwrap()
                .readiness
                .contradicted
        };
        assert_eq!(contradicted(&mut conn, today), 1);

        let input = ExceptionInput {
            check: REGISTRATIONS.into(),
            reason: "Renewal paid; the NMC register updates within five working days".into(),
            ends_on: (today + Duration::days(5)).to_string(),
        };
        let id = exceptions::record(
            &mut conn,
            Some(s.manager),
            s.provider,
            "RP1",
            &input.parse(today).unwrap(),
            Utc::now().naive_utc(),
        )
        .unwrap();
        assert_eq!(contradicted(&mut conn, today), 0, "excused");
        assert_eq!(contradicted(&mut conn, today + Duration::days(5)), 0, "in force on its last day");

        // Past its last day it no longer excuses, and it is still listed on the check.
        let after = today + Duration::days(6);
        assert_eq!(contradicted(&mut conn, after), 1);
        let check = rp1(&mut conn, s.provider, after);
        assert_eq!(check.exceptions.len(), 1);
        assert_eq!(check.exceptions[0].id, id);
        assert_eq!(check.exceptions[0].recorded_by.as_deref(), Some("Manager of Northshire OH Service"));
        assert!(!check.exceptions[0].in_force(after));

        // The commissioner's count reads the same from the kept verdicts.
        let counted = verdicts::contradicted_for_providers(&mut conn, &[s.provider], today).unwrap();
        assert!(counted.is_empty(), "excused today: {counted:?}");
        let counted = verdicts::contradicted_for_providers(&mut conn, &[s.provider], after).unwrap();
        assert_eq!(counted[&s.provider], ["RP1"]);
    }
);

on_both_backends!(
    the_flag_shows_on_every_readiness_view_and_only_the_records_or_an_exception_clear_it,
    catalogue_db | db | {
        actix_web::rt::System::new().block_on(async move { flag_everywhere(db).await });
    }
);

async fn flag_everywhere(db: support::TestDb) {
    let mut settings = db.settings();
    let clock = ohgov::clock::Clock::fixed_at(Utc::now());
    settings.clock = clock.clone();
    let app = support::TestApp::spawn_with(db, settings).await;
    let mut conn = app.db.migrated();
    let s = service(&mut conn, "Northshire OH Service", "northshire");
    let today = clock.today();
    nurse(&mut conn, s.provider, today + Duration::days(2));
    mark_met(&mut conn, s.manager, s.provider, "RP1", today);
    assert_eq!(rp1(&mut conn, s.provider, today).verdict, Verdict::Holds);

    // Three days on the registration has lapsed.
    clock.set(Utc::now() + Duration::days(3));
    let lapsed = clock.today();
    let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
    let base = format!("{}/providers/{}", app.address, s.provider);
    let get = |client: &reqwest::Client, url: String| {
        let client = client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (_, dashboard) = get(&manager, format!("{base}/assessment")).await;
    let figure = dashboard.split("show=contradicted").nth(1).expect("the figure links to its standards");
    assert!(figure.contains(">1</span> marked met, contradicted by the records"), "{dashboard}");
    let (_, listed) = get(&manager, format!("{base}/assessment/standards?show=contradicted")).await;
    assert!(listed.contains("marked met, contradicted by the records"), "{listed}");
    assert!(listed.contains("RP1") && listed.contains("Contradicted by records"), "{listed}");
    assert!(!listed.contains(">RP2<"), "only the contradicted standards");
    let (_, page) = get(&manager, format!("{base}/assessment/RP1")).await;
    assert!(page.contains("Contradicted by records"), "{page}");
    assert!(page.contains("1 registration expired: N1") && page.contains(QUESTION_IN_HTML), "{page}");
    let since = format!("Failing since {} (today)", lapsed.format("%-d %B %Y"));
    assert!(page.contains(&since), "{since} in {page}");
    assert!(page.contains("Record an exception"), "{page}");
    let (_, trail) = get(&manager, format!("{base}/history")).await;
    assert!(trail.contains("Now fails — 1 registration expired: N1"), "{trail}");
    let (_, overview) = get(&manager, base.clone()).await;
    assert!(overview.contains("Contradicted by records: 1 standard<"), "{overview}");
    // The fact links to the nurse's record for the manager, who may open it.
    assert!(
        page.contains("&#x2F;workforce&#x2F;staff&#x2F;") && page.contains("N1: registration expired on"),
        "{page}"
    );

    // Saving "met" again does not clear it.
    let save = manager
        .post(format!("{base}/assessment/RP1"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("workflow", "done"),
            ("result", "met"),
            ("narrative", "All registrations are checked monthly"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(save.status().as_u16(), 303);
    let (_, page) = get(&manager, format!("{base}/assessment/RP1")).await;
    assert!(page.contains("Contradicted by records"), "the result's words do not clear the flag");

    // The readiness API says the same.
    let api_token = ohgov::accounts::store::create_token(&mut conn, None, "assessor@northshire.example").unwrap();
    let readiness = |api_token: String| {
        let (client, url) = (app.client.clone(), format!("{}/api/v1/providers/{}/readiness", app.address, s.provider));
        async move {
            let body: serde_json::Value =
                client.get(url).bearer_auth(api_token).send().await.unwrap().json().await.unwrap();
            let rp = body["domains"].as_array().unwrap().iter().find(|d| d["reference"] == "RP").unwrap().clone();
            let rp1 = rp["standards"].as_array().unwrap().iter().find(|s| s["reference"] == "RP1").unwrap().clone();
            (body["totals"]["contradicted_by_records"].clone(), rp1)
        }
    };
    let (total, rp1_json) = readiness(api_token.clone()).await;
    assert_eq!(total, 1);
    assert_eq!(rp1_json["contradicted_by_records"], true);
    assert_eq!(rp1_json["live_checks"][0]["code"], REGISTRATIONS);
    assert_eq!(rp1_json["live_checks"][0]["verdict"], "fails");
    assert_eq!(rp1_json["live_checks"][0]["since"], lapsed.to_string());

    // Refusals: at the field, 422, nothing written.
    let exceptions_url = format!("{base}/assessment/RP1/live-exceptions");
    let (rows, trail) = (exception_rows(&mut conn), history_rows(&mut conn));
    let too_far = (lapsed + Duration::days(400)).to_string();
    let refused: [(&[(&str, &str)], &str); 5] = [
        (&[("check", REGISTRATIONS), ("reason", ""), ("ends_on", "2099-01-01")], "Say why the standard is met"),
        (
            &[("check", REGISTRATIONS), ("reason", "Renewal paid"), ("ends_on", "")],
            "Enter the last day of the exception",
        ),
        (&[("check", REGISTRATIONS), ("reason", "Renewal paid"), ("ends_on", &lapsed.to_string())], "after today"),
        (&[("check", REGISTRATIONS), ("reason", "Renewal paid"), ("ends_on", &too_far)], "at most 12 months"),
        (
            &[
                ("check", "audits.plan_signed_off"),
                ("reason", "Renewal paid"),
                ("ends_on", &(lapsed + Duration::days(9)).to_string()),
            ],
            "RP1 does not name the check",
        ),
    ];
    for (fields, said) in refused {
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        let response = manager.post(&exceptions_url).form(&form).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 422, "{fields:?}");
        let page = response.text().await.unwrap();
        assert!(page.contains(said), "{said} in {page}");
    }
    let last_day = lapsed + Duration::days(30);
    let valid = [
        ("csrf_token", token.as_str()),
        ("check", REGISTRATIONS),
        ("reason", "Renewal paid; the NMC register updates within five working days"),
        ("ends_on", &last_day.to_string()),
    ];
    let unknown = manager.post(format!("{base}/assessment/ZZ9/live-exceptions")).form(&valid).send().await.unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!((exception_rows(&mut conn), history_rows(&mut conn)), (rows, trail), "nothing written");

    // Neither an assessor nor a commissioner may record one.
    let (assessor, assessor_token) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
    let mut theirs = valid;
    theirs[0].1 = assessor_token.as_str();
    let forbidden = assessor.post(&exceptions_url).form(&theirs).send().await.unwrap();
    assert_eq!(forbidden.status().as_u16(), 403);
    let (_, page) = get(&assessor, format!("{base}/assessment/RP1")).await;
    assert!(page.contains("Contradicted by records") && !page.contains("Record an exception"));
    // An assessor may not open staff records: the fact is said, not linked.
    assert!(
        page.contains("N1: registration expired on") && !page.contains("&#x2F;workforce&#x2F;staff&#x2F;"),
        "{page}"
    );
    let trust = commissioner_of(&mut conn, s.provider, today);
    let (commissioner, commissioner_token) = browser_signed_in(&app, "commissioner@trust.example", PASSWORD).await;
    theirs[0].1 = commissioner_token.as_str();
    let forbidden = commissioner.post(&exceptions_url).form(&theirs).send().await.unwrap();
    assert_eq!(forbidden.status().as_u16(), 403);
    assert_eq!(exception_rows(&mut conn), rows);

    // The commissioner's page and API count the contradicted standard.
    let (status, home) = get(&commissioner, format!("{}/commissioners/{trust}", app.address)).await;
    assert_eq!(status, 200);
    assert!(home.contains("Contradicted by records: 1 standard<"), "{home}");
    let commissioner_api = ohgov::accounts::store::create_token(&mut conn, None, "commissioner@trust.example").unwrap();
    let providers_api = format!("{}/api/v1/commissioners/{trust}/providers", app.address);
    let body: serde_json::Value =
        app.client.get(&providers_api).bearer_auth(&commissioner_api).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["providers"][0]["contradicted_standards"], 1, "{body}");
    assert_eq!(body["providers"][0]["contradicted_by_records"], serde_json::json!(["RP1"]));

    // Recorded: the flag clears, and the exception is shown with its last day.
    let recorded = manager.post(&exceptions_url).form(&valid).send().await.unwrap();
    assert_eq!(recorded.status().as_u16(), 303);
    let location = recorded.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("/assessment/RP1#live-checks"), "{location}");
    let (_, page) = get(&manager, format!("{}{location}", app.address)).await;
    let confirmation =
        format!("Exception recorded on RP1 for “{QUESTION_IN_HTML}” until {}", last_day.format("%-d %B %Y"));
    assert!(page.contains(&confirmation), "{confirmation} in {page}");
    assert!(!page.contains("Contradicted by records"), "{page}");
    assert!(page.contains(&format!("In force until {}", last_day.format("%-d %B %Y"))), "{page}");
    assert_eq!(exception_rows(&mut conn), rows + 1);
    let (total, rp1_json) = readiness(api_token.clone()).await;
    assert_eq!((total, rp1_json["contradicted_by_records"].clone()), (0.into(), false.into()));
    assert_eq!(rp1_json["live_checks"][0]["exception_in_force"], true);
    let body: serde_json::Value =
        app.client.get(&providers_api).bearer_auth(&commissioner_api).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["providers"][0]["contradicted_standards"], 0);

    // Ended early: the flag is back, and the exception stays listed as ended.
    let id: i32 = live_exceptions::table.select(live_exceptions::id).first(&mut conn).unwrap();
    let end_url = format!("{base}/assessment/RP1/live-exceptions/{id}/end");
    let ended = manager.post(&end_url).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
    assert_eq!(ended.status().as_u16(), 303);
    let (_, page) = get(&manager, format!("{base}/assessment/RP1")).await;
    assert!(page.contains(&format!("Exception on RP1 for “{QUESTION_IN_HTML}” ended")), "{page}");
    assert!(page.contains("Contradicted by records") && page.contains("Ended early"), "{page}");
    let again = manager.post(&end_url).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 422);
    assert!(again.text().await.unwrap().contains("already been ended"));
    let (_, home) = get(&commissioner, format!("{}/commissioners/{trust}", app.address)).await;
    assert!(home.contains("Contradicted by records: 1 standard<"), "{home}");
}

fn exception_rows(conn: &mut DbConnection) -> i64 {
    live_exceptions::table.count().get_result(conn).unwrap()
}

/// A commissioner (the trust, with a current contract with `provider`) and its one user,
/// commissioner@trust.example; returns the trust's id.
fn commissioner_of(conn: &mut DbConnection, provider: ProviderId, today: NaiveDate) -> i32 {
    let input = OrganisationInput {
        kind: "commissioner".into(),
        name: "Northshire Teaching Hospitals NHS Trust".into(),
        ..Default::default()
    };
    let trust = ohgov::accounts::store::create_organisation(conn, None, &input.parse().unwrap()).unwrap();
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: provider,
        starts_on: today - Duration::days(30),
        ends_on: None,
        services: Vec::new(),
    };
    ohgov::accounts::store::create_contract(conn, None, &contract).unwrap();
    let user = UserInput {
        email: "commissioner@trust.example".into(),
        name: "Commissioner of the trust".into(),
        password: PASSWORD.into(),
        is_admin: false,
    };
    ohgov::accounts::store::create_user(
        conn,
        None,
        &user.parse().unwrap(),
        Some(Grant { organisation_id: trust, role: Role::Commissioner, expires_on: None }),
    )
    .unwrap();
    trust
}
