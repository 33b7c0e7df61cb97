//! Quality indicators on both backends: a KPI file with bad lines writes nothing and names every
//! line; a good one imports once; a value out of range or a numerator above its denominator is
//! refused with the reason; the chart draws one point per period and the target line at the
//! target's value; the API gives the figures; a commissioner reads and cannot change; the command
//! line imports all or nothing.

mod support;

use ohgov::catalogue::model::KpiUnit;
use ohgov::db::{DbConnection, ProviderId};
use ohgov::quality::chart::{self, Scale};
use ohgov::quality::model::{PeriodFilter, ValueInput};
use ohgov::quality::store;
use reqwest::multipart::{Form, Part};
use support::{browser_signed_in, service, PASSWORD};

fn stored(conn: &mut DbConnection, provider: ProviderId) -> usize {
    let kpis = store::definitions(conn, provider).unwrap();
    store::values(conn, provider, &kpis, PeriodFilter::default()).unwrap().len()
}

fn record(
    conn: &mut DbConnection,
    provider: ProviderId,
    reference: &str,
    (start, end): (&str, &str),
    (n, d, v): (&str, &str, &str),
) {
    let kpi = store::definition(conn, provider, reference).unwrap().unwrap();
    let input = ValueInput {
        period_start: start.into(),
        period_end: end.into(),
        numerator: n.into(),
        denominator: d.into(),
        value: v.into(),
    };
    store::record_value(conn, None, provider, &kpi, &input.parse(kpi.unit).unwrap()).unwrap();
}

async fn upload(client: &reqwest::Client, url: &str, token: &str, file: &str) -> (u16, String) {
    upload_bytes(client, url, token, file.as_bytes().to_vec()).await
}

