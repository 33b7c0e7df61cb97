//! What a service waits for when it asks for a document (issue 14): the SEQOHS evidence pack for
//! the full catalogue with 500 evidence items and 50 attached PDF documents, 300 pages in all
//! (target: under 1 s and under 200 MB of peak memory), and the annual quality report for the
//! demo provider grown to a realistic year (target: under 300 ms). Both are timed from the
//! database to the finished bytes: `documents::{pack,report}::build` (the queries and the
//! `Document`), then `documents::make` (layout, drawing, merging and the SHA-256).
//!
//! The peers, in the same run: the same pack `Document` written as one HTML page with print CSS
//! (`pdf::html::print_page`: page numbers, repeated table headers, the contents' page numbers) and
//! printed by WeasyPrint (what CISO Assistant uses) and by headless Chromium. The HTML holds the
//! body only: the 200 pages of attached documents are not merged by the peers, which favours them.
//! Install them with `benches/peers.sh`; a peer not installed is skipped with a notice, and
//! OHGOV_BENCH_PEERS=off skips both (each takes seconds a run).
//!
//! Peak memory is counted by this binary's global allocator: the most bytes held at once while the
//! pack is built and drawn, above what was held before it started.
//!
//! `cargo bench --bench documents` measures on a fresh SQLite file, and on PostgreSQL too when
//! OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use ohgov::accounts::model::{OrganisationInput, UserInput};
use ohgov::accounts::store::{self, Grant};
use ohgov::accounts::Role;
use ohgov::assessment::model::AssessmentInput;
use ohgov::clock::FinancialYear;
use ohgov::db::{self, DatabaseTarget, DbConnection, ProviderId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use ohgov::pdf::{Block, Column, Document, Paragraph, Span, Table};

/// Counts the bytes held, and the most held at once since the last [`Counting::reset_peak`].
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl Counting {
    fn held() -> usize {
        HELD.load(Ordering::Relaxed)
    }

    /// Starts a new peak from what is held now.
    fn reset_peak() {
        PEAK.store(HELD.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    fn peak() -> usize {
        PEAK.load(Ordering::Relaxed)
    }

    fn grew(size: usize) {
        let now = HELD.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            Counting::grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            Counting::grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                Counting::grew(new_size - layout.size());
            } else {
                HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Evidence items in the pack's library, and how many of them are attached PDF documents.
const ITEMS: usize = 500;
const PDFS: usize = 50;
/// Pages of each attached PDF.
const PDF_PAGES: usize = 4;
const RUNS: usize = 10;
/// Runs of each peer: each takes seconds.
const PEER_RUNS: usize = 3;

/// An attached policy document of [`PDF_PAGES`] pages, drawn by ohgov's own builder as a service's
/// word processor would: a title, headings, paragraphs and a table, with its own embedded fonts.
fn attachment(number: usize) -> Vec<u8> {
    let mut blocks = Vec::new();
    for page in 0..PDF_PAGES {
        if page > 0 {
            blocks.push(Block::PageBreak);
        }
        blocks.push(Block::Heading { level: 2, text: format!("Section {}", page + 1), anchor: None });
        blocks.push(Paragraph::text(
            "Staff are offered a health assessment on appointment and at each change of role; the service \
             records consent, the advice given and the date the report was sent. "
                .repeat(4),
        ));
        blocks.push(Block::Table(Table {
            columns: vec![Column { title: "Step".into(), width: 1.0 }, Column { title: "Who".into(), width: 2.0 }],
            rows: (1..=6)
                .map(|i| vec![vec![Span::Text(format!("Step {i}"))], vec![Span::Text("Clinical lead".into())]])
                .collect(),
        }));
    }
    let document = Document {
        title: format!("Policy document {number}"),
        author: "Bench OH".into(),
        subject: "An attached policy".into(),
        language: "en-GB".into(),
        created: Utc::now().naive_utc(),
        header: "Bench OH".into(),
        footer: format!("Policy {number}"),
        cover: None,
        contents: false,
        blocks,
        appendices: Vec::new(),
        closing: Vec::new(),
    };
    ohgov::pdf::render(&document).expect("an attachment draws")
}

/// A provider with every standard assessed (narratives of a realistic length, every fifth standard
/// not met) and [`ITEMS`] live evidence items each linked to one to three standards, [`PDFS`] of them
/// PDF documents of [`PDF_PAGES`] pages, a sixth of them past review.
fn populate(conn: &mut DbConnection) -> ProviderId {
    ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let provider = OrganisationInput { kind: "provider".into(), name: "Bench OH Service".into(), ..Default::default() };
    let provider = store::create_organisation(conn, None, &provider.parse().expect("a provider")).expect("provider");
    let user = UserInput {
        email: "bench@example.nhs.uk".into(),
        name: "Siân Bench".into(),
        password: "a long enough passphrase".into(),
        is_admin: false,
    };
    let grant = Grant { organisation_id: provider, role: Role::Manager, expires_on: None };
    let manager = store::create_user(conn, None, &user.parse().expect("a user"), Some(grant)).expect("manager");
    let provider = ProviderId(provider);
    let framework = ohgov::assessment::store::framework_id(conn, provider).expect("query").expect("framework");
    let (_, standards) = ohgov::assessment::store::framework_standards(conn, framework).expect("standards");
    let references: Vec<String> = standards.iter().map(|s| s.reference.clone()).collect();
    let results = ["met", "met", "partly_met", "met", "not_met"];
    let today = Utc::now().date_naive();
    for (i, reference) in references.iter().enumerate() {
        let input = AssessmentInput {
            workflow: "done".into(),
            result: results[i % results.len()].into(),
            owner_user_id: manager.to_string(),
            narrative: "How the service meets the standard, where that is shown, and what it will do next. ".repeat(6),
            ..Default::default()
        };
        ohgov::assessment::store::save_assessment(
            conn,
            Some(manager),
            provider,
            reference,
            &input.parse().expect("an assessment"),
            today,
        )
        .expect("assessment");
    }
    let pdfs: Vec<Vec<u8>> = (0..PDFS).map(attachment).collect();
    for i in 0..ITEMS {
        let links: Vec<String> =
            (0..=(i % 3)).map(|k| references[(i * 7 + k * 11) % references.len()].clone()).collect();
        let review = today + chrono::Duration::days((i as i64 % 12) * 30 - 60);
        let details = EvidenceInput {
            kind: "file".into(),
            title: format!("Evidence document {i}: procedure, minutes or audit report"),
            owner_user_id: manager.to_string(),
            effective_on: (today - chrono::Duration::days(400)).to_string(),
            review_due: review.to_string(),
            standards: links,
            ..Default::default()
        }
        .parse()
        .expect("an evidence item");
        // Every tenth item is a PDF document: fifty in all.
        let upload = if i % (ITEMS / PDFS) == 0 {
            check_upload(pdfs[i / (ITEMS / PDFS)].clone(), &format!("policy-{i}.pdf"), 20 << 20)
        } else {
            check_upload(format!("minutes of meeting {i}\n").into_bytes(), "minutes.txt", 1 << 20)
        }
        .expect("an upload");
        ohgov::evidence::store::add(conn, Some(manager), provider, Some(framework), &details, Some(&upload))
            .expect("evidence added");
    }
    provider
}

fn page_count(bytes: &[u8]) -> usize {
    lopdf::Document::load_mem(bytes).expect("the PDF reads back").get_pages().len()
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The evidence pack: built and drawn [`RUNS`] times; the median, the slowest, the pages and the
/// peak memory. Returns the pack's `Document` (for the peers) and its median time.
fn bench_pack(label: &str, conn: &mut DbConnection, provider: ProviderId) -> (Document, Duration) {
    let today = Utc::now().date_naive();
    let make = |conn: &mut DbConnection| {
        let pack =
            ohgov::documents::pack::build(conn, provider, None, today, Utc::now().naive_utc()).expect("the pack");
        let made = ohgov::documents::make(&pack.document, pack.file_name.clone()).expect("the pack draws");
        (pack.document, made)
    };
    let (document, made) = make(conn);
    let pages = page_count(&made.bytes);
    drop(made);
    Counting::reset_peak();
    let before = Counting::held();
    let started = Instant::now();
    let (_, made) = make(conn);
    let once = started.elapsed();
    let peak = Counting::peak() - before;
    let size = made.bytes.len();
    drop(made);
    let mut times = vec![once];
    for _ in 1..RUNS {
        let started = Instant::now();
        let (_, made) = make(conn);
        times.push(started.elapsed());
        drop(made);
    }
    let slowest = *times.iter().max().expect("runs");
    let typical = median(&mut times);
    // Where the time goes: the queries and the content, then the body drawn without the attached
    // documents (the rest of the whole is merging them and writing the file).
    support::measure(&format!("[{label}] evidence pack, part: gather (pack::build)"), RUNS, || {
        let pack =
            ohgov::documents::pack::build(conn, provider, None, today, Utc::now().naive_utc()).expect("the pack");
        assert!(!pack.document.appendices.is_empty());
    });
    let mut body = document.clone();
    body.appendices.clear();
    support::measure(&format!("[{label}] evidence pack, part: draw the body alone"), RUNS, || {
        let made = ohgov::documents::make(&body, String::from("body.pdf")).expect("the body draws");
        assert!(made.bytes.len() > 1000);
    });
    let made = ohgov::documents::make(&body, String::from("body.pdf")).expect("the body draws");
    println!(
        "[{label}] evidence pack's body alone: {} pages, {:.1} MB; {} attached PDFs merged after it",
        page_count(&made.bytes),
        megabytes(made.bytes.len()),
        document.appendices.len()
    );
    drop((body, made));
    println!(
        "[{label}] evidence pack: {pages} pages, {:.1} MB file; median {:.0} ms, slowest {:.0} ms ({RUNS} runs); \
         peak memory {:.1} MB",
        megabytes(size),
        typical.as_secs_f64() * 1000.0,
        slowest.as_secs_f64() * 1000.0,
        megabytes(peak)
    );
    (document, typical)
}

/// A peer's command, printing `html` to `pdf`.
type Peer = (&'static str, Box<dyn Fn(&Path, &Path) -> Command>);

fn peers() -> Vec<Peer> {
    let venv = std::env::var("OHGOV_WEASYPRINT_VENV").unwrap_or_else(|_| "/var/tmp/ohgov-weasyprint".into());
    let weasyprint = PathBuf::from(venv).join("bin/weasyprint");
    let mut found: Vec<Peer> = Vec::new();
    if weasyprint.exists() {
        found.push((
            "WeasyPrint",
            Box::new(move |html: &Path, pdf: &Path| {
                let mut command = Command::new(&weasyprint);
                command.arg(html).arg(pdf);
                command
            }),
        ));
    } else {
        println!("notice: WeasyPrint is not installed ({}): skipped; run benches/peers.sh", weasyprint.display());
    }
    if Path::new("/usr/bin/chromium").exists() {
        found.push((
            "headless Chromium",
            Box::new(|html: &Path, pdf: &Path| {
                let mut command = Command::new("/usr/bin/chromium");
                command.args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--no-first-run",
                    "--no-pdf-header-footer",
                ]);
                command.arg(format!("--print-to-pdf={}", pdf.display()));
                command.arg(format!("file://{}", html.display()));
                command
            }),
        ));
    } else {
        println!("notice: Chromium is not installed (/usr/bin/chromium): skipped; run benches/peers.sh");
    }
    found
}

/// The same pack as HTML, printed by each peer [`PEER_RUNS`] times; each one's median against
/// ohgov's (the ratio: peer time / ohgov time).
fn bench_peers(label: &str, document: &Document, ours: Duration) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let html = dir.path().join("pack.html");
    std::fs::write(&html, ohgov::pdf::html::print_page(document)).expect("the HTML is written");
    for (name, command) in peers() {
        let pdf = dir.path().join("peer.pdf");
        let mut times = Vec::new();
        for _ in 0..PEER_RUNS {
            let _ = std::fs::remove_file(&pdf);
            let started = Instant::now();
            let output = command(&html, &pdf).output().expect("the peer runs");
            times.push(started.elapsed());
            assert!(
                output.status.success() && pdf.exists(),
                "{name} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let pages = page_count(&std::fs::read(&pdf).expect("the peer's PDF"));
        let slowest = *times.iter().max().expect("runs");
        let typical = median(&mut times);
        println!(
            "[{label}] {name}: the pack's body as HTML, {pages} pages; median {:.0} ms, slowest {:.0} ms ({PEER_RUNS} \
             runs): {:.1} times ohgov's whole pack",
            typical.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * 1000.0,
            typical.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

/// The demo provider grown to a realistic year: this year's plan to 12 audits, 60 more staff.
fn grow_demo(conn: &mut DbConnection, provider: ProviderId, today: NaiveDate) {
    let year = FinancialYear::containing(today);
    let framework = ohgov::assessment::store::framework_id(conn, provider).expect("framework");
    let present = ohgov::audits::store::plans::plan(conn, provider, year).expect("plan").expect("the demo's plan");
    let have = ohgov::audits::store::audits::plan_audits(conn, present.id).expect("audits").len();
    let kinds = ["local_clinical", "record_keeping", "report_quality", "seqohs_internal", "other"];
    for i in have..12 {
        let (plan, progress) = ohgov::audits::model::AuditInput {
            title: format!("Bench audit {i:02}: referral reports"),
            audit_type: kinds[i % kinds.len()].into(),
            standards: vec!["QI1".into(), "OO2".into()],
            planned_quarter: (i % 4 + 1).to_string(),
            method: "Retrospective review of 40 randomly chosen records".into(),
            sample_size: "40".into(),
            criterion: vec!["Consent recorded".into(), "Advice answers the question".into()],
            target: vec!["95".into(), "90".into()],
            ..Default::default()
        }
        .parse(today)
        .expect("a valid audit");
        ohgov::audits::store::audits::create_audit(conn, None, provider, year, &plan, &progress, framework, today)
            .expect("audit added");
    }
    let regulations = ohgov::workforce::store::regulations(conn).expect("regulations");
    for i in 0..60 {
        // Nurses on the NMC register, and the non-clinical tier with no register.
        let (discipline, registration) = match i % 3 {
            0 => ("non_clinical_case_worker", String::new()),
            1 => ("administrator", String::new()),
            _ => ("oh_nurse", format!("12B{i:04}E")),
        };
        let person = ohgov::workforce::model::StaffInput {
            staff_number: format!("B{i:04}"),
            full_name: format!("Bench Person {i}"),
            discipline: discipline.into(),
            registration_number: registration,
            ..Default::default()
        }
        .parse(&regulations)
        .expect("a valid staff record");
        ohgov::workforce::store::create_staff(conn, None, provider, &person).expect("staff added");
    }
}

/// The annual quality report of the demo provider for this financial year.
fn bench_report(label: &str, conn: &mut DbConnection) {
    let today = Utc::now().date_naive();
    ohgov::cli::demo::build(conn, today).expect("the demo");
    let provider = ohgov::accounts::demo::demo_provider(conn).expect("query").expect("the demo provider");
    grow_demo(conn, provider, today);
    let year = FinancialYear::containing(today);
    let mut pages = 0;
    support::measure(&format!("[{label}] annual quality report {year}: build and draw"), RUNS * 3, || {
        let report =
            ohgov::documents::report::build(conn, provider, year, today, Utc::now().naive_utc()).expect("the report");
        let made = ohgov::documents::make(&report.document, String::from("report.pdf")).expect("the report draws");
        pages = made.bytes.len();
    });
    let report =
        ohgov::documents::report::build(conn, provider, year, today, Utc::now().naive_utc()).expect("the report");
    let made = ohgov::documents::make(&report.document, String::from("report.pdf")).expect("the report draws");
    println!("[{label}] annual quality report: {} pages, {} bytes", page_count(&made.bytes), pages);
}

/// What any document costs however short: one page of one paragraph, drawn (the fonts embedded,
/// the file assembled). Measured once, with no database.
fn bench_one_page() {
    let document = Document {
        title: "One page".into(),
        author: "Bench OH".into(),
        subject: "The fixed cost of a document".into(),
        language: "en-GB".into(),
        created: Utc::now().naive_utc(),
        header: "Bench OH".into(),
        footer: "One page".into(),
        cover: None,
        contents: false,
        blocks: vec![Paragraph::text("One paragraph, with a few words in bold and £, – and ’.")],
        appendices: Vec::new(),
        closing: Vec::new(),
    };
    let mut size = 0;
    support::measure("a one-page document: drawn, fonts embedded, assembled", RUNS * 2, || {
        size = ohgov::pdf::render(&document).expect("the page draws").len();
    });
    println!("a one-page document: {:.2} MB", megabytes(size));
}

fn bench_backend(label: &str, url: String) {
    let target = DatabaseTarget::parse(&url).expect("a database URL");
    let mut conn = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    let started = Instant::now();
    let provider = populate(&mut conn);
    println!(
        "[{label}] populated the catalogue's standards, {ITEMS} evidence items and {PDFS} PDFs of {PDF_PAGES} pages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (document, ours) = bench_pack(label, &mut conn, provider);
    // The peers print HTML, whatever the database: once, beside the SQLite figures.
    if label == "sqlite" {
        if std::env::var("OHGOV_BENCH_PEERS").is_ok_and(|v| v == "off") {
            println!("notice: OHGOV_BENCH_PEERS=off: WeasyPrint and Chromium skipped");
        } else {
            bench_peers(label, &document, ours);
        }
    }
    drop(document);
    bench_report(label, &mut conn);
}

fn main() {
    let _key = support::install_history_key();
    bench_one_page();
    let dir = tempfile::tempdir().expect("temporary folder");
    bench_backend("sqlite", dir.path().join("bench.db").display().to_string());
    if let Ok(url) = std::env::var("OHGOV_BENCH_PG_URL") {
        use diesel::connection::SimpleConnection;
        let mut conn = db::establish(&DatabaseTarget::Postgres(url.clone())).expect("connect");
        conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("reset");
        drop(conn);
        bench_backend("postgres", url);
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
