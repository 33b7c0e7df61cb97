//! The tamper-evident audit trail: appends in the changing transaction, sealed with the history key,
//! and detection of edited, removed, re-hashed and re-sealed rows.

mod support;

use diesel::prelude::*;
use ohgov::db::{self, schema::history, DbConnection};
use ohgov::history::{key, rules, store, ChainBreak, Change, Entry, HistoryKey, Sealing};

fn entry(n: usize) -> Entry {
    Entry {
        user_id: Some(db::UserId(7)),
        organisation_id: Some(3),
        entity: "assessment".into(),
        entity_id: format!("GF{n}"),
        action: "update".into(),
        changes: vec![Change { field: "result".into(), before: "not_assessed".into(), after: "met".into() }],
    }
}

fn append(conn: &mut DbConnection, count: usize) {
    for n in 1..=count {
        db::write_transaction(conn, |c| store::record(c, &entry(n))).expect("recorded");
    }
}

fn verify(conn: &mut DbConnection) -> Result<u64, ChainBreak> {
    verify_with(conn, support::history_key())
}

fn verify_with(conn: &mut DbConnection, key: &HistoryKey) -> Result<u64, ChainBreak> {
    store::verify(conn, key).expect("readable").map(|v| v.rows)
}

/// The process's key, sealing only from row `keyed_from` on: what the key file of a database that
/// had `keyed_from - 1` rows when it was upgraded says.
fn keyed_from(keyed_from: i32) -> HistoryKey {
    HistoryKey::new(*support::history_key().secret(), keyed_from)
}

/// Appends `count` rows as a version before the key wrote them: plain SHA-256.
fn append_plain(conn: &mut DbConnection, count: usize) {
    use diesel::dsl::max;
    for n in 1..=count {
        let newest: Option<i32> = history::table.select(max(history::id)).get_result(conn).unwrap();
        let id = newest.unwrap_or(0) + 1;
        let previous = match newest {
            Some(newest) => history::table.find(newest).select(history::row_hash).first(conn).unwrap(),
            None => ohgov::history::GENESIS_HASH.to_string(),
        };
        let at = rules::to_stored_precision(chrono::Utc::now().naive_utc());
        let changes = rules::changes_json(&entry(n).changes);
        let hash = rules::row_hash(
            Sealing::Plain,
            id,
            at,
            Some(7),
            Some(3),
            "assessment",
            "GF",
            "update",
            &changes,
            &previous,
        );
        diesel::insert_into(history::table)
            .values((
                history::id.eq(id),
                history::recorded_at.eq(at),
                history::user_id.eq(Some(7)),
                history::organisation_id.eq(Some(3)),
                history::entity.eq("assessment"),
                history::entity_id.eq("GF"),
                history::action.eq("update"),
                history::changes.eq(&changes),
                history::previous_hash.eq(&previous),
                history::row_hash.eq(&hash),
            ))
            .execute(conn)
            .unwrap();
    }
}

/// What anyone who can write the database can do: change row `id`'s changes, then recompute its
/// hash and every later row's, linking each to the one before, sealed as `sealing` says.
fn rewrite_from(conn: &mut DbConnection, id: i32, sealing: Sealing) {
    let forged = r#"{"result":{"after":"not_met","before":"not_assessed"}}"#;
    diesel::update(history::table.find(id)).set(history::changes.eq(forged)).execute(conn).unwrap();
    let mut previous: String = match id {
        1 => ohgov::history::GENESIS_HASH.to_string(),
        _ => history::table.find(id - 1).select(history::row_hash).first(conn).unwrap(),
    };
    let rows: Vec<store::StoredRow> = history::table.filter(history::id.ge(id)).order(history::id).load(conn).unwrap();
    for row in rows {
        let hash = rules::row_hash(sealing, row.0, row.1, row.2, row.3, &row.4, &row.5, &row.6, &row.7, &previous);
        diesel::update(history::table.find(row.0))
            .set((history::previous_hash.eq(&previous), history::row_hash.eq(&hash)))
            .execute(conn)
            .unwrap();
        previous = hash;
    }
}

