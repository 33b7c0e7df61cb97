//! Hostile input found by machine (issue 18): property-based fuzzing, on stable Rust, of the four
//! readers of what a user or a file controls: the CSV importers, the catalogue loader, the
//! multipart reader and the date readers.
//!
//! Short mode: every test run runs each property [`SHORT`] times. Long mode, [`LONG`] cases each:
//! `cargo test --release --test fuzz -- --ignored fuzz --nocapture` (each ignored test's name
//! holds `fuzz`; `--nocapture` shows how long each took). A failing case found is kept: proptest
//! writes its seed to `proptest-regressions/fuzz.txt`, which every run replays first, and the
//! bug's input is kept again as a plain test beside the fix.
//!
//! These read no PostgreSQL: the CSV properties check files against a SQLite database, which a
//! file's checks only read, so they count as SQLite cases.

mod support;

use std::fmt::Debug;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use support::Backend;

/// Cases per property in every test run.
const SHORT: u32 = 256;
/// Cases per property in the long mode.
const LONG: u32 = 100_000;

/// Runs one property `cases` times; a failure is shrunk, its seed kept in
/// `proptest-regressions/fuzz.txt`, and the test fails with the smallest input found.
fn run<S>(name: &'static str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        cases,
        source_file: Some(file!()),
        test_name: Some(name),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/fuzz.txt"))),
        ..Config::default()
    };
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{name}: {failure}");
    }
    // Past the harness's capture with --nocapture: the long mode's figures for benches/README.md.
    println!("{name}: {cases} cases in {:.1} s", started.elapsed().as_secs_f64());
}

/// Defines a property's two tests: `$short` in every run, `$long` (ignored, its name holding
/// `fuzz`) in the long mode.
macro_rules! property {
    ($short:ident, $long:ident, $property:path) => {
        property!($short, $long, $property, super::LONG);
    };
    ($short:ident, $long:ident, $property:path, $long_cases:expr) => {
        #[test]
        fn $short() {
            if support::selected(Backend::Sqlite) {
                $property(super::SHORT);
            }
        }

        #[test]
        #[ignore = "long mode: cargo test --release --test fuzz -- --ignored fuzz"]
        fn $long() {
            if support::selected(Backend::Sqlite) {
                $property($long_cases);
            }
        }
    };
}

/// Bytes shown as text when a case fails: `b"a,b\\n\\xe9"` rather than a list of numbers.
#[derive(Clone)]
struct Text(Vec<u8>);

impl Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// The number of lines a text has, counting a last line without its line end.
fn lines_in(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1
}

mod csv_import {
    use std::sync::Mutex;

    use ohgov::db::{DbConnection, ProviderId};
    use ohgov::workforce::import::{self, ImportKind, RowError};

    use super::*;

