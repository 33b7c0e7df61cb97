//! The signed audit plan as a PDF (issue 14, part 4), on both backends, read back as text: the
//! plan AS SIGNED (its audits, the signer, the date, the snapshot's SHA-256 equal to the stored
//! one), still as signed after the plan changes (the new audit absent from the audits, and the
//! change said), a 404 in words for a plan never signed, the guard's refusals, the file name, the
//! links on the plan's pages, and `ohgov plan-pdf`.
//!
//! The plans are written with direct inserts (the plan-editing pages are the audits area's), as in
//! tests/audit_sign_off.rs.

mod support;

use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::Grant;
use ohgov::accounts::Role;
use ohgov::audits::store::sign_off as store;
use ohgov::db::schema::audit_plan_sign_offs;
use ohgov::db::{DbConnection, StaffId};
use support::audits::{at, new_plan, nurse, Audit};
use support::{browser_signed_in, service, PASSWORD};

/// One audit against GF1, its method worded with the characters a PDF must keep.
fn add_audit(
    conn: &mut DbConnection,
    plan: i32,
    title: &str,
    audit_type: &str,
    lead: Option<StaffId>,
    criteria: &[(&str, f64)],
) -> i32 {
    let method = "Retrospective review of 40 case notes, £0 cost – Siân’s method";
    support::audits::add_audit(
        conn,
        plan,
        &Audit { title, audit_type, standards: &["GF1"], lead, method, criteria, service: None },
    )
}

/// The sector standard's plan for 2026-27, led by Chloé Brennan, submitted and signed at 11:00 UTC.
/// Returns the plan and the stored snapshot's SHA-256.
fn signed_plan(conn: &mut DbConnection, s: &support::Service) -> (i32, String) {
    let chloe = nurse(conn, s.provider, "E1001", "Chloé Brennan");
    let plan = new_plan(conn, s.provider, 2026);
    add_audit(
        conn,
        plan,
        "Consent to referral",
        "local_clinical",
        Some(chloe),
        &[("Consent recorded", 95.0), ("Consent form signed by the employee", 97.5)],
    );
    add_audit(
        conn,
        plan,
        "Fitness for work reports",
        "local_clinical",
        Some(chloe),
        &[("Report sent in 5 days", 90.0)],
    );
    add_audit(conn, plan, "MoHaWK benchmarking", "national_benchmarking", None, &[]);
    store::submit(conn, plan, s.manager, at(10, 0)).unwrap();
    store::sign(conn, plan, s.clinical_director, at(11, 0)).unwrap();
    let hash: String = audit_plan_sign_offs::table
        .filter(audit_plan_sign_offs::plan_id.eq(plan))
        .select(audit_plan_sign_offs::snapshot_sha256)
        .first(conn)
        .unwrap();
    (plan, hash)
}