on_both_backends!(
    an_untouched_trail_verifies,
    db | db | {
        let mut conn = db.migrated();
        assert_eq!(verify(&mut conn), Ok(0), "an empty trail is intact");
        append(&mut conn, 5);
        assert_eq!(verify(&mut conn), Ok(5));
        let (user, org, changes): (Option<i32>, Option<i32>, String) = history::table
            .find(3)
            .select((history::user_id, history::organisation_id, history::changes))
            .first(&mut conn)
            .unwrap();
        assert_eq!((user, org), (Some(7), Some(3)));
        assert_eq!(changes, r#"{"result":{"after":"met","before":"not_assessed"}}"#);
    }
);

on_both_backends!(
    an_edited_row_is_named,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        diesel::update(history::table.find(3))
            .set(history::changes.eq(r#"{"result":{"after":"not_met"}}"#))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(verify(&mut conn), Err(ChainBreak::Altered { id: 3 }));
    }
);

on_both_backends!(
    deleting_the_newest_rows_is_caught_by_the_expected_head,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        let head = store::verify(&mut conn, support::history_key()).unwrap().unwrap();
        assert_eq!(store::check_head(&mut conn, 5, &head.last_hash).unwrap(), Ok(()));
        diesel::delete(history::table.filter(history::id.ge(4))).execute(&mut conn).unwrap();
        assert_eq!(verify(&mut conn), Ok(3), "a cut-off tail still walks");
        assert_eq!(store::check_head(&mut conn, 5, &head.last_hash).unwrap(), Err(store::HeadMismatch::Gone { id: 5 }));
    }
);

on_both_backends!(
    a_deleted_row_is_named,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        diesel::delete(history::table.find(2)).execute(&mut conn).unwrap();
        assert_eq!(verify(&mut conn), Err(ChainBreak::Missing { expected: 2, found: 3 }));
    }
);

on_both_backends!(
    a_rehashed_row_is_caught_by_the_next,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        // A forger who edits row 3 and recomputes its hash, even with the key, still breaks row 4's
        // link.
        let row: store::StoredRow = history::table.find(3).first(&mut conn).unwrap();
        let forged_changes = r#"{"result":{"after":"not_met","before":"not_assessed"}}"#;
        let sealing = Sealing::Keyed(support::history_key().secret());
        let forged_hash =
            rules::row_hash(sealing, row.0, row.1, row.2, row.3, &row.4, &row.5, &row.6, forged_changes, &row.8);
        diesel::update(history::table.find(3))
            .set((history::changes.eq(forged_changes), history::row_hash.eq(forged_hash)))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(verify(&mut conn), Err(ChainBreak::Unlinked { id: 4 }));
    }
);

on_both_backends!(
    a_rolled_back_change_leaves_no_history,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 2);
        let failed: Result<(), diesel::result::Error> = db::write_transaction(&mut conn, |c| {
            store::record(c, &entry(3))?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        let count: i64 = history::table.count().get_result(&mut conn).unwrap();
        assert_eq!(count, 2);
        append(&mut conn, 1);
        assert_eq!(verify(&mut conn), Ok(3), "the chain continues without a gap");
    }
);

on_both_backends!(
    concurrent_writers_keep_one_chain,
    db | db | {
        db.migrated();
        let pool = db::pool(&db.target(), 4).expect("pool");
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().expect("connection");
                    append(&mut conn, 10);
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        assert_eq!(verify(&mut pool.get().unwrap()), Ok(40));
    }
);

on_both_backends!(
    loading_the_catalogue_is_in_the_history,
    db | db | {
        let mut conn = db.migrated();
        let sources = ohgov::catalogue::builtin_sources();
        ohgov::catalogue::store::load(&mut conn, &sources).unwrap();
        let rows: Vec<(String, String, Option<i32>)> = history::table
            .select((history::entity, history::action, history::user_id))
            .order(history::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(rows.len(), 7, "one row per catalogue file");
        assert!(rows.iter().all(|(entity, action, user)| entity == "catalogue" && action == "load" && user.is_none()));
        // An unchanged reload changes nothing, so it records nothing.
        ohgov::catalogue::store::load(&mut conn, &sources).unwrap();
        assert_eq!(verify(&mut conn), Ok(7));
    }
);

on_both_backends!(
    a_trail_rewritten_without_the_key_fails_at_the_rewritten_row,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        // Everything a copy of the database allows: edit row 3, re-hash it and every later row.
        rewrite_from(&mut conn, 3, Sealing::Plain);
        assert_eq!(verify(&mut conn), Err(ChainBreak::Unkeyed { id: 3, keyed_from: 1 }));
    }
);