    /// The day the files are checked on.
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date")
    }

    /// One provider, with the catalogue and two people (F1, F2), whose files every case checks.
    /// Checking a file only reads, so one database serves every case.
    struct Fixture {
        _db: support::TestDb,
        conn: Mutex<DbConnection>,
        provider: ProviderId,
    }

    fn fixture() -> Fixture {
        let db = support::TestDb::sqlite_with(support::Seed::Catalogue);
        let mut conn = db.migrated();
        let s = support::service(&mut conn, "Fuzz OH Service", "fuzz");
        let staff = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,\
                     revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
                     F1,Dr Fay Ode,,consultant_occupational_physician,gmc,7654321,2027-03-31,2029-06-30,,,2019-09-01,,1\n\
                     F2,Fin Ode,,oh_nurse_scphn,nmc,12A3456E,2027-03-31,2027-08-31,,,2021-01-04,,0.8\n";
        let prepared = import::prepare(&mut conn, s.provider, ImportKind::Staff, staff.as_bytes(), today())
            .expect("the database answers")
            .expect("the fixture's staff file is good");
        import::commit(&mut conn, None, s.provider, &prepared, "fixture", &mut |_| {}).expect("the staff import");
        Fixture { _db: db, conn: Mutex::new(conn), provider: s.provider }
    }

    const KINDS: [ImportKind; 4] = [ImportKind::Staff, ImportKind::Cpd, ImportKind::Supervision, ImportKind::Kpis];

    /// Checks a file as its kind's import does, and returns the refusal, if any.
    fn refusal(fixture: &Fixture, kind: ImportKind, bytes: &[u8]) -> Option<Vec<RowError>> {
        let mut conn = fixture.conn.lock().unwrap_or_else(|e| e.into_inner());
        match kind {
            ImportKind::Kpis => {
                ohgov::quality::import::prepare(&mut conn, fixture.provider, bytes).expect("the database answers").err()
            }
            kind => {
                import::prepare(&mut conn, fixture.provider, kind, bytes, today()).expect("the database answers").err()
            }
        }
    }

    /// What a refused line may say when it names no column: the shape of the file or of the row.
    const WHOLE_ROW: [&str; 13] = [
        "values where the header has",
        "the rest of the file cannot be read",
        "the file has a header but no rows",
        "the file is not a CSV file or an Excel workbook",
        "the file is an older Excel workbook (.xls)",
        "the file is UTF-16 text",
        "the workbook is damaged or incomplete",
        "not an Excel workbook",
        "the header row cannot be read",
        "missing column(s)",
        "unknown column(s)",
        "appears again (first on line",
        "a KPI file holds at most",
    ];

    /// Every refusal names a line of the file, and a column of its kind or the row's shape.
    fn names_its_line_and_field(kind: ImportKind, bytes: &[u8], errors: &[RowError]) -> Result<(), TestCaseError> {
        prop_assert!(!errors.is_empty(), "a refusal lists at least one problem");
        let last = lines_in(bytes) + 1;
        for error in errors {
            prop_assert!((1..=last).contains(&error.line), "{error} is outside lines 1 to {last}");
            // A row's problems are joined with "; " in column order, and a value quoted in one may
            // hold "; " itself: the message starts with the first column it names.
            let names_a_column = WHOLE_ROW.iter().any(|w| error.message.contains(w))
                || kind.columns().iter().any(|c| error.message.starts_with(&format!("{c}: ")));
            prop_assert!(names_a_column, "{kind:?}: {error} names no column");
        }
        Ok(())
    }

    /// A cell as a hostile spreadsheet or person might write it, as bytes: huge, control
    /// characters, formula prefixes, invalid UTF-8, Windows-1252, quotes and line ends inside,
    /// and the values each column accepts.
    fn hostile_cell() -> impl Strategy<Value = Vec<u8>> {
        let text = |s: String| s.into_bytes();
        prop_oneof![
            4 => prop::sample::select(vec![
                "", " ", "F1", "F2", "f1", "D100", "23/11/2026", "2026-11-23", "31/02/2026", "2026-04-01",
                "2026-04-30", "01/04/2026", "30/04/2026", "1899-12-31", "2101-01-01", "+10000-01-01", "-0001-01-01",
                "0", "1", "1.5", "100", "101", "-3", "NaN", "inf", "1e2", "yes", "no", "y", "maybe",
                "consultant_occupational_physician", "oh_nurse_scphn", "administrator", "gmc", "nmc", "hcpc",
                "none", "individual", "group", "case_review", "M-APPT", "K-REF-APPT", "G-RTW", "a@b.example",
                "not an email", "F1;F2", "F1, F2", "0.8", "1.0001", "46", "50", "8.5",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            2 => "[\\x00-\\x1f\\x7f]{1,6}".prop_map(text),
            2 => "[=+\\-@][A-Za-z0-9(),.\"!:/ ]{0,16}".prop_map(text),
            1 => "\\PC{0,24}".prop_map(text),
            1 => "[\"\r\n, ]{1,6}".prop_map(text),
            1 => prop::collection::vec(0x80u8..=0xff, 1..6),
            1 => prop::sample::select(vec![
                &b"caf\xe9"[..], b"\x93quoted\x94", b"\x80100", b"Sm\xefth", b"\xa3500", b"\x96", b"\xef\xbb\xbf",
            ])
            .prop_map(|s| s.to_vec()),
            1 => ("[a-z0-9]{1,4}", 1usize..20_000).prop_map(|(s, n)| s.repeat(n).into_bytes()),
        ]
    }

    /// A whole file: the kind's header (reordered, in any case, padded, perhaps a column short or
    /// one extra), rows of hostile cells, quoted or not, a byte-order mark or none, LF or CRLF.
    fn hostile_file() -> impl Strategy<Value = (ImportKind, Text)> {
        (prop::sample::select(KINDS.to_vec()), any::<u64>()).prop_flat_map(|(kind, shuffle)| {
            let width = kind.columns().len();
            let rows = prop::collection::vec(
                prop::collection::vec((hostile_cell(), any::<bool>()), width.saturating_sub(1)..=width + 1),
                0..12,
            );
            (Just(kind), Just(shuffle), rows, any::<bool>(), any::<bool>(), 0u8..8, any::<bool>()).prop_map(
                |(kind, shuffle, rows, bom, crlf, header_change, last_end)| {
                    let mut header: Vec<String> = kind.columns().iter().map(|c| c.to_string()).collect();
                    // A deterministic shuffle from the seed: the reader finds columns by name.
                    let mut state = shuffle;
                    for i in (1..header.len()).rev() {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        header.swap(i, (state >> 33) as usize % (i + 1));
                    }
                    match header_change {
                        0 => header[0] = format!(" {} ", header[0].to_uppercase()),
                        1 => {
                            header.pop();
                        }
                        2 => header.push("extra".into()),
                        3 => header.push(String::new()),
                        _ => {}
                    }
                    let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
                    let mut file = Vec::new();
                    if bom {
                        file.extend_from_slice(b"\xEF\xBB\xBF");
                    }
                    file.extend_from_slice(header.join(",").as_bytes());
                    for row in rows {
                        file.extend_from_slice(end);
                        for (i, (cell, quoted)) in row.iter().enumerate() {
                            if i > 0 {
                                file.push(b',');
                            }
                            if *quoted {
                                file.push(b'"');
                                for b in cell {
                                    if *b == b'"' {
                                        file.push(b'"');
                                    }
                                    file.push(*b);
                                }
                                file.push(b'"');
                            } else {
                                file.extend_from_slice(cell);
                            }
                        }
                    }
                    if last_end {
                        file.extend_from_slice(end);
                    }
                    (kind, Text(file))
                },
            )
        })
    }

    /// Any bytes, alone or after a right header, never panic any import, and every refusal names
    /// its line and field.
    fn arbitrary_bytes(cases: u32) {
        let fixture = fixture();
        let strategy = (
            prop::sample::select(KINDS.to_vec()),
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..512).prop_map(Text),
        );
        run("csv_import::arbitrary_bytes", cases, strategy, |(kind, with_header, Text(tail))| {
            let mut bytes = Vec::new();
            if with_header {
                bytes.extend_from_slice(kind.columns().join(",").as_bytes());
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(&tail);
            match refusal(&fixture, kind, &bytes) {
                Some(errors) => names_its_line_and_field(kind, &bytes, &errors),
                None => Ok(()),
            }
        });
    }

    /// Files with the right columns and hostile cells never panic any import, and every refusal
    /// names its line and field; a file that is not UTF-8 is read as Windows-1252, never refused
    /// for its encoding.
    fn hostile_cells(cases: u32) {
        let fixture = fixture();
        run("csv_import::hostile_cells", cases, hostile_file(), |(kind, Text(bytes))| {
            let refused = refusal(&fixture, kind, &bytes);
            let encoding = refused.iter().flatten().find(|e| e.message.contains("UTF-8"));
            prop_assert!(encoding.is_none(), "a file is not refused for its encoding: {encoding:?}");
            match refused {
                Some(errors) => names_its_line_and_field(kind, &bytes, &errors),
                None => Ok(()),
            }
        });
    }

    /// A cell that reads back as itself: no surrounding spaces (the reader trims them).
    fn plain_cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,16}".prop_map(|s| s.trim().to_string()),
            "[A-Za-z0-9 ,\"\n]{0,12}".prop_map(|s| s.trim().to_string()),
        ]
    }

    /// A valid file written by a CSV writer (quoting where it must, LF or CRLF, with or without a
    /// byte-order mark) reads back as the rows written, each at its own line.
    fn rows_round_trip(cases: u32) {
        let columns = ImportKind::Cpd.columns();
        let row = ("[A-Z][0-9]{1,5}", prop::collection::vec(plain_cell(), columns.len() - 1));
        let strategy = (prop::collection::vec(row, 1..20), any::<bool>(), any::<bool>());
        run("csv_import::rows_round_trip", cases, strategy, |(rows, crlf, bom)| {
            let rows: Vec<Vec<String>> = rows.into_iter().map(|(first, rest)| [vec![first], rest].concat()).collect();
            let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
            let mut writer = csv::WriterBuilder::new().terminator(terminator).from_writer(Vec::new());
            writer.write_record(columns).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for row in &rows {
                writer.write_record(row).map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            bytes.extend(writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?);
            let read = import::read_rows(&bytes, columns).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let mut line = 2;
            let mut expected = Vec::new();
            for row in rows {
                let inside = row.iter().map(|v| v.matches('\n').count() as u64).sum::<u64>();
                expected.push((line, row));
                line += 1 + inside;
            }
            prop_assert_eq!(read, expected);
            Ok(())
        });
    }

    /// Valid CPD rows, generated, pass the CPD import's checks and are read as written.
    fn cpd_round_trip(cases: u32) {
        let fixture = fixture();
        let day = (1900i32..=2025, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).expect("day 1 to 28 is in every month"));
        let title = "[A-Za-z0-9][A-Za-z0-9 ,.'\"()&-]{0,60}[A-Za-z0-9.)]";
        let row = (
            prop::sample::select(vec!["F1", "F2"]),
            day,
            any::<bool>(),
            title,
            1u32..=1000,
            any::<bool>(),
            any::<bool>(),
        );
        run("csv_import::cpd_round_trip", cases, prop::collection::vec(row, 1..12), |rows| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(ImportKind::Cpd.columns()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for (number, date, uk, title, tenths, participatory, reflective) in &rows {
                let date = if *uk { ohgov::form::form_date(*date) } else { date.to_string() };
                let hours = if *reflective { String::new() } else { format!("{}", f64::from(*tenths) / 10.0) };
                let participatory = if *participatory && !reflective { "yes" } else { "no" };
                let reflective = if *reflective { "yes" } else { "no" };
                writer
                    .write_record([*number, &date, title, &hours, participatory, reflective])
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            let bytes = writer.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut conn = fixture.conn.lock().unwrap_or_else(|e| e.into_inner());
            let prepared = import::prepare(&mut conn, fixture.provider, ImportKind::Cpd, &bytes, today())
                .expect("the database answers")
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let import::Prepared::CpdFile(file) = prepared else { return Err(TestCaseError::fail("not CPD")) };
            let read = &file.first;
            prop_assert_eq!(file.rows, rows.len());
            prop_assert_eq!(read.len(), rows.len());
            for ((line, cpd), (i, (_, date, _, title, tenths, participatory, reflective))) in
                read.iter().zip(rows.iter().enumerate())
            {
                prop_assert_eq!(*line, i as u64 + 2);
                prop_assert_eq!(cpd.date, *date);
                prop_assert_eq!(&cpd.title, title);
                prop_assert_eq!(cpd.reflective, *reflective);
                prop_assert_eq!(cpd.participatory, *participatory && !reflective);
                let hours = if *reflective { 0.0 } else { f64::from(*tenths) / 10.0 };
                prop_assert_eq!(cpd.hours, hours);
            }
            Ok(())
        });
    }

    /// Found by the long mode: a date cell holding "; " made a row's message look like two. The
    /// refusal names its line and starts with the column.
    #[test]
    fn a_cell_holding_a_semicolon_is_named_at_its_column() {
        if !support::selected(Backend::Sqlite) {
            return;
        }
        let bytes = b" TITLE ,participatory,reflective,staff_number,date,hours\n,,,,; A,";
        let errors = refusal(&fixture(), ImportKind::Cpd, bytes).expect("refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].message.starts_with("date: \"; A\" is not a date"), "{}", errors[0]);
        names_its_line_and_field(ImportKind::Cpd, bytes, &errors).expect("named");
    }

    property!(arbitrary_bytes_never_panic, fuzz_arbitrary_bytes, arbitrary_bytes);
    property!(hostile_cells_never_panic_and_are_named, fuzz_hostile_cells, hostile_cells);
    property!(valid_rows_read_back_as_written, fuzz_rows_round_trip, rows_round_trip);
    property!(valid_cpd_rows_read_back_as_written, fuzz_cpd_round_trip, cpd_round_trip);
}

