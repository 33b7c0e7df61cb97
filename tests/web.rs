//! The web shell: layout, health check, static files, error pages, security headers; and the demo.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

on_both_backends!(
    home_page_is_in_the_layout,
    app | app | {
        let (status, body) = app.get_text("/").await;
        assert_eq!(status, 200);
        assert_eq!(body.matches("<h1").count(), 1);
        assert!(body.contains("<header") && body.contains("<nav") && body.contains("<footer"));
        assert!(body.contains("href=\"#main-content\""), "skip link");
        assert!(body.contains("Not signed in"), "a place for the signed-in user");
        assert!(body.contains("<html lang=\"en-GB\">"));
    }
);

on_both_backends!(
    healthz_checks_the_database,
    app | app | {
        let response = app.get("/healthz").await;
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        let expected = match app.db.backend {
            support::Backend::Sqlite => "sqlite",
            support::Backend::Postgres => "postgres",
        };
        assert_eq!(body["database"], expected);
    }
);

#[actix_web::test]
async fn healthz_answers_503_when_the_database_cannot_be_reached() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let state = ohgov::prepare(support::TestDb::sqlite_with(support::Seed::Catalogue).settings()).unwrap();
    // A pool whose every connection attempt fails: the file's folder does not exist.
    let unreachable = ohgov::db::DatabaseTarget::Sqlite("/nonexistent-folder/ohgov.db".into());
    let pool = r2d2::Pool::builder()
        .connection_timeout(std::time::Duration::from_millis(500))
        .build_unchecked(ohgov::db::ConnectionManager::new(unreachable));
    let state = ohgov::web::AppState { pool, ..state };
    let (server, addresses) = ohgov::bind(state, "127.0.0.1:0").unwrap();
    actix_web::rt::spawn(server);
    let response = reqwest::get(format!("http://{}/healthz", addresses[0])).await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

on_both_backends!(
    unknown_pages_are_404_in_the_layout,
    app | app | {
        let (status, body) = app.get_text("/no/such/page").await;
        assert_eq!(status, 404);
        assert!(body.contains("<h1>Page not found</h1>"), "{body}");
        assert!(body.contains("/static/ohgov.css"), "the error page uses the layout");
    }
);

on_both_backends!(
    every_response_carries_the_security_headers,
    app | app | {
        for path in ["/", "/catalogue", "/healthz", "/static/ohgov.css", "/missing"] {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
            assert!(headers.get("referrer-policy").is_some(), "{path}");
        }
    }
);

on_both_backends!(
    the_stylesheet_is_served_with_an_etag,
    app | app | {
        let response = app.get("/static/ohgov.css").await;
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
        let etag = response.headers()["etag"].to_str().unwrap().to_string();
        let css = response.text().await.unwrap();
        assert!(css.contains(":focus"), "focus is styled");
        let again = app
            .client
            .get(format!("{}/static/ohgov.css", app.address))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 304);
        assert_eq!(app.get("/static/../Cargo.toml").await.status().as_u16(), 404);
    }
);

#[test]
fn demo_builds_its_database_and_serves_the_catalogue() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let built = Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(["demo", "--no-serve", "--db", db.to_str().unwrap()])
        .env("DATABASE_URL", "postgres://must-not-be-used/ohgov")
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    assert!(db.exists(), "the demo database was created where --db said");
    demo_has_what_each_area_promises(&db);
    let out = String::from_utf8_lossy(&built.stdout).into_owned();
    assert!(out.contains("seqohs-2023: loaded"));
    for role in ["manager", "clinical_director", "clinician", "viewer", "commissioner", "assessor", "admin"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(role) && l.contains("demo-")),
            "{role} sign-in printed: {out}"
        );
    }

    // Reused on a second run, then served on a free port whose address is printed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(["demo", "--db", db.to_str().unwrap(), "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut address = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        assert!(!line.contains(": loaded"), "the second run reuses the database: {line}");
        if let Some(rest) = line.strip_prefix("ohgov is serving on ") {
            address = Some(rest.trim().to_string());
            break;
        }
    }
    let address = address.expect("the demo prints its address");
    let page = fetch(&format!("{address}catalogue"));
    let _ = child.kill();
    let _ = child.wait();
    let page = page.expect("the demo serves the catalogue");
    assert!(page.contains("HTTP/1.1 200"), "{page}");
    assert!(page.contains("Governance and finance"));
}

