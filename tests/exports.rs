//! Every list out to CSV and Excel, on both backends, through HTTP as people use them: the
//! workbook opens with calamine and holds the page's rows (a date as a date cell, a formula-looking
//! name as plain text), the CSV neutralises formula cells and keeps "Chloé", the workforce download
//! honours the page's filters, and downloads follow the page's access check (a commissioner's
//! export holds only its own providers' figures).

mod support;

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput};
use ohgov::db::{DbConnection, ProviderId};
use reqwest::multipart::Form;
use support::browser_signed_in;

const MANAGER: (&str, &str) = ("manager@northshire-oh.example", "demo-manager-2026");
const COMMISSIONER: (&str, &str) = ("commissioner@northshire-nhs.example", "demo-commissioner-2026");
/// A staff name a spreadsheet would run as a formula, and one it would read as a sum.
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Click\")";
const PLUS: &str = "+44 7700 900123";

struct World {
    provider: i32,
    trust: i32,
    /// A provider the trust does not commission, and its name.
    elsewhere: i32,
}

fn organisation(conn: &mut DbConnection, kind: &str, name: &str) -> i32 {
    let input = OrganisationInput { kind: kind.into(), name: name.into(), ..Default::default() };
    ohgov::accounts::store::create_organisation(conn, None, &input.parse().unwrap()).unwrap()
}

/// The demo's accounts (Northshire, its manager, and the trust that commissions it), and a provider
/// another commissioner holds the contract with.
fn world(conn: &mut DbConnection) -> World {
    use ohgov::db::schema::organisations;
    ohgov::accounts::demo::seed(conn, support::today()).unwrap();
    let id = |conn: &mut DbConnection, name: &str| -> i32 {
        organisations::table.filter(organisations::name.eq(name)).select(organisations::id).first(conn).unwrap()
    };
    let provider = id(conn, "Northshire OH Service");
    let trust = id(conn, "Northshire Teaching Hospitals NHS Trust");
    let other_commissioner = organisation(conn, "commissioner", "Elsewhere Integrated Care Board");
    let elsewhere = organisation(conn, "provider", "Elsewhere Staff Health");
    let contract = NewContract {
        commissioner_id: other_commissioner,
        provider_id: ProviderId(elsewhere),
        starts_on: support::today() - Duration::days(30),
        ends_on: None,
        services: Vec::new(),
    };
    ohgov::accounts::store::create_contract(conn, None, &contract).unwrap();
    World { provider, trust, elsewhere }
}

/// Adds a person through the page's own form, as the manager does.
async fn add_person(client: &reqwest::Client, base: &str, token: &str, fields: &[(&str, &str)]) {
    let mut form = vec![("csrf_token", token)];
    form.extend_from_slice(fields);
    let response = client.post(format!("{base}/workforce/staff")).form(&form).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303, "{fields:?} is added: {}", response.text().await.unwrap());
}

/// Chloé the nurse (registration renewal 31 March 2027), a physiotherapist whose name is a phone
/// number, and an administrator whose name is a formula.
async fn three_people(client: &reqwest::Client, base: &str, token: &str) {
    add_person(
        client,
        base,
        token,
        &[
            ("staff_number", "N200"),
            ("full_name", "Chloé Brown"),
            ("discipline", "oh_nurse_scphn"),
            ("regulator", "nmc"),
            ("registration_number", "12A3456E"),
            ("registration_renewal", "2027-03-31"),
            ("revalidation_due", "2027-08-31"),
        ],
    )
    .await;
    add_person(
        client,
        base,
        token,
        &[
            ("staff_number", "P300"),
            ("full_name", PLUS),
            ("discipline", "physiotherapist"),
            ("regulator", "hcpc"),
            ("registration_number", "PH123456"),
            ("registration_renewal", "2027-05-31"),
        ],
    )
    .await;
    add_person(
        client,
        base,
        token,
        &[("staff_number", "A500"), ("full_name", FORMULA), ("discipline", "administrator")],
    )
    .await;
}

