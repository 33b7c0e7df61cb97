//! Files as people have them (issue 19), on both backends: Excel workbooks (date cells, text dates,
//! serial day numbers, formulas read as their saved values) import the same records as the CSV
//! they stand for; a CSV that Excel saved in Windows-1252 keeps its accents; a bad row of a
//! workbook is named by sheet and row; a sheet is picked by name; and hostile files are refused
//! clearly with nothing written.

mod support;

use chrono::NaiveDate;
use diesel::prelude::*;
use ohgov::db::schema::{cpd_records, staff};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::workforce::import::{self, ImportKind, ReadAs, RowError};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use support::{browser_signed_in, count, hidden, service, PASSWORD};

/// The staff file as a CSV: a consultant, a nurse, a physiotherapist and an administrator.
const STAFF_CSV: &str = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
D100,Dr Maya Osei,maya.osei@northshire.example,consultant_occupational_physician,gmc,7654321,2027-03-31,2029-06-30,2026-02-01,Dr K Patel,2019-09-01,,1\n\
N200,Grace Okafor,grace.okafor@northshire.example,oh_nurse_scphn,nmc,12A3456E,2027-03-31,2027-08-31,,,2021-01-04,,0.8\n\
P300,Sam Reid,,physiotherapist,hcpc,PH123456,2027-03-31,,,,2022-05-01,,0.6\n\
A500,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5\n";

/// The CPD file as a CSV.
const CPD_CSV: &str = "staff_number,date,title,hours,participatory,reflective\n\
D100,2025-11-23,Occupational asthma update,2,yes,no\n\
N200,23/11/2025,Immunisation refresher,1.5,no,no\n\
N200,2025-10-01,Reflective account: a difficult case,,no,yes\n\
P300,2025-09-15,Manual handling course,3,yes,no\n";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Excel's serial day number of a day (1900 system).
fn serial(date: NaiveDate) -> f64 {
    (date - day(1899, 12, 30)).num_days() as f64
}

fn date_cell(sheet: &mut Worksheet, row: u32, col: u16, date: NaiveDate) {
    use chrono::Datelike;
    let format = Format::new().set_num_format("dd/mm/yyyy");
    let cell = ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8).unwrap();
    sheet.write_datetime_with_format(row, col, &cell, &format).unwrap();
}

fn header(sheet: &mut Worksheet, names: &[&str]) {
    for (col, name) in names.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
}

/// The staff file as a workbook, its sheet named `name`: dates as date cells, as text and as a
/// serial number; registration numbers and FTEs as numbers; one FTE a formula.
fn write_staff(sheet: &mut Worksheet, name: &str) {
    sheet.set_name(name).unwrap();
    header(sheet, ImportKind::Staff.columns());
    let text = |sheet: &mut Worksheet, row: u32, col: u16, value: &str| {
        sheet.write_string(row, col, value).unwrap();
    };
    // D100: a number registration number, a date cell, a text date, a serial number.
    for (col, value) in [(0, "D100"), (1, "Dr Maya Osei"), (2, "maya.osei@northshire.example")] {
        text(sheet, 1, col, value);
    }
    text(sheet, 1, 3, "consultant_occupational_physician");
    text(sheet, 1, 4, "gmc");
    sheet.write_number(1, 5, 7654321).unwrap();
    date_cell(sheet, 1, 6, day(2027, 3, 31));
    text(sheet, 1, 7, "30/06/2029");
    sheet.write_number(1, 8, serial(day(2026, 2, 1))).unwrap();
    text(sheet, 1, 9, "Dr K Patel");
    date_cell(sheet, 1, 10, day(2019, 9, 1));
    sheet.write_number(1, 12, 1).unwrap();
    // N200: the FTE a formula, read as its saved value; the revalidation date a serial number.
    for (col, value) in [(0, "N200"), (1, "Grace Okafor"), (2, "grace.okafor@northshire.example")] {
        text(sheet, 2, col, value);
    }
    text(sheet, 2, 3, "oh_nurse_scphn");
    text(sheet, 2, 4, "nmc");
    text(sheet, 2, 5, "12A3456E");
    date_cell(sheet, 2, 6, day(2027, 3, 31));
    sheet.write_number(2, 7, serial(day(2027, 8, 31))).unwrap();
    text(sheet, 2, 10, "2021-01-04");
    sheet.write_formula(2, 12, Formula::new("=4/5").set_result("0.8")).unwrap();
    // A blank row between people is left out.
    for (col, value) in [(0, "P300"), (1, "Sam Reid"), (3, "physiotherapist"), (4, "hcpc"), (5, "PH123456")] {
        text(sheet, 4, col, value);
    }
    text(sheet, 4, 6, "31/03/2027");
    date_cell(sheet, 4, 10, day(2022, 5, 1));
    sheet.write_number(4, 12, 0.6).unwrap();
    for (col, value) in [(0, "A500"), (1, "Alex Kerr"), (3, "administrator")] {
        text(sheet, 5, col, value);
    }
    date_cell(sheet, 5, 10, day(2020, 10, 1));
    sheet.write_number(5, 12, 0.5).unwrap();
}

