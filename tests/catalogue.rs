//! Loading the standards catalogue: idempotent, all or nothing, and shown on /catalogue.

mod support;

use diesel::prelude::*;
use ohgov::catalogue::{self, store, Source};
use ohgov::db::schema::{catalogue_nodes, catalogue_replaces, catalogues, kpi_definitions, profession_rules};
use ohgov::db::DbConnection;

/// Whole rows of `catalogues` and `catalogue_nodes`, column for column.
type CatalogueRow =
    (i32, String, String, String, String, Option<String>, Option<String>, String, String, chrono::NaiveDateTime);
type NodeRow = (i32, i32, String, Option<i32>, String, String, i32, String, String, String, bool);

/// Every catalogue row, in a stable order, as text: two loads must leave exactly this the same.
fn snapshot(conn: &mut DbConnection) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let cats: Vec<CatalogueRow> = catalogues::table.order(catalogues::id).load(conn).unwrap();
    rows.extend(cats.iter().map(|r| format!("{r:?}")));
    let nodes: Vec<NodeRow> = catalogue_nodes::table.order(catalogue_nodes::id).load(conn).unwrap();
    rows.extend(nodes.iter().map(|r| format!("{r:?}")));
    let replaces: Vec<(i32, i32, i32)> = catalogue_replaces::table.order(catalogue_replaces::id).load(conn).unwrap();
    rows.extend(replaces.iter().map(|r| format!("{r:?}")));
    let professions: Vec<(i32, String, String)> = profession_rules::table
        .select((profession_rules::node_id, profession_rules::regulator, profession_rules::disciplines))
        .order(profession_rules::node_id)
        .load(conn)
        .unwrap();
    rows.extend(professions.iter().map(|r| format!("{r:?}")));
    let kpis: Vec<(i32, String, bool, f64, String)> =
        kpi_definitions::table.order(kpi_definitions::node_id).load(conn).unwrap();
    rows.extend(kpis.iter().map(|r| format!("{r:?}")));
    rows
}

fn count_rows(conn: &mut DbConnection) -> (i64, i64) {
    (catalogues::table.count().get_result(conn).unwrap(), catalogue_nodes::table.count().get_result(conn).unwrap())
}

on_both_backends!(
    loading_twice_leaves_exactly_the_same_rows,
    db | db | {
        let mut conn = db.migrated();
        let sources = catalogue::builtin_sources();
        let first = store::load(&mut conn, &sources).expect("first load");
        assert!(first.files.iter().all(|(_, o)| matches!(o, store::FileOutcome::Created { .. })), "{first:?}");
        let after_first = snapshot(&mut conn);
        assert!(after_first.len() > 100, "the catalogue has content");

        let second = store::load(&mut conn, &sources).expect("second load");
        assert!(second.files.iter().all(|(_, o)| *o == store::FileOutcome::Unchanged), "{second:?}");
        assert_eq!(snapshot(&mut conn), after_first);

        // Carry-over links resolve to real 2015 nodes.
        let links: i64 = catalogue_replaces::table.count().get_result(&mut conn).unwrap();
        assert!(links > 0);
    }
);

on_both_backends!(
    a_changed_file_updates_in_place_and_retires_what_it_dropped,
    db | db | {
        let mut conn = db.migrated();
        let mut sources = catalogue::builtin_sources();
        store::load(&mut conn, &sources).expect("first load");
        let ids_before: Vec<(String, i32)> = catalogue_nodes::table
            .inner_join(catalogues::table)
            .filter(catalogues::code.eq("subspecialisms"))
            .select((catalogue_nodes::reference, catalogue_nodes::id))
            .order(catalogue_nodes::reference)
            .load(&mut conn)
            .unwrap();

        // Retitle one sub-specialism and drop the last one.
        let file = sources.iter_mut().find(|s| s.name.ends_with("subspecialisms.toml")).unwrap();
        file.text = file.text.replace("title = \"Radiation\"", "title = \"Ionising radiation\"");
        let last = file.text.rfind("[[node]]").unwrap();
        file.text.truncate(last);
        let report = store::load(&mut conn, &sources).expect("reload");
        let outcome = report.files.iter().find(|(c, _)| c == "subspecialisms").map(|(_, o)| o.clone());
        assert_eq!(outcome, Some(store::FileOutcome::Updated { inserted: 0, updated: 1, retired: 1 }));

        let ids_after: Vec<(String, i32)> = catalogue_nodes::table
            .inner_join(catalogues::table)
            .filter(catalogues::code.eq("subspecialisms"))
            .select((catalogue_nodes::reference, catalogue_nodes::id))
            .order(catalogue_nodes::reference)
            .load(&mut conn)
            .unwrap();
        assert_eq!(ids_before, ids_after, "ids are kept, so later records keep pointing at them");
        let radiation: String = catalogue_nodes::table
            .filter(catalogue_nodes::reference.eq("RAD"))
            .select(catalogue_nodes::title)
            .first(&mut conn)
            .unwrap();
        assert_eq!(radiation, "Ionising radiation");
        let retired: i64 =
            catalogue_nodes::table.filter(catalogue_nodes::retired.eq(true)).count().get_result(&mut conn).unwrap();
        assert_eq!(retired, 1);
    }
);

/// A copy of the built-in catalogue with one file's text changed.
fn builtin_with(file: &str, change: impl Fn(&str) -> String) -> Vec<Source> {
    let mut sources = catalogue::builtin_sources();
    let source = sources.iter_mut().find(|s| s.name.ends_with(file)).expect("file exists");
    let changed = change(&source.text);
    assert_ne!(changed, source.text, "the test must actually change the file");
    source.text = changed;
    sources
}

