//! End to end in a real browser: Debian's chromium, driven through chromedriver over WebDriver,
//! against the real application on both backends, with the means in `support::browser`. The four
//! roles' journey (issue 18) checks every page it visits with axe-core, the keyboard alone and a
//! 320 px screen. Where chromedriver or axe-core is not installed the tests skip with a notice;
//! under `CI=true` that is a failure (`.ci/run` installs both).

mod support;

use fantoccini::{Client, Locator};
use support::browser::{
    assert_fits_320, click, dev_tools, fill, full_screen, phone_screen, sign_in, sign_in_demo, ChromeDriver,
};
use support::{service, TestApp, PASSWORD};

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
    app | app | {
        let Some(driver) = ChromeDriver::start() else { return };
        let provider = demo_world(&app);
        let base = format!("{}/providers/{provider}", app.address);
        let browser = driver.browser().await;
        sign_in_demo(&browser, &app, "manager").await;

        // A phone 320 px wide: the page is no wider than the screen; the wide tables scroll in
        // boxes the keyboard can reach, named for a screen reader.
        phone_screen(&browser).await;
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
            let widths = assert_fits_320(&browser, page).await;
            if ["workforce", "evidence"].contains(&page) {
                assert!(widths["tables"].as_i64() > Some(0), "{page}: {widths}");
                assert_eq!(
                    widths["scrolls"], true,
                    "{page}: a table wider than the screen scrolls in its box: {widths}"
                );
            }
        }
        full_screen(&browser).await;

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

// Issue 18: the whole journey, each of the four roles in turn, every page it visits checked with
// axe-core, the keyboard alone and a 320 px screen.

