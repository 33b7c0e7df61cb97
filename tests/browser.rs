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
        assert_eq!(page.matches("2 people added").count(), 1, "the import says what it wrote, once");
        assert!(page.contains("Jo Bell") && page.contains("Clinical supervision overdue"));
        browser.close().await.unwrap();
    }
);

on_both_backends!(
    a_saved_assessment_says_so_once_and_a_reload_does_not_repeat_it,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        sign_in(&browser, &app, "manager@northshire.example").await;
        let page = format!("{}/providers/{}/assessment/GF4", app.address, s.provider);
        browser.goto(&page).await.unwrap();
        fill(&browser, "#narrative", "Policies reviewed at the governance meeting.").await;
        click(&browser, "form[action$='/assessment/GF4'] button[type=submit]").await;
        let banner = browser.wait().for_element(Locator::Css("[role=status].flash")).await.expect("a confirmation");
        assert_eq!(banner.text().await.unwrap(), "GF4 saved");
        let url = browser.current_url().await.unwrap();
        assert!(url.query().is_none(), "no query string carries the confirmation: {url}");
        let source = browser.source().await.unwrap();
        assert_eq!(source.matches("GF4 saved").count(), 1, "said once");

        browser.refresh().await.unwrap();
        browser.wait().for_element(Locator::Css("h1")).await.unwrap();
        let banners = browser.find_all(Locator::Css(".flash")).await.unwrap();
        assert!(banners.is_empty(), "a reload does not say it again");
        assert!(!browser.source().await.unwrap().contains("GF4 saved"));
        browser.close().await.unwrap();
    }
);

// Issue 12: every action legible, refused forms that help, small screens and print.