/// A download: its status, its content type, its `Content-Disposition` and its bytes.
async fn download(client: &reqwest::Client, url: String) -> (u16, String, String, Vec<u8>) {
    let response = client.get(url).send().await.unwrap();
    let header =
        |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (status, media_type, disposition) =
        (response.status().as_u16(), header("content-type"), header("content-disposition"));
    (status, media_type, disposition, response.bytes().await.unwrap().to_vec())
}

/// The first worksheet of a workbook, as calamine reads it.
fn first_sheet(bytes: &[u8]) -> calamine::Range<Data> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("the workbook opens");
    workbook.worksheet_range_at(0).expect("a first worksheet").expect("the worksheet reads")
}

/// The first worksheet's formulas: none at all, however the cells look.
fn formulas(bytes: &[u8]) -> usize {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = workbook.sheet_names()[0].clone();
    workbook.worksheet_formula(&name).unwrap().used_cells().filter(|(_, _, f)| !f.is_empty()).count()
}

/// A row's cells as text, for finding a row by a name.
fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(|cell| cell.to_string()).collect()
}

/// The column headed `header`.
fn column(sheet: &calamine::Range<Data>, header: &str) -> usize {
    let headers = texts(sheet.rows().next().expect("a header row"));
    headers.iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header} in {headers:?}"))
}

/// The day an Excel date cell holds (serial days from 30 December 1899).
fn day_of(cell: &Data) -> NaiveDate {
    match cell {
        Data::DateTime(at) => {
            assert!(at.is_datetime(), "a date, not a duration");
            NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + Duration::days(at.as_f64() as i64)
        }
        other => panic!("not a date cell: {other:?}"),
    }
}

/// The CSV's text without its byte-order mark; asserts the mark is there.
fn csv_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a byte-order mark, for Excel");
    String::from_utf8(bytes[3..].to_vec()).expect("UTF-8")
}