mod catalogue {
    use ohgov::catalogue::model::{check_file, check_set, CatalogueError, KnownReferences, Problem, Source};

    use super::*;

    /// Every problem names its file, and its line, where it has one, is a line of the file. Only
    /// a field missing from the whole file, and a code another file uses, have no line.
    fn named(source: &Source, errors: &[CatalogueError]) -> Result<(), TestCaseError> {
        prop_assert!(!errors.is_empty(), "a refusal lists at least one problem");
        let last = lines_in(source.text.as_bytes()) as usize;
        for error in errors {
            prop_assert_eq!(&error.file, &source.name, "{}", error);
            match error.line {
                Some(line) => prop_assert!((1..=last).contains(&line), "{error}: outside lines 1 to {last}"),
                None => prop_assert!(
                    matches!(error.problem, Problem::MissingField(_) | Problem::DuplicateCode { .. }),
                    "{error} names no line"
                ),
            }
        }
        Ok(())
    }

    /// Any text, TOML-like or not, never panics the loader, and its refusals name file and line.
    fn arbitrary_text(cases: u32) {
        let text = prop_oneof![
            "\\PC{0,300}",
            "[\\[\\]a-z_=\"'#.,{} \n0-9-]{0,300}",
            prop::collection::vec(
                prop::sample::select(vec![
                    "[[node]]\n",
                    "ref = \"A1\"\n",
                    "parent = \"A1\"\n",
                    "kind = \"framework\"\n",
                    "code = \"x\"\n",
                    "title = \"T\"\n",
                    "version = \"1\"\n",
                    "level = \"must\"\n",
                    "checks = [\"nope\"]\n",
                    "order = 99999999999999999999\n",
                    "replaces = [\"B\"]\n",
                    "kind = \"standard\"\n",
                    "replaces_framework = \"seqohs-2015\"\n",
                    "\"\"\"\n",
                    "= \n",
                    "[node]\n",
                    "# c\n",
                    "\r\n",
                    "ref = \"\"\n",
                    "kind = \"domain\"\n",
                    "regulator = \"gmc\"\n",
                    "disciplines = []\n",
                    "registration_number_pattern = \"(\"\n",
                    "cpd_required = nan\n",
                    "unit = \"percent\"\n",
                ]),
                0..40,
            )
            .prop_map(|parts| parts.concat()),
            // Deep nesting, which a recursive reader could overflow its stack on.
            (1usize..20_000, prop::sample::select(vec![("[", "]"), ("{ a = ", " }"), ("[{ a = ", " }]")]))
                .prop_map(|(depth, (open, close))| format!("x = {}1{}\n", open.repeat(depth), close.repeat(depth))),
        ];
        run("catalogue::arbitrary_text", cases, text, |text| {
            let source = Source { name: "standards/fuzz.toml".into(), text };
            match check_file(&source) {
                Ok(_) => Ok(()),
                Err(errors) => named(&source, &errors),
            }
        });
    }