/// A Chrome DevTools command sent through chromedriver's own endpoint: WebDriver has no words for a
/// small device's screen or for print media.
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(serde_json::json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

async fn dev_tools(browser: &Client, cmd: &'static str, params: serde_json::Value) {
    browser.issue_cmd(DevTools { cmd, params }).await.unwrap_or_else(|e| panic!("{cmd}: {e}"));
}

/// The demo's service, as `ohgov demo` builds it, on the test's database; its provider's id.
fn demo_world(app: &TestApp) -> ohgov::db::ProviderId {
    use ohgov::{accounts, assessment, coverage, evidence, workforce};
    let conn = &mut app.db.migrated();
    let today = support::today();
    accounts::demo::seed(conn, today).unwrap();
    assessment::demo::seed(conn, today).unwrap();
    evidence::demo::seed(conn, today, assessment::store::framework_id).unwrap();
    coverage::demo::seed(conn, today).unwrap();
    workforce::demo::seed(conn, today).unwrap();
    accounts::demo::demo_provider(conn).unwrap().expect("the demo provider")
}

/// The demo provider's first evidence item, person and assessor's request, by id.
fn demo_records(app: &TestApp, provider: ohgov::db::ProviderId) -> (i32, i32, i32) {
    use diesel::prelude::*;
    use ohgov::db::schema::{assessor_requests, evidence_items, staff};
    let conn = &mut app.db.conn();
    let item = evidence_items::table
        .filter(evidence_items::provider_id.eq(provider.0))
        .select(evidence_items::id)
        .first(conn)
        .unwrap();
    let person = staff::table.filter(staff::provider_id.eq(provider.0)).select(staff::id).first(conn).unwrap();
    let request = assessor_requests::table
        .filter(assessor_requests::provider_id.eq(provider.0))
        .select(assessor_requests::id)
        .first(conn)
        .unwrap();
    (item, person, request)
}

/// Signs in with the demo's own passwords.
async fn sign_in_demo(browser: &Client, app: &TestApp, who: &str) {
    browser.goto(&format!("{}/sign-in", app.address)).await.unwrap();
    let email = if who == "commissioner" {
        "commissioner@northshire-nhs.example".to_string()
    } else if who == "assessor" {
        "assessor@seqohs-assessor.example".to_string()
    } else {
        format!("{who}@northshire-oh.example")
    };
    fill(browser, "#email", &email).await;
    fill(browser, "#password", &format!("demo-{who}-2026")).await;
    click(browser, "main form button[type=submit]").await;
    browser
        .wait()
        .for_element(Locator::XPath("//span[starts-with(normalize-space(.), 'Signed in as')]"))
        .await
        .unwrap_or_else(|e| panic!("{who} signs in: {e}"));
}

/// Every visible link and button whose text has less than 4.5:1 contrast with what is behind it
/// (WCAG's relative luminance; the background is the first opaque one among its ancestors).
const CONTRAST_FAILURES: &str = r#"
const rgba = (text) => {
  const parts = (text.match(/rgba?\(([^)]+)\)/) || [null, ""])[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return parts.length < 3 ? null : { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
};
const luminance = (c) => {
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
};
const behind = (element) => {
  for (let e = element; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) return c;
  }
  return { r: 255, g: 255, b: 255, a: 1 };
};
const failures = [];
for (const element of document.querySelectorAll("a, button, summary, input[type=submit]")) {
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden" || style.display === "none") continue;
  const text = (element.innerText || element.value || "").trim();
  if (!text) continue;
  const back = behind(element);
  let fore = rgba(style.color);
  fore = { r: fore.r * fore.a + back.r * (1 - fore.a), g: fore.g * fore.a + back.g * (1 - fore.a), b: fore.b * fore.a + back.b * (1 - fore.a) };
  const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
  const ratio = (light + 0.05) / (dark + 0.05);
  if (ratio < 4.5) failures.push(`"${text}" (${element.tagName.toLowerCase()}, ${style.color} on ${getComputedStyle(element).backgroundColor}): ${ratio.toFixed(2)}:1`);
}
return failures;
"#;

on_both_backends!(
    every_link_and_button_on_the_main_pages_can_be_read,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let provider = demo_world(&app);
        let (item, person, request) = demo_records(&app, provider);
        let base = format!("/providers/{provider}");
        let pages: [(&str, Vec<String>); 3] = [
            (
                "manager",
                vec![
                    "/".into(),
                    base.clone(),
                    format!("{base}/assessment"),
                    format!("{base}/assessment/GF1"),
                    format!("{base}/findings"),
                    format!("{base}/evidence"),
                    format!("{base}/evidence/{item}"),
                    format!("{base}/coverage"),
                    format!("{base}/workforce"),
                    format!("{base}/workforce/staff/{person}"),
                    format!("{base}/history"),
                    format!("{base}/accreditation"),
                    format!("{base}/requests"),
                    format!("{base}/requests/{request}"),
                ],
            ),
            ("assessor", vec![format!("{base}/findings"), format!("{base}/requests/{request}")]),
            ("admin", vec!["/admin".into()]),
        ];
        let mut failures = Vec::new();
        let mut checked = 0;
        for (who, paths) in pages {
            let browser = driver.browser().await;
            sign_in_demo(&browser, &app, who).await;
            for path in paths {
                browser.goto(&format!("{}{path}", app.address)).await.unwrap();
                let found = browser.execute(CONTRAST_FAILURES, vec![]).await.unwrap();
                let found: Vec<String> = serde_json::from_value(found).unwrap();
                failures.extend(found.into_iter().map(|f| format!("{path} as {who}: {f}")));
                checked += 1;
            }
            if who == "assessor" {
                // The assessor's findings page has the action the issue found unreadable.
                browser.goto(&format!("{}{base}/findings", app.address)).await.unwrap();
                browser
                    .find(Locator::XPath("//button[normalize-space(.)='Close as resolved today']"))
                    .await
                    .expect("an open finding the assessor may close");
            }
            browser.close().await.unwrap();
        }
        assert_eq!(checked, 17);
        assert!(failures.is_empty(), "text below 4.5:1 against its background:\n{}", failures.join("\n"));
    }
);

