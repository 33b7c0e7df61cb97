//! Loading the standards catalogue: idempotent, all or nothing, and shown on /catalogue.

mod support;

use diesel::prelude::*;
use ohgov::catalogue::{self, store, Source};
use ohgov::db::schema::{catalogue_nodes, catalogue_replaces, catalogues, kpi_definitions, profession_rules};
use ohgov::db::DbConnection;

/// Whole rows of `catalogues` and `catalogue_nodes`, column for column.
type CatalogueRow =
    (i32, String, String, String, String, Option<String>, Option<String>, String, String, chrono::NaiveDateTime);
type NodeRow = (i32, i32, String, Option<i32>, String, String, i32, String, String, String, bool, String);

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
    let kpis: Vec<(i32, String, bool, f64, String, Option<String>)> =
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
            "id=\"document-kinds\"",
            "Contingency plan for the loss of key staff",
            "Information-sharing agreement (including immunisation status)",
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
    assert_eq!(out.lines().filter(|l| l.ends_with(": unchanged")).count(), 7, "{out}");

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

/// (level, parent's reference, title) of each stored node of `code` with one of `references`.
fn stored(conn: &mut DbConnection, code: &str, references: &[&str]) -> Vec<(String, String, String, String)> {
    let parent = diesel::alias!(catalogue_nodes as parent);
    catalogue_nodes::table
        .inner_join(catalogues::table)
        .inner_join(parent.on(catalogue_nodes::parent_id.eq(parent.field(catalogue_nodes::id).nullable())))
        .filter(catalogues::code.eq(code))
        .filter(catalogue_nodes::reference.eq_any(references))
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            catalogue_nodes::reference,
            catalogue_nodes::level,
            parent.field(catalogue_nodes::reference),
            catalogue_nodes::title,
        ))
        .order(catalogue_nodes::position)
        .load::<(String, ohgov::catalogue::model::Level, String, String)>(conn)
        .unwrap()
        .into_iter()
        .map(|(reference, level, parent, title)| (reference, level.as_str().to_string(), parent, title))
        .collect()
}

on_both_backends!(
    the_commissioning_guidance_musts_are_must_standards_of_the_nhs_domain,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let musts = ["SS7", "SS8", "SS9", "SS10", "SS11"];
        let rows = stored(&mut conn, "seqohs-2023", &musts);
        let found: Vec<(&str, &str, &str)> =
            rows.iter().map(|(r, level, parent, _)| (r.as_str(), level.as_str(), parent.as_str())).collect();
        assert_eq!(
            found,
            musts.iter().map(|r| (*r, "must", "SS")).collect::<Vec<_>>(),
            "each is a must standard of the NHS sector domain"
        );
        let titles: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Clinical governance systems cover the whole NHS service",
                "A skilled multidisciplinary specialist team",
                "Contingency plans cover the loss or absence of key staff",
                "A plan for training new OH specialists",
                "Special expertise is arranged for every sub-specialism",
            ]
        );
        let sector: i64 = {
            let parent = diesel::alias!(catalogue_nodes as parent);
            catalogue_nodes::table
                .inner_join(catalogues::table)
                .inner_join(parent.on(catalogue_nodes::parent_id.eq(parent.field(catalogue_nodes::id).nullable())))
                .filter(catalogues::code.eq("seqohs-2023"))
                .filter(parent.field(catalogue_nodes::reference).eq("SS"))
                .count()
                .get_result(&mut conn)
                .unwrap()
        };
        assert_eq!(sector, 11);
    }
);

on_both_backends!(
    the_catalogue_page_shows_one_definition_of_m_appt_and_the_growing_oh_measures,
    app | app | {
        let (status, body) = app.get_text("/catalogue").await;
        assert_eq!(status, 200);
        // M-APPT's row: its title and guidance, and nowhere a second definition.
        let row = body.split("<tr>").find(|r| r.contains(">M-APPT<")).expect("a row for M-APPT");
        assert!(row.contains("Appointment within 10 days of referral"), "{row}");
        assert!(row.contains("within 10 days of the referral being received"), "{row}");
        assert!(row.contains("<td>percent</td>"), "{row}");
        assert!(!body.contains("10 working days"), "no other definition on the page");

        assert!(body.contains("Outcome and leading measures (Growing OH)"));
        for (reference, title, indicator) in [
            ("G-RTW", "Return to work after OH intervention", "Lagging (outcome)"),
            ("G-NEED", "Need met against need assessed", "Lagging (outcome)"),
            ("G-HWC", "Wellbeing conversations held", "Leading"),
            ("G-HANDRAIL", "Reports meeting the report-quality (&#x27;handrail&#x27;) standards", "Leading"),
        ] {
            let row = body.split("<tr>").find(|r| r.contains(&format!(">{reference}<"))).expect(reference);
            assert!(row.contains(title), "{reference}: {row}");
            assert!(row.contains("<td>Higher</td>"), "{reference}: {row}");
            assert!(row.contains(&format!("<td>{indicator}</td>")), "{reference}: {row}");
        }
        // The must standards of the NHS domain carry their level on the page.
        let ss10 = body.split("<article").find(|a| a.contains("id=\"seqohs-2023-SS10\"")).expect("SS10 is shown");
        assert!(ss10.contains("A plan for training new OH specialists") && ss10.contains(">Must</strong>"));
        // The 2015 framework's NHS domain is shown, and its 2023 successor says what it replaces.
        assert!(body.contains("NHS standards (optional)"));
        let ss1 = body.split("<article").find(|a| a.contains("id=\"seqohs-2023-SS1\"")).expect("SS1 is shown");
        assert!(ss1.contains("Replaces seqohs-2015: NHS1"), "{ss1}");
    }
);