    /// One change to a real catalogue file.
    #[derive(Debug, Clone)]
    enum Mutation {
        Delete { at: usize, len: usize },
        Insert { at: usize, text: String },
        DuplicateLine { line: usize },
        ReplaceLine { line: usize, text: String },
        Truncate { at: usize },
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let snippet = prop_oneof![
            "\\PC{0,20}",
            prop::sample::select(vec![
                "\"",
                "[[node]]\n",
                "]",
                "=",
                "\n",
                "ref = \"GF1\"\n",
                "parent = \"nowhere\"\n",
                "level = \"may\"\n",
                "checks = [\"workforce.nope\"]\n",
                "\u{0}",
                "\u{feff}",
                "é",
                "\r",
                "#",
                "'''",
                "{",
                "}",
                "kind = \"kpis\"\n",
            ])
            .prop_map(str::to_string),
        ];
        prop_oneof![
            (any::<usize>(), 0usize..200).prop_map(|(at, len)| Mutation::Delete { at, len }),
            (any::<usize>(), snippet.clone()).prop_map(|(at, text)| Mutation::Insert { at, text }),
            any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
            (any::<usize>(), snippet).prop_map(|(line, text)| Mutation::ReplaceLine { line, text }),
            any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        ]
    }

    /// The nearest character boundary at or before `at`, within the text.
    fn boundary(text: &str, at: usize) -> usize {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn apply(text: &mut String, change: &Mutation) {
        match change {
            Mutation::Delete { at, len } => {
                let start = boundary(text, *at);
                let end = boundary(text, start.saturating_add(*len).min(text.len()));
                text.replace_range(start..end.max(start), "");
            }
            Mutation::Insert { at, text: inserted } => {
                let at = boundary(text, *at);
                text.insert_str(at, inserted);
            }
            Mutation::DuplicateLine { line } => {
                let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let i = line % lines.len();
                    lines.insert(i, lines[i]);
                }
                *text = lines.concat();
            }
            Mutation::ReplaceLine { line, text: replacement } => {
                let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
                if !lines.is_empty() {
                    let i = line % lines.len();
                    lines[i] = format!("{replacement}\n");
                }
                *text = lines.concat();
            }
            Mutation::Truncate { at } => {
                let at = boundary(text, *at);
                text.truncate(at);
            }
        }
    }