/// The CPD file as a workbook sheet: a date cell, a text date, a serial number, an ISO text date;
/// hours as numbers and a formula; yes/no as booleans and text.
fn write_cpd(sheet: &mut Worksheet, name: &str) {
    sheet.set_name(name).unwrap();
    header(sheet, &["staff_number", "date", "title", "hours", "participatory", "reflective"]);
    sheet.write_string(1, 0, "D100").unwrap();
    date_cell(sheet, 1, 1, day(2025, 11, 23));
    sheet.write_string(1, 2, "Occupational asthma update").unwrap();
    sheet.write_formula(1, 3, Formula::new("=1+1").set_result("2")).unwrap();
    sheet.write_boolean(1, 4, true).unwrap();
    sheet.write_boolean(1, 5, false).unwrap();
    sheet.write_string(2, 0, "N200").unwrap();
    sheet.write_string(2, 1, "23/11/2025").unwrap();
    sheet.write_string(2, 2, "Immunisation refresher").unwrap();
    sheet.write_number(2, 3, 1.5).unwrap();
    sheet.write_string(2, 4, "no").unwrap();
    sheet.write_string(2, 5, "no").unwrap();
    sheet.write_string(3, 0, "N200").unwrap();
    sheet.write_number(3, 1, serial(day(2025, 10, 1))).unwrap();
    sheet.write_string(3, 2, "Reflective account: a difficult case").unwrap();
    sheet.write_string(3, 4, "no").unwrap();
    sheet.write_string(3, 5, "yes").unwrap();
    sheet.write_string(4, 0, "P300").unwrap();
    sheet.write_string(4, 1, "2025-09-15").unwrap();
    sheet.write_string(4, 2, "Manual handling course").unwrap();
    sheet.write_number(4, 3, 3).unwrap();
    sheet.write_string(4, 4, "yes").unwrap();
    sheet.write_number(4, 5, 0).unwrap();
}

fn staff_workbook(sheet: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    write_staff(book.add_worksheet(), sheet);
    book.save_to_buffer().unwrap()
}

fn cpd_workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    write_cpd(book.add_worksheet(), "CPD log");
    book.save_to_buffer().unwrap()
}

fn import_file(
    conn: &mut DbConnection,
    provider: ProviderId,
    kind: ImportKind,
    file: &[u8],
    sheet: Option<&str>,
) -> Result<(import::ImportReport, String), Vec<RowError>> {
    let today = chrono::Utc::now().date_naive();
    let read_as = ReadAs { sheet: sheet.map(str::to_string), ..Default::default() };
    let (prepared, read) = import::prepare_read(conn, provider, kind, file, &read_as, today).unwrap()?;
    Ok((import::commit(conn, None, provider, &prepared, "test", &mut |_| {}).unwrap(), read.read_as))
}

