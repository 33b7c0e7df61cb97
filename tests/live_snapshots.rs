//! Snapshots of what a live check saw (issue 16), on both backends, against the demo service: a
//! snapshot is an evidence item with its title, day, hash and links to the standards naming the
//! check; a later day's is a new version of the same series, the same day's with the same records
//! none; the button and the POST are for those who may add evidence, and a refusal writes nothing;
//! the evidence pack carries the snapshots' tables and flags the standards the records contradict;
//! the demo has such standards; and the commands.

mod support;

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use ohgov::catalogue::model::LiveCheck;
use ohgov::db::schema::{evidence_items, live_snapshots};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::live::model::Verdict;
use ohgov::live::store::snapshots;
use sha2::{Digest, Sha256};
use support::pdf;

const MANAGER: (&str, &str) = ("manager@northshire-oh.example", "demo-manager-2026");
const VIEWER: (&str, &str) = ("viewer@northshire-oh.example", "demo-viewer-2026");

/// The demo service built on `conn` as of `today`: its provider and its manager.
fn demo(conn: &mut DbConnection, today: NaiveDate) -> (ProviderId, UserId) {
    ohgov::cli::demo::build(conn, today).unwrap();
    let provider = ohgov::accounts::demo::demo_provider(conn).unwrap().unwrap();
    let manager: i32 = ohgov::db::schema::users::table
        .filter(ohgov::db::schema::users::email.eq(MANAGER.0))
        .select(ohgov::db::schema::users::id)
        .first(conn)
        .unwrap();
    (provider, UserId(manager))
}