/// Loads a bad set into a database that already holds the catalogue and into an empty one:
/// both are refused with the named problem, and neither database changes.
fn assert_refused_whole(db: &support::TestDb, sources: &[Source], problem: &str, reference: &str) {
    let mut conn = db.migrated();
    let before = snapshot(&mut conn);
    let error = store::load(&mut conn, sources).expect_err("the bad set is refused");
    let store::LoadError::Refused(errors) = error else { panic!("refused, not a database error: {error}") };
    let found =
        errors.0.iter().find(|e| e.problem.name() == problem).unwrap_or_else(|| panic!("{problem} in {errors}"));
    assert_eq!(found.reference.as_deref(), Some(reference), "{found}");
    assert!(found.line.is_some(), "{found} names its line");
    assert!(found.file.ends_with(".toml"), "{found} names its file");
    assert_eq!(snapshot(&mut conn), before, "nothing was written");
}

on_both_backends!(
    each_bad_file_case_is_named_and_writes_nothing,
    db | db | {
        // Once on an empty database and once over a loaded catalogue.
        for preloaded in [false, true] {
            if preloaded {
                store::load(&mut db.migrated(), &catalogue::builtin_sources()).expect("load");
            } else {
                assert_eq!(count_rows(&mut db.migrated()), (0, 0));
            }
            let cases: Vec<(Vec<Source>, &str, &str)> = vec![
                (
                    builtin_with("subspecialisms.toml", |t| t.replace("ref = \"TB\"", "ref = \"BBV\"")),
                    "duplicate-reference",
                    "BBV",
                ),
                (
                    builtin_with("seqohs-2023.toml", |t| t.replacen("parent = \"GF\"", "parent = \"ZZ\"", 1)),
                    "unknown-parent",
                    "GF1",
                ),
                (
                    builtin_with("seqohs-2023.toml", |t| {
                        t.replacen("ref = \"GF\"\n", "ref = \"GF\"\nparent = \"GF1\"\n", 1)
                    }),
                    "cycle",
                    "GF",
                ),
                (
                    builtin_with("nhs-core-services.toml", |t| {
                        t.replacen("level = \"must\"", "level = \"essential\"", 1)
                    }),
                    "unknown-level",
                    "PREV",
                ),
                (
                    builtin_with("nhs-core-services.toml", |t| t.replacen("title = \"Prevention\"\n", "", 1)),
                    "missing-title",
                    "PREV",
                ),
                (
                    builtin_with("seqohs-2023.toml", |t| {
                        let i = t.find("replaces = [\"").expect("a replaces entry");
                        let mut out = t.to_string();
                        out.insert_str(i + "replaces = [".len(), "\"Q99\", ");
                        out
                    }),
                    "unknown-replaces",
                    "GF1",
                ),
            ];
            for (sources, problem, reference) in &cases {
                assert_refused_whole(&db, sources, problem, reference);
            }
            if !preloaded {
                assert_eq!(count_rows(&mut db.migrated()), (0, 0), "an empty database stays empty");
            }
        }
    }
);

on_both_backends!(
    catalogue_page_shows_frameworks_standards_and_lists,
    app | app | {
        let (status, body) = app.get_text("/catalogue").await;
        assert_eq!(status, 200);
        assert_eq!(body.matches("<h1").count(), 1, "one h1");
        for text in [
            "SEQOHS standards (2023)",
            "Governance and finance",
            "Sector specific standards",
            "Evidence an assessor expects",
            "Prevention",
            "Teaching and training",
            "Blood-borne viruses",
            "Cytotoxics",
            "General Medical Council",
            "12A3456E",
            "Working days from referral to appointment",
        ] {
            assert!(body.contains(text), "the catalogue page shows {text:?}");
        }
        // Standards carry their level in words, not colour alone.
        assert!(body.contains(">Must</strong>") && body.contains(">Should</strong>"));
        // 2015 is listed for older evidence, and the 2023 standards say what they replace.
        assert!(body.contains("SEQOHS") && body.contains("2015"));
        assert!(body.contains("Replaces seqohs-2015"));
    }
);

#[test]
fn the_load_command_reports_and_refuses_bad_files() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = support::TestDb::sqlite_with(support::Seed::Migrated);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(args)
            .args(["--database-url", &db.url])
            .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
            .output()
            .expect("run ohgov")
    };
    let standards = concat!(env!("CARGO_MANIFEST_DIR"), "/standards");
    let first = run(&["catalogue", "load", standards]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("seqohs-2023: loaded"));
    let second = run(&["catalogue", "load", standards]);
    let out = String::from_utf8_lossy(&second.stdout);
    assert_eq!(out.lines().filter(|l| l.ends_with(": unchanged")).count(), 6, "{out}");

    let bad = tempfile::tempdir().unwrap();
    for source in catalogue::builtin_sources() {
        let name = source.name.trim_start_matches("standards/");
        let text = if name == "kpis.toml" {
            source.text.replacen("level = \"should\"", "level = \"sometimes\"", 1)
        } else {
            source.text
        };
        std::fs::write(bad.path().join(name), text).unwrap();
    }
    let refused = run(&["catalogue", "load", bad.path().to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("kpis.toml:") && err.contains("unknown level \"sometimes\"") && err.contains("[unknown-level]"),
        "{err}"
    );
    assert!(err.contains("nothing was loaded"), "{err}");
}