    /// The real catalogue files with one to four changes never panic the loader, alone or with the
    /// others as a set; the refusals name file and line.
    fn mutated_files(cases: u32) {
        let sources = ohgov::catalogue::builtin_sources();
        assert!(sources.len() >= 7, "the built-in catalogue files are found");
        let strategy = (0..sources.len(), prop::collection::vec(mutation(), 1..5), any::<bool>());
        run("catalogue::mutated_files", cases, strategy, |(which, changes, as_set)| {
            let mut source = sources[which].clone();
            for change in &changes {
                apply(&mut source.text, change);
            }
            match check_file(&source) {
                Ok(_) => {}
                Err(errors) => named(&source, &errors)?,
            }
            if as_set {
                let mut set = sources.clone();
                set[which] = source.clone();
                if let Err(errors) = check_set(&set, &KnownReferences::new()) {
                    prop_assert!(!errors.0.is_empty());
                    for error in &errors.0 {
                        let file = set.iter().find(|s| s.name == error.file);
                        prop_assert!(file.is_some(), "{error} names a file of the set");
                    }
                }
            }
            Ok(())
        });
    }

    property!(arbitrary_text_never_panics_the_loader, fuzz_catalogue_text, arbitrary_text);
    property!(mutated_catalogue_files_never_panic_the_loader, fuzz_catalogue_mutated, mutated_files);
}

mod multipart {
    use actix_multipart::Multipart;
    use actix_web::error::PayloadError;
    use actix_web::http::header::{self, HeaderMap, HeaderValue};
    use actix_web::web::Bytes;
    use ohgov::web::upload::{read_upload, Submitted};

