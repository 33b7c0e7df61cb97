//! The database layer: one schema on both backends, migrations, SQLite's settings, transactions.

mod support;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use ohgov::db::{self, DbConnection};
use support::{Backend, TestDb};

/// table -> column -> (type as diesel names it, nullable)
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    declared_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    primary_key: i32,
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn diesel_type(backend: Backend, declared: &str) -> String {
    let declared = declared.to_ascii_lowercase();
    let name = match (backend, declared.as_str()) {
        (Backend::Sqlite, "integer") | (Backend::Postgres, "integer") => "Integer",
        (Backend::Sqlite, "bigint") | (Backend::Postgres, "bigint") => "BigInt",
        (Backend::Sqlite, "text") | (Backend::Postgres, "text") => "Text",
        (Backend::Sqlite, "boolean") | (Backend::Postgres, "boolean") => "Bool",
        (Backend::Sqlite, "double") | (Backend::Postgres, "double precision") => "Double",
        (Backend::Sqlite, "date") | (Backend::Postgres, "date") => "Date",
        (Backend::Sqlite, "timestamp") | (Backend::Postgres, "timestamp without time zone") => "Timestamp",
        (Backend::Sqlite, "blob") | (Backend::Postgres, "bytea") => "Binary",
        _ => panic!("{backend:?} column type {declared:?} is not one both backends share through MultiConnection"),
    };
    name.to_string()
}

fn shape(conn: &mut DbConnection) -> Shape {
    let mut shape = Shape::new();
    match conn {
        DbConnection::Sqlite(c) => {
            let columns: Vec<SqliteColumn> = diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS column_name, p.type AS declared_type, \
                        p.\"notnull\" AS not_null, p.pk AS primary_key \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .expect("read SQLite schema");
            for column in columns {
                // An INTEGER PRIMARY KEY is the rowid: never null, whatever the pragma says.
                let nullable = column.not_null == 0 && column.primary_key == 0;
                shape
                    .entry(column.table_name)
                    .or_default()
                    .insert(column.column_name, (diesel_type(Backend::Sqlite, &column.declared_type), nullable));
            }
        }
        DbConnection::Postgres(c) => {
            let columns: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                        data_type::text AS data_type, is_nullable::text AS is_nullable \
                 FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .expect("read PostgreSQL schema");
            for column in columns {
                shape.entry(column.table_name).or_default().insert(
                    column.column_name,
                    (diesel_type(Backend::Postgres, &column.data_type), column.is_nullable == "YES"),
                );
            }
        }
    }
    shape
}

#[test]
fn both_backends_migrate_to_the_same_schema() {
    let sqlite = TestDb::sqlite();
    let Some(postgres) = TestDb::postgres() else { return };
    let sqlite_shape = shape(&mut sqlite.migrated());
    let postgres_shape = shape(&mut postgres.migrated());
    assert!(sqlite_shape.contains_key("catalogue_nodes"), "migrations created the catalogue tables");
    assert_eq!(sqlite_shape.keys().collect::<Vec<_>>(), postgres_shape.keys().collect::<Vec<_>>(), "the same tables");
    for (table, columns) in &sqlite_shape {
        assert_eq!(columns, &postgres_shape[table], "columns, types and nullability of {table}");
    }
}

fn migrate_with_the_command(db: &TestDb) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .args(["migrate", "--database-url", &db.url])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run ohgov migrate");
    assert!(output.status.success(), "ohgov migrate failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ohgov_migrate_gives_the_same_schema_on_empty_databases() {
    let sqlite = TestDb::sqlite();
    let Some(postgres) = TestDb::postgres() else { return };
    let out = migrate_with_the_command(&sqlite);
    assert!(out.contains("applied to the sqlite database"), "{out}");
    let out = migrate_with_the_command(&postgres);
    assert!(out.contains("applied to the postgres database"), "{out}");
    assert_eq!(shape(&mut sqlite.conn()), shape(&mut postgres.conn()));
    // A second run has nothing left to do.
    assert!(migrate_with_the_command(&sqlite).starts_with("0 migration(s)"));
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    value: String,
}