/// A person as stored, every field an import writes.
#[derive(Debug, PartialEq, Queryable)]
struct StaffRow {
    staff_number: String,
    full_name: String,
    email: Option<String>,
    discipline: String,
    regulator: String,
    registration_number: Option<String>,
    registration_renewal: Option<NaiveDate>,
    revalidation_due: Option<NaiveDate>,
    last_appraisal: Option<NaiveDate>,
    responsible_officer: Option<String>,
    start_date: Option<NaiveDate>,
    leaving_date: Option<NaiveDate>,
    fte: Option<f64>,
}

fn stored_staff(conn: &mut DbConnection, provider: ProviderId) -> Vec<StaffRow> {
    staff::table
        .filter(staff::provider_id.eq(provider.0))
        .order(staff::staff_number)
        .select((
            staff::staff_number,
            staff::full_name,
            staff::email,
            staff::discipline,
            staff::regulator,
            staff::registration_number,
            staff::registration_renewal,
            staff::revalidation_due,
            staff::last_appraisal,
            staff::responsible_officer,
            staff::start_date,
            staff::leaving_date,
            staff::fte,
        ))
        .load(conn)
        .unwrap()
}

type CpdRow = (String, NaiveDate, String, f64, bool, bool);

fn stored_cpd(conn: &mut DbConnection, provider: ProviderId) -> Vec<CpdRow> {
    cpd_records::table
        .inner_join(staff::table)
        .filter(staff::provider_id.eq(provider.0))
        .order((staff::staff_number, cpd_records::activity_date))
        .select((
            staff::staff_number,
            cpd_records::activity_date,
            cpd_records::title,
            cpd_records::hours,
            cpd_records::participatory,
            cpd_records::reflective,
        ))
        .load(conn)
        .unwrap()
}

on_both_backends!(
    a_workbook_imports_the_same_records_as_its_csv,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let from_csv = service(&mut conn, "Northshire OH Service", "northshire");
        let from_workbook = service(&mut conn, "Southshire OH Service", "southshire");
        let (report, read_as) =
            import_file(&mut conn, from_csv.provider, ImportKind::Staff, STAFF_CSV.as_bytes(), None).unwrap();
        assert_eq!((report.created, read_as.as_str()), (4, "CSV, UTF-8"));
        let (report, read_as) =
            import_file(&mut conn, from_workbook.provider, ImportKind::Staff, &staff_workbook("Staff"), None).unwrap();
        assert_eq!((report.created, read_as.as_str()), (4, "Excel workbook, sheet Staff"));
        let people = stored_staff(&mut conn, from_workbook.provider);
        assert_eq!(people, stored_staff(&mut conn, from_csv.provider), "the same people, field by field");
        assert_eq!(people[1].registration_number.as_deref(), Some("7654321"), "a number cell without a trailing .0");
        assert_eq!(people[1].last_appraisal, Some(day(2026, 2, 1)), "a serial number in a date column is that day");
        assert_eq!(people[2].fte, Some(0.8), "a formula is read as its saved value");

        let (report, _) = import_file(&mut conn, from_csv.provider, ImportKind::Cpd, CPD_CSV.as_bytes(), None).unwrap();
        assert_eq!(report.created, 4);
        let (report, read_as) =
            import_file(&mut conn, from_workbook.provider, ImportKind::Cpd, &cpd_workbook(), None).unwrap();
        assert_eq!((report.created, read_as.as_str()), (4, "Excel workbook, sheet CPD log"));
        let records = stored_cpd(&mut conn, from_workbook.provider);
        assert_eq!(records, stored_cpd(&mut conn, from_csv.provider), "the same CPD records");
        assert!(records.contains(&(
            "D100".into(),
            day(2025, 11, 23),
            "Occupational asthma update".into(),
            2.0,
            true,
            false
        )));
        assert!(records.iter().any(|r| r.0 == "N200" && r.1 == day(2025, 10, 1) && r.5), "the serial date");
    }
);