/// The fictional service each issue asked for: a partial self-assessment with must gaps, evidence
/// past review, two findings and an open request; one arrangement ending within 90 days and a
/// sub-specialism gap; forty staff with a handful of each kind of issue.
fn demo_has_what_each_area_promises(db: &std::path::Path) {
    let target = ohgov::db::DatabaseTarget::Sqlite(db.to_path_buf());
    let mut conn = ohgov::db::establish(&target).unwrap();
    let provider = ohgov::accounts::demo::demo_provider(&mut conn).unwrap().expect("the demo provider");
    let today = chrono::Utc::now().date_naive();
    let report =
        ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
            .unwrap();
    let r = &report.readiness;
    let met: usize = r.domains.iter().flat_map(|d| d.standards.iter()).filter(|s| s.result.as_str() == "met").count();
    assert!((20..=30).contains(&met), "about two thirds of 43 met: {met}");
    assert!(r.must_not_met >= 2, "a few must gaps");
    assert!(r.evidence_overdue >= 1, "some evidence past review");
    assert_eq!((r.open_findings, r.open_requests), (2, 1));
    // One person invited who has not set a password yet, their invitation in the outbox.
    let waiting =
        ohgov::accounts::links::outstanding(&mut conn, Some(provider), chrono::Utc::now().naive_utc()).unwrap();
    let invited: Vec<&str> = waiting.iter().map(|w| w.email.as_str()).collect();
    assert_eq!(invited, [ohgov::accounts::demo::INVITED.1], "the demo's invitation is outstanding");

    let rows = ohgov::coverage::store::coverage(&mut conn, provider, today).unwrap();
    let totals = ohgov::coverage::store::totals(&rows);
    assert_eq!(totals.expiring, 1, "one arrangement ends within 90 days");
    let gaps: Vec<&str> = rows.iter().filter(|r| r.state.is_gap()).map(|r| r.reference.as_str()).collect();
    assert_eq!(gaps, ["RESEARCH"], "one sub-specialism is a gap");
    let partly: Vec<&str> = rows
        .iter()
        .filter(|r| r.state == ohgov::coverage::rules::CoverageState::Partial)
        .map(|r| r.reference.as_str())
        .collect();
    assert_eq!(partly, ["HWB"], "health and wellbeing is partly delivered");
    assert_eq!((totals.partial, totals.not_covered), (1, 1));
    assert!(!rows.iter().any(|r| r.reference == "HWB" && r.state.is_covered()), "partly is not covered");

    let workforce = ohgov::workforce::store::workforce(&mut conn, provider, today, 30).unwrap();
    assert_eq!(workforce.people.len(), 40);
    for (issue, count) in &workforce.totals {
        assert!(*count >= 1, "someone shows {}", issue.code());
    }

    // The audit programme: last year's plan done, this year's under way with a re-audit of it.
    use ohgov::audits::store::{actions, audits, plans, reports};
    let this_year = ohgov::clock::FinancialYear::containing(support::today());
    let last_year = ohgov::clock::FinancialYear::starting_in(this_year.start_year() - 1).unwrap();
    let last = plans::plan(&mut conn, provider, last_year).unwrap().expect("last year's plan");
    let done = audits::plan_audits(&mut conn, last.id).unwrap();
    let completed =
        |t: &str| done.iter().filter(|a| a.audit_type.as_str() == t && a.status.as_str() == "completed").count();
    assert!(completed("local_clinical") >= 2, "two local clinical audits completed");
    for kind in ["national_benchmarking", "record_keeping", "report_quality"] {
        assert_eq!(completed(kind), 1, "{kind}");
    }
    assert!(
        done.iter().any(|a| a.status.as_str() == "deferred" && a.status_reason.is_some()),
        "one deferred, with why"
    );
    let current = plans::plan(&mut conn, provider, this_year).unwrap().expect("this year's plan");
    let now = audits::plan_audits(&mut conn, current.id).unwrap();
    assert!(now.iter().any(|a| a.reaudit_of.is_some() && a.title.starts_with("Re-audit: ")));
    assert!(
        now.iter().any(|a| a.status.as_str() == "in_progress") && now.iter().any(|a| a.status.as_str() == "planned")
    );
    assert!(!actions::overdue_for_provider(&mut conn, provider, support::today()).unwrap().is_empty());
    let clinician: i32 = {
        use diesel::prelude::*;
        use ohgov::db::schema::users;
        users::table
            .filter(users::email.eq("clinician@northshire-oh.example"))
            .select(users::id)
            .first(&mut conn)
            .unwrap()
    };
    let theirs = actions::overdue_for_owner(&mut conn, ohgov::db::UserId(clinician), support::today()).unwrap();
    assert_eq!(theirs.len(), 1, "the demo clinician has an overdue action on their home page");
    if (support::today() - this_year.starts_on()).num_days() >= 3 {
        assert_eq!(reports::reports(&mut conn, current.id, support::today()).unwrap().len(), 2);
    }
    let kpis = ohgov::quality::store::definitions(&mut conn, provider).unwrap();
    let values = ohgov::quality::store::values(&mut conn, provider, &kpis, Default::default()).unwrap();
    assert_eq!(values.len(), kpis.len() * 24, "two years of monthly values for every KPI");
    let missed = values.iter().filter(|v| !v.met).count();
    assert!(missed > 0 && missed < values.len() / 2, "some values miss their target: {missed}");
    let own: Vec<&str> = kpis.iter().filter(|k| k.own_target.is_some()).map(|k| k.reference.as_str()).collect();
    assert_eq!(own, ["K-FLU"], "the service sets its own flu vaccination target");
}