/// Each page's text, read back as a reader's search would find it.
fn pages_text(bytes: &[u8]) -> Vec<String> {
    assert!(bytes.starts_with(b"%PDF-"), "a PDF: {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(40)]));
    support::pdf::pages_text(bytes)
}

/// Text with every run of whitespace made one space, so words broken over lines still match.
fn spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text without any whitespace: a hash wrapped over two lines reads whole.
fn packed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A page's HTML with the slashes tera escapes in addresses written back.
fn plain(html: &str) -> String {
    html.replace("&#x2F;", "/")
}

async fn get(client: &reqwest::Client, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let disposition = response.headers().get("content-disposition").map(|v| v.to_str().unwrap().to_string());
    (status, disposition, response.bytes().await.unwrap().to_vec())
}

on_both_backends!(
    the_pdf_is_the_plan_as_signed_and_says_when_it_has_changed_since,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (plan, signed_hash) = signed_plan(&mut conn, &s);
        let p = s.provider;
        let base = format!("{}/providers/{p}/audit-plans/2026-27", app.address);
        let (manager, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;

        let (status, disposition, bytes) = get(&manager, &format!("{base}/signed.pdf")).await;
        assert_eq!(status, 200);
        let disposition = disposition.unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            disposition.contains("northshire-oh-service-audit-plan-2026-27-signed-2026-05-14.pdf"),
            "the file name says whose, what and when it was signed: {disposition}"
        );
        let pages = pages_text(&bytes);
        let whole = spaced(&pages.concat());
        for expected in [
            "Audit plan 2026/27, as signed off",
            "Northshire OH Service",
            "Consent to referral",
            "Fitness for work reports",
            "MoHaWK benchmarking",
            "Consent recorded",
            "97.5%",
            "Chloé Brennan",
            "£0 cost – Siân’s method",
            "Clinical director of Northshire OH Service",
            "14 May 2026 at 12:00 BST",
            "Signed off: the plan has not changed since",
        ] {
            assert!(whole.contains(expected), "the PDF reads {expected:?}:\n{whole}");
        }
        assert!(packed(&whole).contains(&signed_hash), "the whole snapshot hash {signed_hash}:\n{whole}");
        assert_eq!(signed_hash, store::snapshot_of(&mut conn, plan).unwrap().hash(), "the stored hash is the plan's");
        let head = ohgov::history::store::head(&mut conn).unwrap().unwrap();
        let footer = packed(&format!("Audit trail head: row {}, {}…", head.0, &head.1[..16]));
        assert!(
            pages.iter().all(|page| packed(page).contains(&footer)),
            "the trail's head ({head:?}) is in every page's footer: {pages:?}"
        );
        assert!(packed(&whole).contains(&head.1), "the trail's head whole, once");

        // Another audit added after the sign-off: the PDF is still the plan as signed, and says the
        // plan has changed (naming what), without laying the new audit out among the audits.
        add_audit(&mut conn, plan, "Health surveillance recall", "record_keeping", None, &[("Recalled in time", 90.0)]);
        let (status, disposition, bytes) = get(&manager, &format!("{base}/signed.pdf")).await;
        assert_eq!(status, 200);
        assert!(disposition.unwrap().contains("signed-2026-05-14.pdf"), "still the version signed on 14 May");
        let whole = spaced(&pages_text(&bytes).concat());
        assert!(whole.contains("Changed since sign-off: it must be signed off again"), "{whole}");
        assert!(whole.contains("Audit added: 'Health surveillance recall'"), "the change in words: {whole}");
        let (_, laid_out) = whole.split_once("The audits").expect("the audits' section");
        assert!(laid_out.contains("Consent to referral"));
        assert!(
            !laid_out.contains("Health surveillance recall"),
            "the new audit is not in the signed plan: {laid_out}"
        );
        assert!(packed(&whole).contains(&signed_hash), "the hash is still the signed one");
        assert!(!whole.contains(&store::snapshot_of(&mut conn, plan).unwrap().hash()), "not the plan's hash now");
    }
);