on_both_backends!(
    the_same_rewrite_with_the_key_verifies_so_the_key_is_what_protects,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 5);
        rewrite_from(&mut conn, 3, Sealing::Keyed(support::history_key().secret()));
        assert_eq!(verify(&mut conn), Ok(5));
        let changes: String = history::table.find(3).select(history::changes).first(&mut conn).unwrap();
        assert!(changes.contains("not_met"), "the rewritten row is among those that verified: {changes}");
    }
);

on_both_backends!(
    another_key_does_not_match_the_trail,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 3);
        let other = HistoryKey::generate(1);
        assert_eq!(verify_with(&mut conn, &other), Err(ChainBreak::KeyMismatch { id: 1 }));
        // A trail rewritten whole under another key passes only that key.
        rewrite_from(&mut conn, 1, Sealing::Keyed(other.secret()));
        assert_eq!(verify_with(&mut conn, &other), Ok(3));
        assert_eq!(verify(&mut conn), Err(ChainBreak::KeyMismatch { id: 1 }));
    }
);

on_both_backends!(
    rows_before_keyed_from_verify_as_plain_sha256_and_later_rows_must_be_sealed,
    db | db | {
        let mut conn = db.migrated();
        // A trail written before the key, then the key file made on the next start.
        append_plain(&mut conn, 3);
        let dir = tempfile::tempdir().unwrap();
        let made = key::load_or_create(&dir.path().join("history.key"), &mut conn).unwrap();
        assert_eq!(made.keyed_from(), 4, "the row after the newest one when the file was made");
        let key = keyed_from(4);
        append(&mut conn, 2);
        assert_eq!(verify_with(&mut conn, &key), Ok(5), "three plain rows, then two sealed");
        assert_eq!(store::verify(&mut conn, &key).unwrap().unwrap().keyed_from, 4);
        assert_eq!(verify(&mut conn), Err(ChainBreak::Unkeyed { id: 1, keyed_from: 1 }), "plain rows need the number");
        // A plain row after keyed_from fails ...
        append_plain(&mut conn, 1);
        assert_eq!(verify_with(&mut conn, &key), Err(ChainBreak::Unkeyed { id: 6, keyed_from: 4 }));
        // ... and so does the trail rewritten from a legacy row on as old-style rows.
        rewrite_from(&mut conn, 2, Sealing::Plain);
        assert_eq!(verify_with(&mut conn, &key), Err(ChainBreak::Unkeyed { id: 4, keyed_from: 4 }));
        // Removing every sealed row leaves fewer rows than the trail had when the key was made.
        diesel::delete(history::table.filter(history::id.ge(3))).execute(&mut conn).unwrap();
        assert_eq!(verify_with(&mut conn, &key), Err(ChainBreak::EndsBeforeKey { rows: 2, keyed_from: 4 }));
    }
);

on_both_backends!(
    the_key_file_is_made_private_on_first_start_and_read_again_on_the_next,
    db | db | {
        let mut conn = db.migrated();
        append(&mut conn, 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.key");
        let made = key::load_or_create(&path, &mut conn).unwrap();
        assert_eq!(made.keyed_from(), 3);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "only the service's user reads the key");
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\nkeyed_from = 3\n") && text.contains("\nkey = "), "{text}");
        append(&mut conn, 2);
        assert_eq!(key::load_or_create(&path, &mut conn).unwrap(), made, "the next start reads the same key");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "and leaves the file as it was");
        assert_eq!(key::load(&path).unwrap(), made);
        assert_ne!(HistoryKey::generate(3), made, "a new file would hold a new key");
    }
);