on_both_backends!(
    the_import_command_reads_a_named_sheet,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.xlsx");
        let mut book = Workbook::new();
        book.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "Read me first").unwrap();
        write_staff(book.add_worksheet(), "Staff");
        std::fs::write(&path, book.save_to_buffer().unwrap()).unwrap();
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .args(["import", "staff", "--provider", &s.provider.to_string()])
                .args(args)
                .arg(&path)
                .args(["--database-url", &db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
                .output()
                .unwrap()
        };
        let refused = run(&["--sheet", "Payroll"]);
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("the workbook has no sheet \"Payroll\"; its sheets are Notes and Staff"), "{stderr}");
        let first = run(&[]);
        assert!(!first.status.success(), "the first sheet holds no staff columns");
        let stderr = String::from_utf8_lossy(&first.stderr);
        assert!(stderr.contains("the file's columns are not ohgov's own"), "the first sheet is read: {stderr}");
        assert_eq!(count(&mut conn, "staff"), 0);
        let done = run(&["--sheet", "Staff"]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let stdout = String::from_utf8_lossy(&done.stdout);
        assert!(
            stdout.starts_with("read as Excel workbook, sheet Staff\nimported 4 rows of staff: 4 created"),
            "{stdout}"
        );
        assert_eq!(count(&mut conn, "staff"), 4);
    }
);

async fn upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    kind: &str,
    sheet: &str,
    name: &str,
    file: Vec<u8>,
) -> (u16, String) {
    support::post_file(client, url, &[("csrf_token", token), ("kind", kind), ("sheet", sheet)], name, file).await
}

async fn confirm(client: &reqwest::Client, url: &str, token: &str, kind: &str, page: &str) -> u16 {
    let sha = hidden(page, "sha256");
    let form = [("csrf_token", token), ("kind", kind), ("sha256", sha.as_str())];
    client.post(url).form(&form).send().await.unwrap().status().as_u16()
}

/// The sheet field's own error, as the page shows it beside the field.
fn sheet_error(page: &str) -> String {
    let start = page.find("id=\"sheet-error\"").unwrap_or_else(|| panic!("an error at the sheet field: {page}"));
    page[start..].split("</p>").next().unwrap().to_string()
}

on_both_backends!(
    a_windows_1252_csv_keeps_its_accents,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let import = format!("{}/providers/{}/workforce/import", app.address, s.provider);
        let page = client.get(&import).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("accept=\".csv,.xlsx\""), "the file field offers workbooks");
        assert!(page.contains("Sheet (for a workbook; the first sheet when blank)"), "{page}");
        // As Excel's "CSV (Comma delimited)" saves it: "é" is the one byte 0xE9.
        let mut file = STAFF_CSV.replace("Grace Okafor", "Chlo\u{e9} Okafor").into_bytes();
        let at = file.windows(2).position(|w| w == "é".as_bytes()).unwrap();
        file.splice(at..at + 2, [0xE9]);
        assert!(std::str::from_utf8(&file).is_err(), "the file is not UTF-8");
        let (status, page) = upload(&client, &import, &token, "staff", "", "staff.csv", file.clone()).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Read as: CSV, Windows-1252"), "{page}");
        assert!(page.contains("N200 Chloé Okafor"), "the preview shows the name intact: {page}");
        assert_eq!(confirm(&client, &format!("{import}/confirm"), &token, "staff", &page).await, 303);
        let name: String = staff::table
            .filter(staff::staff_number.eq("N200"))
            .select(staff::full_name)
            .first(&mut app.db.conn())
            .unwrap();
        assert_eq!(name, "Chloé Okafor");

        let (status, page) = upload(&client, &import, &token, "staff", "Staff", "staff.csv", file).await;
        assert_eq!(status, 422, "a sheet named for a CSV is refused");
        assert!(sheet_error(&page).contains("A CSV file has no sheets"), "{page}");
    }
);