/// A plain HTTP/1.1 GET, so this test needs no async runtime.
fn fetch(url: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(stream, "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

on_both_backends!(
    late_on_30_june_utc_the_product_s_today_is_1_july,
    db | db | {
        actix_web::rt::System::new().block_on(async move {
            use chrono::TimeZone;
            let mut settings = db.settings();
            settings.clock =
                ohgov::clock::Clock::fixed_at(chrono::Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
            let app = support::TestApp::spawn_with(db, settings).await;
            let mut conn = app.db.conn();
            let s = support::service(&mut conn, "Northshire OH", "northshire");
            let token = ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
            let url = format!("{}/api/v1/providers/{}/workforce", app.address, s.provider);
            let body: serde_json::Value =
                app.client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
            assert_eq!(body["as_of"], "2026-07-01", "the workforce is judged as of London's date, not UTC's");
        })
    }
);

on_both_backends!(
    signed_in_pages_and_the_api_are_not_cached_but_static_assets_are,
    app | app | {
        let s = {
            let mut conn = app.db.conn();
            support::service(&mut conn, "Northshire OH", "northshire")
        };
        let token =
            ohgov::accounts::store::create_token(&mut app.db.conn(), None, "manager@northshire.example").unwrap();
        let (browser, _) = support::browser_signed_in(&app, "manager@northshire.example", support::PASSWORD).await;
        let cache = |response: &reqwest::Response| {
            response.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
        };
        for path in ["/account".to_string(), format!("/providers/{}/workforce", s.provider), "/".into()] {
            let response = browser.get(format!("{}{path}", app.address)).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{path}");
            assert_eq!(cache(&response), "no-store", "{path}");
        }
        let api = format!("{}/api/v1/providers/{}/workforce", app.address, s.provider);
        let response = app.client.get(&api).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(cache(&response), "no-store", "an API answer");
        let refused = app.client.get(&api).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 401);
        assert_eq!(cache(&refused), "no-store", "an API refusal");
        let asset = app.get("/static/ohgov.css").await;
        assert_eq!(cache(&asset), "public, max-age=3600", "static assets are cached");
        assert!(app.get("/healthz").await.headers().get("strict-transport-security").is_none(), "no HSTS by default");
    }
);

on_both_backends!(
    secure_cookies_turn_on_hsts,
    db | db | {
        actix_web::rt::System::new().block_on(async move {
            let mut settings = db.settings();
            settings.secure_cookies = true;
            let app = support::TestApp::spawn_with(db, settings).await;
            for path in ["/healthz", "/sign-in", "/missing"] {
                let response = app.get(path).await;
                let hsts = response.headers().get("strict-transport-security").and_then(|v| v.to_str().ok());
                assert_eq!(hsts, Some("max-age=31536000; includeSubDomains"), "{path}");
            }
        })
    }
);

on_both_backends!(
    the_session_key_is_a_private_file_and_a_cookie_survives_a_restart_with_it,
    app | app | {
        {
            let mut conn = app.db.conn();
            support::service(&mut conn, "Northshire OH", "northshire");
        }
        let key_file = app.db.settings().session_key_file;
        assert!(key_file.exists(), "the key file is made on first start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "only the service's user reads the key");
        }
        let (browser, _) = support::browser_signed_in(&app, "manager@northshire.example", support::PASSWORD).await;

        // The same database and key file, started again: the cookie still signs the browser in.
        let serve = |settings: ohgov::config::Settings| {
            let state = ohgov::prepare(settings).expect("application prepares");
            let (server, addresses) = ohgov::bind(state, "127.0.0.1:0").expect("bind a free port");
            actix_web::rt::spawn(server);
            format!("http://{}", addresses[0])
        };
        let restarted = serve(app.db.settings());
        let account = browser.get(format!("{restarted}/account")).send().await.unwrap();
        assert_eq!(account.status().as_u16(), 200, "the cookie survives a restart with the same key file");

        // Another key file: the cookie is not accepted.
        let other = tempfile::tempdir().unwrap();
        let mut settings = app.db.settings();
        settings.session_key_file = other.path().join("session.key");
        let elsewhere = serve(settings);
        let refused = browser.get(format!("{elsewhere}/account")).send().await.unwrap();
        assert_ne!(refused.status().as_u16(), 200, "a cookie signed with another key is refused");
    }
);

/// The "must" figure on a provider's overview.
fn must_not_met(overview: &str) -> usize {
    let figure = overview.split("“must” standards not yet met").next().unwrap_or_default();
    let number = figure.rsplit('>').next().unwrap_or_default().trim();
    number.parse().unwrap_or_else(|_| panic!("a number before the must figure: {number:?}"))
}

on_both_backends!(
    the_overview_keeps_its_figures_only_until_a_change_and_a_save_waits_for_no_reader,
    db | db | {
        actix_web::rt::System::new().block_on(overview_and_lane(db));
    }
);

async fn overview_and_lane(db: support::TestDb) {
    {
        let mut settings = db.settings();
        settings.pool_size = 2;
        settings.write_pool_size = 2;
        let state = ohgov::prepare(settings).unwrap();
        let s = support::service(&mut db.conn(), "Northshire OH Service", "northshire");
        let (server, addresses) = ohgov::bind(state.clone(), "127.0.0.1:0").unwrap();
        actix_web::rt::spawn(server);
        let app = support::TestApp {
            address: format!("http://{}", addresses[0]),
            client: support::TestApp::new_browser(),
            db,
        };
        let (client, token) = support::browser_signed_in(&app, "manager@northshire.example", support::PASSWORD).await;
        let overview = format!("{}/providers/{}", app.address, s.provider);
        let read = || async { client.get(&overview).send().await.unwrap().text().await.unwrap() };
        let before = must_not_met(&read().await);
        assert_eq!(must_not_met(&read().await), before, "the same figure, kept");
        let save = |narrative: &'static str| {
            let form = [
                ("csrf_token", token.clone()),
                ("workflow", "done".to_string()),
                ("result", "met".to_string()),
                ("not_applicable_reason", String::new()),
                ("owner_user_id", s.manager.0.to_string()),
                ("target_on", String::new()),
                ("narrative", narrative.to_string()),
            ];
            client.post(format!("{overview}/assessment/GF3")).form(&form).send()
        };
        assert_eq!(save("Policy agreed at the governance meeting.").await.unwrap().status().as_u16(), 303);
        assert_eq!(must_not_met(&read().await), before - 1, "the kept figure gives way to the change at once");

        // Every reader's connection held (as a crowd of readers holds them): a page waits, and a
        // save, in the writers' lane, does not.
        let held: Vec<_> = (0..2).map(|_| state.pool.get().unwrap()).collect();
        let waiting = client.get(&overview).timeout(std::time::Duration::from_secs(1)).send().await;
        assert!(waiting.is_err_and(|e| e.is_timeout()), "a reader waits for a connection");
        let saved = save("Policy agreed and published on the intranet.").await.unwrap();
        assert_eq!(saved.status().as_u16(), 303, "the save went through its own lane");
        drop(held);
        let narrative: String = {
            use diesel::prelude::*;
            use ohgov::db::schema::standard_assessments;
            standard_assessments::table.select(standard_assessments::narrative).first(&mut app.db.conn()).unwrap()
        };
        assert_eq!(narrative, "Policy agreed and published on the intranet.");
    }
}