on_both_backends!(
    the_templates_are_sealed_with_the_test_key,
    catalogue_db | db | {
        let mut conn = db.migrated();
        assert_eq!(verify(&mut conn), Ok(7), "the template's catalogue rows, copied");
        assert_eq!(verify_with(&mut conn, &HistoryKey::generate(1)), Err(ChainBreak::KeyMismatch { id: 1 }));
    }
);

#[test]
fn a_process_keeps_the_one_history_key_it_started_with() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = support::TestDb::sqlite_with(support::Seed::Catalogue);
    assert_eq!(ohgov::history::install_key(support::history_key().clone()), Ok(()), "the same key again");
    assert_eq!(ohgov::history::install_key(HistoryKey::generate(1)), Err(key::KeyError::AnotherInstalled));
    // Starting the application on another key file in the same process is refused, not mixed in.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = db.settings();
    settings.history_key_file = dir.path().join("history.key");
    let Err(error) = ohgov::prepare(settings) else { panic!("prepare accepted a second key") };
    assert!(format!("{error:#}").contains("already seals history with another key"), "{error:#}");
    assert_eq!(verify(&mut db.conn()), Ok(7), "nothing was written under the other key");
}

/// `ohgov` with `args`, and with OHGOV_HISTORY_KEY_FILE set to `key_file` or, when None, unset so
/// the key file beside the database is used.
fn ohgov(args: &[&str], key_file: Option<&std::path::Path>) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"));
    command.args(args).env_remove("DATABASE_URL");
    match key_file {
        Some(path) => command.env("OHGOV_HISTORY_KEY_FILE", path),
        None => command.env_remove("OHGOV_HISTORY_KEY_FILE"),
    };
    command.output().expect("run ohgov")
}

#[test]
fn a_command_writes_nothing_with_a_key_file_it_cannot_use() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = support::TestDb::sqlite_with(support::Seed::Catalogue);
    let dir = tempfile::tempdir().unwrap();
    let add = |key_file: &std::path::Path| {
        ohgov(
            &["org", "add", "--kind", "provider", "--name", "Northshire OH", "--database-url", &db.url],
            Some(key_file),
        )
    };
    let organisations = || -> i64 {
        use ohgov::db::schema::organisations;
        organisations::table.count().get_result(&mut db.conn()).unwrap()
    };
    // A key file made for a trail of 49 rows, on a trail of 7.
    let longer = dir.path().join("longer.key");
    std::fs::write(&longer, HistoryKey::generate(50).file_text()).unwrap();
    let refused = add(&longer);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("history row 8 would come before row 50"), "{err}");
    assert_eq!(organisations(), 0, "the organisation went with its history row");

    let malformed = dir.path().join("malformed.key");
    std::fs::write(&malformed, "key = not hex\nkeyed_from = 1\n").unwrap();
    let refused = add(&malformed);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains(&format!("the history key file {} is not a history key file", malformed.display())), "{err}");
    assert!(err.contains("line 1: the key is not hex"), "{err}");
    assert_eq!(organisations(), 0);

    let added = add(&db.history_key_file());
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(verify(&mut db.conn()), Ok(8), "the process's key file seals the new row");
}

