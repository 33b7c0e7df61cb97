//! The tamper-evident audit trail: appends in the changing transaction, and detection of edited,
//! removed and re-hashed rows.

mod support;

use diesel::prelude::*;
use ohgov::db::{self, schema::history, DbConnection};
use ohgov::history::{rules, store, ChainBreak, Change, Entry};

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
    store::verify(conn).expect("readable").map(|v| v.rows)
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
        let head = store::verify(&mut conn).unwrap().unwrap();
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
        // A forger who edits row 3 and recomputes its hash still breaks row 4's link.
        let row: store::StoredRow = history::table.find(3).first(&mut conn).unwrap();
        let forged_changes = r#"{"result":{"after":"not_met","before":"not_assessed"}}"#;
        let forged_hash = rules::row_hash(row.0, row.1, row.2, row.3, &row.4, &row.5, &row.6, forged_changes, &row.8);
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
        assert_eq!(rows.len(), 6, "one row per catalogue file");
        assert!(rows.iter().all(|(entity, action, user)| entity == "catalogue" && action == "load" && user.is_none()));
        // An unchanged reload changes nothing, so it records nothing.
        ohgov::catalogue::store::load(&mut conn, &sources).unwrap();
        assert_eq!(verify(&mut conn), Ok(6));
    }
);

#[test]
fn verify_log_passes_on_the_demo_and_names_a_row_edited_in_the_sqlite_shell() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let ohgov =
        |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_ohgov")).args(args).output().expect("run ohgov");
    let built = ohgov(&["demo", "--no-serve", "--db", db.to_str().unwrap()]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));

    let verified = ohgov(&["verify-log", "--database-url", db.to_str().unwrap()]);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    let out = String::from_utf8_lossy(&verified.stdout).into_owned();
    let rows: u64 = out.trim_start_matches("history intact: ").split(' ').next().unwrap().parse().unwrap();
    assert!(rows > 6, "the catalogue, organisations, contract and people are all in the trail: {out}");

    let head = out.lines().find_map(|l| l.strip_prefix("head: ")).expect("the head is printed").to_string();
    let expected = ohgov(&["verify-log", "--database-url", db.to_str().unwrap(), "--expect-head", &head]);
    assert!(expected.status.success(), "{}", String::from_utf8_lossy(&expected.stderr));
    let beyond = format!("{}:{}", rows + 1, head.split_once(':').unwrap().1);
    let gone = ohgov(&["verify-log", "--database-url", db.to_str().unwrap(), "--expect-head", &beyond]);
    assert!(!gone.status.success(), "a head that is gone fails");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("is gone"), "{}", String::from_utf8_lossy(&gone.stderr));

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
    let broken = ohgov(&["verify-log", "--database-url", db.to_str().unwrap()]);
    assert!(!broken.status.success(), "verify-log exits non-zero");
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains("history row 2 was altered"), "{err}");
}