on_both_backends!(
    the_growing_oh_measures_load_with_their_units_directions_and_indicators,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let rows: Vec<(String, String, bool, Option<String>)> = kpi_definitions::table
            .inner_join(catalogue_nodes::table)
            .filter(catalogue_nodes::reference.like("G-%"))
            .select((
                catalogue_nodes::reference,
                kpi_definitions::unit,
                kpi_definitions::higher_is_better,
                kpi_definitions::indicator,
            ))
            .order(catalogue_nodes::position)
            .load(&mut conn)
            .unwrap();
        let lagging = Some("lagging".to_string());
        let leading = Some("leading".to_string());
        assert_eq!(
            rows,
            [
                ("G-RTW".to_string(), "percent".to_string(), true, lagging.clone()),
                ("G-NEED".to_string(), "percent".to_string(), true, lagging),
                ("G-HWC".to_string(), "percent".to_string(), true, leading.clone()),
                ("G-HANDRAIL".to_string(), "percent".to_string(), true, leading),
            ]
        );
        let unsaid: i64 =
            kpi_definitions::table.filter(kpi_definitions::indicator.is_null()).count().get_result(&mut conn).unwrap();
        assert_eq!(unsaid, 0, "every KPI says whether it leads or lags");
        let kpis: i64 = kpi_definitions::table.count().get_result(&mut conn).unwrap();
        assert_eq!(kpis, 20, "eight MoHaWK indicators, eight service KPIs and four Growing OH measures");
    }
);

