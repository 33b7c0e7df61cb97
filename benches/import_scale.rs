//! Files in at scale (issue 19). Targets on SQLite, release: a 1,000,000-row CPD CSV imported by
//! `ohgov import cpd` in under 5 s with a peak memory (max RSS) under 200 MB, and a 100,000-row CPD
//! workbook (.xlsx, date cells) in under 5 s.
//!
//! `cargo bench --bench import_scale` writes both files to a temp directory, sets up a SQLite
//! database with a provider and 500 staff through the command line (`ohgov org add`, `ohgov import
//! staff`), then runs the release `ohgov import cpd` as a child process on a fresh copy of that
//! database for each file, and prints its wall time and the child's peak RSS (`wait4`). The
//! workbook is reported as skipped while the import cannot read workbooks.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};

const STAFF: usize = 500;
const CSV_ROWS: usize = 1_000_000;
const WORKBOOK_ROWS: usize = 100_000;
/// Runs of the CSV import (each on a fresh database); the workbook runs once.
const CSV_RUNS: usize = 2;

fn ohgov() -> &'static str {
    env!("CARGO_BIN_EXE_ohgov")
}

fn staff_file() -> String {
    let mut file = String::from(
        "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,\
         last_appraisal,responsible_officer,start_date,leaving_date,fte\n",
    );
    for i in 0..STAFF {
        let _ = writeln!(file, "S{i:05},Person {i},,non_clinical_case_worker,,,,,,,2020-01-01,,1");
    }
    file
}

/// The CPD row `i` of a file: a person, a day in the last four years, and hours, or a reflective
/// account every seventh row (which carries none).
fn cpd_row(i: usize) -> (String, chrono::NaiveDate, String, &'static str, &'static str, &'static str) {
    let date = Utc::now().date_naive() - chrono::Duration::days((i % 1400) as i64);
    let (hours, participatory, reflective) = match (i.is_multiple_of(7), i.is_multiple_of(3)) {
        (true, _) => ("", "no", "y"),
        (false, true) => ("1.5", "yes", "n"),
        (false, false) => ("2", "no", "n"),
    };
    (format!("S{:05}", i % STAFF), date, format!("Activity {i}"), hours, participatory, reflective)
}

/// A CPD CSV of `rows` rows, dates written as Excel writes them in the UK (23/11/2026).
fn write_csv(path: &Path, rows: usize) {
    let file = std::fs::File::create(path).expect("the CSV file");
    let mut out = std::io::BufWriter::new(file);
    out.write_all(b"staff_number,date,title,hours,participatory,reflective\n").expect("written");
    for i in 0..rows {
        let (number, date, title, hours, participatory, reflective) = cpd_row(i);
        writeln!(out, "{number},{},{title},{hours},{participatory},{reflective}", date.format("%d/%m/%Y"))
            .expect("written");
    }
    out.flush().expect("written");
}

/// A CPD workbook of `rows` rows, its dates as date cells and its hours as numbers.
fn write_workbook(path: &Path, rows: usize) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    for (col, name) in ["staff_number", "date", "title", "hours", "participatory", "reflective"].iter().enumerate() {
        sheet.write_string(0, col as u16, *name).expect("a header cell");
    }
    for i in 0..rows {
        let (number, date, title, hours, participatory, reflective) = cpd_row(i);
        let row = (i + 1) as u32;
        let day = ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8).expect("a date");
        sheet.write_string(row, 0, &number).expect("a cell");
        sheet.write_datetime_with_format(row, 1, &day, &date_format).expect("a date cell");
        sheet.write_string(row, 2, &title).expect("a cell");
        if let Ok(hours) = hours.parse::<f64>() {
            sheet.write_number(row, 3, hours).expect("a cell");
        }
        sheet.write_string(row, 4, participatory).expect("a cell");
        sheet.write_string(row, 5, reflective).expect("a cell");
    }
    workbook.save(path).expect("the workbook saved");
}

/// Runs `ohgov` with `args` against the database `db`; its stdout on success, or its stderr.
fn run(db: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new(ohgov())
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env_remove("OHGOV_HISTORY_KEY_FILE")
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// A fresh database in `dir` with a provider and its staff; the provider's id.
fn fresh_database(dir: &Path, staff: &Path) -> (PathBuf, String) {
    let db = dir.join("ohgov.db");
    let provider = run(&db, &["org", "add", "--kind", "provider", "--name", "Bench OH"]).expect("a provider");
    run(&db, &["import", "staff", "--provider", &provider, staff.to_str().expect("a path")]).expect("the staff");
    (db, provider)
}

/// What one import run took.
struct Measured {
    wall: Duration,
    max_rss_mb: f64,
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `ohgov import cpd` as a child and measures its wall time and peak resident memory.
fn import_cpd(db: &Path, provider: &str, file: &Path) -> Measured {
    let started = Instant::now();
    let child = Command::new(ohgov())
        .arg("--database-url")
        .arg(db)
        .args(["import", "cpd", "--provider", provider])
        .arg(file)
        .env_remove("OHGOV_HISTORY_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ohgov runs");
    let pid = child.id() as libc::pid_t;
    // Read while the child runs: a refusal may list a thousand rows, more than a pipe holds.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let mut child = child;
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4 reaps the import");
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux gives ru_maxrss in KiB.
    Measured { wall, max_rss_mb: usage.ru_maxrss as f64 / 1024.0, ok, stdout, stderr }
}

fn main() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let staff = dir.path().join("staff.csv");
    std::fs::write(&staff, staff_file()).expect("the staff file");
    let csv = dir.path().join("cpd.csv");
    let started = Instant::now();
    write_csv(&csv, CSV_ROWS);
    let size = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {CSV_ROWS} CPD rows as CSV ({:.1} MB) in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let xlsx = dir.path().join("cpd.xlsx");
    let started = Instant::now();
    write_workbook(&xlsx, WORKBOOK_ROWS);
    let size = std::fs::metadata(&xlsx).map(|m| m.len()).unwrap_or(0);
    println!(
        "wrote {WORKBOOK_ROWS} CPD rows as a workbook ({:.1} MB) in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    for run_number in 1..=CSV_RUNS {
        let run_dir = tempfile::tempdir_in(dir.path()).expect("a run dir");
        let (db, provider) = fresh_database(run_dir.path(), &staff);
        let measured = import_cpd(&db, &provider, &csv);
        assert!(measured.ok, "the CSV import failed: {}", measured.stderr);
        println!(
            "[SQLite] import {CSV_ROWS} CPD rows from CSV, run {run_number}: {:.2} s, peak RSS {:.0} MB ({})",
            measured.wall.as_secs_f64(),
            measured.max_rss_mb,
            measured.stdout.lines().last().unwrap_or("")
        );
    }

    let run_dir = tempfile::tempdir_in(dir.path()).expect("a run dir");
    let (db, provider) = fresh_database(run_dir.path(), &staff);
    let measured = import_cpd(&db, &provider, &xlsx);
    if measured.ok {
        println!(
            "[SQLite] import {WORKBOOK_ROWS} CPD rows from a workbook: {:.2} s, peak RSS {:.0} MB ({})",
            measured.wall.as_secs_f64(),
            measured.max_rss_mb,
            measured.stdout.lines().last().unwrap_or("")
        );
    } else {
        let why = measured.stderr.lines().next().unwrap_or("").to_string();
        println!(
            "[SQLite] import {WORKBOOK_ROWS} CPD rows from a workbook: skipped: workbooks not readable yet ({why})"
        );
    }
}