#[test]
fn verify_log_passes_on_the_demo_and_names_a_row_edited_in_the_sqlite_shell() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let url = db.to_str().unwrap();
    let built = ohgov(&["demo", "--no-serve", "--db", url], None);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));

    // The first start made the key file beside the database, private, sealing every row.
    let key_file = dir.path().join("demo.db.history.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("the key file is made").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "only the service's user reads the key");
    }
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(HistoryKey::parse(&key_text).unwrap().keyed_from(), 1, "a new database is sealed from its first row");

    let verified = ohgov(&["verify-log", "--database-url", url], None);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    let out = String::from_utf8_lossy(&verified.stdout).into_owned();
    let rows: u64 = out.trim_start_matches("history intact: ").split(' ').next().unwrap().parse().unwrap();
    assert!(rows > 6, "the catalogue, organisations, contract and people are all in the trail: {out}");
    assert!(
        out.contains(&format!("keyed: every row is sealed with the history key in {}", key_file.display())),
        "{out}"
    );

    // The next start reads the same file: its row verifies, and the file is as it was.
    let added = ohgov(&["org", "add", "--kind", "provider", "--name", "Second Start OH", "--database-url", url], None);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key_text, "the key file is reused, not remade");
    let verified = ohgov(&["verify-log", "--database-url", url], None);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    let out = String::from_utf8_lossy(&verified.stdout).into_owned();
    assert!(out.starts_with(&format!("history intact: {} rows", rows + 1)), "{out}");
    let rows = rows + 1;

    let head = out.lines().find_map(|l| l.strip_prefix("head: ")).expect("the head is printed").to_string();
    let expected = ohgov(&["verify-log", "--database-url", url, "--expect-head", &head], None);
    assert!(expected.status.success(), "{}", String::from_utf8_lossy(&expected.stderr));
    let beyond = format!("{}:{}", rows + 1, head.split_once(':').unwrap().1);
    let gone = ohgov(&["verify-log", "--database-url", url, "--expect-head", &beyond], None);
    assert!(!gone.status.success(), "a head that is gone fails");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("is gone"), "{}", String::from_utf8_lossy(&gone.stderr));

    // Another key file, or none, proves nothing: verify-log says so and never makes a key.
    let other = dir.path().join("other.key");
    std::fs::write(&other, HistoryKey::generate(1).file_text()).unwrap();
    let wrong = ohgov(&["verify-log", "--database-url", url], Some(&other));
    assert!(!wrong.status.success(), "a wrong key file fails");
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        err.contains(&format!("the history key file {} does not match this trail: row 1", other.display())),
        "{err}"
    );
    let absent = dir.path().join("absent.key");
    let missing = ohgov(&["verify-log", "--database-url", url], Some(&absent));
    assert!(!missing.status.success(), "a missing key file fails");
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains(&format!("the history key file {} does not exist", absent.display())), "{err}");
    assert!(!absent.exists(), "verify-log does not make a key file");

    let edited = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg("UPDATE history SET entity_id = 'forged' WHERE id = 2;")
        .status();
    match edited {
        Ok(status) => assert!(status.success(), "sqlite3 edited the row"),
        Err(_) => {
            // No sqlite3 shell on this machine: make the same edit through a connection.
            let mut conn = ohgov::db::establish(&ohgov::db::DatabaseTarget::Sqlite(db.clone())).unwrap();
            diesel::update(history::table.find(2)).set(history::entity_id.eq("forged")).execute(&mut conn).unwrap();
        }
    }
    let broken = ohgov(&["verify-log", "--database-url", url], None);
    assert!(!broken.status.success(), "verify-log exits non-zero");
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("history row 2 was altered"), "{err}");
}

#[test]
fn verify_log_with_the_expected_head_fails_on_a_cut_tail() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let db = support::TestDb::sqlite_with(support::Seed::Migrated);
    let mut conn = db.conn();
    append(&mut conn, 5);
    let key_file = db.history_key_file();
    let verify_log = |extra: &[&str]| {
        let mut args = vec!["verify-log", "--database-url", db.url.as_str()];
        args.extend_from_slice(extra);
        ohgov(&args, Some(&key_file))
    };
    let before = verify_log(&[]);
    assert!(before.status.success(), "{}", String::from_utf8_lossy(&before.stderr));
    let out = String::from_utf8_lossy(&before.stdout).into_owned();
    let head = out.lines().find_map(|l| l.strip_prefix("head: ")).expect("the head is printed").to_string();
    assert!(head.starts_with("5:"), "{out}");

    diesel::delete(history::table.filter(history::id.ge(4))).execute(&mut conn).unwrap();
    let cut = verify_log(&[]);
    assert!(cut.status.success(), "a cut-off tail still walks: only the head kept outside shows it");
    assert!(String::from_utf8_lossy(&cut.stdout).contains("head: 3:"));
    let expected = verify_log(&["--expect-head", &head]);
    assert!(!expected.status.success(), "the expected head is gone");
    let err = String::from_utf8_lossy(&expected.stderr);
    assert!(err.contains("history broken: expected head row 5 is gone"), "{err}");
}

