//! The SEQOHS evidence pack (issue 14, part 2), on both backends, read back as an assessor would
//! read it: the order of its parts; the summary's figures; a standard's result, owner, narrative,
//! open finding and evidence index; "appendix p. N" and the contents page against the pages where
//! the text really is; the outline, with a document attached to two standards merged once and
//! bookmarked under both; withheld evidence nowhere but its own page; unreadable and encrypted
//! "PDFs" listed with their hashes while the pack is still made; a provider with no evidence; the
//! history row's hash against the bytes downloaded; the file name; a commissioner's access before
//! and after sharing; and the command line.

mod support;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::Grant;
use ohgov::accounts::Role;
use ohgov::assessment::model::{AssessmentInput, FindingInput, FindingSource};
use ohgov::db::schema::history;
use ohgov::db::{DbConnection, ProviderId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use sha2::{Digest, Sha256};
use support::pdf;
use support::{browser_signed_in, service, Service, PASSWORD};

const COMMISSIONER: &str = "commissioning@northshire-trust.example";

/// The provider's records, and the hashes of its files.
struct World {
    s: Service,
    /// "Statement of purpose", a 2-page PDF linked to GF1 and GF2.
    purpose: String,
    /// "Referral audit report", a 3-page PDF linked to QI1.
    audit_report: String,
    /// "Governance terms of reference", a text file linked to GF1, past its review date.
    terms: String,
    /// "Signed indemnity certificate": "%PDF" bytes lopdf cannot read, linked to GF3.
    damaged: String,
    /// "Encrypted insurance schedule": an encrypted PDF, linked to GF3.
    encrypted: String,
    /// "Case review sample": a PDF holding patient-identifiable data, linked to GF1 and QI1.
    casework: String,
    effective: NaiveDate,
    past_review: NaiveDate,
}

fn day(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A PDF whose trailer says it is encrypted (RC4, 40 bits), with content no one can read.
fn encrypted_pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_string(),
        "<< /Length 16 >>\nstream\n\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{e}\u{f}\u{10}\nendstream".to_string(),
        format!(
            "<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -44 >>",
            "28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a",
            "7a6a2b8c9bd0c0e4a6f2e9c6b1d5a4f3e2d1c0b9a8f7e6d5c4b3a29180706050"
        ),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Encrypt 5 0 R /ID [<0123456789abcdef0123456789abcdef> \
             <0123456789abcdef0123456789abcdef>] >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[allow(clippy::too_many_arguments)]
fn add_file(
    conn: &mut DbConnection,
    s: &Service,
    title: &str,
    file_name: &str,
    bytes: Vec<u8>,
    standards: &[&str],
    dates: (NaiveDate, NaiveDate),
    patient_data: bool,
) -> String {
    let details = EvidenceInput {
        kind: "file".into(),
        title: title.into(),
        effective_on: dates.0.to_string(),
        review_due: dates.1.to_string(),
        contains_patient_data: patient_data,
        standards: standards.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = check_upload(bytes, file_name, 1 << 24).unwrap();
    let framework = support::framework(conn, s.provider);
    ohgov::evidence::store::add(conn, Some(s.manager), s.provider, framework, &details, Some(&upload)).unwrap();
    upload.sha256
}

fn assess(conn: &mut DbConnection, s: &Service, reference: &str, result: &str, narrative: &str, reason: &str) {
    let change = AssessmentInput {
        workflow: "done".into(),
        result: result.into(),
        not_applicable_reason: reason.into(),
        owner_user_id: s.manager.0.to_string(),
        narrative: narrative.into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    ohgov::assessment::store::save_assessment(conn, Some(s.manager), s.provider, reference, &change, support::today())
        .unwrap();
}

fn build_world(conn: &mut DbConnection) -> World {
    let s = service(conn, "Northshire OH Service", "northshire");
    let today = support::today();
    // A commissioner of the service, under a current contract.
    let trust = OrganisationInput {
        kind: "commissioner".into(),
        name: "Northshire Teaching Hospitals NHS Trust".into(),
        ..Default::default()
    };
    let trust = ohgov::accounts::store::create_organisation(conn, None, &trust.parse().unwrap()).unwrap();
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: s.provider,
        starts_on: today - Duration::days(30),
        ends_on: None,
        services: vec![],
    };
    ohgov::accounts::store::create_contract(conn, None, &contract).unwrap();
    let user = UserInput {
        email: COMMISSIONER.into(),
        name: "Commissioning lead".into(),
        password: PASSWORD.into(),
        is_admin: false,
    };
    let grant = Grant { organisation_id: trust, role: Role::Commissioner, expires_on: None };
    ohgov::accounts::store::create_user(conn, None, &user.parse().unwrap(), Some(grant)).unwrap();

    // Results: GF1 met, GF2 partly met, GF3 (a "must") not met, GF4 not applicable.
    assess(conn, &s, "GF1", "met", "Ownership is set out in the articles.\n\nThe board reviews governance yearly.", "");
    assess(conn, &s, "GF2", "partly_met", "The register of interests is kept but not yet published.", "");
    assess(conn, &s, "GF3", "not_met", "The indemnity cover lapsed in October.", "");
    assess(conn, &s, "GF4", "not_applicable", "", "A single-site service with no plans to grow");
    let finding = FindingInput {
        grade: "minor_nonconformity".into(),
        description: "Board minutes do not record the annual governance review".into(),
        action_needed: "Minute the review at the next board".into(),
        raised_on: today.to_string(),
    }
    .parse(today)
    .unwrap();
    ohgov::assessment::store::record_finding(conn, None, s.provider, "GF1", FindingSource::InternalAudit, &finding)
        .unwrap();

    let effective = today - Duration::days(400);
    let past_review = today - Duration::days(10);
    let later = today + Duration::days(200);
    let purpose = add_file(
        conn,
        &s,
        "Statement of purpose",
        "statement-of-purpose.pdf",
        pdf::small_pdf("Purpose statement", 2),
        &["GF1", "GF2"],
        (effective, later),
        false,
    );
    let audit_report = add_file(
        conn,
        &s,
        "Referral audit report",
        "referral-audit.pdf",
        pdf::small_pdf("Referral audit findings", 3),
        &["QI1"],
        (effective, later),
        false,
    );
    let terms = add_file(
        conn,
        &s,
        "Governance terms of reference",
        "terms-of-reference.txt",
        b"Terms of reference of the clinical governance committee.\n".to_vec(),
        &["GF1"],
        (effective, past_review),
        false,
    );
    let damaged = add_file(
        conn,
        &s,
        "Signed indemnity certificate",
        "indemnity.pdf",
        b"%PDF-1.7\nthis is not really a PDF at all, only its first line\n".to_vec(),
        &["GF3"],
        (effective, later),
        false,
    );
    let encrypted = add_file(
        conn,
        &s,
        "Encrypted insurance schedule",
        "insurance.pdf",
        encrypted_pdf(),
        &["GF3"],
        (effective, later),
        false,
    );
    let casework = add_file(
        conn,
        &s,
        "Case review sample",
        "casework.pdf",
        pdf::small_pdf("Confidential casework of Chloe Example", 1),
        &["GF1", "QI1"],
        (effective, later),
        true,
    );
    // A link, listed with its kind, and a withdrawn item, left out.
    let link = EvidenceInput {
        kind: "link".into(),
        title: "Register of interests on the intranet".into(),
        link_url: "https://intranet.northshire.example/interests".into(),
        effective_on: effective.to_string(),
        standards: vec!["GF2".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    let framework = support::framework(conn, s.provider);
    ohgov::evidence::store::add(conn, Some(s.manager), s.provider, framework, &link, None).unwrap();
    let gone = EvidenceInput {
        kind: "note".into(),
        title: "Withdrawn duplicate note".into(),
        description: "Entered twice".into(),
        standards: vec!["GF1".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    let gone = ohgov::evidence::store::add(conn, Some(s.manager), s.provider, framework, &gone, None).unwrap();
    let when = chrono::Utc::now().naive_utc();
    ohgov::evidence::store::withdraw(conn, Some(s.manager), s.provider, gone, "Entered twice", when).unwrap();
    World { s, purpose, audit_report, terms, damaged, encrypted, casework, effective, past_review }
}

/// The first number after `label` in `text` (whatever words and dot leaders come between).
fn number_after(text: &str, label: &str) -> Option<usize> {
    let start = text.find(label)? + label.len();
    let digits: String =
        text[start..].chars().skip_while(|c| !c.is_ascii_digit()).take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The text with every run of whitespace (a wrapped line) as one space.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first page (from 1) whose text holds `needle`.
fn first_page(pages: &[String], needle: &str) -> usize {
    pages.iter().position(|p| p.contains(needle)).map(|i| i + 1).unwrap_or_else(|| panic!("{needle:?} is in the pack"))
}

/// The newest history row of the evidence pack: (user, its changes as JSON).
fn pack_history(conn: &mut DbConnection, provider: ProviderId) -> Vec<(Option<i32>, serde_json::Value)> {
    history::table
        .filter(history::entity.eq("evidence_pack"))
        .filter(history::organisation_id.eq(provider.0))
        .filter(history::action.eq("make"))
        .order(history::id.desc())
        .select((history::user_id, history::changes))
        .load::<(Option<i32>, String)>(conn)
        .unwrap()
        .into_iter()
        .map(|(user, changes)| (user, serde_json::from_str(&changes).unwrap()))
        .collect()
}

on_both_backends!(
    the_pack_reads_back_with_every_part_in_order_and_its_pages_right,
    app | app | {
        let w = build_world(&mut app.db.migrated());
        let p = w.s.provider;
        let (manager, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let response = manager.get(format!("{}/providers/{p}/pack.pdf", app.address)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let header = |name: &str| response.headers().get(name).unwrap().to_str().unwrap().to_string();
        assert_eq!(header("content-type"), "application/pdf");
        let file_name = format!("northshire-oh-service-seqohs-pack-{}.pdf", support::today().format("%Y-%m-%d"));
        assert!(
            header("content-disposition").contains(&format!("filename=\"{file_name}\"")),
            "{}",
            header("content-disposition")
        );
        let bytes = response.bytes().await.unwrap().to_vec();
        let pages = pdf::pages_text(&bytes);
        assert_eq!(pages.len(), pdf::page_count(&bytes));

        // The history row holds the hash of exactly the bytes sent, and who made it.
        let rows = pack_history(&mut app.db.conn(), p);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, Some(w.s.manager.0));
        assert_eq!(rows[0].1["sha256"]["after"], sha(&bytes));
        assert_eq!(rows[0].1["file_name"]["after"], file_name);
        let history_page = format!("{}/providers/{p}/history", app.address);
        let history_page = manager.get(history_page).send().await.unwrap().text().await.unwrap();
        assert!(history_page.contains("Evidence pack") && history_page.contains("Made"), "{history_page}");
        assert!(
            history_page.contains(&format!("SHA-256 of the pack: {}", sha(&bytes))),
            "in words on the history page"
        );

        // The cover, then the contents, then the parts in order.
        assert!(
            pages[0].contains("SEQOHS evidence pack") && pages[0].contains("Northshire OH Service"),
            "{}",
            pages[0]
        );
        assert!(pages[0].contains("SEQOHS standards (2023)") && pages[0].contains("Not registered"));
        assert!(pages[0].contains(&day(support::today())));
        assert!(pages[1].contains("Contents"), "{}", pages[1]);
        // The body starts with the summary's first sentence; the contents run before it.
        let summary = first_page(&pages, "standards of SEQOHS standards (2023)");
        assert!(pages[summary - 1].contains("Summary by domain"));
        let gf1 = first_page(&pages[summary..], "GF1 Clear ownership") + summary;
        let withheld = first_page(&pages[summary..], "Withheld evidence") + summary;
        let appendices = first_page(&pages[withheld..], "Appendices") + withheld;
        let purpose_page = first_page(&pages, "Purpose statement page 1");
        let manifest = first_page(&pages[purpose_page..], "Manifest") + purpose_page;
        assert!(summary < gf1 && gf1 < withheld && withheld <= appendices, "the parts in order");
        assert!(appendices < purpose_page, "the merged documents come after the body");
        assert!(purpose_page < manifest, "the manifest closes the file, after the merged documents");
        assert!(pages[manifest - 1].contains(&format!("Page {manifest} of {}", pages.len())), "numbered on");

        // The contents page's numbers are the pages where the headings are.
        // Every heading of levels 1 and 2 (the outline's first two levels) is checked.
        let contents = flat(&pages[1..summary - 1].join("\n"));
        let headings: Vec<String> =
            pdf::outline(&bytes).into_iter().filter(|(depth, _, _)| *depth <= 1).map(|(_, title, _)| title).collect();
        assert!(headings.len() > 50, "the domains, standards and parts: {headings:?}");
        for heading in &headings {
            let n = number_after(&contents, &format!("{heading} "))
                .unwrap_or_else(|| panic!("{heading} is in the contents"));
            assert!(flat(&pages[n - 1]).contains(heading.as_str()), "{heading} is on page {n}, as the contents say");
        }
        for heading in ["Summary by domain", "GF Governance and finance", "Withheld evidence", "Manifest", "Appendices"]
        {
            assert!(headings.iter().any(|h| h == heading), "{heading} is a heading");
        }
        let n = number_after(&contents, "GF1 Clear ownership").unwrap();
        assert_eq!(n, gf1, "GF1's page in the contents");

        // The summary's figures for governance and finance: 1 met, 1 partly met, 1 not met, 1 not
        // applicable, and the rest not assessed; GF3 among the "must" standards not met.
        let summary_text = pages[summary - 1].clone();
        let (_, standards) = {
            let mut conn = app.db.conn();
            let framework = support::framework(&mut conn, p).unwrap();
            ohgov::assessment::store::framework_standards(&mut conn, framework).unwrap()
        };
        let in_gf = standards.iter().filter(|s| s.domain_reference == "GF").count();
        let row = format!("1\n1\n1\n1\n{}\n{in_gf}", in_gf - 4);
        let squeezed: String = summary_text.split_whitespace().collect::<Vec<_>>().join("\n");
        assert!(squeezed.contains(&format!("finance\n{row}")), "the GF row reads {row:?}: {summary_text}");
        assert!(summary_text.contains("GF3") && summary_text.contains("Sound financial management"), "{summary_text}");
        assert!(!squeezed.contains("GF1\nClear ownership"), "GF1 is a should, and met");

        // A standard: result, owner, narrative, open finding and its evidence index.
        // Words as a reader reads them: lines wrapped within a cell or a paragraph joined again.
        let section = flat(&pages[gf1 - 1..withheld - 1].join("\n"));
        let gf1_text = &section[..section.find("GF2 Business is conducted").unwrap()];
        for words in [
            "Met",
            "Manager of Northshire OH Service",
            "Ownership is set out in the articles.",
            "The board reviews governance yearly.",
            "Board minutes do not record the annual governance review",
            "Minor nonconformity",
            "Governance terms of reference",
            &day(w.effective),
            &day(w.past_review),
            "Review overdue",
            &w.terms[..12],
            "not a PDF: listed in the manifest",
            "Statement of purpose",
        ] {
            assert!(gf1_text.contains(words), "GF1's section shows {words:?}: {gf1_text}");
        }
        assert!(!gf1_text.contains(&w.terms[..13]), "only 12 characters of the hash in the index");
        assert!(!section.contains("Withdrawn duplicate note"), "a withdrawn item is not in the pack");
        assert!(
            section.contains("Register of interests on the intranet")
                && section.replace(' ', "").contains("https://intranet.northshire.example/interests")
        );
        assert!(section.contains("Not applicable") && section.contains("A single-site service with no plans to grow"));

        // "appendix p. N" is where the merged document's own text is, and it is merged once.
        let n = number_after(gf1_text, "appendix p.").expect("GF1's index gives the appendix page");
        assert_eq!(n, purpose_page);
        assert_eq!(pdf::pages_with(&bytes, "Purpose statement page 1"), [n]);
        assert_eq!(pdf::pages_with(&bytes, "Purpose statement page 2"), [n + 1]);
        let gf2 = section.find("GF2 Business is conducted").unwrap();
        assert_eq!(number_after(&section[gf2..], "appendix p."), Some(n), "GF2 points at the same pages");
        let audit_page = first_page(&pages, "Referral audit findings page 1");
        assert_eq!(pdf::pages_with(&bytes, "Referral audit findings page 3"), [audit_page + 2]);

        // The outline: the merged document under both of its standards, at its first page.
        let outline = pdf::outline(&bytes);
        let entries: Vec<usize> =
            outline.iter().enumerate().filter(|(_, e)| e.1 == "Statement of purpose").map(|(i, _)| i).collect();
        assert_eq!(entries.len(), 2, "bookmarked under GF1 and GF2: {outline:#?}");
        for i in entries {
            assert_eq!(outline[i].2 as usize, purpose_page);
            let parent = outline[..i].iter().rev().find(|e| e.0 < outline[i].0).unwrap();
            assert!(parent.1.starts_with("GF1 ") || parent.1.starts_with("GF2 "), "under a standard: {parent:?}");
        }
        let audit_entry = outline.iter().position(|e| e.1 == "Referral audit report").unwrap();
        let parent = outline[..audit_entry].iter().rev().find(|e| e.0 < outline[audit_entry].0).unwrap();
        assert!(parent.1.starts_with("QI1 "), "{parent:?}");
        assert_eq!(audit_page, purpose_page + 2, "in the order of their first standards, GF1 before QI1");
        assert_eq!(manifest, audit_page + 3, "the manifest follows the last merged page");
        // The manifest closes the file (the live checks' snapshot files make it run over pages).
        let closing: String = pages[manifest - 1..].join("\n").split_whitespace().collect();
        assert!(closing.contains("--expect-head"), "the trail's head in the closing pages: {closing}");
        assert!(
            pages[manifest - 1..].iter().all(|page| !page.contains(" page 1") && !page.contains("Summary by domain")),
            "nothing but the manifest after the merged pages"
        );

        // Withheld evidence: its title on its own page only; its content and file nowhere.
        assert!(pdf::pages_with(&bytes, "Confidential casework").is_empty(), "the withheld file is not merged");
        let all = pdf::text(&bytes);
        assert!(!all.contains(&w.casework) && !all.contains(&w.casework[..12]) && !all.contains("casework.pdf"));
        let titled = pdf::pages_with(&bytes, "Case review sample");
        assert!(!titled.is_empty() && titled.iter().all(|n| *n >= withheld && *n < appendices), "{titled:?}");
        assert!(flat(&pages[withheld - 1]).contains("withheld: contains patient-identifiable data"));

        // The manifest: every file sent with its full hash, the unreadable ones with why; the
        // trail's head; and the head in the footer.
        // The manifest's pages without their running header and footer, so a paragraph carried over
        // a page reads on.
        let running = |line: &&str| {
            line.trim() == "Northshire OH Service"
                || line.contains("SEQOHS evidence pack")
                || (line.contains("Page ") && line.contains(" of "))
        };
        let manifest_text = pages[manifest - 1..]
            .iter()
            .flat_map(|page| page.lines().filter(|l| !running(l)))
            .collect::<Vec<_>>()
            .join("\n");
        let squeezed_manifest: String = manifest_text.split_whitespace().collect();
        for hash in [&w.purpose, &w.audit_report, &w.terms, &w.damaged, &w.encrypted] {
            assert!(squeezed_manifest.contains(hash.as_str()), "{hash} is in the manifest: {manifest_text}");
        }
        assert!(manifest_text.contains("unreadable"));
        let in_index = section.matches("unreadable: listed in the manifest").count();
        assert_eq!(in_index, 2, "the damaged and the encrypted PDF");
        // The head when the pack was gathered: the row before the one recording it.
        let (made_row, _) = ohgov::history::store::head(&mut app.db.conn()).unwrap().unwrap();
        let trail: Vec<(i32, String)> = history::table
            .filter(history::id.eq(made_row - 1))
            .select((history::id, history::row_hash))
            .load(&mut app.db.conn())
            .unwrap();
        let (row, hash) = &trail[0];
        assert!(squeezed_manifest.contains(hash.as_str()), "the trail's head before the pack was made");
        assert!(squeezed_manifest.contains(&format!("--expect-head{row}:{hash}")), "{manifest_text}");
        assert!(pages[2].contains(&format!("Trail head {row}:{}", &hash[..16])), "{}", pages[2]);

        // The metadata.
        let info = pdf::info(&bytes);
        assert_eq!(info.get("Author").map(String::as_str), Some("Northshire OH Service"));
        assert!(info.get("Title").is_some_and(|t| t.contains("SEQOHS evidence pack")));
    }
);

on_both_backends!(
    a_provider_with_no_evidence_says_so_on_each_standard,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Southvale Occupational Health", "southvale");
            let now = chrono::Utc::now().naive_utc();
            let pack = ohgov::documents::pack::build(&mut conn, s.provider, None, support::today(), now).unwrap();
            assert_eq!((pack.counts.items, pack.counts.merged, pack.counts.withheld), (0, 0, 0));
            let made = ohgov::documents::make(&pack.document, pack.file_name.clone()).unwrap();
            let text = pdf::text(&made.bytes);
            assert_eq!(text.matches("No evidence attached to this standard.").count(), pack.counts.standards);
            assert!(pack.counts.standards > 40, "the whole framework: {}", pack.counts.standards);
            assert!(!text.contains("Effective"), "no empty index table");
            assert!(text.contains("No files are attached to these standards."));
            // An unknown framework is refused in words.
            let refused =
                ohgov::documents::pack::build(&mut conn, s.provider, Some("seqohs-1999"), support::today(), now);
            assert!(
                matches!(refused, Err(ohgov::db::StoreError::Invalid(ref e)) if e.to_string().contains("There is no framework seqohs-1999"))
            );
            // The older framework, by its code.
            let old = ohgov::documents::pack::build(&mut conn, s.provider, Some("seqohs-2015"), support::today(), now)
                .unwrap();
            assert_eq!(old.framework.code, "seqohs-2015");
        }
);

on_both_backends!(
    a_commissioner_downloads_the_pack_only_while_it_is_shared,
    app | app | {
        let w = build_world(&mut app.db.migrated());
        let p = w.s.provider;
        let pack = format!("{}/providers/{p}/pack", app.address);
        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER, PASSWORD).await;
        let get = |client: &reqwest::Client, url: String| {
            let client = client.clone();
            async move {
                let response = client.get(url).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap_or_default())
            }
        };
        let (status, page) = get(&commissioner, pack.clone()).await;
        assert_eq!(status, 200);
        assert!(page.contains("has not shared its evidence pack"), "{page}");
        assert!(!page.contains("pack.pdf") && !page.contains("pack/sharing"), "no link, no form");
        assert_eq!(get(&commissioner, format!("{pack}.pdf")).await.0, 403);

        // The manager's page: what the pack holds, the download, and the sharing form.
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let (_, page) = get(&manager, pack.clone()).await;
        assert!(
            page.contains("Download the evidence pack (PDF)")
                && page.contains("Share the evidence pack with our commissioners")
        );
        assert!(
            page.contains("2 PDF documents")
                && page.contains("2 PDFs that could not be read")
                && page.contains("1 item flagged"),
            "{page}"
        );
        let share = |shared: &'static str| {
            let (manager, token, url) = (manager.clone(), token.clone(), format!("{pack}/sharing"));
            async move {
                let mut form = vec![("csrf_token", token)];
                if !shared.is_empty() {
                    form.push(("shared", shared.to_string()));
                }
                manager.post(url).form(&form).send().await.unwrap()
            }
        };
        let response = share("yes").await;
        assert_eq!(response.status().as_u16(), 303);
        let (_, page) = get(&manager, pack.clone()).await;
        assert!(page.contains("The evidence pack is now shared with your commissioners"), "{page}");
        let recorded: i64 = history::table
            .filter(history::entity.eq("document_settings"))
            .filter(history::organisation_id.eq(p.0))
            .count()
            .get_result(&mut app.db.conn())
            .unwrap();
        assert_eq!(recorded, 1, "one history row for the change");

        let (_, page) = get(&commissioner, pack.clone()).await;
        assert!(page.contains("Download the evidence pack (PDF)") && !page.contains("pack/sharing"));
        let response = commissioner.get(format!("{pack}.pdf")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let bytes = response.bytes().await.unwrap();
        assert!(pdf::pages_with(&bytes, "Confidential casework").is_empty(), "withheld for commissioners too");
        let rows = pack_history(&mut app.db.conn(), p);
        assert_eq!(rows[0].1["sha256"]["after"], sha(&bytes));

        // Unshared again: refused again.
        assert_eq!(share("").await.status().as_u16(), 303);
        let (_, page) = get(&manager, pack.clone()).await;
        assert!(page.contains("The evidence pack is no longer shared with your commissioners"));
        assert_eq!(get(&commissioner, format!("{pack}.pdf")).await.0, 403);
        // Something no box sends is refused at its field.
        assert_eq!(share("perhaps").await.status().as_u16(), 422);
        // A viewer neither shares nor sees the form.
        let (viewer, token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let (_, page) = get(&viewer, pack.clone()).await;
        assert!(page.contains("Download the evidence pack (PDF)") && !page.contains("pack/sharing"));
        let refused = viewer.post(format!("{pack}/sharing")).form(&[("csrf_token", token)]).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 403);
    }
);

on_both_backends!(
    the_command_writes_the_same_pack_and_records_it,
    db | db | {
        let w = build_world(&mut db.migrated());
        let p = w.s.provider;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pack.pdf");
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
                .arg("pack")
                .args(args)
                .args(["--database-url", &db.url])
                .env_remove("DATABASE_URL")
                .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
                .output()
                .unwrap()
        };
        let output = run(&["--provider", &p.to_string(), "--framework", "seqohs-2023", "--out", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let printed = String::from_utf8_lossy(&output.stdout).to_string();
        let bytes = std::fs::read(&out).unwrap();
        assert!(printed.contains(out.to_str().unwrap()), "{printed}");
        assert!(printed.contains(&format!("pages: {}", pdf::page_count(&bytes))), "{printed}");
        assert!(printed.contains(&format!("sha256: {}", sha(&bytes))), "{printed}");
        assert!(printed.contains("withheld: 1"), "{printed}");
        let rows = pack_history(&mut db.conn(), p);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, None, "made by the command, no one signed in");
        assert_eq!(rows[0].1["sha256"]["after"], sha(&bytes));

        // The same content as the pack made in the process, but for the trail's head and the time.
        let now = chrono::Utc::now().naive_utc();
        let mut conn = db.migrated();
        let pack = ohgov::documents::pack::build(&mut conn, p, None, support::today(), now).unwrap();
        let made = ohgov::documents::make(&pack.document, pack.file_name).unwrap();
        let steady = |bytes: &[u8]| -> Vec<String> {
            pdf::pages_text(bytes)
                .iter()
                .map(|page| {
                    page.lines()
                        .filter(|l| !l.contains("Trail head") && !l.contains("UTC"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect()
        };
        let (ours, theirs) = (steady(&made.bytes), steady(&bytes));
        assert_eq!(ours.len(), theirs.len());
        let manifest = first_page(&ours, "Every file of the evidence above");
        assert_eq!(ours[..manifest - 1], theirs[..manifest - 1], "every page before the manifest is the same");
        assert_eq!(pdf::outline(&made.bytes), pdf::outline(&bytes));

        // Unknown provider or framework: refused in words.
        let refused = run(&["--provider", "99999", "--out", out.to_str().unwrap()]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("there is no provider 99999"));
        let refused =
            run(&["--provider", &p.to_string(), "--framework", "seqohs-1999", "--out", out.to_str().unwrap()]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("There is no framework seqohs-1999"));
    }
);