on_both_backends!(
    a_bad_row_in_a_workbook_is_named_by_sheet_and_row_and_nothing_is_written,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let import = format!("{}/providers/{}/workforce/import", app.address, s.provider);
        let (status, page) = upload(&client, &import, &token, "staff", "", "staff.xlsx", staff_workbook("Staff")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Read as: Excel workbook, sheet Staff"), "{page}");
        assert!(page.contains("<th scope=\"col\">Row</th>"), "a workbook's rows are rows, not lines: {page}");
        assert_eq!(confirm(&client, &format!("{import}/confirm"), &token, "staff", &page).await, 303);

        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_cpd(sheet, "CPD log");
        sheet.write_string(2, 3, "lots").unwrap();
        sheet.write_string(4, 0, "Z999").unwrap();
        let (status, page) =
            upload(&client, &import, &token, "cpd", "", "cpd.xlsx", book.save_to_buffer().unwrap()).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("2 rows need correcting"), "{page}");
        assert!(page.contains("Sheet CPD log, row 3: hours:"), "{page}");
        assert!(page.contains("Sheet CPD log, row 5: staff_number:"), "{page}");
        assert!(!page.contains("Line "), "no row is called a line: {page}");

        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        write_cpd(sheet, "CPD log");
        sheet.write_formula(3, 3, Formula::new("=#REF!*2").set_result("#REF!")).unwrap();
        let (status, page) =
            upload(&client, &import, &token, "cpd", "", "cpd.xlsx", book.save_to_buffer().unwrap()).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("Sheet CPD log, row 4: hours: the cell shows #REF!, an error in the workbook"), "{page}");
        assert_eq!(count(&mut app.db.conn(), "cpd_records"), 0, "nothing written");
    }
);

on_both_backends!(
    a_sheet_is_picked_by_name_and_an_unknown_one_is_refused,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let import = format!("{}/providers/{}/workforce/import", app.address, s.provider);
        let mut book = Workbook::new();
        write_staff(book.add_worksheet(), "Staff");
        write_cpd(book.add_worksheet(), "CPD log");
        let file = book.save_to_buffer().unwrap();
        let (status, page) = upload(&client, &import, &token, "staff", "Payroll", "book.xlsx", file.clone()).await;
        assert_eq!(status, 422);
        assert!(sheet_error(&page)
            .contains("The workbook has no sheet &quot;Payroll&quot;; its sheets are Staff and CPD log"));
        assert!(page.contains("value=\"Payroll\""), "the field keeps what was typed");
        let (status, page) = upload(&client, &import, &token, "staff", "", "book.xlsx", file.clone()).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(confirm(&client, &format!("{import}/confirm"), &token, "staff", &page).await, 303);
        let (status, page) = upload(&client, &import, &token, "cpd", "cpd log", "book.xlsx", file).await;
        assert_eq!(status, 200, "the sheet's name in any case: {page}");
        assert!(page.contains("Read as: Excel workbook, sheet CPD log"), "{page}");
        assert!(page.contains("Every one of the 4 rows passed its checks"), "{page}");
        assert_eq!(confirm(&client, &format!("{import}/confirm"), &token, "cpd", &page).await, 303);
        assert_eq!(count(&mut app.db.conn(), "cpd_records"), 4, "the second sheet was read");
    }
);