fn pragma(conn: &mut DbConnection, name: &str) -> String {
    let DbConnection::Sqlite(c) = conn else { panic!("SQLite only") };
    // busy_timeout's one column is called `timeout`; the others are named after the pragma.
    let column = if name == "busy_timeout" { "timeout" } else { name };
    diesel::sql_query(format!("SELECT CAST(\"{column}\" AS TEXT) AS value FROM pragma_{name}"))
        .get_result::<Pragma>(c)
        .expect("read pragma")
        .value
}

#[test]
fn sqlite_opens_with_wal_foreign_keys_busy_timeout_and_full_sync() {
    let db = TestDb::sqlite();
    let pool = db::pool(&db.target(), 2).expect("pool");
    let mut conn = pool.get().expect("connection");
    assert_eq!(pragma(&mut conn, "journal_mode"), "wal");
    assert_eq!(pragma(&mut conn, "foreign_keys"), "1");
    assert_eq!(pragma(&mut conn, "synchronous"), "2", "2 is FULL");
    assert!(pragma(&mut conn, "busy_timeout").parse::<u32>().unwrap() >= 5000);
}

diesel::table! {
    probe (id) {
        id -> Integer,
        label -> Text,
    }
}

on_both_backends!(
    write_transactions_commit_whole_or_not_at_all,
    db | db | {
        let mut conn = db.migrated();
        let create = match db.backend {
            Backend::Sqlite => "CREATE TABLE probe (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL)",
            Backend::Postgres => {
                "CREATE TABLE probe (id INTEGER PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, label TEXT NOT NULL)"
            }
        };
        diesel::sql_query(create).execute(&mut conn).unwrap();

        let id = db::write_transaction(&mut conn, |c| {
            diesel::insert_into(probe::table).values(probe::label.eq("kept")).execute(c)?;
            db::last_insert_id(c)
        })
        .expect("committed");
        let label: String = probe::table.find(id).select(probe::label).first(&mut conn).unwrap();
        assert_eq!(label, "kept");

        let failed: Result<(), diesel::result::Error> = db::write_transaction(&mut conn, |c| {
            diesel::insert_into(probe::table).values(probe::label.eq("lost")).execute(c)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        let labels: Vec<String> = probe::table.select(probe::label).load(&mut conn).unwrap();
        assert_eq!(labels, vec!["kept".to_string()], "the failed transaction wrote nothing");

        // The connection is usable again after a rollback.
        let count: i64 =
            diesel::select(diesel::dsl::sql::<BigInt>("COUNT(*) FROM probe")).get_result(&mut conn).unwrap();
        assert_eq!(count, 1);
    }
);

#[test]
fn concurrent_sqlite_writers_wait_instead_of_failing() {
    let db = TestDb::sqlite();
    let mut setup = db.migrated();
    diesel::sql_query("CREATE TABLE probe (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT NOT NULL)")
        .execute(&mut setup)
        .unwrap();
    let pool = db::pool(&db.target(), 4).expect("pool");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("connection");
                for i in 0..25 {
                    db::write_transaction(&mut conn, |c| {
                        // Read, then write: the pattern that fails under a deferred transaction.
                        let n: i64 = diesel::select(diesel::dsl::sql::<BigInt>("COUNT(*) FROM probe")).get_result(c)?;
                        diesel::insert_into(probe::table).values(probe::label.eq(format!("{w}-{i}-{n}"))).execute(c)?;
                        Ok::<_, diesel::result::Error>(())
                    })
                    .expect("writer waited for the lock rather than failing");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread");
    }
    let count: i64 = probe::table.count().get_result(&mut setup).unwrap();
    assert_eq!(count, 100);
}

#[test]
fn a_mistyped_postgres_url_is_refused_not_turned_into_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
        .current_dir(dir.path())
        .args(["migrate", "--database-url", "postgress://localhost/ohgov"])
        .output()
        .expect("run ohgov");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scheme"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no file was created");
}

#[test]
fn test_database_urls_keep_their_options() {
    assert_eq!(support::with_database("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
    assert_eq!(support::with_database("postgres://u@h:5432", "t1"), "postgres://u@h:5432/t1");
    assert_eq!(support::with_database("postgres://u@h/db?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
}