    use super::*;

    /// One part of a generated upload.
    #[derive(Debug, Clone)]
    struct Part {
        name: String,
        file_name: Option<String>,
        content: Vec<u8>,
    }

    fn part() -> impl Strategy<Value = Part> {
        let name = prop_oneof![3 => Just("file".to_string()), 2 => "[a-z_]{1,12}", 1 => Just("csrf_token".to_string())];
        let file_name = prop::option::of(prop_oneof!["[A-Za-z0-9 ._-]{0,20}", Just(String::new())]);
        let content = prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            "\\PC{0,100}".prop_map(String::into_bytes),
            // A part's content that looks like a boundary, line ends and headers.
            "(\r\n|--|-|[a-z]|Content-Disposition: |\r\n\r\n){0,12}".prop_map(String::into_bytes),
        ];
        (name, file_name, content).prop_map(|(name, file_name, content)| Part { name, file_name, content })
    }

    /// A well-formed multipart body of `parts` with `boundary`.
    fn body(boundary: &str, parts: &[Part]) -> Vec<u8> {
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match &part.file_name {
                Some(file_name) => format!("form-data; name=\"{}\"; filename=\"{file_name}\"", part.name),
                None => format!("form-data; name=\"{}\"", part.name),
            };
            body.extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
            if part.file_name.is_some() {
                body.extend_from_slice(b"Content-Type: application/octet-stream\r\n");
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        body
    }

    /// Reads `body` in chunks of the given sizes, as the upload extractor does.
    fn read(
        system: &actix_web::rt::SystemRunner,
        boundary: &str,
        body: Vec<u8>,
        chunks: &[usize],
        limit: usize,
    ) -> Submitted {
        let mut headers = HeaderMap::new();
        let content_type = format!("multipart/form-data; boundary=\"{boundary}\"");
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            headers.insert(header::CONTENT_TYPE, value);
        }
        let mut pieces = Vec::new();
        let mut rest = Bytes::from(body);
        for size in chunks.iter().cycle().take(rest.len() + 1) {
            if rest.is_empty() {
                break;
            }
            let size = (*size).clamp(1, rest.len());
            pieces.push(Ok::<Bytes, PayloadError>(rest.split_to(size)));
        }
        if !rest.is_empty() {
            pieces.push(Ok(rest));
        }
        let multipart = Multipart::new(&headers, futures_util::stream::iter(pieces));
        system.block_on(read_upload(multipart, limit))
    }

    fn boundary() -> impl Strategy<Value = String> {
        "[A-Za-z0-9'()+_,./:=?-]{1,70}"
    }

    /// A well-formed upload is read whole: the text fields as sent, and the first part named `file`
    /// kept exactly when it is within the limit, refused (and nothing of it kept) when it is over.
    fn well_formed(cases: u32) {
        let system = actix_web::rt::System::new();
        let strategy =
            (boundary(), prop::collection::vec(part(), 0..6), prop::collection::vec(1usize..64, 1..8), 0usize..320);
        run("multipart::well_formed", cases, strategy, |(boundary, parts, chunks, limit)| {
            // A part whose content holds the delimiter ends there: such a body is not well formed.
            let delimiter = format!("\r\n--{boundary}");
            let clean = parts.iter().all(|p| {
                !p.content.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())
                    && !p.content.starts_with(format!("--{boundary}").as_bytes())
            });
            prop_assume!(clean);
            let submitted = read(&system, &boundary, body(&boundary, &parts), &chunks, limit);
            prop_assert!(submitted.malformed.is_none(), "{:?}", submitted.malformed);
            let texts: Vec<(String, String)> = parts
                .iter()
                .filter(|p| p.file_name.is_none())
                .map(|p| (p.name.clone(), String::from_utf8_lossy(&p.content).into_owned()))
                .collect();
            prop_assert_eq!(&submitted.fields, &texts);
            // The first file part named `file`, passing over an empty one with no name (a file
            // input left empty).
            let first_file = parts.iter().find(|p| {
                p.name == "file" && p.file_name.as_ref().is_some_and(|name| !(name.is_empty() && p.content.is_empty()))
            });
            match first_file {
                Some(file) if file.content.len() > limit => {
                    prop_assert!(submitted.too_large, "an oversized file is refused");
                    prop_assert!(submitted.file.is_none(), "nothing of an oversized file is kept");
                }
                Some(file) => {
                    let kept = (file.file_name.clone().unwrap_or_default(), file.content.clone());
                    prop_assert_eq!(submitted.file, Some(kept));
                    prop_assert!(!submitted.too_large);
                }
                None => prop_assert!(submitted.file.is_none() && !submitted.too_large),
            }
            Ok(())
        });
    }

    /// Broken uploads (truncated, bytes changed or inserted, any bytes at all, any boundary) never
    /// panic the reader; a file is kept only whole and within the limit, never beside a refusal.
    fn hostile(cases: u32) {
        let system = actix_web::rt::System::new();
        let damage = prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6);
        let strategy = (
            prop_oneof![boundary(), "\\PC{0,80}", Just(String::new())],
            prop::collection::vec(part(), 0..5),
            damage,
            prop::option::of(prop::collection::vec(any::<u8>(), 0..600)),
            prop::collection::vec(1usize..64, 1..8),
            0usize..320,
        );
        run("multipart::hostile", cases, strategy, |(boundary, parts, damage, raw, chunks, limit)| {
            let mut bytes = raw.unwrap_or_else(|| body(&boundary, &parts));
            for (at, byte, how) in damage {
                let at = at % (bytes.len() + 1);
                match how {
                    0 => bytes.truncate(at),
                    1 if at < bytes.len() => bytes[at] = byte,
                    _ => bytes.insert(at, byte),
                }
            }
            let submitted = read(&system, &boundary, bytes, &chunks, limit);
            if let Some((_, content)) = &submitted.file {
                prop_assert!(content.len() <= limit, "a kept file is within the limit");
                prop_assert!(!submitted.too_large, "no file is kept beside a refused one");
            }
            Ok(())
        });
    }

    /// Upload bodies, whole or damaged, sent to the evidence page of the running application (a
    /// 1 MB limit) are never answered with a server error, and write an evidence item, its file
    /// and its history only when the upload is accepted (303): a refused one leaves nothing behind.
    fn through_the_app(cases: u32) {
        use diesel::prelude::*;
        use ohgov::db::schema::{blobs, evidence_items, history};

        let system = actix_web::rt::System::new();
        let db = support::TestDb::sqlite_with(support::Seed::Catalogue);
        let mut settings = db.settings();
        settings.max_upload_mb = 1;
        let app = system.block_on(support::TestApp::spawn_with(db, settings));
        let s = support::service(&mut app.db.migrated(), "Fuzz OH Service", "fuzz");
        let (client, token) =
            system.block_on(support::browser_signed_in(&app, "manager@fuzz.example", support::PASSWORD));
        let url = format!("{}/providers/{}/evidence", app.address, s.provider);
        let mut conn = app.db.conn();
        let mut counts = move || -> (i64, i64, i64) {
            (
                evidence_items::table.count().get_result(&mut conn).expect("count items"),
                blobs::table.count().get_result(&mut conn).expect("count files"),
                history::table.count().get_result(&mut conn).expect("count history"),
            )
        };
        let counts = std::cell::RefCell::new(&mut counts);
        let file = prop_oneof![
            3 => "[A-Za-z0-9 .,\n]{1,200}".prop_map(String::into_bytes),
            1 => prop::collection::vec(any::<u8>(), 0..200),
            1 => (any::<u8>(), 0usize..3).prop_map(|(b, extra)| vec![b'a' | (b & 1); 1024 * 1024 + extra - 1]),
        ];
        let strategy = (
            boundary(),
            "\\PC{0,40}",
            (prop::option::of("[A-Za-z0-9 ._-]{0,20}"), file),
            prop::collection::vec(part(), 0..3),
            prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..3),
            any::<bool>(),
        );
        run(
            "multipart::through_the_app",
            cases,
            strategy,
            |(boundary, title, (file_name, content), extra, damage, damaged)| {
                let mut parts = vec![
                    Part { name: "csrf_token".into(), file_name: None, content: token.clone().into_bytes() },
                    Part { name: "kind".into(), file_name: None, content: b"file".to_vec() },
                    Part { name: "title".into(), file_name: None, content: title.into_bytes() },
                    Part { name: "file".into(), file_name, content },
                ];
                parts.extend(extra);
                let mut bytes = body(&boundary, &parts);
                if damaged {
                    for (at, byte, how) in damage {
                        let at = at % (bytes.len() + 1);
                        match how {
                            0 => bytes.truncate(at),
                            1 if at < bytes.len() => bytes[at] = byte,
                            _ => bytes.insert(at, byte),
                        }
                    }
                }
                let before = (counts.borrow_mut())();
                let status = system.block_on(async {
                    client
                        .post(&url)
                        .header("content-type", format!("multipart/form-data; boundary=\"{boundary}\""))
                        .body(bytes)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                });
                let status = status.map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
                let after = (counts.borrow_mut())();
                prop_assert!(status < 500, "answered {}", status);
                if status == 303 {
                    prop_assert_eq!(after.0, before.0 + 1, "an accepted upload is one item");
                    prop_assert!(after.2 > before.2, "with its history");
                } else {
                    prop_assert_eq!(after, before, "a refused upload ({}) writes nothing", status);
                }
                Ok(())
            },
        );
    }

    property!(well_formed_uploads_are_read_whole, fuzz_multipart_well_formed, well_formed);
    property!(uploads_through_the_app_are_whole_or_nothing, fuzz_multipart_app, through_the_app);
    property!(hostile_uploads_never_panic_the_reader, fuzz_multipart_hostile, hostile);
}