on_both_backends!(
    hostile_files_are_refused_clearly_and_write_nothing,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let import = format!("{}/providers/{}/workforce/import", app.address, s.provider);
        let workbook = staff_workbook("Staff");
        let mut garbage = b"PK\x03\x04".to_vec();
        garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8));
        let mut empty = Workbook::new();
        empty.add_worksheet().set_name("Staff").unwrap();
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.resize(4096, 0);
        let cases: [(&str, Vec<u8>, &str); 5] = [
            ("garbage after a zip signature", garbage, "The workbook is damaged or incomplete"),
            ("a truncated workbook", workbook[..workbook.len() / 2].to_vec(), "The workbook is damaged or incomplete"),
            ("an old .xls", ole, "save it as .xlsx or CSV"),
            ("a picture", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "not a CSV file or an Excel workbook"),
            ("an empty workbook", empty.save_to_buffer().unwrap(), "the sheet is empty"),
        ];
        for (what, file, said) in cases {
            let (status, page) = upload(&client, &import, &token, "staff", "", "staff.xlsx", file).await;
            assert_eq!(status, 422, "{what}: {page}");
            assert!(page.contains(said), "{what}: {page}");
        }
        let (status, _) = upload(&client, &import, &token, "staff", "", "staff.xlsx", workbook).await;
        assert_eq!(status, 200, "the server still answers");
        assert_eq!(count(&mut app.db.conn(), "staff"), 0, "nothing written");
        assert_eq!(count(&mut app.db.conn(), "pending_imports"), 1, "only the good file waits for its confirmation");
    }
);

on_both_backends!(
    the_kpi_import_reads_a_workbook,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let import = format!("{}/providers/{}/kpis/import", app.address, s.provider);
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("KPIs").unwrap();
        header(sheet, ImportKind::Kpis.columns());
        sheet.write_string(1, 0, "M-APPT").unwrap();
        date_cell(sheet, 1, 1, day(2026, 4, 1));
        date_cell(sheet, 1, 2, day(2026, 4, 30));
        sheet.write_number(1, 3, 46).unwrap();
        sheet.write_number(1, 4, 50).unwrap();
        sheet.write_string(2, 0, "G-RTW").unwrap();
        sheet.write_number(2, 1, serial(day(2026, 4, 1))).unwrap();
        sheet.write_string(2, 2, "30/06/2026").unwrap();
        sheet.write_number(2, 3, 30).unwrap();
        sheet.write_number(2, 4, 40).unwrap();
        sheet.write_formula(2, 5, Formula::new("=D3/E3*100").set_result("75")).unwrap();
        let (status, page) =
            upload(&client, &import, &token, "kpis", "", "kpis.xlsx", book.save_to_buffer().unwrap()).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Read as: Excel workbook, sheet KPIs"), "{page}");
        assert!(page.contains("Appointment within 10 days of referral: 92% (46 of 50) for April 2026"), "{page}");
        assert_eq!(count(&mut app.db.conn(), "kpi_values"), 0, "a preview writes nothing");
        let sha = hidden(&page, "sha256");
        let form = [("csrf_token", token.as_str()), ("sha256", sha.as_str())];
        let response = client.post(format!("{import}/confirm")).form(&form).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 303);
        assert_eq!(count(&mut app.db.conn(), "kpi_values"), 2);
    }
);

/// A workbook damaged anywhere (bytes changed, cut short) is refused or read, never a panic; what
/// is read of it is the sheet's own rows. Reads no database.
#[test]
fn a_damaged_workbook_never_panics_the_reader() {
    let good = staff_workbook("Staff");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for case in 0..300 {
        let mut file = good.clone();
        match case % 3 {
            0 => file.truncate(next() % good.len()),
            1 => {
                for _ in 0..(1 + next() % 4) {
                    let at = next() % file.len();
                    file[at] = next() as u8;
                }
            }
            _ => {
                let at = next() % file.len();
                file.splice(at..at, (0..(1 + next() % 16)).map(|_| next() as u8));
            }
        }
        let read_as = ReadAs::default();
        if let Err(errors) = import::read_rows_as(&file, ImportKind::Staff.columns(), &read_as) {
            assert!(!errors.is_empty(), "case {case}: a refusal says why");
            assert!(errors.iter().all(|e| !e.message.is_empty()), "case {case}: {errors:?}");
        }
    }
}
