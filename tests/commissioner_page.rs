//! The commissioner's page, its exports and its API on both backends, through HTTP as a
//! commissioner uses them: exactly the providers its organisation holds a current contract with
//! (an expired or future contract hides the provider, another commissioner's never shows), the
//! search, landing there after signing in, the CSV with formula cells written as text, the PDF read
//! back, and the API's figures and seventeen answers for the same providers.

mod support;

use chrono::Duration;
use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput};
use ohgov::assessment::model::{AccreditationChange, AccreditationStatus};
use ohgov::db::{DbConnection, ProviderId};
use support::browser_signed_in;

const COMMISSIONER: (&str, &str) = ("commissioner@northshire-nhs.example", "demo-commissioner-2026");
const TRUST: &str = "Northshire Teaching Hospitals NHS Trust";
/// A provider whose name a spreadsheet would run as a formula.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Click\")";

struct World {
    trust: i32,
    other_commissioner: i32,
}

fn organisation(conn: &mut DbConnection, kind: &str, name: &str) -> i32 {
    let input = OrganisationInput { kind: kind.into(), name: name.into(), ..Default::default() };
    ohgov::accounts::store::create_organisation(conn, None, &input.parse().unwrap()).unwrap()
}

fn contract(conn: &mut DbConnection, commissioner: i32, provider: i32, starts: i64, ends: Option<i64>) {
    let today = support::today();
    let new = NewContract {
        commissioner_id: commissioner,
        provider_id: ProviderId(provider),
        starts_on: today + Duration::days(starts),
        ends_on: ends.map(|d| today + Duration::days(d)),
        services: Vec::new(),
    };
    ohgov::accounts::store::create_contract(conn, None, &new).unwrap();
}

