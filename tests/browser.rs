//! End to end in a real browser: Debian's chromium, driven through chromedriver over WebDriver,
//! against the real application on both backends. Where chromedriver is not installed the tests
//! skip with a notice; under `CI=true` that is a failure (`.ci/run` installs it).

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use support::{service, TestApp, PASSWORD};

/// A chromedriver process of this test's own, stopped when dropped.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

impl ChromeDriver {
    fn start() -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "chromium and chromium-driver are needed for the browser tests under CI"
            );
            support::skip_notice("browser tests skipped: install Debian's chromium and chromium-driver to run them");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(ChromeDriver { child, url })
    }

    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1600"],
            }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a browser session")
    }
}

async fn fill(browser: &Client, selector: &str, text: &str) {
    browser
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn click(browser: &Client, selector: &str) {
    browser.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("{selector}: {e}")).click().await.unwrap();
}

async fn sign_in(browser: &Client, app: &TestApp, email: &str) {
    browser.goto(&format!("{}/sign-in", app.address)).await.unwrap();
    fill(browser, "#email", email).await;
    fill(browser, "#password", PASSWORD).await;
    click(browser, "main form button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::XPath("//span[starts-with(normalize-space(.), 'Signed in as')]"))
        .await
        .expect("signed in");
}

on_both_backends!(
    a_manager_uploads_evidence_in_the_browser_and_the_dashboard_counts_it,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        sign_in(&browser, &app, "manager@northshire.example").await;
        let base = format!("{}/providers/{}", app.address, s.provider);

        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("OH policy 2026.pdf");
        std::fs::write(&policy, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n").unwrap();
        let disguised = dir.path().join("minutes.pdf");
        std::fs::write(&disguised, b"These are plain words, not a PDF.").unwrap();

        // A file whose name claims PDF but whose content is text is refused at the field.
        browser.goto(&format!("{base}/evidence/new?standard=GF1")).await.unwrap();
        fill(&browser, "#title", "Governance minutes").await;
        fill(&browser, "#file", disguised.to_str().unwrap()).await;
        click(&browser, "main form button[type=submit]").await;
        let summary = browser.wait().for_element(Locator::Css(".error-summary")).await.unwrap().text().await.unwrap();
        assert!(summary.contains("named as PDF but its content is Plain text"), "{summary}");
        let title = browser.find(Locator::Css("#title")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(title.as_deref(), Some("Governance minutes"), "what was typed is kept");

        // The real file goes in, linked to GF1 (ticked from the standard's own link).
        browser.goto(&format!("{base}/evidence/new?standard=GF1")).await.unwrap();
        fill(&browser, "#title", "Occupational health policy").await;
        fill(&browser, "#file", policy.to_str().unwrap()).await;
        fill(&browser, "#review_due", "2030-01-31").await;
        click(&browser, "main form button[type=submit]").await;
        browser
            .wait()
            .for_element(Locator::LinkText("OH policy 2026.pdf"))
            .await
            .expect("the item's page links the file");
        let page = browser.source().await.unwrap();
        assert!(page.contains("GF1"), "linked to GF1");

        // The dashboard counts it: of the 32 standards that apply (the optional sector-specific
        // domain does not, for a provider with no NHS type or contract), one has evidence now.
        browser.goto(&format!("{base}/assessment")).await.unwrap();
        let figure = browser
            .find(Locator::XPath("//a[contains(., 'standards with no evidence')]/span"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(figure, "31");
        browser.close().await.unwrap();
    }
);

on_both_backends!(
    a_manager_imports_staff_in_the_browser_after_a_preview,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        sign_in(&browser, &app, "manager@northshire.example").await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("esr-export.csv");
        std::fs::write(
            &file,
            "\u{feff}Staff_Number,Full_Name,Email,Discipline,Regulator,Registration_Number,Registration_Renewal,\
             Revalidation_Due,Last_Appraisal,Responsible_Officer,Start_Date,Leaving_Date,FTE\r\n\
             N200,Grace Okafor,,oh_nurse_scphn,nmc,12A3456E,31/03/2027,31/08/2027,,,04/01/2021,,0.8\r\n\
             C400,Jo Bell,,non_clinical_case_worker,,,,,,,01/02/2023,,1\r\n",
        )
        .unwrap();

        browser.goto(&format!("{base}/import")).await.unwrap();
        click(&browser, "input[name=kind][value=staff]").await;
        fill(&browser, "#file", file.to_str().unwrap()).await;
        click(&browser, "main form button[type=submit]").await;
        let lead = browser.wait().for_element(Locator::Css("p.lead")).await.unwrap().text().await.unwrap();
        assert!(lead.contains("Every one of the 2 rows passed its checks"), "{lead}");
        let staff_before: i64 = {
            use diesel::prelude::*;
            ohgov::db::schema::staff::table.count().get_result(&mut app.db.conn()).unwrap()
        };
        assert_eq!(staff_before, 0, "the preview wrote nothing");
        click(&browser, "main form button[type=submit]").await;
        browser.wait().for_element(Locator::LinkText("Grace Okafor")).await.expect("the people are listed");
        let page = browser.source().await.unwrap();
        assert!(page.contains("The file was imported."));
        assert!(page.contains("Jo Bell") && page.contains("Clinical supervision overdue"));
        browser.close().await.unwrap();
    }
);

on_both_backends!(
    the_attending_list_narrows_as_you_type,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let file = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,\
                    revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
                    N200,Grace Okafor,,oh_nurse_scphn,nmc,12A3456E,31/03/2027,31/08/2027,,,04/01/2021,,0.8\n\
                    C400,Jo Bell,,non_clinical_case_worker,,,,,,,01/02/2023,,1\n\
                    C401,Jo Okoro,,non_clinical_case_worker,,,,,,,01/02/2023,,1\n";
        let today = support::today();
        let mut conn = app.db.conn();
        let prepared = ohgov::workforce::import::prepare(
            &mut conn,
            s.provider,
            ohgov::workforce::import::ImportKind::Staff,
            file.as_bytes(),
            today,
        )
        .unwrap()
        .unwrap();
        ohgov::workforce::import::commit(&mut conn, None, s.provider, &prepared, "test", &mut |_| {}).unwrap();
        let browser = driver.browser().await;
        sign_in(&browser, &app, "manager@northshire.example").await;
        browser.goto(&format!("{}/providers/{}/workforce/supervision", app.address, s.provider)).await.unwrap();
        let shown = || async {
            let mut names = Vec::new();
            for label in browser.find_all(Locator::Css("#attendee_staff_numbers .checkboxes label")).await.unwrap() {
                if label.is_displayed().await.unwrap() {
                    names.push(label.text().await.unwrap());
                }
            }
            names
        };
        assert_eq!(shown().await.len(), 3, "the whole list to start with");
        fill(&browser, "#list-filter-0", "ok").await;
        assert_eq!(shown().await, ["Grace Okafor (N200)", "Jo Okoro (C401)"], "narrowed as typed");
        fill(&browser, "#list-filter-0", "oro").await;
        assert_eq!(shown().await, ["Jo Okoro (C401)"]);
        let status = browser.find(Locator::Css(".list-filter .hint")).await.unwrap().text().await.unwrap();
        assert_eq!(status, "1 of 3 shown");
        browser.close().await.unwrap();
    }
);