fn words(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// Every version of the series holding `item`: (id, version, superseded_by, effective_on).
fn series_of(conn: &mut DbConnection, item: i32) -> Vec<(i32, i32, Option<i32>, Option<NaiveDate>)> {
    let series: i32 = evidence_items::table.find(item).select(evidence_items::series_id).first(conn).unwrap();
    evidence_items::table
        .filter(evidence_items::series_id.eq(series))
        .select((
            evidence_items::id,
            evidence_items::version,
            evidence_items::superseded_by,
            evidence_items::effective_on,
        ))
        .order(evidence_items::version)
        .load(conn)
        .unwrap()
}

fn evidence_count(conn: &mut DbConnection, provider: ProviderId) -> i64 {
    evidence_items::table.filter(evidence_items::provider_id.eq(provider)).count().get_result(conn).unwrap()
}

on_both_backends!(
    a_snapshot_is_dated_evidence_with_its_hash_and_links_and_a_later_one_a_new_version,
    db | db | {
        let mut conn = db.migrated();
        let today = support::today();
        let (p, manager) = demo(&mut conn, today);
        let registrations = [LiveCheck::RegistrationsCurrent];

        // The demo took today's snapshots; the same records the same day make no new version.
        let before = evidence_count(&mut conn, p);
        let again = snapshots::take(&mut conn, Some(manager), p, Some(&registrations), today).unwrap();
        assert_eq!(again.len(), 1);
        assert!(!again[0].new_version, "today's snapshot with the same records is kept as it is");
        assert_eq!(evidence_count(&mut conn, p), before, "no new item or version");

        // What the item is: its title in words, its day, its file and the hash of that file.
        let item = again[0].item_id;
        let page = ohgov::evidence::store::item(&mut conn, p, item, today).unwrap().unwrap();
        assert_eq!(page.item.title, format!("Records as of {}: professional registrations", words(today)));
        assert_eq!(page.item.effective_on, Some(today));
        assert_eq!(page.item.media_type.as_deref(), Some("text/csv; charset=utf-8"));
        let file = ohgov::evidence::store::download(&mut conn, p, item).unwrap().unwrap();
        assert_eq!(page.item.sha256.clone().unwrap(), hex::encode(Sha256::digest(&file.content)));
        let text = String::from_utf8(file.content.clone()).unwrap();
        assert!(text.starts_with("Check,workforce.registrations_current\n"), "{text}");
        assert!(text.contains("Verdict,Fails\n") && text.contains("1 registration expired: E10009"), "{text}");
        assert!(text.contains("E10009,OH nurse on the SCPHN register,NMC"), "the table the check read: {text}");
        // Linked to every standard of the framework naming the check, and only those.
        let links: Vec<String> = page.links.iter().map(|l| l.reference.clone()).collect();
        assert_eq!(links, ["RP1"]);
        let cpd =
            snapshots::take(&mut conn, Some(manager), p, Some(&[LiveCheck::SubspecialismsArranged]), today).unwrap();
        let linked = ohgov::evidence::store::item(&mut conn, p, cpd[0].item_id, today).unwrap().unwrap().links;
        let linked: Vec<&str> = linked.iter().map(|l| l.reference.as_str()).collect();
        assert_eq!(linked, ["RP9", "SS11"]);

        // A later day: a new version of the same series, the first superseded; the library shows
        // the newest only.
        let tomorrow = today + Duration::days(1);
        let next = snapshots::take(&mut conn, Some(manager), p, Some(&registrations), tomorrow).unwrap();
        assert!(next[0].new_version);
        assert_ne!(next[0].item_id, item);
        let versions = series_of(&mut conn, item);
        assert_eq!(
            versions,
            [(item, 1, Some(next[0].item_id), Some(today)), (next[0].item_id, 2, None, Some(tomorrow))]
        );
        let library = ohgov::evidence::store::library(&mut conn, p, &Default::default(), tomorrow).unwrap();
        let shown: Vec<&str> = library
            .iter()
            .filter(|l| l.item.title.ends_with("professional registrations"))
            .map(|l| l.item.title.as_str())
            .collect();
        assert_eq!(shown, [format!("Records as of {}: professional registrations", words(tomorrow))]);
        let newest = ohgov::evidence::store::item(&mut conn, p, next[0].item_id, tomorrow).unwrap().unwrap();
        assert_eq!(newest.links.iter().map(|l| l.reference.as_str()).collect::<Vec<_>>(), ["RP1"], "links stay");

        // A withdrawn snapshot is not superseded: the next one starts a new series.
        let when = chrono::Utc::now().naive_utc();
        ohgov::evidence::store::withdraw(&mut conn, Some(manager), p, next[0].item_id, "Taken by mistake", when)
            .unwrap();
        let fresh = snapshots::take(&mut conn, Some(manager), p, Some(&registrations), tomorrow).unwrap();
        assert!(fresh[0].new_version);
        assert_eq!(series_of(&mut conn, fresh[0].item_id).len(), 1, "a series of its own");
        let kept: Vec<(i32, i32)> = live_snapshots::table
            .filter(live_snapshots::provider_id.eq(p.0))
            .filter(live_snapshots::check_code.eq(LiveCheck::RegistrationsCurrent))
            .select((live_snapshots::series_id, live_snapshots::item_id))
            .load(&mut conn)
            .unwrap();
        assert_eq!(kept, [(fresh[0].item_id, fresh[0].item_id)]);
    }
);

on_both_backends!(
    the_demo_has_standards_contradicted_by_the_records,
    db | db | {
        let mut conn = db.migrated();
        let today = support::today();
        let (p, _) = demo(&mut conn, today);
        let live = ohgov::live::store::verdicts::by_standard;
        let report = ohgov::assessment::store::readiness(&mut conn, p, today, live).unwrap();
        assert!(report.readiness.contradicted >= 1, "{}", report.readiness.contradicted);
        let rp1 =
            report.readiness.domains.iter().flat_map(|d| d.standards.iter()).find(|s| s.reference == "RP1").unwrap();
        assert!(rp1.contradicted, "RP1 is marked met while a nurse's registration has lapsed");
        assert_eq!(rp1.live_checks[0].verdict, Verdict::Fails);
        assert!(rp1.live_checks[0].summary.contains("E10009"), "{}", rp1.live_checks[0].summary);
    }
);

on_both_backends!(
    the_snapshot_button_and_post_are_for_those_who_may_add_evidence,
    app | app | {
        let today = support::today();
        let (p, manager_id) = demo(&mut app.db.migrated(), today);
        let standard = format!("{}/providers/{p}/assessment/RP1", app.address);
        let button = "Take a snapshot of the records for RP1";

        // A viewer sees no button, and the POST is refused with nothing written.
        let (viewer, token) = support::browser_signed_in(&app, VIEWER.0, VIEWER.1).await;
        let page = viewer.get(&standard).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("RP1") && !page.contains(button), "{page}");
        let before = evidence_count(&mut app.db.conn(), p);
        let refused = viewer.post(format!("{standard}/snapshot")).form(&[("csrf_token", token)]).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 403);
        assert_eq!(evidence_count(&mut app.db.conn(), p), before, "nothing written");

        // The manager sees it; the demo's snapshot of today is withdrawn, so the POST takes a new one.
        let kept: i32 = live_snapshots::table
            .filter(live_snapshots::provider_id.eq(p.0))
            .filter(live_snapshots::check_code.eq(LiveCheck::RegistrationsCurrent))
            .select(live_snapshots::item_id)
            .first(&mut app.db.conn())
            .unwrap();
        let when = chrono::Utc::now().naive_utc();
        ohgov::evidence::store::withdraw(&mut app.db.conn(), Some(manager_id), p, kept, "Again", when).unwrap();
        let (manager, token) = support::browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let page = manager.get(&standard).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(button), "{page}");
        let taken =
            manager.post(format!("{standard}/snapshot")).form(&[("csrf_token", token.clone())]).send().await.unwrap();
        assert_eq!(taken.status().as_u16(), 303);
        let location = taken.headers().get("location").unwrap().to_str().unwrap().to_string();
        assert_eq!(location, format!("/providers/{p}/assessment/RP1#evidence"));
        let page = manager.get(&standard).send().await.unwrap().text().await.unwrap();
        let title = format!("Records as of {}: professional registrations", words(today));
        assert!(
            page.contains(&format!(
                "Snapshot of the records taken for RP1: professional registrations as of {}",
                words(today)
            )),
            "the confirmation in words: {page}"
        );
        assert!(page.contains(&title), "listed in the standard's evidence: {page}");
        assert_eq!(evidence_count(&mut app.db.conn(), p), before + 1, "one new item");

        // Again the same day, with the same records: nothing new, and said so.
        let again =
            manager.post(format!("{standard}/snapshot")).form(&[("csrf_token", token.clone())]).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 303);
        let page = manager.get(&standard).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("The records for RP1 have not changed since today"), "{page}");
        assert_eq!(evidence_count(&mut app.db.conn(), p), before + 1);

        // A standard naming no check is refused in words; no button on its page.
        let gf2 = format!("{}/providers/{p}/assessment/GF2", app.address);
        assert!(!manager.get(&gf2).send().await.unwrap().text().await.unwrap().contains("Take a snapshot"));
        let refused = manager.post(format!("{gf2}/snapshot")).form(&[("csrf_token", token)]).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 409);
        assert_eq!(evidence_count(&mut app.db.conn(), p), before + 1);
    }
);