/// The error summary's links, in the page's order, and whether each field it names comes after the
/// one before it on the page.
const SUMMARY_ORDER: &str = r#"
const fields = [...document.querySelectorAll(".error-summary a")].map((a) => a.getAttribute("href").slice(1));
const places = fields.map((id) => document.getElementById(id));
const in_order = places.every((el, i) => el && (i === 0 || (places[i - 1].compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)));
return { fields, in_order, focused: document.activeElement.classList.contains("error-summary") };
"#;

async fn summary_order(browser: &Client) -> (Vec<String>, bool, bool) {
    browser.wait().for_element(Locator::Css(".error-summary")).await.expect("an error summary");
    let found = browser.execute(SUMMARY_ORDER, vec![]).await.unwrap();
    let fields = serde_json::from_value(found["fields"].clone()).unwrap();
    (fields, found["in_order"] == true, found["focused"] == true)
}

on_both_backends!(
    a_refused_form_takes_the_focus_to_its_problems_in_the_form_order_and_keeps_the_choice,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let provider = demo_world(&app);
        let base = format!("{}/providers/{provider}", app.address);

        // A new person with nothing filled in: the summary takes the focus, and lists the
        // problems as the form asks the questions, not alphabetically.
        let browser = driver.browser().await;
        sign_in_demo(&browser, &app, "manager").await;
        browser.goto(&format!("{base}/workforce/staff/new")).await.unwrap();
        click(&browser, "main form button[type=submit]").await;
        let (fields, in_order, focused) = summary_order(&browser).await;
        assert!(focused, "the error summary has the focus");
        assert_eq!(fields[..3], ["staff_number", "full_name", "discipline"], "{fields:?}");
        assert!(in_order, "in the form's order: {fields:?}");

        // A supervision session with bad figures: its problems, in its order too.
        browser.goto(&format!("{base}/workforce/supervision")).await.unwrap();
        fill(&browser, "#cases_discussed", "2").await;
        fill(&browser, "#escalated_gp", "9").await;
        click(&browser, "form[action$='/workforce/supervision'] button[type=submit]").await;
        let (fields, in_order, focused) = summary_order(&browser).await;
        assert!(focused && in_order && fields.len() > 1, "{fields:?}");
        browser.close().await.unwrap();

        // The assessor returns an answer without saying why: refused, with "Return" still chosen.
        let request: i32 = {
            use diesel::prelude::*;
            use ohgov::db::schema::assessor_requests;
            let conn = &mut app.db.conn();
            let request = assessor_requests::table
                .filter(assessor_requests::provider_id.eq(provider.0))
                .select(assessor_requests::id)
                .first(conn)
                .unwrap();
            ohgov::assessment::store::answer_request(conn, None, provider, request, "The audits are attached.", &[])
                .unwrap();
            request
        };
        let browser = driver.browser().await;
        sign_in_demo(&browser, &app, "assessor").await;
        browser.goto(&format!("{base}/requests/{request}")).await.unwrap();
        click(&browser, "input[name=decision][value=return]").await;
        click(&browser, "form[action$='/decision'] button[type=submit]").await;
        let (fields, _, focused) = summary_order(&browser).await;
        assert_eq!(fields, ["decision_comment"]);
        assert!(focused);
        let returned = browser.find(Locator::Css("input[name=decision][value=return]")).await.unwrap();
        assert_eq!(returned.prop("checked").await.unwrap().as_deref(), Some("true"), "the refused choice is kept");
        let accepted = browser.find(Locator::Css("input[name=decision][value=accept]")).await.unwrap();
        assert_eq!(accepted.prop("checked").await.unwrap().as_deref(), Some("false"));
        browser.close().await.unwrap();
    }
);