on_both_backends!(
    the_history_page_names_people_and_says_each_change_in_words,
    app | app | {
        use ohgov::assessment::model::AssessmentInput;
        let mut conn = app.db.migrated();
        let s = support::service(&mut conn, "Northshire OH Service", "northshire");
        let save = |conn: &mut DbConnection, owner: Option<db::UserId>| {
            let input = AssessmentInput {
                workflow: "in_progress".into(),
                result: "not_assessed".into(),
                owner_user_id: owner.map(|o| o.to_string()).unwrap_or_default(),
                narrative: "Terms of reference agreed".into(),
                ..Default::default()
            };
            let change = input.parse().unwrap();
            ohgov::assessment::store::save_assessment(
                conn,
                Some(s.manager),
                s.provider,
                "GF1",
                &change,
                support::today(),
            )
            .unwrap();
        };
        save(&mut conn, None);
        save(&mut conn, Some(s.clinical_director));
        let (client, _) = support::browser_signed_in(&app, "manager@northshire.example", support::PASSWORD).await;
        let page = client
            .get(format!("{}/providers/{}/history", app.address, s.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("<li>Owner: – → Clinical director of Northshire OH Service</li>"),
            "the owner is named, not numbered"
        );
        assert!(page.contains("<li>Progress: In progress</li>"), "codes are shown by their labels");
        assert!(!page.contains("owner_user_id") && !page.contains("in_progress"), "no field names or codes");
        assert!(!page.contains("(UTC)"), "times are in UK time with their zone");
        assert!(page.contains(" GMT</td>") || page.contains(" BST</td>"));
    }
);

// Figures kept until the trail moves (`history::memo`), as the provider's overview keeps them.

on_both_backends!(
    kept_figures_are_drawn_again_only_when_the_trail_moves_and_never_shared_between_databases,
    db | db | {
        use ohgov::history::memo::TrailMemo;
        let memo: TrailMemo<(i32, chrono::NaiveDate), usize> = TrailMemo::new(8);
        let today = support::today();
        let mut conn = db.migrated();
        append(&mut conn, 2);
        let draws = std::cell::Cell::new(0);
        let figures = |conn: &mut DbConnection, key| {
            *memo
                .get_or_draw(conn, key, |conn| {
                    draws.set(draws.get() + 1);
                    history::table.count().get_result::<i64>(conn).map(|n| n as usize)
                })
                .unwrap()
        };
        assert_eq!(figures(&mut conn, (1, today)), 2);
        assert_eq!(figures(&mut conn, (1, today)), 2, "kept");
        assert_eq!(draws.get(), 1, "drawn once while nothing changed");
        assert_eq!(figures(&mut conn, (1, today.succ_opt().unwrap())), 2, "another day is another key");
        assert_eq!(draws.get(), 2);

        append(&mut conn, 1);
        assert_eq!(figures(&mut conn, (1, today)), 3, "a change anywhere is seen at once");
        assert_eq!(draws.get(), 3);

        // Another database with the same keys and as many rows: its own trail, so its own figures.
        let other = support::TestDb::sqlite();
        let mut other_conn = other.migrated();
        append(&mut other_conn, 3);
        db::write_transaction(&mut other_conn, |c| store::record(c, &entry(99))).unwrap();
        assert_eq!(figures(&mut other_conn, (1, today)), 4);
        assert_eq!(draws.get(), 4);
    }
);

on_both_backends!(
    a_full_memo_starts_again_rather_than_growing,
    db | db | {
        use ohgov::history::memo::TrailMemo;
        let memo: TrailMemo<i32, i32> = TrailMemo::new(3);
        let mut conn = db.migrated();
        for key in 0..10 {
            memo.get_or_draw(&mut conn, key, |_| Ok::<_, diesel::result::Error>(key)).unwrap();
            assert!(memo.len() <= 3, "at most the capacity: {}", memo.len());
        }
        assert_eq!(
            *memo.get_or_draw(&mut conn, 9, |_| Ok::<_, diesel::result::Error>(-1)).unwrap(),
            9,
            "the newest kept"
        );
    }
);