/// Runs `ohgov` against the test's database.
fn ohgov(db: &support::TestDb, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(args)
        .args(["--database-url", &db.url])
        .env_remove("DATABASE_URL")
        .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
        .output()
        .unwrap()
}

on_both_backends!(
    the_pack_carries_the_snapshots_and_flags_what_the_records_contradict,
    db | db | {
        let today = support::today();
        let (p, _) = demo(&mut db.migrated(), today);
        let provider = p.to_string();

        // The verdicts, as the readiness document's `live_checks` has them.
        let output = ohgov(&db, &["live", "check", "--provider", &provider, "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let checks: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let checks = checks.as_array().unwrap();
        assert_eq!(checks.len(), 12, "every check the standards name, once");
        let registrations = checks.iter().find(|c| c["check"] == "workforce.registrations_current").unwrap();
        assert_eq!(registrations["verdict"], "fails");
        assert_eq!(registrations["standards"], serde_json::json!(["RP1"]));
        assert!(registrations["summary"].as_str().unwrap().contains("E10009"));
        let output = ohgov(&db, &["live", "check", "--provider", &provider]);
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(printed.contains("Fails") && printed.contains("1 registration expired: E10009"), "{printed}");

        // Snapshots by the command: today's are kept as they are; an unknown check is refused.
        let output =
            ohgov(&db, &["live", "snapshot", "--provider", &provider, "--check", "workforce.registrations_current"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(printed.contains("unchanged since today's, kept: Records as of"), "{printed}");
        let refused = ohgov(&db, &["live", "snapshot", "--provider", &provider, "--check", "workforce.nope"]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("there is no check \"workforce.nope\""));

        // The pack, by the command: fresh snapshots first, then every part.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pack.pdf");
        let output = ohgov(&db, &["pack", "--provider", &provider, "--out", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(printed.contains("snapshots of the records: 12"), "{printed}");
        let bytes = std::fs::read(&out).unwrap();
        let pages = pdf::pages_text(&bytes);
        let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");

        // The records section: the snapshot's table as the file holds it.
        let heading = format!("Records as of {}", words(today));
        let records = pages.iter().position(|page| flat(page).contains(&heading)).expect("the records section") + 1;
        let records_text = flat(&pages[records - 1..].join("\n"));
        assert!(records_text.contains("Professional registrations of the clinicians in post"), "{records_text}");
        assert!(records_text.contains("E10009") && records_text.contains("Expired"), "{records_text}");
        let title = format!("Records as of {}: professional registrations", words(today));
        assert!(records_text.contains(&title));

        // RP1's section: marked met, contradicted, with the failing fact, and the snapshot in its
        // evidence index pointing at the page its table is on.
        let outline = pdf::outline(&bytes);
        let heading_of = |prefix: &str| outline.iter().find(|(_, t, _)| t.starts_with(prefix)).cloned().unwrap();
        let (rp1, rp2) = (heading_of("RP1 "), heading_of("RP2 "));
        let sections = flat(&pages[rp1.2 as usize - 1..rp2.2 as usize].join("\n"));
        let at = sections.find(&rp1.1).unwrap();
        let rp1_text = &sections[at..at + sections[at..].find(&rp2.1).unwrap()];
        assert!(rp1_text.contains("Contradicted by records"), "{rp1_text}");
        assert!(rp1_text.contains("1 registration expired: E10009"), "{rp1_text}");
        assert!(rp1_text.contains(&title) && rp1_text.contains("records p."), "{rp1_text}");
        let page_named: usize = rp1_text[rp1_text.find("records p.").unwrap() + "records p.".len()..]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(flat(&pages[page_named - 1]).contains(&title), "the table is on the page named");

        // The summary lists the contradicted standards; the manifest lists the snapshot's file.
        let all = flat(&pdf::text(&bytes));
        assert!(all.contains("Contradicted by records") && all.contains("standards are marked met, but a live check"));
        let sha: String = live_snapshots::table
            .filter(live_snapshots::provider_id.eq(p.0))
            .filter(live_snapshots::check_code.eq(LiveCheck::RegistrationsCurrent))
            .select(live_snapshots::sha256)
            .first(&mut db.conn())
            .unwrap();
        assert!(all.replace(' ', "").contains(&sha), "the snapshot's file and hash in the manifest");
    }
);