on_both_backends!(
    a_plan_never_signed_is_a_404_in_words_and_the_guard_refuses_others,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let other = service(&mut conn, "Southvale Occupational Health Ltd", "southvale");
        let (_, _) = signed_plan(&mut conn, &s);
        let unsigned = new_plan(&mut conn, s.provider, 2027);
        add_audit(&mut conn, unsigned, "Consent to referral", "local_clinical", None, &[]);
        store::submit(&mut conn, unsigned, s.manager, at(10, 0)).unwrap();
        // A commissioner under contract with the provider, who reads its figures, not its people.
        let trust = OrganisationInput {
            kind: "commissioner".into(),
            name: "Northshire Teaching Hospitals NHS Trust".into(),
            ..Default::default()
        };
        let trust = ohgov::accounts::store::create_organisation(&mut conn, None, &trust.parse().unwrap()).unwrap();
        let contract = NewContract {
            commissioner_id: trust,
            provider_id: s.provider,
            starts_on: support::today() - chrono::Duration::days(30),
            ends_on: None,
            services: vec![],
        };
        ohgov::accounts::store::create_contract(&mut conn, None, &contract).unwrap();
        let commissioner = UserInput {
            email: "commissioner@trust.example".into(),
            name: "Commissioner of the trust".into(),
            password: PASSWORD.into(),
            is_admin: false,
        };
        let grant = Grant { organisation_id: trust, role: Role::Commissioner, expires_on: None };
        ohgov::accounts::store::create_user(&mut conn, None, &commissioner.parse().unwrap(), Some(grant)).unwrap();
        let p = s.provider;
        let plans = format!("{}/providers/{p}/audit-plans", app.address);

        let (manager, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        for year in ["2027-28", "2030-31"] {
            let response = manager.get(format!("{plans}/{year}/signed.pdf")).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 404, "{year}");
            let page = response.text().await.unwrap();
            let words = format!("The {year} audit plan has not been signed off");
            assert!(page.contains(&words), "{year}: the 404 says {words:?}: {page}");
        }
        assert_eq!(manager.get(format!("{plans}/2026-27x/signed.pdf")).send().await.unwrap().status().as_u16(), 404);

        // Who may read the signed file reads the PDF; the guard answers the others.
        let (viewer, _) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        assert_eq!(get(&viewer, &format!("{plans}/2026-27/signed.pdf")).await.0, 200, "a viewer reads named staff");
        let (commissioner, _) = browser_signed_in(&app, "commissioner@trust.example", PASSWORD).await;
        let (assessor, _) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let (outsider, _) = browser_signed_in(&app, "manager@southvale.example", PASSWORD).await;
        for (who, client, status) in [
            ("commissioner", &commissioner, 403),
            ("assessor", &assessor, 403),
            ("another provider's manager", &outsider, 404),
        ] {
            let (got, disposition, bytes) = get(client, &format!("{plans}/2026-27/signed.pdf")).await;
            assert_eq!(got, status, "{who}");
            assert!(disposition.is_none() && !bytes.starts_with(b"%PDF"), "{who} gets no PDF");
        }
        let _ = other;

        // The plan's page and the signed version's page link the PDF for those who may open it.
        let link = "/audit-plans/2026-27/signed.pdf";
        for client in [&manager, &viewer] {
            let page = client.get(format!("{plans}/2026-27")).send().await.unwrap().text().await.unwrap();
            assert!(plain(&page).contains(link), "the plan's page links the PDF");
            let page = client.get(format!("{plans}/2026-27/sign-offs/1")).send().await.unwrap().text().await.unwrap();
            assert!(plain(&page).contains(link), "the signed version's page links the PDF");
        }
        for client in [&commissioner, &assessor] {
            for page in ["2026-27", "2026-27/sign-offs/1"] {
                let response = client.get(format!("{plans}/{page}")).send().await.unwrap();
                let (status, page_text) = (response.status().as_u16(), response.text().await.unwrap());
                assert!(!plain(&page_text).contains(link), "{page} ({status}) does not link what they cannot open");
            }
        }
        let page = manager.get(format!("{plans}/2027-28")).send().await.unwrap().text().await.unwrap();
        assert!(!plain(&page).contains("/audit-plans/2027-28/signed.pdf"), "no link before the plan is signed");
    }
);

on_both_backends!(
    the_plan_pdf_command_writes_the_signed_plan,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (_, signed_hash) = signed_plan(&mut conn, &s);
        let dir = tempfile::tempdir().unwrap();
        let run = |year: &str, out: &std::path::Path| {
            let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"));
            command.args(["plan-pdf", "--provider", &s.provider.to_string(), "--year", year, "--out"]).arg(out);
            command.args(["--database-url", &db.url]).env_remove("DATABASE_URL");
            command.env("OHGOV_HISTORY_KEY_FILE", db.history_key_file());
            command.output().unwrap()
        };
        let out = dir.path().join("plan.pdf");
        let output = run("2026-27", &out);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let said = String::from_utf8_lossy(&output.stdout);
        assert!(said.contains("Northshire OH Service audit plan 2026/27 as signed off"), "{said}");
        let bytes = std::fs::read(&out).unwrap();
        let whole = spaced(&pages_text(&bytes).concat());
        assert!(whole.contains("Consent to referral") && whole.contains("Clinical director of Northshire OH Service"));
        assert!(packed(&whole).contains(&signed_hash));

        let missing = dir.path().join("unsigned.pdf");
        let output = run("2027-28", &missing);
        assert!(!output.status.success());
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("The 2027-28 audit plan has not been signed off"), "{said}");
        assert!(!missing.exists(), "nothing written");
    }
);