/// A one-page PDF saying `text`, as a real document is: lopdf reads it back and the evidence pack
/// merges it as an appendix, so the pack read back shows that it holds the uploaded file.
fn one_page_pdf(text: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 14.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
    let page_id = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content_id });
    let pages = dictionary! {
        "Type" => "Pages",
        "Kids" => vec![page_id.into()],
        "Count" => 1,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

/// The provider's key questions as the commissioner's page shows them: each question's code and
/// its answer (`yes`, `partly`, `no`, `not_evidenced`).
async fn key_answers(browser: &Client) -> std::collections::BTreeMap<String, String> {
    let found = browser
        .execute(
            "return Object.fromEntries([...document.querySelectorAll('li[data-code]')].map((li) => [li.dataset.code, li.dataset.value]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// The cells of the provider's row on the commissioner's comparison page, in words.
async fn comparison_row(browser: &Client, provider_name: &str) -> Vec<String> {
    let found = browser
        .execute(
            "const row = [...document.querySelectorAll('tbody tr')].find((tr) => tr.querySelector('th').innerText.includes(arguments[0]));
             return row ? [...row.querySelectorAll('td')].map((td) => td.innerText.trim()) : [];",
            vec![serde_json::json!(provider_name)],
        )
        .await
        .unwrap();
    let cells: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(!cells.is_empty(), "{provider_name} is on the comparison page");
    cells
}

/// The confirmation the layout shows once after a change.
async fn confirmation(browser: &Client) -> String {
    browser.wait().for_element(Locator::Css("[role=status].flash")).await.expect("a confirmation").text().await.unwrap()
}

/// GF4's result and narrative in the provider's newest assessment cycle, as stored.
fn stored_assessment(app: &TestApp, provider: ohgov::db::ProviderId, reference: &str) -> (String, String) {
    use diesel::prelude::*;
    use ohgov::db::schema::{assessment_cycles, catalogue_nodes, standard_assessments};
    let conn = &mut app.db.conn();
    let cycle: i32 = assessment_cycles::table
        .filter(assessment_cycles::provider_id.eq(provider.0))
        .order(assessment_cycles::id.desc())
        .select(assessment_cycles::id)
        .first(conn)
        .unwrap();
    let nodes: Vec<i32> = catalogue_nodes::table
        .filter(catalogue_nodes::reference.eq(reference))
        .select(catalogue_nodes::id)
        .load(conn)
        .unwrap();
    standard_assessments::table
        .filter(standard_assessments::cycle_id.eq(cycle))
        .filter(standard_assessments::node_id.eq_any(nodes))
        .select((standard_assessments::result, standard_assessments::narrative))
        .first(conn)
        .unwrap()
}

/// Waits for a whole file to land in `dir` (Chrome writes `.crdownload` until it is done).
async fn downloaded(dir: &std::path::Path) -> std::path::PathBuf {
    let started = std::time::Instant::now();
    loop {
        let files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        let partial = files.iter().any(|f| f.extension().is_some_and(|e| e == "crdownload"));
        if let (false, Some(file)) = (partial, files.iter().find(|f| f.extension().is_some_and(|e| e == "pdf"))) {
            return file.clone();
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(90), "no download in 90 s: {files:?}");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

on_both_backends!(
    the_four_roles_journey_through_the_service_and_every_page_they_visit_is_accessible,
    app | app
        | {
            use diesel::prelude::*;
            use fantoccini::key::Key;
            use ohgov::db::schema::{
                assessor_requests, audit_plan_sign_offs, audit_plans, evidence_items, quality_report_versions,
                quality_reports, staff,
            };
            use support::browser::{assert_accessible, chord, fill_sign_in_demo, press, step, tab_to, type_text};

            let Some(driver) = ChromeDriver::start() else { return };
            let started = std::time::Instant::now();
            let backend = app.db.backend;
            const TEST: &str = "journey";
            let today = support::today();
            let provider = {
                let mut conn = app.db.migrated();
                ohgov::cli::demo::build(&mut conn, today).unwrap();
                ohgov::accounts::demo::demo_provider(&mut conn).unwrap().expect("the demo provider")
            };
            let built = started.elapsed();
            let commissioner =
                ohgov::accounts::demo::demo_organisation(&mut app.db.conn(), ohgov::accounts::demo::DEMO_COMMISSIONER)
                    .unwrap()
                    .expect("the demo commissioner");
            let name = ohgov::accounts::demo::DEMO_PROVIDER;
            let site = app.address.clone();
            let base = format!("{site}/providers/{provider}");
            let year = ohgov::clock::FinancialYear::containing(today);
            let staff_count = || -> i64 {
                staff::table.filter(staff::provider_id.eq(provider.0)).count().get_result(&mut app.db.conn()).unwrap()
            };

            // The commissioner, before: the provider's row on the comparison page and its key questions.
            let browser = driver.browser().await;
            let (row_before, answers_before) = step(&browser, TEST, backend, "commissioner-before", async {
                browser.goto(&format!("{site}/sign-in")).await.unwrap();
                assert_accessible(&browser, "the sign-in page").await;
                fill_sign_in_demo(&browser, "commissioner").await;
                browser.goto(&format!("{site}/commissioners/{commissioner}")).await.unwrap();
                assert_accessible(&browser, "the commissioner's comparison").await;
                let row = comparison_row(&browser, name).await;
                click(&browser, &format!("a[href='/providers/{provider}/key-questions']")).await;
                browser.wait().for_element(Locator::Css("ol.key-questions")).await.unwrap();
                assert_accessible(&browser, "the key questions").await;
                (row, key_answers(&browser).await)
            })
            .await;
            browser.close().await.unwrap();
            // The demo's contingency plan for losing key staff is past its review date, so "Have you
            // identified and agreed the key clinical staff?" is only partly answered (both clinical
            // tiers are staffed; the plan does not count); and this year's audit plan awaits the
            // clinical director, so "What is the plan for auditing its practice?" is partly answered.
            // The manager's renewed plan (evidence for GF4, business continuity, marked met) turns the
            // first to yes; the director's sign-off turns the second. GF4 is a "should" standard: the
            // demo has five "must" standards not met, so no single standard can turn "minimum
            // standards" from no, and the figure "standards met" goes up by one instead.
            assert_eq!(answers_before["key_clinical_staff"], "partly", "{answers_before:?}");
            assert_eq!(answers_before["audit_plan"], "partly", "{answers_before:?}");
            assert!(row_before[6].contains("Not signed off"), "{row_before:?}");
            let met_before: u32 = row_before[1].split(' ').next().unwrap().parse().unwrap();

            // The manager: GF4 met, with a narrative, by the keyboard alone; the renewed contingency
            // plan uploaded as its evidence; a staff import; the evidence pack.
            let narrative = "The contingency plan now covers the loss of the clinic building as well as of staff; tested in a desk exercise.";
            let plan_text = "Contingency plan for the loss of key staff and premises, renewed for the journey";
            let dir = tempfile::tempdir().unwrap();
            let browser = driver.browser().await;
            let item = step(&browser, TEST, backend, "manager", async {
                sign_in_demo(&browser, &app, "manager").await;
                assert_accessible(&browser, "the manager's first page").await;
                browser.goto(&format!("{base}/assessment/GF4")).await.unwrap();
                assert_accessible(&browser, "GF4's page").await;

                // Tab to each field; a select takes the typed start of its choice; Ctrl+A then typing
                // replaces the narrative; Enter on the button sends the form. No click.
                browser.goto(&format!("{base}/assessment/GF4")).await.unwrap();
                tab_to(&browser, "workflow", 60).await;
                type_text(&browser, "Done").await;
                tab_to(&browser, "result", 3).await;
                type_text(&browser, "Met").await;
                tab_to(&browser, "narrative", 6).await;
                chord(&browser, Key::Control, 'a').await;
                type_text(&browser, narrative).await;
                tab_to(&browser, "button:Save the assessment", 3).await;
                press(&browser, Key::Enter, 1).await;
                assert_eq!(confirmation(&browser).await, "GF4 saved");
                assert_accessible(&browser, "GF4's page, saved").await;
                assert_eq!(stored_assessment(&app, provider, "GF4"), ("met".to_string(), narrative.to_string()));

                // The renewed plan, a real PDF, as evidence for GF4 and of the kind commissioners ask for.
                let file = dir.path().join("Contingency plan 2026.pdf");
                std::fs::write(&file, one_page_pdf(plan_text)).unwrap();
                browser.goto(&format!("{base}/evidence/new?standard=GF4")).await.unwrap();
                assert_accessible(&browser, "the add evidence form").await;
                fill(&browser, "#title", "Contingency plan for the loss of key staff and premises").await;
                fill(&browser, "#file", file.to_str().unwrap()).await;
                browser
                    .find(Locator::Css("#document_kind"))
                    .await
                    .unwrap()
                    .select_by_value("contingency_plan")
                    .await
                    .unwrap();
                fill(&browser, "#review_due", &(today + chrono::Duration::days(365)).to_string()).await;
                click(&browser, "main form button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, "Evidence added and linked to GF4");
                browser
                    .find(Locator::LinkText("Contingency plan 2026.pdf"))
                    .await
                    .expect("the item's page links the file");
                assert_accessible(&browser, "the evidence item").await;
                let item: i32 = evidence_items::table
                    .filter(evidence_items::provider_id.eq(provider.0))
                    .filter(evidence_items::document_kind.eq("contingency_plan"))
                    .filter(evidence_items::file_name.eq("Contingency plan 2026.pdf"))
                    .select(evidence_items::id)
                    .first(&mut app.db.conn())
                    .unwrap();

                // Staff from a CSV: a preview that writes nothing, then the import.
                let before = staff_count();
                let csv = dir.path().join("esr-export.csv");
                std::fs::write(
                    &csv,
                    "Staff_Number,Full_Name,Email,Discipline,Regulator,Registration_Number,Registration_Renewal,\
                 Revalidation_Due,Last_Appraisal,Responsible_Officer,Start_Date,Leaving_Date,FTE\r\n\
                 J901,Amara Journey,,oh_nurse_scphn,nmc,19J9011E,31/03/2030,31/08/2030,,,04/01/2021,,0.8\r\n\
                 J902,Ben Journey,,non_clinical_case_worker,,,,,,,01/02/2023,,1\r\n",
                )
                .unwrap();
                browser.goto(&format!("{base}/workforce/import")).await.unwrap();
                assert_accessible(&browser, "the import form").await;
                click(&browser, "input[name=kind][value=staff]").await;
                fill(&browser, "#file", csv.to_str().unwrap()).await;
                click(&browser, "main form button[type=submit]").await;
                let lead = browser.wait().for_element(Locator::Css("p.lead")).await.unwrap().text().await.unwrap();
                assert!(lead.contains("Every one of the 2 rows passed its checks"), "{lead}");
                assert_accessible(&browser, "the import's preview").await;
                assert_eq!(staff_count(), before, "the preview wrote nothing");
                click(&browser, "main form button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, "2 people added");
                assert_eq!(staff_count(), before + 2);
                assert_accessible(&browser, "the workforce").await;

                // The evidence pack, downloaded as a person does, read back: GF4 met with its narrative,
                // and the renewed plan merged in.
                browser.goto(&format!("{base}/pack")).await.unwrap();
                assert_accessible(&browser, "the evidence pack's page").await;
                let downloads = dir.path().join("downloads");
                std::fs::create_dir(&downloads).unwrap();
                let behaviour = serde_json::json!({ "behavior": "allow", "downloadPath": downloads.to_str().unwrap() });
                dev_tools(&browser, "Browser.setDownloadBehavior", behaviour).await;
                click(&browser, "a[href$='/pack.pdf']").await;
                let pack = std::fs::read(downloaded(&downloads).await).unwrap();
                assert!(pack.starts_with(b"%PDF-"), "the download is a PDF");
                let text = support::pdf::text(&pack);
                let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(flat.contains(name), "the pack names the provider");
                assert!(flat.contains("GF4"), "the pack has GF4");
                assert!(
                    flat.contains("The contingency plan now covers the loss of the clinic building"),
                    "GF4's narrative is in the pack"
                );
                assert!(flat.contains(plan_text), "the uploaded plan is merged into the pack");
                item
            })
            .await;
            browser.close().await.unwrap();

            // The clinical director signs off this year's audit plan, then approves the quality report.
            let browser = driver.browser().await;
            step(&browser, TEST, backend, "clinical-director", async {
                sign_in_demo(&browser, &app, "director").await;
                assert_accessible(&browser, "the clinical director's first page").await;
                browser.goto(&format!("{base}/audit-plans/{}/sign-off", year.url())).await.unwrap();
                assert_accessible(&browser, "the audit plan's sign-off").await;
                click(&browser, "form[action$='/sign'] input[name=reviewed]").await;
                click(&browser, "form[action$='/sign'] button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, format!("Audit plan {year} signed off"));
                let state: String = audit_plans::table
                    .filter(audit_plans::provider_id.eq(provider.0))
                    .filter(audit_plans::year_start.eq(year.start_year()))
                    .select(audit_plans::state)
                    .first(&mut app.db.conn())
                    .unwrap();
                assert_eq!(state, "signed_off");
                let signatures: i64 = audit_plan_sign_offs::table
                    .inner_join(audit_plans::table)
                    .filter(audit_plans::provider_id.eq(provider.0))
                    .filter(audit_plans::year_start.eq(year.start_year()))
                    .count()
                    .get_result(&mut app.db.conn())
                    .unwrap();
                assert_eq!(signatures, 1);
                assert_accessible(&browser, "the signed-off plan").await;

                browser.goto(&format!("{base}/quality-report/{}", year.url())).await.unwrap();
                assert_accessible(&browser, "the quality report").await;
                click(&browser, "form[action$='/approve'] input[name=reviewed]").await;
                click(&browser, "form[action$='/approve'] button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, format!("Quality report {year} approved as version 1"));
                let versions: i64 = quality_report_versions::table
                    .inner_join(quality_reports::table)
                    .filter(quality_reports::provider_id.eq(provider.0))
                    .filter(quality_reports::year_start.eq(year.start_year()))
                    .count()
                    .get_result(&mut app.db.conn())
                    .unwrap();
                assert_eq!(versions, 1);
            })
            .await;
            browser.close().await.unwrap();

            // The commissioner, after: one more standard met, the plan signed off, and both answers yes.
            let browser = driver.browser().await;
            step(&browser, TEST, backend, "commissioner-after", async {
                sign_in_demo(&browser, &app, "commissioner").await;
                browser.goto(&format!("{site}/commissioners/{commissioner}")).await.unwrap();
                let row = comparison_row(&browser, name).await;
                let met: u32 = row[1].split(' ').next().unwrap().parse().unwrap();
                assert_eq!(met, met_before + 1, "GF4 is counted met: {row:?}");
                assert!(row[6].starts_with("Signed off"), "{row:?}");
                browser.goto(&format!("{base}/key-questions")).await.unwrap();
                let answers = key_answers(&browser).await;
                assert_eq!(answers["key_clinical_staff"], "yes", "the renewed contingency plan counts: {answers:?}");
                assert_eq!(answers["audit_plan"], "yes", "the signed-off plan counts: {answers:?}");
                let facts = browser.find(Locator::Css("#key_clinical_staff")).await.unwrap().text().await.unwrap();
                assert!(facts.contains("Contingency plan for the loss of key staff and premises"), "{facts}");
            })
            .await;
            browser.close().await.unwrap();

            // The assessor asks for a piece of evidence; the manager answers in the browser; the
            // assessor reads the answer.
            let question = "Please send the minutes of the desk exercise that tested the contingency plan.";
            let answer = "The desk exercise is minuted in the renewed plan itself, attached.";
            let browser = driver.browser().await;
            let request: i32 = step(&browser, TEST, backend, "assessor-asks", async {
                sign_in_demo(&browser, &app, "assessor").await;
                assert_accessible(&browser, "the assessor's first page").await;
                browser.goto(&format!("{base}/requests")).await.unwrap();
                assert_accessible(&browser, "the assessor's requests").await;
                fill(&browser, "#standard", "GF4").await;
                fill(&browser, "#request_text", question).await;
                click(&browser, "form[action$='/requests'] button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, "Request sent to the service");
                let (id, status): (i32, String) = assessor_requests::table
                    .filter(assessor_requests::provider_id.eq(provider.0))
                    .filter(assessor_requests::request_text.eq(question))
                    .select((assessor_requests::id, assessor_requests::status))
                    .first(&mut app.db.conn())
                    .unwrap();
                assert_eq!(status, "open");
                assert_accessible(&browser, "the assessor's new request").await;
                id
            })
            .await;
            browser.close().await.unwrap();

            let browser = driver.browser().await;
            step(&browser, TEST, backend, "manager-answers", async {
                sign_in_demo(&browser, &app, "manager").await;
                browser.goto(&format!("{base}/requests/{request}")).await.unwrap();
                assert_accessible(&browser, "the request, to answer").await;
                fill(&browser, "#answer_text", answer).await;
                click(&browser, &format!("input[name=evidence][value='{item}']")).await;
                click(&browser, "form[action$='/answer'] button[type=submit]").await;
                assert_eq!(confirmation(&browser).await, "Answer sent to the assessor");
                let stored: Option<String> = assessor_requests::table
                    .find(request)
                    .select(assessor_requests::answer_text)
                    .first(&mut app.db.conn())
                    .unwrap();
                assert_eq!(stored.as_deref(), Some(answer));
            })
            .await;
            browser.close().await.unwrap();

            let browser = driver.browser().await;
            step(&browser, TEST, backend, "assessor-reads", async {
                sign_in_demo(&browser, &app, "assessor").await;
                browser.goto(&format!("{base}/requests/{request}")).await.unwrap();
                let main = browser.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
                assert!(main.contains(answer), "the assessor sees the answer: {main}");
                assert!(
                    main.contains("Contingency plan for the loss of key staff and premises"),
                    "and the evidence: {main}"
                );
                assert_accessible(&browser, "the answered request").await;
            })
            .await;
            browser.close().await.unwrap();
            eprintln!(
                "the journey on {} took {:.1} s, {:.1} s of it building the demo",
                backend.name(),
                started.elapsed().as_secs_f64(),
                built.as_secs_f64()
            );
        }
);