on_both_backends!(
    tables_scroll_in_their_own_box_on_a_small_screen_and_print_shows_the_content_alone,
    app | app
        | {
            let Some(driver) = ChromeDriver::start() else { return };
            let provider = demo_world(&app);
            let base = format!("{}/providers/{provider}", app.address);
            let browser = driver.browser().await;
            sign_in_demo(&browser, &app, "manager").await;

            // A phone 320 px wide: the page is no wider than the screen; the wide tables scroll in
            // boxes the keyboard can reach, named for a screen reader.
            let phone = serde_json::json!({ "width": 320, "height": 720, "deviceScaleFactor": 1, "mobile": true });
            dev_tools(&browser, "Emulation.setDeviceMetricsOverride", phone).await;
            let (item, person, request) = demo_records(&app, provider);
            let pages = [
                "workforce".to_string(),
                "evidence".into(),
                "assessment".into(),
                "assessment/GF1".into(),
                "coverage".into(),
                "history".into(),
                "findings".into(),
                "accreditation".into(),
                "requests".into(),
                format!("requests/{request}"),
                format!("evidence/{item}"),
                format!("workforce/staff/{person}"),
            ];
            for page in &pages {
                let page = page.as_str();
                browser.goto(&format!("{base}/{page}")).await.unwrap();
                let widths = browser
                .execute(
                    "const wraps = [...document.querySelectorAll('.table-wrap')];
                     return { page: document.documentElement.scrollWidth, screen: window.innerWidth,
                              tables: document.querySelectorAll('table').length,
                              wrapped: wraps.filter((w) => w.querySelector('table') && w.tabIndex === 0
                                  && w.getAttribute('role') === 'region' && w.getAttribute('aria-label')).length,
                              scrolls: wraps.some((w) => w.scrollWidth > w.clientWidth),
                              outside_tables_too_wide: [...document.querySelectorAll('body *')].filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > 321).slice(-3).map((e) => e.outerHTML.slice(0, 200)) };",
                    vec![],
                )
                .await
                .unwrap();
                assert_eq!(widths["screen"], 320, "{page}: {widths}");
                assert!(
                    widths["page"].as_i64() <= widths["screen"].as_i64(),
                    "{page} is wider than the screen: {widths}"
                );
                assert_eq!(widths["wrapped"], widths["tables"], "{page}: every table in a named region: {widths}");
                if ["workforce", "evidence"].contains(&page) {
                    assert!(widths["tables"].as_i64() > Some(0), "{page}: {widths}");
                    assert_eq!(
                        widths["scrolls"], true,
                        "{page}: a table wider than the screen scrolls in its box: {widths}"
                    );
                }
            }
            dev_tools(&browser, "Emulation.clearDeviceMetricsOverride", serde_json::json!({})).await;

            // Printed: no header, navigation, sign-out, skip link or buttons; the provider, the page's
            // title and the day at the top.
            browser.goto(&format!("{base}/workforce")).await.unwrap();
            dev_tools(&browser, "Emulation.setEmulatedMedia", serde_json::json!({ "media": "print" })).await;
            let printed = browser
                .execute(
                    "const shown = (el) => getComputedStyle(el).display !== 'none';
                 const heading = document.querySelector('.print-heading');
                 return { header: shown(document.querySelector('.site-header')),
                          nav: [...document.querySelectorAll('nav')].some(shown),
                          skip: shown(document.querySelector('.skip-link')),
                          buttons: [...document.querySelectorAll('button, .button')].filter(shown).length,
                          main: shown(document.querySelector('main')),
                          heading: shown(heading) ? heading.innerText : null };",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(printed["header"], false, "{printed}");
            assert_eq!(printed["nav"], false, "{printed}");
            assert_eq!(printed["skip"], false, "{printed}");
            assert_eq!(printed["buttons"], 0, "{printed}");
            assert_eq!(printed["main"], true, "{printed}");
            let heading = printed["heading"].as_str().unwrap_or_default();
            let today = support::today().format("%-d %b %Y").to_string();
            for part in ["Northshire OH Service", "Workforce: Northshire OH Service", &today] {
                assert!(heading.contains(part), "the printed heading has {part:?}: {heading:?}");
            }

            // On screen the print heading is not there.
            dev_tools(&browser, "Emulation.setEmulatedMedia", serde_json::json!({ "media": "screen" })).await;
            let heading = browser.find(Locator::Css(".print-heading")).await.unwrap();
            assert!(!heading.is_displayed().await.unwrap());
            browser.close().await.unwrap();
        }
);