on_both_backends!(
    the_workforce_table_downloads_as_a_workbook_and_a_csv_with_the_pages_rows_and_filters,
    app | app | {
        let world = world(&mut app.db.migrated());
        let base = format!("{}/providers/{}", app.address, world.provider);
        let (client, token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        three_people(&client, &base, &token).await;

        // The page offers both, by its own address with its filters kept.
        let (_, page) = app_get(&client, format!("{base}/workforce?discipline=oh_nurse_scphn&page=1")).await;
        assert!(page.contains("discipline=oh_nurse_scphn&amp;format=csv"), "{page}");
        assert!(page.contains("discipline=oh_nurse_scphn&amp;format=xlsx"));

        let (status, media_type, disposition, bytes) = download(&client, format!("{base}/workforce?format=xlsx")).await;
        assert_eq!(status, 200);
        assert_eq!(media_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let today = support::today().format("%Y-%m-%d");
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(disposition.contains(&format!("filename=\"workforce-{today}.xlsx\"")), "{disposition}");
        let sheet = first_sheet(&bytes);
        let (name, renewal) = (column(&sheet, "Name"), column(&sheet, "Registration renewal"));
        let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
        assert_eq!(rows.len(), 3, "everyone on the page, one row each");
        let chloe = rows.iter().find(|r| r[name] == Data::String("Chloé Brown".into())).expect("Chloé, as written");
        assert_eq!(day_of(&chloe[renewal]), NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(), "a date cell");
        assert_eq!(texts(chloe)[column(&sheet, "Registration number")], "12A3456E");
        // A name that looks like a formula is the text it is, never a formula.
        assert!(rows.iter().any(|r| r[name] == Data::String(FORMULA.into())), "the formula name as plain text");
        assert!(rows.iter().any(|r| r[name] == Data::String(PLUS.into())));
        assert_eq!(formulas(&bytes), 0, "no formula in the workbook");

        // The CSV: the same rows, formula-looking cells written after an apostrophe, "Chloé" kept.
        let (status, media_type, disposition, bytes) = download(&client, format!("{base}/workforce?format=csv")).await;
        assert_eq!(status, 200);
        assert_eq!(media_type, "text/csv; charset=utf-8");
        assert!(disposition.contains(&format!("filename=\"workforce-{today}.csv\"")), "{disposition}");
        let csv = csv_text(&bytes);
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "Name");
        let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_string()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains(&"Chloé Brown".to_string()));
        assert!(names.contains(&format!("'{FORMULA}")), "the formula neutralised: {names:?}");
        assert!(names.contains(&format!("'{PLUS}")), "a leading + neutralised: {names:?}");
        assert!(!csv.lines().any(|line| line.starts_with(['=', '+', '-', '@'])), "no line starts a formula");
        assert!(csv.contains("2027-03-31"), "the renewal date");

        // The page's filter and search: only the nurse, in both files.
        let (_, _, _, bytes) =
            download(&client, format!("{base}/workforce?discipline=oh_nurse_scphn&format=csv")).await;
        let csv = csv_text(&bytes);
        assert_eq!(csv.lines().count(), 2, "the header and the nurse: {csv}");
        assert!(csv.contains("Chloé Brown") && !csv.contains("HYPERLINK"));
        let (_, _, _, bytes) = download(&client, format!("{base}/workforce?q=chlo&format=xlsx")).await;
        let sheet = first_sheet(&bytes);
        assert_eq!(sheet.rows().count(), 2, "the search keeps one person");
        // The page's order: names descending puts the formula's "=" last of all, the letters first.
        let (_, _, _, bytes) = download(&client, format!("{base}/workforce?sort=name&dir=asc&format=csv")).await;
        let ascending = csv_text(&bytes);
        let (_, _, _, bytes) = download(&client, format!("{base}/workforce?sort=name&dir=desc&format=csv")).await;
        let descending = csv_text(&bytes);
        let order = |csv: &str| csv.lines().skip(1).map(|l| l.to_string()).collect::<Vec<_>>();
        let mut reversed = order(&ascending);
        reversed.reverse();
        assert_eq!(order(&descending), reversed, "the download follows the page's sort");
        // An unknown format is the page itself.
        let (status, page) = app_get(&client, format!("{base}/workforce?format=pdfx")).await;
        assert_eq!(status, 200);
        assert!(page.contains("<h1>Workforce</h1>"));
    }
);

