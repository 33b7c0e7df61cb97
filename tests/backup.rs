//! `ohgov backup` and `ohgov restore`: a round trip of the demo service's database leaves every
//! table identical; a backup taken while the served application saves is a consistent snapshot
//! whose audit trail verifies; restore refuses a database with data (unless --force) and a file
//! that is not an ohgov database; PostgreSQL is pointed to pg_dump and pg_restore.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use diesel::prelude::*;
use support::{Backend, Seed, TestApp, TestDb};

const MANAGER: (&str, &str) = ("manager@northshire-oh.example", "demo-manager-2026");

/// `ohgov` with `args` on `database_url`, sealing and verifying with this process's history key.
fn ohgov(database_url: &str, key_file: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("OHGOV_HISTORY_KEY_FILE", key_file)
        .output()
        .expect("run ohgov")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// The demo service's database, on SQLite.
fn demo_db() -> TestDb {
    let db = TestDb::sqlite_with(Seed::Migrated);
    let mut conn = db.migrated();
    ohgov::cli::demo::build(&mut conn, support::today()).unwrap();
    db
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// Every table of an SQLite file, each row as text (SQLite's `quote` of every column, so blobs
/// compare by content), in a fixed order: what "identical" means here.
fn every_table(path: &Path) -> Vec<(String, Vec<String>)> {
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let tables: Vec<Line> = diesel::sql_query(
        "SELECT name AS line FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(&mut conn)
    .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let columns: Vec<Line> =
                diesel::sql_query(format!("SELECT name AS line FROM pragma_table_info('{}') ORDER BY cid", table.line))
                    .load(&mut conn)
                    .unwrap();
            let row = columns.iter().map(|c| format!("quote(\"{}\")", c.line)).collect::<Vec<_>>().join(" || '|' || ");
            let rows: Vec<Line> = diesel::sql_query(format!("SELECT {row} AS line FROM \"{}\" ORDER BY 1", table.line))
                .load(&mut conn)
                .unwrap();
            (table.line, rows.into_iter().map(|r| r.line).collect())
        })
        .collect()
}

fn count(path: &Path, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<N>(&mut conn).unwrap().n
}

/// The demo manager signed in, the form token, and the CPD address of one of the demo's staff.
async fn manager_and_cpd_address(app: &TestApp) -> (reqwest::Client, String, String) {
    use ohgov::db::schema::staff;
    let mut conn = app.db.conn();
    let provider = ohgov::accounts::demo::demo_provider(&mut conn).unwrap().unwrap();
    let person: i32 = staff::table
        .filter(staff::provider_id.eq(provider.0))
        .order(staff::id)
        .select(staff::id)
        .first(&mut conn)
        .unwrap();
    let (client, token) = support::browser_signed_in(app, MANAGER.0, MANAGER.1).await;
    (client, token, format!("{}/providers/{}/workforce/staff/{person}/cpd", app.address, provider))
}

/// Adds one CPD record through the page; true when it was saved (303).
async fn save_cpd(client: &reqwest::Client, token: &str, address: &str, n: usize) -> bool {
    let date = (support::today() - chrono::Duration::days(2)).to_string();
    let title = format!("Backup drill {n}");
    let form = [("csrf_token", token), ("date", &date), ("title", &title), ("hours", "1"), ("participatory", "yes")];
    client.post(address).form(&form).send().await.map(|r| r.status().as_u16() == 303).unwrap_or(false)
}

fn sqlite_only() -> bool {
    support::selected(Backend::Sqlite)
}

#[actix_web::test]
async fn a_round_trip_leaves_every_table_identical_and_the_trail_verified() {
    if !sqlite_only() {
        return;
    }
    let app = TestApp::spawn(demo_db()).await;
    let source = app.db.sqlite_path().unwrap();
    let key = app.db.history_key_file();
    // Saves through the served application, left in its write-ahead log: the backup must hold them.
    let (client, token, address) = manager_and_cpd_address(&app).await;
    for n in 0..3 {
        assert!(save_cpd(&client, &token, &address, n).await, "save {n}");
    }
    assert!(app.get("/healthz").await.status().is_success());

    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("ohgov-backup.db");
    let made = ohgov(&app.db.url, &key, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let said = text(&made);
    assert!(said.contains("backup written") && said.contains("rows") && said.contains("history head: "), "{said}");
    let before = every_table(&source);
    let drills = count(&source, "cpd_records");

    let restored: PathBuf = dir.path().join("restored.db");
    let done = ohgov(restored.to_str().unwrap(), &key, &["restore", backup.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("history intact"), "{}", text(&done));

    let after = every_table(&restored);
    assert_eq!(before.len(), after.len(), "the same tables");
    assert!(before.iter().any(|(t, _)| t == "blobs"), "the evidence files' table is among them");
    for ((table, rows), (table_after, rows_after)) in before.iter().zip(&after) {
        assert_eq!(table, table_after);
        assert!(rows == rows_after, "table {table} differs after the round trip");
    }
    assert_eq!(count(&restored, "cpd_records"), drills, "the three saves came with it");
    assert!(count(&restored, "blobs") > 0, "the demo's evidence files came with it");
    let verified = ohgov(restored.to_str().unwrap(), &key, &["verify-log"]);
    assert!(verified.status.success(), "{}", text(&verified));
    for stale in ["restored.db-wal", "restored.db-shm"] {
        assert!(!dir.path().join(stale).exists(), "{stale} is not left behind");
    }
}

#[actix_web::test]
async fn a_backup_taken_while_the_application_saves_is_a_consistent_snapshot() {
    if !sqlite_only() {
        return;
    }
    let app = TestApp::spawn(demo_db()).await;
    let key = app.db.history_key_file();
    let source = app.db.sqlite_path().unwrap();
    let (client, token, address) = manager_and_cpd_address(&app).await;
    let saved = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (saved, stop) = (saved.clone(), stop.clone());
        actix_web::rt::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                if save_cpd(&client, &token, &address, n).await {
                    saved.fetch_add(1, Ordering::SeqCst);
                }
                n += 1;
            }
        })
    };
    while saved.load(Ordering::SeqCst) < 3 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("during.db");
    let (url, key_file, out) = (app.db.url.clone(), key.clone(), backup.clone());
    let saved_at_start = saved.load(Ordering::SeqCst);
    let made = actix_web::rt::task::spawn_blocking(move || {
        ohgov(&url, &key_file, &["backup", "--out", out.to_str().unwrap()])
    })
    .await
    .unwrap();
    let saved_at_end = saved.load(Ordering::SeqCst);
    // A few more after, then the writes stop.
    while saved.load(Ordering::SeqCst) < saved_at_end + 2 {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    assert!(made.status.success(), "{}", text(&made));
    assert!(saved_at_end > saved_at_start, "saves were answered while the backup ran");

    let restored = dir.path().join("restored.db");
    let done = ohgov(restored.to_str().unwrap(), &key, &["restore", backup.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done));
    let said = text(&done);
    let head = said.lines().find_map(|l| l.strip_prefix("head: ")).expect("restore prints the head").to_string();
    // The snapshot's trail is a prefix of the live one: the live trail holds its head, row for row.
    let live = ohgov(&app.db.url, &key, &["verify-log", "--expect-head", &head]);
    assert!(live.status.success(), "{}", text(&live));
    let verified = ohgov(restored.to_str().unwrap(), &key, &["verify-log"]);
    assert!(verified.status.success(), "{}", text(&verified));
    // Every save is whole on one side of the snapshot: its CPD row and its history row together.
    let (in_backup, in_live) = (count(&restored, "cpd_records"), count(&source, "cpd_records"));
    assert!(in_backup < in_live, "saves after the backup are not in it ({in_backup} of {in_live})");
    let history_rows: i64 = head.split(':').next().unwrap().parse().unwrap();
    assert_eq!(count(&restored, "history"), history_rows);
    let mut conn = diesel::SqliteConnection::establish(restored.to_str().unwrap()).unwrap();
    let check: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check").load(&mut conn).unwrap();
    assert_eq!(check.iter().map(|l| l.line.as_str()).collect::<Vec<_>>(), vec!["ok"]);
}