on_both_backends!(
    an_assessor_is_shown_only_the_tabs_they_may_open_and_a_refusal_in_their_own_header,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        sign_in(&browser, &app, "assessor@northshire.example").await;
        // One provider: signing in lands on its page, under its tab bar.
        let base = format!("{}/providers/{}", app.address, s.provider);
        assert_eq!(browser.current_url().await.unwrap().as_str(), base);
        let tabs = browser.find(Locator::Css("nav.provider-nav")).await.unwrap().text().await.unwrap();
        for shown in ["Readiness", "Evidence", "Findings", "Assessor requests"] {
            assert!(tabs.contains(shown), "{shown}: {tabs}");
        }
        for hidden in ["Workforce", "History"] {
            assert!(!tabs.contains(hidden), "{hidden} answers 403 for an assessor: {tabs}");
        }
        let page = browser.source().await.unwrap();
        assert!(!page.contains("Change provider details"));

        // Opened by its address all the same, the page says so in the assessor's own header.
        browser.goto(&format!("{base}/workforce")).await.unwrap();
        let heading = browser.find(Locator::Css("main h1")).await.unwrap().text().await.unwrap();
        assert_eq!(heading, "You do not have access to this page");
        let header = browser.find(Locator::Css(".site-header__account")).await.unwrap().text().await.unwrap();
        assert!(header.contains("Signed in as Assessor of Northshire OH Service"), "{header}");
        assert!(!header.contains("Not signed in"));
        let main = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
        assert!(!main.contains("expired"), "{main}");
        browser.close().await.unwrap();
    }
);

on_both_backends!(
    signing_in_from_a_deep_link_returns_to_it,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        let deep = format!("{}/providers/{}/evidence", app.address, s.provider);
        browser.goto(&deep).await.unwrap();
        let url = browser.current_url().await.unwrap();
        assert_eq!(url.path(), "/sign-in", "sent to sign in first");
        fill(&browser, "#email", "manager@northshire.example").await;
        fill(&browser, "#password", PASSWORD).await;
        click(&browser, "main form button[type=submit]").await;
        browser.wait().for_element(Locator::Css("main h1")).await.unwrap();
        assert_eq!(browser.current_url().await.unwrap().as_str(), deep, "back where the link pointed");
        let tabs = browser.find(Locator::Css("nav.provider-nav")).await.unwrap().text().await.unwrap();
        assert!(tabs.contains("Workforce") && tabs.contains("History"), "a manager's tabs: {tabs}");
        browser.close().await.unwrap();
    }
);

async fn displayed(browser: &Client, selector: &str) -> bool {
    let element = browser.find(Locator::Css(selector)).await.unwrap_or_else(|e| panic!("{selector}: {e}"));
    element.is_displayed().await.unwrap()
}

on_both_backends!(
    the_add_evidence_form_shows_the_chosen_kinds_fields_and_filters_the_standards,
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let browser = driver.browser().await;
        sign_in(&browser, &app, "manager@northshire.example").await;
        browser.goto(&format!("{}/providers/{}/evidence/new", app.address, s.provider)).await.unwrap();
        assert!(displayed(&browser, "#file").await, "a file is the kind chosen at first");
        assert!(!displayed(&browser, "#link_url").await, "so the address is hidden");
        browser.find(Locator::Css("#kind")).await.unwrap().select_by_value("link").await.unwrap();
        assert!(!displayed(&browser, "#file").await && displayed(&browser, "#link_url").await);
        assert!(displayed(&browser, "#standards-filter").await, "the script shows the filter box");
        fill(&browser, "#standards-filter", "RP3").await;
        assert!(displayed(&browser, "input[name=standards][value=RP3]").await);
        assert!(!displayed(&browser, "input[name=standards][value=GF1]").await, "the others are filtered out");
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
