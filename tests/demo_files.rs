//! The demo's own files under `demo/`, as a manager would hold them: a CPD log kept in an Excel
//! workbook with its own column names. The workbook is made here, from the rows below, so it can be
//! read and changed as code; this test checks that the shipped file holds exactly these rows (run
//! it with `OHGOV_WRITE_DEMO_FILES=1` to write the file again after changing them).

mod support;

use calamine::{Data, Reader};
use diesel::prelude::*;
use ohgov::db::schema::{cpd_records, staff};
use ohgov::workforce::import::{self, ImportKind, ReadAs};
use ohgov::workforce::mapping_store;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// Where the demo's CPD workbook lives, from the repository's root.
const CPD_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/cpd-log.xlsx");

/// The workbook's one sheet, named as a service's administrator would name it.
const SHEET: &str = "CPD log 2026";

/// The headers as the service's own log has them, not ohgov's column names.
const HEADERS: [&str; 7] = [
    "Employee No",
    "Staff Name",
    "Date of Activity",
    "Activity Description",
    "CPD Hours",
    "Participatory (Y/N)",
    "Reflective Account (Y/N)",
];

/// A cell of the log: typed the way people type into a spreadsheet.
#[derive(Debug, Clone)]
enum Cell {
    Text(&'static str),
    /// A date cell, formatted as a UK date.
    Date(u16, u8, u8),
    Number(f64),
    /// A formula with the value Excel cached when the file was saved (read as that value).
    Formula(&'static str, f64),
    /// Left empty: a reflective account carries no hours.
    Blank,
}

use Cell::{Blank, Date, Formula as Sum, Number, Text};

/// Twenty entries by the demo service's doctors and nurses (staff numbers from the workforce demo):
/// mostly date cells, some dates typed as text, and session hours worked out by a formula.
fn cpd_log() -> Vec<[Cell; 7]> {
    vec![
        [
            Text("E10003"),
            Text("Dr Kwame Asante"),
            Date(2026, 1, 14),
            Text("Faculty of Occupational Medicine annual conference, day 1"),
            Number(6.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10003"),
            Text("Dr Kwame Asante"),
            Date(2026, 1, 15),
            Text("Faculty of Occupational Medicine annual conference, day 2"),
            Number(5.5),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10003"),
            Text("Dr Kwame Asante"),
            Text("03/03/2026"),
            Text("Reflection on a complex ill-health retirement case"),
            Blank,
            Text("N"),
            Text("Y"),
        ],
        [
            Text("E10004"),
            Text("Dr Helen Brodie"),
            Date(2026, 2, 9),
            Text("Journal club: shift work and cardiovascular risk"),
            Sum("=90/60", 1.5),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10004"),
            Text("Dr Helen Brodie"),
            Date(2026, 4, 21),
            Text("Reading: HSE guidance on health surveillance for respiratory sensitisers"),
            Number(2.0),
            Text("N"),
            Text("N"),
        ],
        [
            Text("E10005"),
            Text("Dr Priya Nair"),
            Date(2026, 3, 12),
            Text("Peer review of fitness-for-work reports"),
            Sum("=150/60", 2.5),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10005"),
            Text("Dr Priya Nair"),
            Text("2026-05-06"),
            Text("e-Learning: Mental Capacity Act refresher"),
            Number(1.5),
            Text("N"),
            Text("N"),
        ],
        [
            Text("E10009"),
            Text("Bernadette Walsh RN"),
            Date(2026, 2, 25),
            Text("Spirometry update (ARTP refresher)"),
            Number(7.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10009"),
            Text("Bernadette Walsh RN"),
            Date(2026, 6, 2),
            Text("Reflective account: a needlestick injury follow-up"),
            Blank,
            Text("N"),
            Text("Y"),
        ],
        [
            Text("E10010"),
            Text("Carys Morgan RN"),
            Date(2026, 3, 18),
            Text("Immunisation update for healthcare workers"),
            Number(3.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10010"),
            Text("Carys Morgan RN"),
            Text("22/07/2026"),
            Text("Reading: NICE guideline on workplace health"),
            Number(1.5),
            Text("N"),
            Text("N"),
        ],
        [
            Text("E10011"),
            Text("Daniel Mensah RN"),
            Date(2026, 4, 8),
            Text("Skin surveillance workshop"),
            Sum("=210/60", 3.5),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10012"),
            Text("Eleanor Price RN"),
            Date(2026, 5, 13),
            Text("Audiometry competence assessment"),
            Number(4.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10012"),
            Text("Eleanor Price RN"),
            Date(2026, 9, 1),
            Text("Reflective discussion: management referral with conflicting advice"),
            Blank,
            Text("N"),
            Text("Y"),
        ],
        [
            Text("E10013"),
            Text("Farah Siddiqui RN"),
            Date(2026, 6, 17),
            Text("Regional OH nurses' network meeting"),
            Number(2.5),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10016"),
            Text("Isla Fraser RN"),
            Date(2026, 7, 9),
            Text("Safeguarding adults level 3"),
            Number(3.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10017"),
            Text("Jacob Adeyemi RN"),
            Text("14/08/2026"),
            Text("Reading: menopause and work, Faculty guidance"),
            Number(1.0),
            Text("N"),
            Text("N"),
        ],
        [
            Text("E10018"),
            Text("Katie Doyle RN"),
            Date(2026, 9, 23),
            Text("Case-based discussion with the clinical lead"),
            Sum("=75/60", 1.25),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10019"),
            Text("Liam O'Connor RN"),
            Date(2026, 10, 7),
            Text("Display screen equipment assessor course"),
            Number(6.0),
            Text("Y"),
            Text("N"),
        ],
        [
            Text("E10021"),
            Text("Nadia Petrova RN"),
            Date(2026, 10, 28),
            Text("Reflective account: return to work after long COVID"),
            Blank,
            Text("N"),
            Text("Y"),
        ],
    ]
}

/// The workbook for [`cpd_log`], as the service's administrator keeps it: a bold header row that
/// stays in view, UK date cells.
fn cpd_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET).unwrap();
    let bold = Format::new().set_bold();
    let uk_date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, header) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold).unwrap();
    }
    for (i, row) in cpd_log().iter().enumerate() {
        let at = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Text(text) => sheet.write_string(at, col, *text).map(|_| ()),
                Blank => Ok(()),
                Number(n) => sheet.write_number(at, col, *n).map(|_| ()),
                Date(y, m, d) => {
                    let day = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    sheet.write_datetime_with_format(at, col, &day, &uk_date).map(|_| ())
                }
                Sum(formula, cached) => {
                    sheet.write_formula(at, col, Formula::new(*formula).set_result(cached.to_string())).map(|_| ())
                }
            }
            .unwrap();
        }
    }
    sheet.set_freeze_panes(1, 0).unwrap();
    sheet.set_column_width(3, 60).unwrap();
    sheet.set_column_width(1, 22).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn the_demo_cpd_workbook_holds_the_demo_log() {
    if std::env::var_os("OHGOV_WRITE_DEMO_FILES").is_some() {
        std::fs::write(CPD_LOG, cpd_workbook()).unwrap();
    }
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(CPD_LOG).expect("demo/cpd-log.xlsx opens");
    assert_eq!(workbook.sheet_names(), vec![SHEET.to_string()]);
    let range = workbook.worksheet_range(SHEET).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let headers: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(headers, HEADERS);
    let expected = cpd_log();
    assert_eq!(rows.len() - 1, expected.len(), "one row per entry");
    for (line, (read, written)) in rows[1..].iter().zip(&expected).enumerate() {
        for (got, want) in read.iter().zip(written) {
            let same = match (got, want) {
                (Data::String(got), Text(want)) => got == want,
                (Data::Empty, Blank) => true,
                (Data::Float(got), Number(want) | Sum(_, want)) => got == want,
                (Data::Int(got), Number(want) | Sum(_, want)) => *got as f64 == *want,
                (Data::DateTime(got), Date(y, m, d)) => {
                    got.as_f64() == ExcelDateTime::from_ymd(*y, *m, *d).unwrap().to_excel()
                }
                _ => false,
            };
            assert!(same, "row {}: {got:?} where the log has {want:?}", line + 2);
        }
    }
    let formulas = workbook.worksheet_formula(SHEET).unwrap();
    let kept: Vec<String> = formulas.used_cells().map(|(_, _, f)| f.clone()).filter(|f| !f.is_empty()).collect();
    assert_eq!(kept, ["90/60", "150/60", "210/60", "75/60"], "hours worked out by formulas, kept as formulas");
}

on_both_backends!(
    the_demo_cpd_workbook_imports_with_the_demo_mapping_without_asking,
    db | db | {
        let mut conn = db.migrated();
        ohgov::cli::demo::build(&mut conn, support::today()).unwrap();
        let provider = ohgov::accounts::demo::demo_provider(&mut conn).unwrap().unwrap();
        let file = std::fs::read(CPD_LOG).unwrap();
        let headers = ohgov::workforce::mapping::headers(&file, None).unwrap();
        assert_eq!(headers, HEADERS, "the workbook's own column names");
        let saved = mapping_store::for_headers(&mut conn, provider, ImportKind::Cpd, &headers)
            .unwrap()
            .expect("the demo has a saved mapping for its CPD log");
        assert_eq!(saved.name, "CPD log workbook");
        let before: i64 = cpd_records::table.count().get_result(&mut conn).unwrap();
        let read_as = ReadAs { mapping: Some(saved.mapping), ..Default::default() };
        let (prepared, read) =
            import::prepare_read(&mut conn, provider, ImportKind::Cpd, &file, &read_as, support::today())
                .unwrap()
                .unwrap_or_else(|rows| panic!("{rows:?}"));
        assert_eq!(read.read_as, "Excel workbook, sheet CPD log 2026");
        let report = import::commit(&mut conn, None, provider, &prepared, "demo", &mut |_| {}).unwrap();
        assert_eq!(report.created, 20, "one CPD entry per row of the log");
        let after: i64 = cpd_records::table.count().get_result(&mut conn).unwrap();
        assert_eq!(after - before, 20);
        let mut entry = |title: &str| -> (chrono::NaiveDate, f64, bool, bool) {
            cpd_records::table
                .inner_join(staff::table)
                .filter(cpd_records::title.eq(title))
                .select((
                    cpd_records::activity_date,
                    cpd_records::hours,
                    cpd_records::participatory,
                    cpd_records::reflective,
                ))
                .first(&mut conn)
                .unwrap()
        };
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            entry("Journal club: shift work and cardiovascular risk"),
            (day(2026, 2, 9), 1.5, true, false),
            "a date cell, and hours from a formula's saved value"
        );
        let reflection = entry("Reflection on a complex ill-health retirement case");
        assert_eq!((reflection.0, reflection.3), (day(2026, 3, 3), true), "a date typed as text");
    }
);