async fn app_get(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

on_both_backends!(
    a_commissioner_cannot_download_the_people_and_downloads_only_its_own_providers_figures,
    app | app | {
        let world = world(&mut app.db.migrated());
        let (manager, token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let base = format!("{}/providers/{}", app.address, world.provider);
        three_people(&manager, &base, &token).await;

        let (client, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        // The page's figures, yes; its people, no: no link, and the download refused.
        let (status, page) = app_get(&client, format!("{base}/workforce")).await;
        assert_eq!(status, 200);
        assert!(!page.contains("format=csv") && !page.contains("format=xlsx"), "no download offered");
        for format in ["csv", "xlsx"] {
            let (status, _, _, bytes) = download(&client, format!("{base}/workforce?format={format}")).await;
            assert_eq!(status, 403, "the commissioner's workforce {format}");
            assert!(!String::from_utf8_lossy(&bytes).contains("Chloé"), "no names in the refusal");
            let other = format!("{}/providers/{}/workforce?format={format}", app.address, world.elsewhere);
            assert_eq!(download(&client, other).await.0, 404, "another commissioner's provider");
        }

        // Their own list: the page offers it, and it holds their provider and no other.
        let own = format!("{}/commissioners/{}", app.address, world.trust);
        let (_, page) = app_get(&client, own.clone()).await;
        assert!(page.contains("?format=xlsx"), "the commissioner's page offers the workbook");
        let (status, _, disposition, bytes) = download(&client, format!("{own}?format=xlsx")).await;
        assert_eq!(status, 200);
        assert!(disposition.contains("providers-"), "{disposition}");
        let sheet = first_sheet(&bytes);
        let providers: Vec<String> = sheet.rows().skip(1).map(|r| r[0].to_string()).collect();
        assert_eq!(providers, ["Northshire OH Service"], "only the trust's provider");
        assert_eq!(column(&sheet, "People with workforce issues"), 10, "figures, not people");
        let people = &sheet.rows().nth(1).unwrap()[10];
        assert!(matches!(people, Data::Float(_) | Data::Int(_)), "a count as a number: {people:?}");
        let everything: String = sheet.rows().flat_map(texts).collect::<Vec<_>>().join(" ");
        assert!(!everything.contains("Chloé") && !everything.contains("Elsewhere"), "{everything}");
        let (_, _, _, bytes) = download(&client, format!("{own}?format=csv&q=nothing-matches")).await;
        assert_eq!(csv_text(&bytes).lines().count(), 1, "the page's search: the header alone");
        // Another commissioner's list is not theirs.
        let elsewhere_commissioner: i32 = {
            use ohgov::db::schema::organisations;
            organisations::table
                .filter(organisations::name.eq("Elsewhere Integrated Care Board"))
                .select(organisations::id)
                .first(&mut app.db.conn())
                .unwrap()
        };
        let other = format!("{}/commissioners/{elsewhere_commissioner}?format=csv", app.address);
        assert_eq!(download(&client, other).await.0, 404);
    }
);

on_both_backends!(
    the_history_and_the_evidence_index_download_and_the_commissioners_history_names_no_one,
    app | app | {
        let world = world(&mut app.db.migrated());
        let (client, token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let base = format!("{}/providers/{}", app.address, world.provider);
        three_people(&client, &base, &token).await;
        let form = Form::new()
            .text("csrf_token", token.clone())
            .text("kind", "note")
            .text("title", "@SUM(1+1) minutes of the OH board")
            .text("description", "Quarterly review of the service.")
            .text("review_due", "2027-06-30")
            .text("standards", "GF1");
        let added = client.post(format!("{base}/evidence")).multipart(form).send().await.unwrap();
        assert_eq!(added.status().as_u16(), 303, "{}", added.text().await.unwrap());

        // The evidence index: its title as text, its review date as a date cell.
        let (_, page) = app_get(&client, format!("{base}/evidence")).await;
        assert!(page.contains("evidence?format=xlsx"), "the library offers the workbook");
        let (status, _, disposition, bytes) = download(&client, format!("{base}/evidence?format=xlsx")).await;
        assert_eq!(status, 200);
        assert!(disposition.contains("evidence-"), "{disposition}");
        let sheet = first_sheet(&bytes);
        let row = sheet.rows().nth(1).expect("the item's row");
        assert_eq!(row[column(&sheet, "Title")], Data::String("@SUM(1+1) minutes of the OH board".into()));
        assert_eq!(day_of(&row[column(&sheet, "Review due")]), NaiveDate::from_ymd_opt(2027, 6, 30).unwrap());
        assert_eq!(row[column(&sheet, "Evidence for")], Data::String("GF1".into()));
        let (_, _, _, bytes) = download(&client, format!("{base}/evidence?format=csv")).await;
        assert!(csv_text(&bytes).contains("'@SUM(1+1) minutes"), "neutralised in the CSV");
        let (_, _, _, bytes) = download(&client, format!("{base}/evidence?withdrawn=1&format=csv")).await;
        assert_eq!(csv_text(&bytes).lines().count(), 1, "no withdrawn items: the header alone");

        // The history: each change a row, its day a date cell, who made it named for the manager.
        let (_, page) = app_get(&client, format!("{base}/history")).await;
        assert!(page.contains("history?format=csv"), "the history offers the CSV");
        let (status, _, _, bytes) = download(&client, format!("{base}/history?format=xlsx")).await;
        assert_eq!(status, 200);
        let sheet = first_sheet(&bytes);
        let rows: Vec<Vec<String>> = sheet.rows().skip(1).map(texts).collect();
        let added_people = rows.iter().filter(|r| r[column(&sheet, "Record")].starts_with("Person")).count();
        assert!(added_people >= 3, "the three people added: {rows:?}");
        assert_eq!(day_of(&sheet.rows().nth(1).unwrap()[0]), support::today(), "today, as a date cell");
        assert!(rows.iter().any(|r| r[column(&sheet, "Who")] == "Priya Raman"), "the manager named: {rows:?}");
        // A filter of the page: only the evidence.
        let (_, _, _, bytes) = download(&client, format!("{base}/history?entity=evidence&format=csv")).await;
        let csv = csv_text(&bytes);
        assert!(csv.lines().count() >= 2 && !csv.contains("Chloé"), "{csv}");

        // A date the page cannot read is said at its field, not downloaded past.
        let (status, page) = app_get(&client, format!("{base}/history?from=31/02/2026&format=csv")).await;
        assert_eq!(status, 422);
        assert!(page.contains("There is a problem"), "{page}");

        // The commissioner's history download is the commissioner's page: no one named, no values.
        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        let (status, _, _, bytes) = download(&commissioner, format!("{base}/history?format=csv")).await;
        assert_eq!(status, 200);
        let csv = csv_text(&bytes);
        assert!(csv.starts_with("Date,Time,Record,Change,Fields changed"), "{csv}");
        for personal in ["Priya Raman", "Chloé", "12A3456E"] {
            assert!(!csv.contains(personal), "the commissioner's history holds no {personal}: {csv}");
        }
        // The evidence index follows its page: the commissioner reads it, and downloads what it shows.
        let (status, _, _, bytes) = download(&commissioner, format!("{base}/evidence?format=csv")).await;
        assert_eq!(status, 200);
        assert!(csv_text(&bytes).contains("minutes of the OH board"));
    }
);

on_both_backends!(
    coverage_findings_the_audit_plan_and_its_actions_and_the_kpis_download_with_their_columns,
    app | app | {
        let world = world(&mut app.db.migrated());
        let (client, token) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let base = format!("{}/providers/{}", app.address, world.provider);
        let year = ohgov::clock::FinancialYear::containing(support::today());
        let started = client
            .post(format!("{base}/audit-plans"))
            .form(&[("csrf_token", token.as_str()), ("year", year.to_string().as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(started.status().as_u16(), 303);
        let plan = format!("{base}/audit-plans/{}", year.url());
        let (_, page) = app_get(&client, plan.clone()).await;
        assert!(page.contains("list=actions&amp;format=xlsx"), "the plan offers its actions");
        for (page, header, sheet_name) in [
            (format!("{base}/coverage"), "Service", "Coverage"),
            (format!("{base}/findings"), "Standard", "Findings"),
            (plan.clone(), "Audit", "Audit plan"),
            (format!("{plan}?list=actions"), "Action", "Audit actions"),
            (format!("{base}/kpis"), "Indicator", "Quality indicators"),
        ] {
            let joiner = if page.contains('?') { '&' } else { '?' };
            let (status, _, _, bytes) = download(&client, format!("{page}{joiner}format=xlsx")).await;
            assert_eq!(status, 200, "{page}");
            let workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
            assert!(workbook.sheet_names()[0].starts_with(sheet_name), "{page}: {:?}", workbook.sheet_names());
            let sheet = first_sheet(&bytes);
            column(&sheet, header);
            let (status, _, _, bytes) = download(&client, format!("{page}{joiner}format=csv")).await;
            assert_eq!(status, 200, "{page}");
            assert!(csv_text(&bytes).lines().next().unwrap().contains(header), "{page}");
        }
        // Coverage: every core service and sub-specialism, as the page lists them.
        let (_, _, _, bytes) = download(&client, format!("{base}/coverage?format=xlsx")).await;
        let sheet = first_sheet(&bytes);
        assert_eq!(sheet.rows().count(), 17, "a header and the six core services and ten sub-specialisms");
        // The KPIs: each indicator a row, in their groups.
        let (_, _, _, bytes) = download(&client, format!("{base}/kpis?format=csv")).await;
        let csv = csv_text(&bytes);
        assert!(csv.lines().count() > 5 && csv.contains("Nothing recorded"), "{csv}");
    }
);

on_both_backends!(
    a_download_holds_every_page_of_the_list_not_the_one_shown,
    app | app | {
        let world = world(&mut app.db.migrated());
        let mut conn = app.db.migrated();
        let regulations = ohgov::workforce::store::regulations(&mut conn).unwrap();
        // 120 people: three pages of fifty on the page, one file.
        for n in 0..120 {
            let input = ohgov::workforce::model::StaffInput {
                staff_number: format!("A{n:04}"),
                full_name: format!("Admin Person {n:04}"),
                discipline: "administrator".into(),
                ..Default::default()
            };
            let person = input.parse(&regulations).unwrap();
            ohgov::workforce::store::create_staff(&mut conn, None, ProviderId(world.provider), &person).unwrap();
        }
        let (client, _) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let base = format!("{}/providers/{}", app.address, world.provider);
        let (_, page) = app_get(&client, format!("{base}/workforce?page=2")).await;
        assert!(page.contains("Page 2 of 3"), "the page shows fifty at a time");
        assert!(!page.contains("page=2&amp;format=csv"), "the download link drops the page number");
        let (_, _, _, bytes) = download(&client, format!("{base}/workforce?page=2&format=xlsx")).await;
        let sheet = first_sheet(&bytes);
        assert_eq!(sheet.rows().count(), 121, "a header and every person, from the first");
        assert_eq!(sheet.rows().nth(1).unwrap()[0], Data::String("Admin Person 0000".into()));
        // The history of those 120 additions: every entry in the file, too.
        let (_, _, _, bytes) = download(&client, format!("{base}/history?format=csv")).await;
        let entries = csv_text(&bytes).lines().count() - 1;
        assert!(entries >= 120, "every history entry, not the first page's fifty: {entries}");
    }
);

on_both_backends!(
    the_coverage_command_writes_the_pages_download_and_refuses_a_file_that_is_neither,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = support::service(&mut conn, "Northshire OH Service", "northshire");
        let backend = if db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
        let folder = std::env::temp_dir().join(format!("ohgov-export-{}-{backend}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let run = |out: &std::path::Path| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .args(["coverage", "--provider", &s.provider.to_string(), "--out"])
                .arg(out)
                .args(["--database-url", &db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
                .output()
                .unwrap()
        };
        let workbook = folder.join("coverage.xlsx");
        let ran = run(&workbook);
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        assert!(String::from_utf8_lossy(&ran.stdout).contains("16 rows"));
        let sheet = first_sheet(&std::fs::read(&workbook).unwrap());
        assert_eq!(sheet.rows().count(), 17, "a header and sixteen services");
        assert_eq!(texts(sheet.rows().next().unwrap())[..2], ["Reference".to_string(), "Service".to_string()]);
        let csv = folder.join("coverage.csv");
        assert!(run(&csv).status.success());
        assert_eq!(csv_text(&std::fs::read(&csv).unwrap()).lines().count(), 17);
        let neither = folder.join("coverage.txt");
        let refused = run(&neither);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("must end .csv or .xlsx"));
        assert!(!neither.exists(), "nothing written");
        let _ = std::fs::remove_dir_all(&folder);
    }
);