on_both_backends!(
    a_database_loaded_before_these_changes_takes_them_with_the_next_load,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let links_when_fresh: i64 = catalogue_replaces::table.count().get_result(&mut conn).unwrap();
        // As an older database is after the migration: its KPIs say nothing of leading or
        // lagging, its texts are older ones, and none of the new entries are there.
        let groups: Vec<i32> = catalogue_nodes::table
            .filter(catalogue_nodes::reference.eq_any(["NHS", "GROWING"]))
            .select(catalogue_nodes::id)
            .load(&mut conn)
            .unwrap();
        let new_entries: Vec<i32> = catalogue_nodes::table
            .filter(
                catalogue_nodes::reference
                    .eq_any(["SS7", "SS8", "SS9", "SS10", "SS11"])
                    .or(catalogue_nodes::parent_id.eq_any(&groups)),
            )
            .select(catalogue_nodes::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(new_entries.len(), 15, "five SS standards, six NHS ones, four Growing OH measures");
        diesel::delete(catalogue_replaces::table).execute(&mut conn).unwrap();
        diesel::delete(kpi_definitions::table.filter(kpi_definitions::node_id.eq_any(&new_entries)))
            .execute(&mut conn)
            .unwrap();
        diesel::delete(catalogue_nodes::table.filter(catalogue_nodes::id.eq_any(&new_entries)))
            .execute(&mut conn)
            .unwrap();
        diesel::delete(catalogue_nodes::table.filter(catalogue_nodes::id.eq_any(&groups))).execute(&mut conn).unwrap();
        diesel::update(kpi_definitions::table)
            .set(kpi_definitions::indicator.eq(None::<String>))
            .execute(&mut conn)
            .unwrap();
        diesel::update(catalogues::table).set(catalogues::content_sha256.eq("older")).execute(&mut conn).unwrap();
        let before = store::overview(&mut conn).expect("the catalogue page still reads it");
        let kpis = before.iter().find(|c| c.code == "kpis").expect("the KPIs");
        assert!(kpis
            .entries
            .iter()
            .flat_map(|g| g.children.iter())
            .all(|k| k.kpi.as_ref().is_some_and(|d| d.indicator.is_none())));

        let report = store::load(&mut conn, &catalogue::builtin_sources()).expect("the next load");
        let added = |code: &str| match report.files.iter().find(|(c, _)| c == code) {
            Some((_, store::FileOutcome::Updated { inserted, .. })) => *inserted,
            other => panic!("{code}: {other:?}"),
        };
        assert_eq!((added("seqohs-2023"), added("seqohs-2015"), added("kpis")), (5, 7, 5));
        let unsaid: i64 =
            kpi_definitions::table.filter(kpi_definitions::indicator.is_null()).count().get_result(&mut conn).unwrap();
        assert_eq!(unsaid, 0, "every KPI now says whether it leads or lags");
        assert_eq!(stored(&mut conn, "seqohs-2023", &["SS9"])[0].1, "must");
        let links: i64 = catalogue_replaces::table.count().get_result(&mut conn).unwrap();
        assert_eq!(links, links_when_fresh, "the carry-over links are rebuilt, NHS1 to NHS6 included");
        let nhs_links: i64 = catalogue_replaces::table
            .inner_join(catalogue_nodes::table.on(catalogue_nodes::id.eq(catalogue_replaces::replaced_node_id)))
            .filter(catalogue_nodes::reference.like("NHS%"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(nhs_links, 6);
    }
);

/// Saves a self-assessment of `reference` in the provider's current cycle.
fn assess(
    conn: &mut DbConnection,
    by: ohgov::db::UserId,
    provider: ohgov::db::ProviderId,
    reference: &str,
    result: &str,
) {
    let input = ohgov::assessment::model::AssessmentInput {
        workflow: "done".into(),
        result: result.into(),
        not_applicable_reason: if result == "not_applicable" { "No NHS customers then".into() } else { String::new() },
        narrative: format!("How the service meets {reference}"),
        ..Default::default()
    };
    ohgov::assessment::store::save_assessment(
        conn,
        Some(by),
        provider,
        reference,
        &input.parse().unwrap(),
        support::today(),
    )
    .unwrap_or_else(|e| panic!("{reference} is a standard of the framework: {e}"));
}

on_both_backends!(
    the_2015_nhs_domain_is_optional_and_its_results_carry_over_to_the_2023_one,
    catalogue_db | db | {
        use ohgov::assessment::model::CycleKind;
        use ohgov::assessment::store as assessment;
        let mut conn = db.migrated();
        let s = support::service(&mut conn, "Northshire OH Service", "northshire");
        let (p, m, today) = (s.provider, s.manager, support::today());
        let began = chrono::NaiveDate::from_ymd_opt(2022, 4, 1).unwrap();
        assessment::start_cycle(&mut conn, Some(m), p, CycleKind::Initial, "seqohs-2015", began).unwrap();

        // An independent provider with no NHS contract: the 2015 NHS domain is shown but not
        // counted, as domain 6 of 2023 is not; chosen on, its six standards count.
        let details = |nhs_domain: &str| ohgov::accounts::model::ProviderDetailsInput {
            name: "Northshire OH Service".into(),
            organisation_type: "independent".into(),
            nhs_domain: nhs_domain.into(),
            ..Default::default()
        };
        let counts = |conn: &mut DbConnection| {
            let r = assessment::readiness(conn, p, today, ohgov::live::store::verdicts::by_standard).unwrap().readiness;
            let nhs = r.domains.iter().find(|d| d.reference == "NHS").expect("the NHS domain is shown");
            (nhs.applies, r.standard_count)
        };
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("default").parse().unwrap()).unwrap();
        assert_eq!(counts(&mut conn), (false, 20), "domains A to F: 20 standards");
        ohgov::accounts::store::update_provider(&mut conn, None, p, &details("applies").parse().unwrap()).unwrap();
        assert_eq!(counts(&mut conn), (true, 26));

        let results = ["met", "met", "partly_met", "not_met", "met", "not_applicable"];
        for (i, result) in results.iter().enumerate() {
            assess(&mut conn, m, p, &format!("NHS{}", i + 1), result);
        }
        let moved = chrono::NaiveDate::from_ymd_opt(2024, 4, 1).unwrap();
        let (_, carried) =
            assessment::start_cycle(&mut conn, Some(m), p, CycleKind::Reaccreditation, "seqohs-2023", moved).unwrap();
        assert_eq!(carried, 6, "NHS1 to NHS6, and nothing else was assessed");
        let report = assessment::readiness(&mut conn, p, today, ohgov::live::store::verdicts::by_standard).unwrap();
        let line = |reference: &str| {
            report
                .readiness
                .domains
                .iter()
                .flat_map(|d| d.standards.iter())
                .find(|s| s.reference == reference)
                .unwrap_or_else(|| panic!("{reference}"))
                .clone()
        };
        for (i, result) in results.iter().enumerate() {
            let ss = line(&format!("SS{}", i + 1));
            assert_eq!(
                (ss.result.as_str(), ss.carried_over),
                (*result, true),
                "SS{} takes NHS{}'s result",
                i + 1,
                i + 1
            );
        }
        let page = assessment::standard_page(&mut conn, p, "SS3").unwrap().unwrap();
        assert_eq!(page.narrative, "Carried from NHS3: How the service meets NHS3");
        for reference in ["SS7", "SS8", "SS9", "SS10", "SS11"] {
            let ss = line(reference);
            assert_eq!((ss.result.as_str(), ss.carried_over), ("not_assessed", false), "{reference} is new in 2023");
        }
    }
);