/// The demo's trust and Northshire (contracted since April), plus: a provider named like a
/// formula (current contract), one whose contract ended yesterday, one whose contract starts
/// tomorrow, and another commissioner's provider.
fn world(conn: &mut DbConnection) -> World {
    ohgov::accounts::demo::seed(conn, support::today()).unwrap();
    use ohgov::db::schema::organisations;
    let trust: i32 =
        organisations::table.filter(organisations::name.eq(TRUST)).select(organisations::id).first(conn).unwrap();
    let formula = organisation(conn, "provider", FORMULA);
    contract(conn, trust, formula, -30, None);
    // Northshire is accredited; the formula provider is not.
    let northshire: i32 = organisations::table
        .filter(organisations::name.eq("Northshire OH Service"))
        .select(organisations::id)
        .first(conn)
        .unwrap();
    for (status, days_ago) in [(AccreditationStatus::WorkingTowards, 700), (AccreditationStatus::Accredited, 200)] {
        let step = AccreditationChange {
            status,
            status_on: support::today() - Duration::days(days_ago),
            visit_on: None,
            deferred_actions: None,
            deferred_due: None,
        };
        ohgov::assessment::store::change_accreditation(conn, None, ProviderId(northshire), &step).unwrap();
    }
    let expired = organisation(conn, "provider", "Ended Occupational Health Ltd");
    contract(conn, trust, expired, -400, Some(-1));
    let future = organisation(conn, "provider", "Tomorrow OH Partnership");
    contract(conn, trust, future, 1, None);
    let other_commissioner = organisation(conn, "commissioner", "Elsewhere Integrated Care Board");
    let elsewhere = organisation(conn, "provider", "Elsewhere Staff Health");
    contract(conn, other_commissioner, elsewhere, -30, None);
    // The formula provider has served the other commissioner for over a year: its reviews with the
    // trust are measured from the trust's own contract, a month old, so none is overdue yet.
    contract(conn, other_commissioner, formula, -400, None);
    World { trust, other_commissioner }
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

on_both_backends!(
    a_commissioner_sees_exactly_the_providers_it_holds_a_current_contract_with,
    app | app | {
        let world = world(&mut app.db.migrated());
        let base = format!("{}/commissioners/{}", app.address, world.trust);

        // Signing in lands on the commissioner's page.
        let browser = support::TestApp::new_browser();
        let sign_in = browser.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
        let token = support::form_token(&sign_in);
        let landed = browser
            .post(format!("{}/sign-in", app.address))
            .form(&[("csrf_token", token.as_str()), ("email", COMMISSIONER.0), ("password", COMMISSIONER.1)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            landed.headers().get("location").and_then(|l| l.to_str().ok()),
            Some(format!("/commissioners/{}", world.trust).as_str()),
            "a commissioner lands on its providers"
        );

        let (client, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        let (status, page) = get(&client, base.clone()).await;
        assert_eq!(status, 200);
        assert!(page.contains("Northshire OH Service"), "the contracted provider is a row");
        assert!(page.contains("HYPERLINK"), "the provider named like a formula is a row, as text");
        for hidden in
            ["Ended Occupational Health Ltd", "Tomorrow OH Partnership", "Elsewhere Staff Health", "Southvale"]
        {
            assert!(!page.contains(hidden), "{hidden} is not the trust's provider today");
        }
        assert!(
            page.contains("2 providers") || page.contains("Page 1 of 1: 1 to 2 of 2 providers"),
            "two rows counted"
        );

        // The search narrows the rows; the other commissioner's page is not found.
        let (_, searched) = get(&client, format!("{base}?q=northshire")).await;
        assert!(searched.contains("Northshire OH Service") && !searched.contains("HYPERLINK"));
        // Filtered by a problem, and sorted: the page's own SQL, not a copy in the test.
        let (_, not_accredited) = get(&client, format!("{base}?problem=not_accredited")).await;
        assert!(not_accredited.contains("HYPERLINK") && !not_accredited.contains("Northshire OH Service"));
        let (_, overdue) = get(&client, format!("{base}?problem=review_overdue")).await;
        assert!(!overdue.contains("HYPERLINK"), "a month into the trust's contract, no review is due yet");
        let order = |page: &str| (page.find("HYPERLINK").unwrap(), page.find("Northshire OH Service").unwrap());
        let (_, by_name) = get(&client, format!("{base}?sort=name&dir=desc")).await;
        let (formula_at, northshire_at) = order(&by_name);
        assert!(northshire_at < formula_at, "names descending: Northshire before “=HYPERLINK”");
        let (_, by_accreditation) = get(&client, format!("{base}?sort=accreditation&dir=asc")).await;
        let (formula_at, northshire_at) = order(&by_accreditation);
        assert!(formula_at < northshire_at, "the accredited provider after the rest");
        let (_, csv_filtered) = get(&client, format!("{base}/providers.csv?problem=not_accredited")).await;
        assert_eq!(csv_filtered.lines().count(), 2, "the header and the one provider not accredited");

        let (status, _) = get(&client, format!("{}/commissioners/{}", app.address, world.other_commissioner)).await;
        assert_eq!(status, 404, "another commissioner's page");

        // The CSV: a header and one line per provider, the formula written as text.
        let (status, csv) = get(&client, format!("{base}/providers.csv")).await;
        assert_eq!(status, 200);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
        assert_eq!(names.len(), 2, "one line per contracted provider: {names:?}");
        assert!(names.contains(&format!("'{FORMULA}")), "the formula cell begins with an apostrophe: {names:?}");
        assert!(names.contains(&"Northshire OH Service".to_string()));
        assert!(!csv.contains("Ended Occupational"));
        assert!(!csv.lines().any(|line| line.starts_with('=')), "no line starts a formula");

        // The PDF, read back: the same providers.
        let response = client.get(format!("{base}/providers.pdf")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let pdf = response.bytes().await.unwrap();
        // Words as read back, whatever the column's wrapping.
        let text = support::pdf::text(&pdf).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("Northshire OH Service"), "the PDF lists the contracted provider");
        assert!(!text.contains("Ended Occupational"), "and not the one whose contract ended");

        // The API: the same providers, each with the seventeen answers.
        let token = ohgov::accounts::store::create_token(&mut app.db.conn(), None, COMMISSIONER.0).unwrap();
        let api = app
            .client
            .get(format!("{}/api/v1/commissioners/{}/providers", app.address, world.trust))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(api.status().as_u16(), 200);
        let document: serde_json::Value = api.json().await.unwrap();
        let providers = document["providers"].as_array().unwrap();
        let mut names: Vec<&str> = providers.iter().map(|p| p["name"].as_str().unwrap()).collect();
        names.sort_unstable();
        assert_eq!(names, vec![FORMULA, "Northshire OH Service"]);
        for provider in providers {
            assert_eq!(provider["key_questions"].as_array().unwrap().len(), 17);
        }
        let refused = app
            .client
            .get(format!("{}/api/v1/commissioners/{}/providers", app.address, world.other_commissioner))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 404, "another commissioner's providers");
    }
);