#[test]
fn restore_refuses_a_database_with_data_unless_forced() {
    if !sqlite_only() {
        return;
    }
    let source = demo_db();
    let key = source.history_key_file();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("b.db");
    let made = ohgov(&source.url, &key, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let again = ohgov(&source.url, &key, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(!again.status.success() && text(&again).contains("--force"), "{}", text(&again));
    let forced = ohgov(&source.url, &key, &["backup", "--out", backup.to_str().unwrap(), "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));

    // A database holding one organisation and its history.
    let target = TestDb::sqlite_with(Seed::Catalogue);
    let mut conn = target.migrated();
    support::service(&mut conn, "Another OH Service", "another");
    drop(conn);
    let path = target.sqlite_path().unwrap();
    let refused = ohgov(&target.url, &key, &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("holds data") && text(&refused).contains("--force"), "{}", text(&refused));
    assert_eq!(count(&path, "organisations"), 1, "the database is untouched");

    let forced = ohgov(&target.url, &key, &["restore", backup.to_str().unwrap(), "--force"]);
    assert!(forced.status.success(), "{}", text(&forced));
    assert_eq!(every_table(&path), every_table(&source.sqlite_path().unwrap()));
}

#[test]
fn restore_refuses_a_file_that_is_not_an_ohgov_database() {
    if !sqlite_only() {
        return;
    }
    let target = TestDb::sqlite_with(Seed::Catalogue);
    let key = target.history_key_file();
    let path = target.sqlite_path().unwrap();
    let untouched = std::fs::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database at all\n").unwrap();
    let other = dir.path().join("other.db");
    let mut conn = diesel::SqliteConnection::establish(other.to_str().unwrap()).unwrap();
    diesel::sql_query("CREATE TABLE things (id INTEGER PRIMARY KEY)").execute(&mut conn).unwrap();
    drop(conn);
    for file in [&notes, &other] {
        let refused = ohgov(&target.url, &key, &["restore", file.to_str().unwrap(), "--force"]);
        assert!(!refused.status.success());
        assert!(text(&refused).contains("is not an ohgov database"), "{}", text(&refused));
        assert_eq!(std::fs::read(&path).unwrap(), untouched, "the target is untouched");
    }

    // A backup of a newer release's schema (a migration this binary does not know) is refused too.
    let newer = dir.path().join("newer.db");
    let made = ohgov(&target.url, &key, &["backup", "--out", newer.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    let mut conn = diesel::SqliteConnection::establish(newer.to_str().unwrap()).unwrap();
    diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ('20990101000000')")
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    let fresh = dir.path().join("fresh.db");
    let refused = ohgov(fresh.to_str().unwrap(), &key, &["restore", newer.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("newer ohgov"), "{}", text(&refused));
    assert!(!fresh.exists(), "nothing is written");
}

on_both_backends!(
    postgresql_is_pointed_to_its_own_tools,
    db | db | {
        let key = db.history_key_file();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.db");
        match db.backend {
            Backend::Postgres => {
                let backup = ohgov(&db.url, &key, &["backup", "--out", out.to_str().unwrap()]);
                assert!(!backup.status.success());
                assert!(text(&backup).contains("pg_dump --format=custom"), "{}", text(&backup));
                let restore = ohgov(&db.url, &key, &["restore", out.to_str().unwrap()]);
                assert!(!restore.status.success());
                assert!(text(&restore).contains("pg_restore"), "{}", text(&restore));
                assert!(!out.exists());
            }
            Backend::Sqlite => {
                // The same commands on SQLite: a backup of an empty, migrated database restores.
                let backup = ohgov(&db.url, &key, &["backup", "--out", out.to_str().unwrap()]);
                assert!(backup.status.success(), "{}", text(&backup));
                let fresh = dir.path().join("fresh.db");
                let restore = ohgov(fresh.to_str().unwrap(), &key, &["restore", out.to_str().unwrap()]);
                assert!(restore.status.success(), "{}", text(&restore));
            }
        }
    }
);

#[test]
fn a_backup_from_an_older_release_is_migrated_forward_and_verified() {
    if !sqlite_only() {
        return;
    }
    let source = TestDb::sqlite_with(Seed::Catalogue);
    let mut conn = source.migrated();
    support::service(&mut conn, "Older OH Service", "older");
    drop(conn);
    let key = source.history_key_file();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("older.db");
    let made = ohgov(&source.url, &key, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(made.status.success(), "{}", text(&made));
    // The newest migration undone, as a database of the release before it would be.
    let mut conn = diesel::SqliteConnection::establish(backup.to_str().unwrap()).unwrap();
    let newest = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .max()
        .unwrap();
    let down = std::fs::read_to_string(newest.join("down.sql")).unwrap();
    diesel::connection::SimpleConnection::batch_execute(&mut conn, &down).unwrap();
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut conn)
    .unwrap();
    drop(conn);

    let restored = dir.path().join("restored.db");
    let done = ohgov(restored.to_str().unwrap(), &key, &["restore", backup.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("migrated forward: 1 migrations applied"), "{}", text(&done));
    assert!(text(&done).contains("history intact"), "{}", text(&done));
    // Every table as the source's, but for when the migration ran.
    let without_run_on = |tables: Vec<(String, Vec<String>)>| -> Vec<(String, Vec<String>)> {
        tables
            .into_iter()
            .map(|(t, rows)| match t.as_str() {
                "__diesel_schema_migrations" => {
                    (t, rows.into_iter().map(|r| r.split('|').next().unwrap_or_default().to_string()).collect())
                }
                _ => (t, rows),
            })
            .collect()
    };
    assert_eq!(without_run_on(every_table(&restored)), without_run_on(every_table(&source.sqlite_path().unwrap())));
}
