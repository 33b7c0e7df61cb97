//! The annual quality report on both backends, read back as its readers get it: each section's
//! heading and figures in the PDF's text and on the web page, the KPI charts, approval freezing the
//! PDF byte for byte (whatever changes later) and a new approval making the next version, who may
//! see the draft and who may approve, the words' form refusing what it must and writing nothing,
//! the history rows, the sweep of stored files sparing a frozen report, and `ohgov report`.

mod support;

use diesel::prelude::*;
use ohgov::clock::FinancialYear;
use ohgov::db::schema::{blobs, history, kpi_values, quality_report_versions, quality_reports};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::documents::store::reports::{self, Approval, WordsInput};
use sha2::{Digest, Sha256};
use support::browser_signed_in;
use support::pdf::{outline, page_count, pages_text, text};

const MANAGER: (&str, &str) = ("manager@northshire-oh.example", "demo-manager-2026");
const DIRECTOR: (&str, &str) = ("director@northshire-oh.example", "demo-director-2026");
const CLINICIAN: (&str, &str) = ("clinician@northshire-oh.example", "demo-clinician-2026");
const COMMISSIONER: (&str, &str) = ("commissioner@northshire-nhs.example", "demo-commissioner-2026");

fn this_year() -> FinancialYear {
    FinancialYear::containing(support::today())
}

fn last_year() -> FinancialYear {
    FinancialYear::starting_in(this_year().start_year() - 1).unwrap()
}

/// The demo service, every area's part of it, with the catalogue the app loaded: the reports'
/// words, and last year's report approved as version 1.
fn demo(conn: &mut DbConnection) -> ProviderId {
    let today = support::today();
    ohgov::accounts::demo::seed(conn, today).unwrap();
    ohgov::assessment::demo::seed(conn, today).unwrap();
    ohgov::evidence::demo::seed(conn, today, ohgov::assessment::store::framework_id).unwrap();
    ohgov::coverage::demo::seed(conn, today).unwrap();
    ohgov::workforce::demo::seed(conn, today).unwrap();
    ohgov::audits::demo::seed(conn, today).unwrap();
    ohgov::quality::demo::seed(conn, today).unwrap();
    ohgov::documents::demo::seed(conn, today).unwrap();
    ohgov::accounts::demo::demo_provider(conn).unwrap().unwrap()
}

/// Text with its line breaks and runs of spaces made single spaces, so a phrase wrapped across
/// lines is still found.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn get_bytes(client: &reqwest::Client, url: String) -> (u16, Option<String>, Vec<u8>) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    (status, kind, response.bytes().await.unwrap().to_vec())
}