mod dates {
    use ohgov::form::{form_date, parse_date, FIRST_YEAR, LAST_YEAR, YEAR_RANGE_MESSAGE};

    use super::*;

    /// Renders `{{ value | filter }}` with the filters the pages use.
    fn filtered(tera: &mut tera::Tera, filter: &str, value: &str) -> Result<String, TestCaseError> {
        let mut context = tera::Context::new();
        context.insert("value", value);
        tera.render_str(&format!("{{{{ value | {filter} }}}}"), &context)
            .map_err(|e| TestCaseError::fail(format!("{filter} failed on {value:?}: {e}")))
    }

    /// A date as a person might type it: either form, any numbers, padded or not, with spaces.
    fn typed_date() -> impl Strategy<Value = (i64, i64, i64, bool, String)> {
        let year = prop_oneof![1850i64..2150, -300_000i64..300_000, Just(1899), Just(1900), Just(2100), Just(2101)];
        let padding = prop::sample::select(vec!["", " ", "\t", "  \n", "\u{a0}"]).prop_map(str::to_string);
        (year, -1i64..15, -1i64..34, any::<bool>(), padding)
    }

    /// Any text never panics the date readers or the page filters; a date accepted is in the years
    /// 1900 to 2100 and prints back to itself in both forms.
    fn arbitrary_text(cases: u32) {
        let tera = std::cell::RefCell::new(ohgov::web::templates::load_mail().expect("the mail templates load"));
        let text = prop_oneof![
            "\\PC{0,30}",
            "[0-9/+ -]{0,14}",
            "[0-9]{1,6}[-/][0-9]{1,3}[-/][0-9]{1,6}",
            "[0-9]{4}-[0-9]{2}(-[0-9]{2})?([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        ];
        run("dates::arbitrary_text", cases, text, |text| {
            if let Ok(date) = parse_date("date", &text) {
                prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&date.year()), "{text:?} read as {date}");
                prop_assert_eq!(parse_date("date", &form_date(date)).ok(), Some(date));
                prop_assert_eq!(parse_date("date", &date.to_string()).ok(), Some(date));
            }
            let _ = ohgov::web::templates::uk_date_text(&text);
            let _ = ohgov::web::templates::uk_time_text(&text);
            for filter in ["uk_date", "uk_month", "uk_time"] {
                filtered(&mut tera.borrow_mut(), filter, &text)?;
            }
            Ok(())
        });
    }

    /// A typed date is accepted exactly when it is a real day from 1900 to 2100, and prints back
    /// to itself: through the form's reader, and as the pages show it.
    fn typed(cases: u32) {
        let tera = std::cell::RefCell::new(ohgov::web::templates::load_mail().expect("the mail templates load"));
        run("dates::typed", cases, typed_date(), |(year, month, day, uk, padding)| {
            let text = if uk {
                format!("{padding}{day:02}/{month:02}/{year:04}{padding}")
            } else {
                format!("{padding}{year:04}-{month:02}-{day:02}{padding}")
            };
            let real = i32::try_from(year)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, u32::try_from(month).ok()?, u32::try_from(day).ok()?));
            let read = parse_date("date", &text);
            match real {
                Some(date) if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) => {
                    prop_assert_eq!(read.as_ref().ok(), Some(&date), "{:?}", text);
                    prop_assert_eq!(parse_date("date", &form_date(date)).ok(), Some(date));
                    let shown = filtered(&mut tera.borrow_mut(), "uk_date", &date.to_string())?;
                    prop_assert_eq!(NaiveDate::parse_from_str(&shown, "%d %b %Y").ok(), Some(date), "{}", shown);
                    let month = filtered(&mut tera.borrow_mut(), "uk_month", &date.format("%Y-%m").to_string())?;
                    prop_assert_eq!(month, date.format("%b %Y").to_string());
                }
                Some(date) if (0..=9999).contains(&year) => {
                    let error = read.expect_err("a year out of range is refused");
                    prop_assert_eq!(error.get("date"), Some(YEAR_RANGE_MESSAGE), "{} ({})", text, date);
                }
                _ => prop_assert!(read.is_err(), "{text:?} is not a date in range"),
            }
            Ok(())
        });
    }

    property!(any_text_never_panics_the_date_readers, fuzz_dates_text, arbitrary_text);
    property!(typed_dates_are_read_exactly_and_print_back, fuzz_dates_typed, typed);
}