async fn upload_bytes(client: &reqwest::Client, url: &str, token: &str, file: Vec<u8>) -> (u16, String) {
    let form = Form::new()
        .text("csrf_token", token.to_string())
        .text("kind", "kpis")
        .part("file", Part::bytes(file).file_name("kpis.csv"));
    let response = client.post(url).multipart(form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

const GOOD_FILE: &str = "kpi_code,period_start,period_end,numerator,denominator,value\n\
M-APPT,2026-04-01,2026-04-30,46,50,\n\
M-APPT,01/05/2026,31/05/2026,40,50,80\n\
k-ref-appt,2026-04-01,2026-04-30,,,8.5\n\
G-RTW,2026-04-01,2026-06-30,30,40,75\n";

on_both_backends!(
    a_kpi_file_with_bad_lines_writes_nothing_and_a_good_one_imports_once,
    app | app
        | {
            let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
            let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
            let base = format!("{}/providers/{}/kpis", app.address, s.provider);
            let bad = "kpi_code,period_start,period_end,numerator,denominator,value\n\
M-APPT,2026-04-01,2026-04-30,46,50,\n\
M-NOPE,2026-04-01,2026-04-30,46,50,\n\
M-APPT,2026-05-01,2026-05-31,51,50,\n\
=HYPERLINK(\"http://x\"),2026-04-01,2026-04-30,1,2,\n\
M-ADV,2026-04-01,2026-04-30,,,120\n\
M-APPT,2026-04-01,2026-04-30,45,50,\n\
K-DNA,2026-04-02,2026-04-30,3,60,\n\
K-REF-APPT,2026-04-01,2026-04-30,2,3,\n";
            let (status, page) = upload(&client, &format!("{base}/import"), &token, bad).await;
            assert_eq!(status, 422, "{page}");
            assert!(page.contains("7 rows need correcting"), "{page}");
            assert!(page.contains("Line 3: kpi_code: there is no KPI &quot;M-NOPE&quot;"), "{page}");
            assert!(page.contains("Line 4: numerator: the numerator (51) is more than the denominator (50)"), "{page}");
            assert!(page.contains("Line 5: kpi_code: the cell looks like a spreadsheet formula"), "{page}");
            assert!(page.contains("Line 6: value: 120 is outside the range for percent"), "{page}");
            assert!(page.contains("Line 7: M-APPT for April 2026 appears again (first on line 2)"), "{page}");
            assert!(page.contains("Line 8: period_start: a period starts on the 1st of a month"), "{page}");
            assert!(
                page.contains("Line 9: numerator: a figure in working days has no numerator or denominator"),
                "{page}"
            );
            assert!(!page.contains("Line 2:"), "the good line is not named");
            assert_eq!(stored(&mut app.db.conn(), s.provider), 0, "nothing written");

            let latin1 = b"kpi_code,period_start,period_end,numerator,denominator,value\nM-APPT,2026-04-01,2026-04-30,46,50,caf\xe9\n";
            let (status, page) = upload_bytes(&client, &format!("{base}/import"), &token, latin1.to_vec()).await;
            assert_eq!(status, 422);
            // Not UTF-8: read as Windows-1252 (as Excel's "CSV (Comma delimited)" saves it), so the
            // bad value is named as written.
            assert!(page.contains("Line 2: value:") && page.contains("café"), "{page}");
            let (status, page) = upload(&client, &format!("{base}/import"), &token, "not,a,kpi,file\n1,2,3,4\n").await;
            assert_eq!(status, 422);
            assert!(page.contains("Line 1: missing column(s) kpi_code"), "{page}");

            let (status, page) = upload(&client, &format!("{base}/import"), &token, GOOD_FILE).await;
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("Every one of the 4 rows passed its checks"), "{page}");
            assert!(page.contains("Appointment within 10 days of referral: 92% (46 of 50) for April 2026"), "{page}");
            assert_eq!(stored(&mut app.db.conn(), s.provider), 0, "a preview writes nothing");
            let sha = hidden(&page, "sha256");
            let confirm = |client: reqwest::Client, token: String| {
                let (url, sha) = (format!("{base}/import/confirm"), sha.clone());
                async move {
                    client
                        .post(url)
                        .form(&[("csrf_token", token.as_str()), ("sha256", sha.as_str())])
                        .send()
                        .await
                        .unwrap()
                }
            };
            let (other, other_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
            assert_eq!(confirm(other, other_token).await.status().as_u16(), 409, "another session's preview");
            assert_eq!(stored(&mut app.db.conn(), s.provider), 0);
            assert_eq!(confirm(client.clone(), token.clone()).await.status().as_u16(), 303);
            assert_eq!(stored(&mut app.db.conn(), s.provider), 4);
            let page = client.get(&base).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("4 quality indicator values recorded"), "the confirmation: {page}");
            let replayed = confirm(client.clone(), token.clone()).await;
            assert_eq!(replayed.status().as_u16(), 409, "a confirmation is used once");
            assert_eq!(stored(&mut app.db.conn(), s.provider), 4, "the replay wrote nothing");

            let page = client.get(&base).send().await.unwrap().text().await.unwrap();
            assert!(page.contains("May 2026") && page.contains("80%") && page.contains("(40 of 50)"), "{page}");
            assert!(page.contains("8.5 working days"), "{page}");
            assert!(page.contains("April to June 2026"), "a quarter: {page}");
            let missed = page.split("<tr>").filter(|row| row.contains("M-APPT")).collect::<Vec<_>>().concat();
            assert!(missed.contains("Missed"), "80% misses the 90% target: {missed}");
        }
);

on_both_backends!(
    a_value_out_of_range_or_above_its_denominator_is_refused_with_the_reason,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/kpis/M-APPT/values", app.address, s.provider);
        let post = |fields: Vec<(&'static str, &'static str)>| {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            async move {
                let mut form = vec![("csrf_token", token.clone())];
                form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
                let response = client.post(url).form(&form).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let april = vec![("period_start", "01/04/2026"), ("period_end", "30/04/2026")];
        let mut above = april.clone();
        above.extend([("numerator", "51"), ("denominator", "50")]);
        let (status, page) = post(above).await;
        assert_eq!(status, 422);
        assert!(page.contains("the numerator (51) is more than the denominator (50)"), "{page}");
        let mut over = april.clone();
        over.push(("value", "120"));
        let (status, page) = post(over).await;
        assert_eq!(status, 422);
        assert!(page.contains("120 is outside the range for percent: from 0 to 100%"), "{page}");
        let mut disagrees = april.clone();
        disagrees.extend([("numerator", "46"), ("denominator", "50"), ("value", "90")]);
        let (status, page) = post(disagrees).await;
        assert_eq!(status, 422);
        assert!(page.contains("does not agree with 46 of 50, which is 92%"), "{page}");
        let (status, page) =
            post(vec![("period_start", "01/04/2026"), ("period_end", "15/04/2026"), ("value", "90")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("a calendar month (1 April to 30 April)"), "{page}");
        assert_eq!(stored(&mut app.db.conn(), s.provider), 0, "nothing written");

        let mut good = april.clone();
        good.extend([("numerator", "46"), ("denominator", "50")]);
        let (status, _) = post(good).await;
        assert_eq!(status, 303);
        let page = client.get(format!("{}/providers/{}/kpis/M-APPT", app.address, s.provider)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains("Appointment within 10 days of referral: 92% recorded for April 2026"), "{page}");
        let mut again = april.clone();
        again.extend([("numerator", "44"), ("denominator", "50")]);
        assert_eq!(post(again).await.0, 303);
        assert_eq!(stored(&mut app.db.conn(), s.provider), 1, "the period's value was replaced");
        let replaced: Vec<(String, String)> = {
            use diesel::prelude::*;
            use ohgov::db::schema::history;
            history::table
                .filter(history::entity.eq("kpi_value"))
                .order(history::id)
                .select((history::action, history::changes))
                .load(&mut app.db.conn())
                .unwrap()
        };
        assert_eq!(replaced.len(), 2, "a history row for each change: {replaced:?}");
        assert_eq!(replaced[1].0, "replace");
        assert!(replaced[1].1.contains("46") && replaced[1].1.contains("44"), "before and after: {replaced:?}");
        let history = client.get(format!("{}/providers/{}/history", app.address, s.provider)).send().await.unwrap();
        let history = history.text().await.unwrap();
        assert!(history.contains("Quality indicator value") && history.contains("M-APPT, April 2026"), "{history}");
        assert!(history.contains("Replaced"), "the history says what was done in words: {history}");

        let target = format!("{}/providers/{}/kpis/M-APPT/target", app.address, s.provider);
        let set = client.post(&target).form(&[("csrf_token", token.as_str()), ("target", "150")]).send().await.unwrap();
        assert_eq!(set.status().as_u16(), 422);
        let set = client.post(&target).form(&[("csrf_token", token.as_str()), ("target", "85")]).send().await.unwrap();
        assert_eq!(set.status().as_u16(), 303);
        let page = client.get(format!("{}/providers/{}/kpis/M-APPT", app.address, s.provider)).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(page.contains("own target is now 85%"), "the confirmation: {page}");
        assert!(page.contains("At least 85% (the service’s own; the default is 90%)"), "{page}");
        let back = client
            .post(&target)
            .form(&[("csrf_token", token.as_str()), ("target", ""), ("default", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(back.status().as_u16(), 303);
        let kpi = store::definition(&mut app.db.conn(), s.provider, "M-APPT").unwrap().unwrap();
        assert_eq!((kpi.own_target, kpi.target), (None, 90.0));
    }
);

/// The attribute `name` of the first element in `svg` that carries `marker`.
fn attribute(svg: &str, marker: &str, name: &str) -> f64 {
    let at = svg.find(marker).unwrap_or_else(|| panic!("{marker} in the chart"));
    let element_start = svg[..=at].rfind('<').unwrap();
    let element = &svg[element_start..element_start + svg[element_start..].find('>').unwrap()];
    let key = format!(" {name}=\"");
    let start = element.find(&key).unwrap_or_else(|| panic!("{name} in {element}")) + key.len();
    element[start..].split('"').next().unwrap().parse().unwrap()
}

on_both_backends!(
    the_chart_has_one_point_per_period_and_the_target_line_sits_at_the_targets_value,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let months = [(4, 30, "46"), (5, 31, "44"), (6, 30, "48"), (7, 31, "40"), (8, 31, "45"), (9, 30, "50")];
        for (month, last, numerator) in months {
            let (start, end) = (format!("2026-{month:02}-01"), format!("2026-{month:02}-{last}"));
            record(&mut conn, s.provider, "M-APPT", (&start, &end), (numerator, "50", ""));
        }
        let kpi = store::definition(&mut conn, s.provider, "M-APPT").unwrap().unwrap();
        store::set_target(&mut conn, None, s.provider, &kpi, Some(85.0)).unwrap();
        let (client, _) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let page = client.get(format!("{}/providers/{}/kpis/M-APPT", app.address, s.provider)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let page = page.text().await.unwrap();
        let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
        assert!(svg.contains("role=\"img\"") && svg.contains("<title"), "the chart is named for a screen reader");
        assert_eq!(svg.matches("<circle").count(), 6, "one point per period");
        let target_y = attribute(svg, "data-role=\"target\"", "y1");
        assert_eq!(target_y, attribute(svg, "data-role=\"target\"", "y2"), "the target line is horizontal");
        let scale = Scale::for_series(KpiUnit::Percent, &[92.0, 88.0, 96.0, 80.0, 90.0, 100.0], 85.0);
        assert_eq!(target_y, scale.y(85.0));
        // Independently of the scale's code: 85% of the way up from the plot's bottom.
        let expected = chart::BOTTOM - 0.85 * (chart::BOTTOM - chart::TOP);
        assert!((target_y - expected).abs() < 0.01, "{target_y} against {expected}");
        let first = svg.find("<circle").unwrap();
        assert_eq!(attribute(&svg[first..], "<circle", "cy"), scale.y(92.0), "April's point at 92%");
        assert!(!page.contains("style=") && !page.contains("<script"), "no inline style or script");
        // The text alternative: the same six periods with their figures.
        let table = &page[page.find("</svg>").unwrap()..];
        assert!(table.contains("<td>April 2026</td>") && table.contains("<td>September 2026</td>"));
        assert!(table.contains("<td>80%</td>") && table.contains("<strong>Missed</strong>"), "July missed 85%");
        assert_eq!(table.matches("<td>85%</td>").count(), 6, "the target on each row");
        assert!(!page.contains("Record a value"), "a viewer has no form");

        // Another unit: working days scale to a round figure above the values and the target.
        for (month, last, value) in [(4, 30, "8"), (5, 31, "12"), (6, 30, "9")] {
            let (start, end) = (format!("2026-{month:02}-01"), format!("2026-{month:02}-{last}"));
            record(&mut conn, s.provider, "K-REF-APPT", (&start, &end), ("", "", value));
        }
        let page = client.get(format!("{}/providers/{}/kpis/K-REF-APPT", app.address, s.provider)).send().await;
        let page = page.unwrap().text().await.unwrap();
        let svg = &page[page.find("<svg").unwrap()..page.find("</svg>").unwrap()];
        assert_eq!(svg.matches("<circle").count(), 3);
        let target_y = attribute(svg, "data-role=\"target\"", "y1");
        assert_eq!(target_y, (chart::BOTTOM + chart::TOP) / 2.0, "10 days on a 0 to 20 scale is halfway up");
    }
);

on_both_backends!(
    the_api_returns_the_definitions_targets_and_figures,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        record(&mut conn, s.provider, "M-APPT", ("2026-04-01", "2026-04-30"), ("46", "50", ""));
        record(&mut conn, s.provider, "M-APPT", ("2026-05-01", "2026-05-31"), ("40", "50", ""));
        record(&mut conn, s.provider, "K-APPT-RPT", ("2026-04-01", "2026-04-30"), ("", "", "2.5"));
        let kpi = store::definition(&mut conn, s.provider, "K-APPT-RPT").unwrap().unwrap();
        store::set_target(&mut conn, None, s.provider, &kpi, Some(3.0)).unwrap();
        let token = ohgov::accounts::store::create_token(&mut conn, None, "viewer@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/kpis", app.address, s.provider);
        let body: serde_json::Value =
            app.client.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        let kpis = body["kpis"].as_array().unwrap();
        assert_eq!(kpis.len(), 20, "every KPI of standards/kpis.toml");
        let appt = kpis.iter().find(|k| k["reference"] == "M-APPT").unwrap();
        assert_eq!(appt["unit"], "percent");
        assert_eq!(appt["higher_is_better"], true);
        assert_eq!(appt["indicator"], "leading");
        assert_eq!((appt["default_target"].as_f64(), appt["target"].as_f64()), (Some(90.0), Some(90.0)));
        assert!(appt["provider_target"].is_null());
        let values = appt["values"].as_array().unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0]["period_start"], "2026-04-01");
        assert_eq!((values[0]["numerator"].as_i64(), values[0]["denominator"].as_i64()), (Some(46), Some(50)));
        assert_eq!((values[0]["value"].as_f64(), values[0]["met"].as_bool()), (Some(92.0), Some(true)));
        assert_eq!((values[1]["value"].as_f64(), values[1]["met"].as_bool()), (Some(80.0), Some(false)));
        let report = kpis.iter().find(|k| k["reference"] == "K-APPT-RPT").unwrap();
        assert_eq!((report["provider_target"].as_f64(), report["target"].as_f64()), (Some(3.0), Some(3.0)));
        assert_eq!(report["higher_is_better"], false);
        assert_eq!(report["values"][0]["numerator"], serde_json::Value::Null);
        assert_eq!(report["values"][0]["met"], true, "2.5 working days is within the service's own 3");

        let may: serde_json::Value = app
            .client
            .get(format!("{url}?from=2026-05"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let appt = may["kpis"].as_array().unwrap().iter().find(|k| k["reference"] == "M-APPT").unwrap().clone();
        assert_eq!(appt["values"].as_array().unwrap().len(), 1, "from May");
        assert_eq!(may["from"], "2026-05-01");
        let bad = app.client.get(format!("{url}?from=spring")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        assert_eq!(app.client.get(&url).send().await.unwrap().status().as_u16(), 401);
    }
);

on_both_backends!(
    a_commissioner_reads_the_indicators_and_cannot_change_them,
    app | app | {
        use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
        use ohgov::accounts::store::{self as accounts, Grant};
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        record(&mut conn, s.provider, "M-APPT", ("2026-04-01", "2026-04-30"), ("46", "50", ""));
        let trust = OrganisationInput {
            kind: "commissioner".into(),
            name: "Northshire Teaching Hospitals NHS Trust".into(),
            ..Default::default()
        };
        let trust = accounts::create_organisation(&mut conn, None, &trust.parse().unwrap()).unwrap();
        let today = support::today();
        let contract = NewContract {
            commissioner_id: trust,
            provider_id: s.provider,
            starts_on: today - chrono::Duration::days(30),
            ends_on: None,
            services: vec![],
        };
        accounts::create_contract(&mut conn, None, &contract).unwrap();
        let user = UserInput {
            email: "commissioner@trust.example".into(),
            name: "Priya Raman".into(),
            password: PASSWORD.into(),
            is_admin: false,
        };
        let grant = Grant { organisation_id: trust, role: ohgov::accounts::Role::Commissioner, expires_on: None };
        accounts::create_user(&mut conn, None, &user.parse().unwrap(), Some(grant)).unwrap();
        let (client, token) = browser_signed_in(&app, "commissioner@trust.example", PASSWORD).await;
        let base = format!("{}/providers/{}/kpis", app.address, s.provider);
        let overview = client.get(&base).send().await.unwrap();
        assert_eq!(overview.status().as_u16(), 200);
        let overview = overview.text().await.unwrap();
        assert!(overview.contains("92%"), "{overview}");
        assert!(!overview.contains("/kpis/import"), "no import link for a commissioner");
        let page = client.get(format!("{base}/M-APPT")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        assert!(!page.text().await.unwrap().contains("Record a value"));
        let form = [
            ("csrf_token", token.as_str()),
            ("period_start", "2026-05-01"),
            ("period_end", "2026-05-31"),
            ("value", "90"),
        ];
        let posted = client.post(format!("{base}/M-APPT/values")).form(&form).send().await.unwrap();
        assert_eq!(posted.status().as_u16(), 403);
        let target =
            client.post(format!("{base}/M-APPT/target")).form(&[("csrf_token", token.as_str()), ("target", "50")]);
        assert_eq!(target.send().await.unwrap().status().as_u16(), 403);
        assert_eq!(client.get(format!("{base}/import")).send().await.unwrap().status().as_u16(), 403);
        assert_eq!(stored(&mut app.db.conn(), s.provider), 1, "nothing written");
        let kpi = store::definition(&mut app.db.conn(), s.provider, "M-APPT").unwrap().unwrap();
        assert_eq!(kpi.own_target, None);
    }
);

on_both_backends!(
    the_command_line_imports_a_kpi_file_all_or_nothing,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let dir = tempfile::tempdir().unwrap();
        let run = |file: &std::path::Path| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .args(["import", "kpis", "--provider", &s.provider.to_string()])
                .arg(file)
                .args(["--database-url", &db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
                .output()
                .unwrap()
        };
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, GOOD_FILE.replace("46,50", "56,50").replace("8.5", "999")).unwrap();
        let output = run(&bad);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("line 2: numerator: the numerator (56) is more than the denominator (50)"), "{stderr}");
        assert!(stderr.contains("line 4: value: 999 is outside the range for working days"), "{stderr}");
        assert!(stderr.contains("2 bad rows; nothing was imported"), "{stderr}");
        assert_eq!(stored(&mut conn, s.provider), 0);
        let good = dir.path().join("good.csv");
        std::fs::write(&good, GOOD_FILE).unwrap();
        let output = run(&good);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("imported 4 rows of quality indicator values: 4 created"), "{stdout}");
        assert_eq!(stored(&mut conn, s.provider), 4);
    }
);