async fn get_text(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post(client: &reqwest::Client, url: String, form: &[(&str, &str)]) -> (u16, String, String) {
    let response = client.post(url).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

fn history_rows(conn: &mut DbConnection, action: &str) -> Vec<String> {
    history::table
        .filter(history::entity.eq("quality_report"))
        .filter(history::action.eq(action))
        .order(history::id)
        .select(history::changes)
        .load::<String>(conn)
        .unwrap()
}

fn version_count(conn: &mut DbConnection) -> i64 {
    quality_report_versions::table.count().get_result(conn).unwrap()
}

const SECTIONS: [&str; 9] = [
    "Service overview",
    "SEQOHS accreditation",
    "Supporting staff: the NHS Constitution pledge",
    "Core services and sub-specialisms",
    "The workforce",
    "The audit programme",
    "Key performance indicators",
    "Research and development",
    "Plans for next year",
];

on_both_backends!(
    the_draft_reads_back_with_each_section_its_figures_and_its_charts,
    app | app | {
        let mut conn = app.db.migrated();
        let provider = demo(&mut conn);
        let year = this_year();
        let today = support::today();
        let workforce = ohgov::workforce::store::workforce(&mut conn, provider, today, 30).unwrap();
        let plan = ohgov::audits::store::plans::plan(&mut conn, provider, year).unwrap().unwrap();
        let audits = ohgov::audits::store::audits::plan_audits(&mut conn, plan.id).unwrap();
        let audit = audits.iter().min_by_key(|a| a.title.len()).unwrap();
        let kpis = ohgov::quality::store::definitions(&mut conn, provider).unwrap();
        let filter = ohgov::quality::model::PeriodFilter { from: Some(year.starts_on()), to: Some(year.ends_on()) };
        let latest = ohgov::quality::store::latest(&mut conn, provider, &kpis, filter).unwrap();
        let kpi = kpis.iter().find(|k| latest.contains_key(&k.node_id)).unwrap();
        let value = &latest[&kpi.node_id];

        let (client, _) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let base = format!("{}/providers/{provider}/quality-report/{}", app.address, year.url());
        let (status, kind, pdf) = get_bytes(&client, format!("{base}.pdf")).await;
        assert_eq!(status, 200);
        assert_eq!(kind.as_deref(), Some("application/pdf"));
        let all = flat(&text(&pdf));
        for section in SECTIONS {
            assert!(all.contains(section), "the PDF has the section {section:?}");
        }
        assert!(all.contains(&format!("{} people in post", workforce.people.len())), "the staff count");
        assert!(all.contains(&flat(&audit.title)), "an audit's title: {}", audit.title);
        assert!(all.contains(audit.status_label), "its status");
        let sign_off = ohgov::audits::store::sign_off::summary(&mut conn, plan.id).unwrap();
        let standing = match sign_off.state {
            "signed_off" => format!("The plan was signed off by {}", sign_off.signed_by.unwrap()),
            _ => format!("Where the plan stands: {}", sign_off.label),
        };
        assert!(all.contains(&standing), "the plan's sign-off: {standing}");
        assert!(all.contains(&kpi.reference), "a KPI's reference");
        assert!(all.contains(&value.value_text), "the KPI's latest value {}", value.value_text);
        assert!(all.contains(&kpi.target_text), "its target {}", kpi.target_text);
        // The KPI chart is drawn: its target line's label and its axis labels are text.
        assert!(all.contains(&format!("Target {}", kpi.target_text)), "the chart's target label");
        let first_month = year.starts_on().format("%b %Y").to_string();
        assert!(all.contains(&first_month), "the chart's first period label {first_month}");
        let case_workers = workforce.by_discipline.iter().find(|d| d.0 == "non_clinical_case_worker").unwrap().2;
        assert!(all.contains("Case wkr"), "the staff chart's bar label");
        assert!(all.contains(&format!("Non-clinical case worker {case_workers}")), "the chart's summary in full names");
        // The manager's words and the sign-off block.
        assert!(all.contains("a menopause clinic run with the trust’s women’s health team"), "the pledge's words");
        assert!(all.contains("Draft: not yet approved"));
        assert!(all.contains("Trail head "), "the trail's head in the footer");
        // The contents page's numbers and the outline agree with the pages the headings are on.
        let pages = pages_text(&pdf);
        assert!(page_count(&pdf) >= 8, "cover, contents and a page a section at least");
        let entries = outline(&pdf);
        for section in ["The workforce", "The audit programme", "Plans for next year"] {
            let (_, _, page) =
                entries.iter().find(|e| e.1 == section).unwrap_or_else(|| panic!("{section} in the outline"));
            let on_page = &pages[*page as usize - 1];
            assert!(on_page.lines().any(|l| l.trim() == section), "{section} starts on page {page}");
            let contents: Vec<&str> = pages[1].lines().map(str::trim).collect();
            let at = contents.iter().position(|l| *l == section).unwrap();
            assert_eq!(contents[at + 1], page.to_string(), "the contents page gives {section}'s page");
        }

        // The web page has the same sections, from the same document.
        let (status, html) = get_text(&client, base.clone()).await;
        assert_eq!(status, 200);
        for section in SECTIONS {
            assert!(html.contains(&section.replace('\'', "&#39;")), "the page has the section {section:?}");
        }
        assert!(html.contains(&format!("{} people in post", workforce.people.len())));
        assert!(html.contains(&value.value_text));
        assert!(html.contains("<svg"), "the charts as SVG");
        assert!(html.contains("Edit the report&#39;s words") || html.contains("Edit the report's words"));
        assert!(html.contains("Download the draft (PDF)"));
        assert!(!html.contains("Approve this report"), "a manager does not approve");
        assert!(!html.contains(" style=\""), "no inline style: the CSP forbids it");
    }
);

on_both_backends!(
    approval_freezes_the_pdf_and_approving_again_makes_version_2,
    app | app | {
        let mut conn = app.db.migrated();
        let provider = demo(&mut conn);
        let year = this_year();
        let (director, token) = browser_signed_in(&app, DIRECTOR.0, DIRECTOR.1).await;
        let base = format!("{}/providers/{provider}/quality-report/{}", app.address, year.url());
        let (status, location, _) =
            post(&director, format!("{base}/approve"), &[("csrf_token", &token), ("reviewed", "yes")]).await;
        assert_eq!(status, 303);
        let (_, page) = get_text(&director, format!("{}{location}", app.address)).await;
        let confirmation = format!("Quality report {year} approved as version 1").replace('/', "&#x2F;");
        assert!(page.contains(&confirmation), "the confirmation, as tera escapes it");
        assert!(page.contains("Download version 1 (PDF)"));

        let (status, kind, first) = get_bytes(&director, format!("{base}/versions/1.pdf")).await;
        assert_eq!((status, kind.as_deref()), (200, Some("application/pdf")));
        let stored = reports::versions(&mut conn, provider, year).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(sha256(&first), stored[0].sha256, "the bytes hash to the stored SHA-256");
        let approvals = history_rows(&mut conn, "approve");
        assert!(approvals.last().unwrap().contains(&stored[0].sha256), "the history row holds the hash");
        let words = flat(&text(&first));
        assert!(words.contains("Approved by Dr Alasdair Finch, Clinical Director, on"), "{words}");
        assert!(words.contains("version 1"));

        // The words and a KPI's values change; version 1 does not.
        let (manager, manager_token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let mut form = reports::words(&mut conn, provider, year).unwrap().as_input();
        form.plans_next_year = "Open a second clinic at Harbour Road in the spring.".into();
        let (status, _, _) = post(
            &manager,
            format!("{base}/edit"),
            &[
                ("csrf_token", &manager_token),
                ("pledge_narrative", &form.pledge_narrative),
                ("research_this_year", &form.research_this_year),
                ("research_next_year", &form.research_next_year),
                ("plans_next_year", &form.plans_next_year),
            ],
        )
        .await;
        assert_eq!(status, 303);
        diesel::update(kpi_values::table.filter(kpi_values::provider_id.eq(provider.0)))
            .set(kpi_values::value.eq(12.5))
            .execute(&mut conn)
            .unwrap();
        ohgov::workforce::import::sweep(&mut conn, chrono::Utc::now() + chrono::Duration::days(2)).unwrap();
        let (_, _, again) = get_bytes(&manager, format!("{base}/versions/1.pdf")).await;
        assert_eq!(again, first, "version 1 is byte for byte what was approved");
        let (_, _, draft) = get_bytes(&manager, format!("{base}.pdf")).await;
        let draft_words = flat(&text(&draft));
        assert!(draft_words.contains("Harbour Road"), "the draft has the new words");
        assert!(draft_words.contains("12.5"), "and the new figures");
        assert!(!words.contains("Harbour Road"));

        let (status, _, _) =
            post(&director, format!("{base}/approve"), &[("csrf_token", &token), ("reviewed", "yes")]).await;
        assert_eq!(status, 303);
        let (_, _, second) = get_bytes(&director, format!("{base}/versions/2.pdf")).await;
        let second_words = flat(&text(&second));
        assert!(second_words.contains("Harbour Road") && second_words.contains("version 2"));
        let stored = reports::versions(&mut conn, provider, year).unwrap();
        assert_eq!(stored.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1], "newest first");
        assert_eq!(sha256(&second), stored[0].sha256);
        let (_, _, still) = get_bytes(&director, format!("{base}/versions/1.pdf")).await;
        assert_eq!(still, first);
        let (status, _, _) = get_bytes(&director, format!("{base}/versions/3.pdf")).await;
        assert_eq!(status, 404, "no version 3");
        let next = FinancialYear::starting_in(year.start_year() + 1).unwrap();
        let future = format!("{}/providers/{provider}/quality-report/{}", app.address, next.url());
        assert_eq!(get_text(&director, future).await.0, 404, "a year not yet begun has no report");
    }
);

on_both_backends!(
    a_commissioner_gets_the_approved_report_but_not_the_draft_and_a_clinician_cannot_approve,
    app | app | {
        let mut conn = app.db.migrated();
        let provider = demo(&mut conn);
        let list = format!("{}/providers/{provider}/quality-report", app.address);
        let last = format!("{list}/{}", last_year().url());
        let this = format!("{list}/{}", this_year().url());

        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        let (status, html) = get_text(&commissioner, list.clone()).await;
        assert_eq!(status, 200);
        let version_link = format!("/quality-report/{}/versions/1.pdf", last_year().url());
        assert!(html.contains(&version_link), "the approved version is linked");
        assert!(!html.contains(&format!("href=\"/providers/{provider}/quality-report/{}\"", this_year().url())));
        assert!(!html.contains("/edit") && !html.contains("/approve"), "no edit or approve link");
        let (status, kind, bytes) = get_bytes(&commissioner, format!("{last}/versions/1.pdf")).await;
        assert_eq!((status, kind.as_deref()), (200, Some("application/pdf")));
        let stored = reports::versions(&mut conn, provider, last_year()).unwrap();
        assert_eq!(sha256(&bytes), stored[0].sha256, "the demo's version 1, as approved");
        assert_eq!(get_bytes(&commissioner, format!("{this}.pdf")).await.0, 403, "not the draft");
        assert_eq!(get_text(&commissioner, this.clone()).await.0, 403, "nor the draft's page");

        // A clinician reads the draft but cannot approve it: nothing is written.
        let (clinician, token) = browser_signed_in(&app, CLINICIAN.0, CLINICIAN.1).await;
        let (status, html) = get_text(&clinician, this.clone()).await;
        assert_eq!(status, 200);
        assert!(!html.contains("Approve this report") && !html.contains("Edit the report"));
        let (versions, rows) = (version_count(&mut conn), history_rows(&mut conn, "approve").len());
        let (status, _, _) =
            post(&clinician, format!("{this}/approve"), &[("csrf_token", &token), ("reviewed", "yes")]).await;
        assert_eq!(status, 403);
        assert_eq!((version_count(&mut conn), history_rows(&mut conn, "approve").len()), (versions, rows));

        // A clinical director who does not tick that they read it is asked to, and nothing is written.
        let (director, token) = browser_signed_in(&app, DIRECTOR.0, DIRECTOR.1).await;
        let (status, _, html) = post(&director, format!("{this}/approve"), &[("csrf_token", &token)]).await;
        assert_eq!(status, 422);
        assert!(html.contains("Tick to confirm you have read the report before approving it"));
        assert_eq!(version_count(&mut conn), versions);
    }
);

on_both_backends!(
    the_words_are_saved_with_their_history_and_bad_input_writes_nothing,
    app | app | {
        let mut conn = app.db.migrated();
        let provider = demo(&mut conn);
        let year = this_year();
        let edit = format!("{}/providers/{provider}/quality-report/{}/edit", app.address, year.url());
        let (manager, token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let (status, html) = get_text(&manager, edit.clone()).await;
        assert_eq!(status, 200);
        assert!(html.contains("a menopause clinic"), "the form holds the words saved");
        let before = reports::words(&mut conn, provider, year).unwrap();
        let updates = history_rows(&mut conn, "update").len();

        let long = "x".repeat(10_001);
        let (status, _, html) = post(
            &manager,
            edit.clone(),
            &[("csrf_token", &token), ("pledge_narrative", &before.pledge_narrative), ("research_this_year", &long)],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("Keep this under 10,000 characters; it has 10,001"));
        assert_eq!(reports::words(&mut conn, provider, year).unwrap(), before, "nothing written");
        assert_eq!(history_rows(&mut conn, "update").len(), updates);

        let (status, location, _) = post(
            &manager,
            edit.clone(),
            &[
                ("csrf_token", &token),
                ("pledge_narrative", &before.pledge_narrative),
                ("research_this_year", &before.research_this_year),
                ("research_next_year", &before.research_next_year),
                ("plans_next_year", "Recruit two OH nurses.\r\n\r\nStart a night-shift clinic."),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, page) = get_text(&manager, format!("{}{location}", app.address)).await;
        assert!(page.contains("Plans for next year saved"), "the confirmation in the field's words");
        assert!(page.contains("Start a night-shift clinic."));
        let after = reports::words(&mut conn, provider, year).unwrap();
        assert_eq!(after.plans_next_year, "Recruit two OH nurses.\n\nStart a night-shift clinic.");
        let rows = history_rows(&mut conn, "update");
        assert_eq!(rows.len(), updates + 1, "one history row");
        let change = rows.last().unwrap();
        assert!(change.contains("plans_next_year") && change.contains("Start a night-shift clinic."));
        assert!(change.contains(&before.plans_next_year.replace('\n', "\\n")[..20]), "with the words before");
        assert!(!change.contains("pledge_narrative"), "only what changed");

        // A clinician may not edit.
        let (clinician, token) = browser_signed_in(&app, CLINICIAN.0, CLINICIAN.1).await;
        assert_eq!(get_text(&clinician, edit.clone()).await.0, 403);
        let (status, _, _) = post(&clinician, edit, &[("csrf_token", &token), ("plans_next_year", "Nothing")]).await;
        assert_eq!(status, 403);
        assert_eq!(reports::words(&mut conn, provider, year).unwrap(), after);
    }
);

on_both_backends!(
    a_frozen_report_s_file_is_never_swept_and_reads_back_unchanged,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = support::service(&mut conn, "Northshire OH Service", "northshire");
        let year = this_year();
        let bytes = b"%PDF-1.7 a frozen report".to_vec();
        let hash = sha256(&bytes);
        let at = chrono::Utc::now().naive_utc();
        let approval = Approval { version: 1, bytes: &bytes, sha256: &hash, file_name: "report-v1.pdf" };
        reports::approve(&mut conn, s.clinical_director, s.provider, year, &approval, at).unwrap();
        // A stale approval (drawn as version 1 again) is refused and writes nothing.
        let refused = reports::approve(&mut conn, s.clinical_director, s.provider, year, &approval, at);
        assert!(matches!(refused, Err(ohgov::db::StoreError::Conflict(_))));
        assert_eq!(version_count(&mut conn), 1);
        // A file nothing refers to goes; the frozen report stays.
        diesel::insert_into(blobs::table)
            .values((
                blobs::sha256.eq("0".repeat(64)),
                blobs::size_bytes.eq(3i64),
                blobs::content.eq(b"old".to_vec()),
                blobs::created_at.eq(at),
            ))
            .execute(&mut conn)
            .unwrap();
        let swept = ohgov::workforce::import::sweep(&mut conn, chrono::Utc::now()).unwrap();
        assert_eq!(swept.files, 1, "the unreferenced file is swept");
        let (version, read) = reports::version_file(&mut conn, s.provider, year, 1).unwrap().unwrap();
        assert_eq!(read, bytes, "the frozen file reads back unchanged");
        assert_eq!(version.sha256, hash);
        assert_eq!(version.approved_by, UserId(s.clinical_director.0));
        // The words of a year with no row are empty, and saving nothing new writes nothing.
        let rows: i64 = history::table.count().get_result(&mut conn).unwrap();
        let saved = reports::save_words(&mut conn, s.manager, s.provider, year, &WordsInput::default(), at).unwrap();
        assert!(saved.0.is_empty());
        assert_eq!(history::table.count().get_result::<i64>(&mut conn).unwrap(), rows);
        let ids: i64 = quality_reports::table.count().get_result(&mut conn).unwrap();
        assert_eq!(ids, 1, "the approval made the year's report row");
    }
);

on_both_backends!(
    ohgov_report_writes_the_approved_version_or_says_it_wrote_the_draft,
    app | app | {
        let mut conn = app.db.migrated();
        let provider = demo(&mut conn);
        let dir = std::env::temp_dir().join(format!("ohgov-report-{}-{:?}", std::process::id(), app.db.backend));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |year: FinancialYear, out: &std::path::Path| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .args(["report", "--provider", &provider.to_string(), "--year", &year.url(), "--out"])
                .arg(out)
                .args(["--database-url", &app.db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", app.db.history_key_file())
                .output()
                .unwrap()
        };
        let approved = dir.join("approved.pdf");
        let output = run(last_year(), &approved);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(said.contains("Wrote version 1") && said.contains("Dr Alasdair Finch"), "{said}");
        let stored = reports::version_file(&mut conn, provider, last_year(), 1).unwrap().unwrap().1;
        assert_eq!(std::fs::read(&approved).unwrap(), stored, "the approved version, byte for byte");

        let draft = dir.join("draft.pdf");
        let output = run(this_year(), &draft);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(said.contains("is approved: wrote the draft"), "{said}");
        let words = flat(&text(&std::fs::read(&draft).unwrap()));
        assert!(words.contains("Draft: not yet approved") && words.contains("long COVID"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
);
