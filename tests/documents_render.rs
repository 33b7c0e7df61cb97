//! The demo provider's documents render on every page (issue 14, "done when"): the evidence pack,
//! the annual quality reports of this year and last, and the signed audit plan are made from the
//! demo database on both backends, written to files, and drawn by Poppler's `pdftoppm` at 40 dpi:
//! it must exit 0, print nothing on stderr, and write one PNG per page, as many as `pdfinfo` and
//! lopdf count.
//!
//! Where Poppler is not installed the test skips with a notice; under `CI=true` that is a failure
//! (`.ci/run` installs poppler-utils). Set OHGOV_KEEP_RENDERS to a folder to keep the PDFs and the
//! PNGs there, to look at them.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use ohgov::clock::FinancialYear;
use ohgov::pdf::Document;

const PDFTOPPM: &str = "/usr/bin/pdftoppm";
const PDFINFO: &str = "/usr/bin/pdfinfo";

/// Whether Poppler's tools are here; a notice (or, under CI, a failure) when they are not.
fn poppler() -> bool {
    if Path::new(PDFTOPPM).exists() && Path::new(PDFINFO).exists() {
        return true;
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v == "true"),
        "poppler-utils (pdftoppm, pdfinfo) are needed for the render test under CI"
    );
    support::skip_notice("render test skipped: install Debian's poppler-utils to run it");
    false
}

/// The page count `pdfinfo` reads.
fn pdfinfo_pages(file: &Path) -> usize {
    let output = Command::new(PDFINFO).arg(file).output().unwrap();
    assert!(output.status.success(), "pdfinfo {}: {}", file.display(), String::from_utf8_lossy(&output.stderr));
    let info = String::from_utf8_lossy(&output.stdout);
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap_or_else(|| panic!("no page count: {info}"));
    line["Pages:".len()..].trim().parse().unwrap()
}

/// Draws every page of `file` as a PNG in `dir`, named after the file; the PNGs written.
fn pdftoppm(file: &Path, dir: &Path) -> Vec<PathBuf> {
    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
    let output = Command::new(PDFTOPPM).args(["-r", "40", "-png"]).arg(file).arg(dir.join(&stem)).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "pdftoppm {} failed: {stderr}", file.display());
    assert!(stderr.trim().is_empty(), "pdftoppm {} complained: {stderr}", file.display());
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
        })
        .collect();
    pngs.sort();
    pngs
}

on_both_backends!(
    the_demo_providers_documents_render_on_every_page,
    db | db | {
        if !poppler() {
            return;
        }
        let mut conn = db.migrated();
        let today = support::today();
        let now = chrono::Utc::now().naive_utc();
        ohgov::cli::demo::build(&mut conn, today).unwrap();
        let provider = ohgov::accounts::demo::demo_provider(&mut conn).unwrap().unwrap();
        let this_year = FinancialYear::containing(today);
        let last_year = FinancialYear::starting_in(this_year.start_year() - 1).unwrap();

        let pack = ohgov::documents::pack::build(&mut conn, provider, None, today, now).unwrap();
        let report = ohgov::documents::report::build(&mut conn, provider, this_year, today, now).unwrap();
        let last_report = ohgov::documents::report::build(&mut conn, provider, last_year, today, now).unwrap();
        // The demo's plan for last year is the one signed off; this year's awaits its sign-off.
        let plan = ohgov::documents::plan::build(&mut conn, provider, last_year, None, now).unwrap();
        let documents: Vec<(&str, Document)> = vec![
            ("pack", pack.document),
            ("report-this-year", report.document),
            ("report-last-year", last_report.document),
            ("signed-plan", plan.document),
        ];

        let kept = std::env::var("OHGOV_KEEP_RENDERS").ok().map(PathBuf::from);
        let scratch = tempfile::tempdir().unwrap();
        let dir = kept.clone().unwrap_or_else(|| scratch.path().to_path_buf());
        let backend = if db.sqlite_path().is_some() { "sqlite" } else { "postgres" };
        for (name, document) in documents {
            let made = ohgov::documents::make(&document, format!("{name}.pdf")).unwrap();
            let file = dir.join(format!("{backend}-{name}.pdf"));
            std::fs::write(&file, &made.bytes).unwrap();
            let pages = lopdf::Document::load_mem(&made.bytes).unwrap().get_pages().len();
            assert!(pages > 0, "{name} has pages");
            assert_eq!(pdfinfo_pages(&file), pages, "{name}: pdfinfo counts the pages lopdf does");
            let pngs = pdftoppm(&file, &dir);
            assert_eq!(pngs.len(), pages, "{name}: one PNG per page");
            for png in &pngs {
                let bytes = std::fs::read(png).unwrap();
                assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 200, "{} is a drawn page", png.display());
            }
        }
    }
);
