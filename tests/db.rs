//! The database layer: one schema on both backends, migrations, SQLite's settings, transactions.

mod support;

use std::collections::{BTreeMap, BTreeSet};

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
    assert_same_rules(&enforced(&mut sqlite.conn()), &enforced(&mut postgres.conn()));
    // A second run has nothing left to do.
    assert!(migrate_with_the_command(&sqlite).starts_with("0 migration(s)"));
}

// ---------------------------------------------------------------------------------------------
// Constraints and indexes: what each backend enforces beyond the columns, read from its catalog and
// put in one form so the two can be compared.

/// What a table enforces beyond its columns, in a form both backends can be compared in.
#[derive(Debug, Default, PartialEq, Eq)]
struct Rules {
    primary_key: Vec<String>,
    /// CHECK constraints by name.
    checks: BTreeMap<String, Check>,
    /// The column lists of UNIQUE constraints and unique indexes (the primary key apart), sorted.
    unique: Vec<Vec<String>>,
    /// Sorted, duplicates kept: the same key declared twice is a difference too.
    foreign_keys: Vec<ForeignKey>,
    /// Indexes made by CREATE INDEX, by name: (unique, partial, columns). Those the database makes for a
    /// primary key or a UNIQUE constraint are left out: their names are the backend's own.
    indexes: BTreeMap<String, (bool, bool, Vec<String>)>,
}

/// A CHECK constraint's expression, normalised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Check {
    /// `column IN ('a', 'b')` (or `column IS NULL OR column IN (...)`): the column and its codes.
    ClosedList { column: String, values: BTreeSet<String> },
    /// Any other expression: its words, names, literals and operators in order, without brackets,
    /// commas or PostgreSQL's casts, and with PostgreSQL's `= ANY (ARRAY[...])` read as `IN`.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    columns: Vec<String>,
    references: String,
    referenced_columns: Vec<String>,
    on_delete: String,
    on_update: String,
}

/// table -> what it enforces
type Enforced = BTreeMap<String, Rules>;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A keyword or a name, lower-cased, without its double quotes.
    Word(String),
    /// A string literal's value.
    Literal(String),
    Symbol(String),
}

/// Splits SQL into tokens, skipping comments.
fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            // A quote inside is written twice.
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    text.push(c);
                    i += 2;
                } else if chars[i] == c {
                    i += 1;
                    break;
                } else {
                    text.push(chars[i]);
                    i += 1;
                }
            }
            out.push(if c == '\'' { Token::Literal(text) } else { Token::Word(text.to_lowercase()) });
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect::<String>().to_lowercase()));
        } else {
            let pair: String = [c, next.unwrap_or(' ')].iter().collect();
            if ["::", "<>", "!=", "<=", ">=", "||", "=="].contains(&pair.as_str()) {
                out.push(Token::Symbol(pair));
                i += 2;
            } else {
                out.push(Token::Symbol(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

fn is_word(token: Option<&Token>, word: &str) -> bool {
    matches!(token, Some(Token::Word(w)) if w == word)
}

/// Normalises a CHECK expression as SQLite keeps it (the text of the migration) or as PostgreSQL
/// prints it (`pg_get_constraintdef`, which adds brackets and casts and turns `IN` into `= ANY`).
fn normalise_check(expression: &[Token]) -> Check {
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < expression.len() {
        match &expression[i] {
            Token::Symbol(s) if s == "::" => {
                // A cast: skip the type's name, of one word or two.
                i += 1;
                let first = expression.get(i).cloned();
                i += 1;
                let second_word = match first {
                    Some(Token::Word(w)) if w == "character" => Some("varying"),
                    Some(Token::Word(w)) if w == "double" => Some("precision"),
                    _ => None,
                };
                if second_word.is_some_and(|w| is_word(expression.get(i), w)) {
                    i += 1;
                }
                continue;
            }
            Token::Symbol(s) if ["(", ")", "[", "]", ","].contains(&s.as_str()) => {}
            Token::Symbol(s) if s == "=" && is_word(expression.get(i + 1), "any") => {
                // `= ANY (ARRAY[...])`: the brackets are dropped below; the words go here.
                words.push("in".into());
                i += 2;
                while matches!(expression.get(i), Some(Token::Symbol(b)) if b == "(") {
                    i += 1;
                }
                if is_word(expression.get(i), "array") {
                    i += 1;
                }
                continue;
            }
            Token::Symbol(s) if s == "!=" => words.push("<>".into()),
            Token::Symbol(s) if s == "==" => words.push("=".into()),
            Token::Symbol(s) => words.push(s.clone()),
            Token::Word(w) => words.push(w.clone()),
            Token::Literal(l) => words.push(format!("'{}'", l.replace('\'', "''"))),
        }
        i += 1;
    }
    // `column IS NULL OR column IN (...)` allows what `column IN (...)` allows: NULL passes a CHECK.
    let list = match words.as_slice() {
        [column, is, null, or, again, rest @ ..] if is == "is" && null == "null" && or == "or" && again == column => {
            Some((column, rest))
        }
        [column, rest @ ..] => Some((column, rest)),
        [] => None,
    };
    if let Some((column, [op, values @ ..])) = list {
        let literal = |v: &String| v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'');
        if op == "in" && !values.is_empty() && values.iter().all(literal) && !column.starts_with('\'') {
            return Check::ClosedList {
                column: column.clone(),
                values: values.iter().map(|v| v[1..v.len() - 1].replace("''", "'")).collect(),
            };
        }
    }
    Check::Other(words.join(" "))
}

/// The CHECK constraints in an SQLite `CREATE TABLE` statement: (name, expression). An unnamed one is
/// given a name that no PostgreSQL constraint has, so the comparison shows it.
fn sqlite_checks(create_table: &str) -> Vec<(String, Vec<Token>)> {
    let all = tokens(create_table);
    let mut found = Vec::new();
    for i in 0..all.len() {
        if !is_word(all.get(i), "check") || all.get(i + 1) != Some(&Token::Symbol("(".into())) {
            continue;
        }
        let mut depth = 0;
        let mut end = i + 1;
        for (j, token) in all.iter().enumerate().skip(i + 1) {
            match token {
                Token::Symbol(s) if s == "(" => depth += 1,
                Token::Symbol(s) if s == ")" => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = j;
                break;
            }
        }
        let name = match (i >= 2).then(|| (&all[i - 2], &all[i - 1])) {
            Some((Token::Word(constraint), Token::Word(name))) if constraint == "constraint" => name.clone(),
            _ => format!("(unnamed CHECK {})", found.len() + 1),
        };
        found.push((name, all[i + 2..end].to_vec()));
    }
    found
}

#[test]
fn a_check_reads_the_same_as_sqlite_keeps_it_and_as_postgresql_prints_it() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let list = |column: &str, values: &[&str]| Check::ClosedList { column: column.into(), values: strings(values) };
    let table =
        "CREATE TABLE \"t\" (\n    a TEXT CHECK (a IN ('x', 'it''s')), -- a note (with a bracket\n    b INTEGER,\n    \
                 CONSTRAINT t_b_check CHECK (b > 0 AND b != 3)\n)";
    let checks: Vec<(String, Check)> =
        sqlite_checks(table).into_iter().map(|(name, expression)| (name, normalise_check(&expression))).collect();
    assert_eq!(
        checks,
        [
            ("(unnamed CHECK 1)".to_string(), list("a", &["x", "it's"])),
            ("t_b_check".to_string(), Check::Other("b > 0 and b <> 3".into()))
        ]
    );
    let printed = |definition: &str| {
        let all = tokens(definition);
        assert!(is_word(all.first(), "check"));
        normalise_check(&all[1..])
    };
    assert_eq!(printed("CHECK ((a = ANY (ARRAY['x'::text, 'it''s'::text])))"), list("a", &["x", "it's"]));
    assert_eq!(
        printed("CHECK (((a)::text = ANY ((ARRAY['x'::character varying, 'it''s'::character varying])::text[])))"),
        list("a", &["x", "it's"])
    );
    assert_eq!(printed("CHECK (((a IS NULL) OR (a = ANY (ARRAY['x'::text]))))"), list("a", &["x"]));
    assert_eq!(printed("CHECK (((b > 0) AND (b <> 3)))"), Check::Other("b > 0 and b <> 3".into()));
    // Values differ, or another column is involved: not the same check.
    assert_ne!(printed("CHECK ((a = ANY (ARRAY['x'::text, 'y'::text])))"), list("a", &["x", "it's"]));
    assert!(matches!(printed("CHECK (((a IS NULL) OR (b = ANY (ARRAY['x'::text]))))"), Check::Other(_)));
}

/// How PostgreSQL's catalog spells a referential action, in SQLite's words.
fn referential_action(code: &str) -> String {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => panic!("unknown referential action {other:?}"),
    }
    .to_string()
}

/// A table's statement, a CHECK's definition, or any other text about a table.
#[derive(QueryableByName)]
struct TableText {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    text: String,
}

/// One column of a key or an index; `position` orders them.
#[derive(QueryableByName)]
struct KeyColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    /// `pk` (made for the primary key), `u` (made for a UNIQUE constraint) or `c` (CREATE INDEX).
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Integer)]
    partial: i32,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    /// Empty when SQLite's REFERENCES names no column: the referenced table's primary key.
    #[diesel(sql_type = Text)]
    referenced_column: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

/// Groups rows by (table, name) and orders each group's columns by position.
fn grouped<'a, R>(
    rows: &'a [R],
    key: impl Fn(&'a R) -> (&'a str, &'a str, i32),
) -> BTreeMap<(String, String), Vec<&'a R>> {
    let mut groups: BTreeMap<(String, String), Vec<(i32, &R)>> = BTreeMap::new();
    for row in rows {
        let (table, name, position) = key(row);
        groups.entry((table.to_string(), name.to_string())).or_default().push((position, row));
    }
    groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by_key(|(position, _)| *position);
            (k, v.into_iter().map(|(_, row)| row).collect())
        })
        .collect()
}

const SQLITE_TABLES: &str = "SELECT name FROM sqlite_master \
     WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'";

const PG_TABLES: &str = "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '__diesel_schema_migrations'";

fn enforced(conn: &mut DbConnection) -> Enforced {
    let mut enforced = Enforced::new();
    let (checks, primary_keys, indexes, foreign_keys) = match conn {
        DbConnection::Sqlite(c) => {
            let tables: Vec<TableText> = diesel::sql_query(format!(
                "SELECT name AS table_name, name, sql AS text FROM sqlite_master WHERE name IN ({SQLITE_TABLES})"
            ))
            .load(c)
            .expect("read SQLite tables");
            let checks: Vec<(String, String, Check)> = tables
                .iter()
                .flat_map(|t| {
                    sqlite_checks(&t.text)
                        .into_iter()
                        .map(|(name, e)| (t.table_name.clone(), name, normalise_check(&e)))
                })
                .collect();
            let primary_keys: Vec<KeyColumn> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, 'primary key' AS name, p.pk AS position, p.name AS column_name \
                 FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.name IN ({SQLITE_TABLES}) AND p.pk > 0"
            ))
            .load(c)
            .expect("read SQLite primary keys");
            let indexes: Vec<IndexRow> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, l.name AS name, l.origin AS origin, l.\"unique\" AS is_unique, \
                        l.partial AS partial, i.seqno AS position, COALESCE(i.name, '(expression)') AS column_name \
                 FROM sqlite_master m JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) i \
                 WHERE m.name IN ({SQLITE_TABLES})"
            ))
            .load(c)
            .expect("read SQLite indexes");
            let foreign_keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
                "SELECT m.name AS table_name, CAST(f.id AS TEXT) AS name, f.seq AS position, \
                        f.\"from\" AS column_name, f.\"table\" AS referenced_table, \
                        COALESCE(f.\"to\", '') AS referenced_column, f.on_delete AS on_delete, f.on_update AS on_update \
                 FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.name IN ({SQLITE_TABLES})"
            ))
            .load(c)
            .expect("read SQLite foreign keys");
            (checks, primary_keys, indexes, foreign_keys)
        }
        DbConnection::Postgres(c) => {
            let definitions: Vec<TableText> = diesel::sql_query(format!(
                "SELECT conrelid::regclass::text AS table_name, conname::text AS name, \
                        pg_get_constraintdef(oid) AS text \
                 FROM pg_constraint WHERE contype = 'c' AND conrelid IN ({PG_TABLES})"
            ))
            .load(c)
            .expect("read PostgreSQL CHECK constraints");
            let checks = definitions
                .into_iter()
                .map(|d| {
                    let all = tokens(&d.text);
                    assert!(is_word(all.first(), "check"), "{}", d.text);
                    (d.table_name, d.name, normalise_check(&all[1..]))
                })
                .collect();
            let primary_keys: Vec<KeyColumn> = diesel::sql_query(format!(
                "SELECT c.conrelid::regclass::text AS table_name, 'primary key' AS name, \
                        k.n::int AS position, a.attname::text AS column_name \
                 FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                 WHERE c.contype = 'p' AND c.conrelid IN ({PG_TABLES})"
            ))
            .load(c)
            .expect("read PostgreSQL primary keys");
            // An index made for a constraint of its own table is that constraint's (a foreign key's
            // conindid is the other table's index, so it does not count).
            let indexes: Vec<IndexRow> = diesel::sql_query(format!(
                "SELECT x.indrelid::regclass::text AS table_name, i.relname::text AS name, \
                        CASE WHEN x.indisprimary THEN 'pk' \
                             WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid \
                                          AND c.conrelid = x.indrelid AND c.contype IN ('u', 'x')) THEN 'u' \
                             ELSE 'c' END AS origin, \
                        x.indisunique::int AS is_unique, (x.indpred IS NOT NULL)::int AS partial, \
                        (k.n - 1)::int AS position, COALESCE(a.attname::text, '(expression)') AS column_name \
                 FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                 CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
                 LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0 \
                 WHERE x.indrelid IN ({PG_TABLES})"
            ))
            .load(c)
            .expect("read PostgreSQL indexes");
            let foreign_keys: Vec<ForeignKeyRow> = diesel::sql_query(format!(
                "SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS name, k.n::int AS position, \
                        a.attname::text AS column_name, c.confrelid::regclass::text AS referenced_table, \
                        r.attname::text AS referenced_column, \
                        c.confdeltype::text AS on_delete, c.confupdtype::text AS on_update \
                 FROM pg_constraint c \
                 CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, n) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
                 JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.refnum \
                 WHERE c.contype = 'f' AND c.conrelid IN ({PG_TABLES})"
            ))
            .load(c)
            .expect("read PostgreSQL foreign keys");
            let foreign_keys = foreign_keys
                .into_iter()
                .map(|f| ForeignKeyRow {
                    on_delete: referential_action(&f.on_delete),
                    on_update: referential_action(&f.on_update),
                    ..f
                })
                .collect();
            (checks, primary_keys, indexes, foreign_keys)
        }
    };
    for (table, name, check) in checks {
        let previous = enforced.entry(table.clone()).or_default().checks.insert(name.clone(), check);
        assert!(previous.is_none(), "{table} has two CHECK constraints named {name}");
    }
    for ((table, _), columns) in grouped(&primary_keys, |k| (&k.table_name, &k.name, k.position)) {
        enforced.entry(table).or_default().primary_key = columns.iter().map(|k| k.column_name.clone()).collect();
    }
    for ((table, name), columns) in grouped(&indexes, |i| (&i.table_name, &i.name, i.position)) {
        let first = columns[0];
        let list: Vec<String> = columns.iter().map(|i| i.column_name.clone()).collect();
        let rules = enforced.entry(table).or_default();
        match first.origin.as_str() {
            "pk" => continue,
            "u" => assert_eq!(first.is_unique, 1, "{name} backs a UNIQUE constraint"),
            "c" => {
                rules.indexes.insert(name, (first.is_unique == 1, first.partial == 1, list.clone()));
            }
            other => panic!("index {name} has an unknown origin {other:?}"),
        }
        if first.is_unique == 1 {
            rules.unique.push(list);
        }
    }
    let primary_key_of = |enforced: &Enforced, table: &str| -> Vec<String> {
        enforced.get(table).map(|r| r.primary_key.clone()).unwrap_or_default()
    };
    for ((table, _), columns) in grouped(&foreign_keys, |f| (&f.table_name, &f.name, f.position)) {
        let first = columns[0];
        let mut referenced_columns: Vec<String> = columns.iter().map(|f| f.referenced_column.clone()).collect();
        if referenced_columns.iter().all(String::is_empty) {
            referenced_columns = primary_key_of(&enforced, &first.referenced_table);
        }
        let key = ForeignKey {
            columns: columns.iter().map(|f| f.column_name.clone()).collect(),
            references: first.referenced_table.clone(),
            referenced_columns,
            on_delete: first.on_delete.clone(),
            on_update: first.on_update.clone(),
        };
        enforced.entry(table).or_default().foreign_keys.push(key);
    }
    for rules in enforced.values_mut() {
        rules.unique.sort();
        rules.foreign_keys.sort();
    }
    enforced
}

/// Asserts the two backends enforce the same things on every table, naming the table and the kind of
/// rule that differs.
fn assert_same_rules(sqlite: &Enforced, postgres: &Enforced) {
    let tables: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    let none = Rules::default();
    for table in tables {
        let (s, p) = (sqlite.get(table).unwrap_or(&none), postgres.get(table).unwrap_or(&none));
        assert_eq!(s.primary_key, p.primary_key, "primary key of {table} (SQLite left, PostgreSQL right)");
        assert_eq!(s.checks, p.checks, "CHECK constraints of {table} (SQLite left, PostgreSQL right)");
        assert_eq!(s.unique, p.unique, "UNIQUE constraints and indexes of {table} (SQLite left, PostgreSQL right)");
        assert_eq!(s.foreign_keys, p.foreign_keys, "foreign keys of {table} (SQLite left, PostgreSQL right)");
        assert_eq!(s.indexes, p.indexes, "indexes of {table} (SQLite left, PostgreSQL right)");
    }
}

#[test]
fn both_backends_enforce_the_same_keys_checks_and_indexes() {
    let sqlite = TestDb::sqlite();
    let Some(postgres) = TestDb::postgres() else { return };
    let sqlite_rules = enforced(&mut sqlite.migrated());
    let postgres_rules = enforced(&mut postgres.migrated());
    // The reading itself found what the migrations say, on each side.
    for rules in [&sqlite_rules, &postgres_rules] {
        let staff = &rules["staff"];
        assert_eq!(staff.primary_key, ["id"]);
        assert!(staff.unique.contains(&vec!["provider_id".to_string(), "staff_number".to_string()]));
        assert_eq!(staff.indexes["staff_by_number"], (true, false, vec!["provider_id".into(), "staff_number".into()]));
        assert!(staff.foreign_keys.contains(&ForeignKey {
            columns: vec!["provider_id".into()],
            references: "organisations".into(),
            referenced_columns: vec!["id".into()],
            on_delete: "NO ACTION".into(),
            on_update: "NO ACTION".into(),
        }));
        assert_eq!(
            staff.checks["staff_tier_check"],
            Check::ClosedList {
                column: "tier".into(),
                values: ["clinical", "non_clinical", "specialist"].map(String::from).into()
            }
        );
        assert!(matches!(rules["organisations"].checks["organisations_organisation_type_check"], Check::Other(_)));
        assert!(rules["users"].unique.contains(&vec!["email".to_string()]));
        assert_eq!(rules["evidence_links"].primary_key, ["series_id", "node_id"]);
    }
    assert_same_rules(&sqlite_rules, &postgres_rules);
}

/// The codes a vocabulary stores.
fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> BTreeSet<String> {
    all.iter().map(|v| code(*v).to_string()).collect()
}

fn strings(values: &[&str]) -> BTreeSet<String> {
    values.iter().map(|v| v.to_string()).collect()
}

on_both_backends!(
    every_closed_list_column_allows_exactly_its_vocabulary,
    empty_db | db | {
        use ohgov::accounts::{OrganisationKind, Role};
        use ohgov::assessment::model as assessment;
        use ohgov::audits::model as audits;
        use ohgov::catalogue::model as catalogue;
        use ohgov::coverage::model::Delivery;
        use ohgov::evidence::model::EvidenceKind;
        use ohgov::workforce::import::ImportKind;
        use ohgov::workforce::model as workforce;

        let node_kinds = strings(&[
            "domain",
            "standard",
            "criterion",
            "core_service",
            "subspecialism",
            "profession",
            "kpi_group",
            "kpi",
            "document_kind",
        ]);
        assert!(node_kinds.iter().all(|k| catalogue::NodeKind::parse(k).is_some_and(|n| n.as_str() == k)));
        let levels = strings(&["must", "should"]);
        assert!(levels.iter().all(|l| catalogue::Level::parse(l).is_some_and(|n| n.as_str() == l)));
        let organisation_kinds = [OrganisationKind::Provider, OrganisationKind::Commissioner];
        // The catalogue's own lists (its file checks hold them): regulators as professions.toml names
        // them, CPD cycles and units, KPI units, sources and indicators.
        let expected: BTreeMap<(&str, &str), BTreeSet<String>> = [
            (("catalogues", "kind"), codes(catalogue::CatalogueKind::ALL, catalogue::CatalogueKind::as_str)),
            (("catalogue_nodes", "kind"), node_kinds),
            (("catalogue_nodes", "level"), levels),
            (("profession_rules", "regulator"), codes(workforce::Regulator::ALL, workforce::Regulator::catalogue_code)),
            (("profession_rules", "cpd_cycle"), strings(&["cpd_year", "revalidation", "rolling_periods"])),
            (("profession_rules", "cpd_unit"), strings(&["credits", "hours", "activities"])),
            (("kpi_definitions", "unit"), strings(&["working_days", "days", "minutes", "percent", "score"])),
            (("kpi_definitions", "source"), strings(&["MoHaWK", "service"])),
            (("kpi_definitions", "indicator"), strings(&["leading", "lagging"])),
            (("organisations", "kind"), codes(&organisation_kinds, OrganisationKind::as_str)),
            (("memberships", "role"), codes(Role::ALL, Role::as_str)),
            (("evidence_items", "kind"), codes(EvidenceKind::ALL, EvidenceKind::as_str)),
            (("accreditations", "status"), codes(assessment::AccreditationStatus::ALL, |v| v.as_str())),
            (("assessment_cycles", "kind"), codes(assessment::CycleKind::ALL, |v| v.as_str())),
            (("standard_assessments", "workflow"), codes(assessment::Workflow::ALL, |v| v.as_str())),
            (("standard_assessments", "result"), codes(assessment::AssessmentResult::ALL, |v| v.as_str())),
            (("findings", "grade"), codes(assessment::FindingGrade::ALL, |v| v.as_str())),
            (("findings", "source"), codes(assessment::FindingSource::ALL, |v| v.as_str())),
            (("assessor_requests", "status"), codes(assessment::RequestStatus::ALL, |v| v.as_str())),
            (("service_coverage", "delivery"), codes(Delivery::ALL, Delivery::as_str)),
            (("staff", "discipline"), codes(workforce::Discipline::ALL, |v| v.as_str())),
            (("staff", "tier"), codes(workforce::Tier::ALL, |v| v.as_str())),
            (("staff", "regulator"), codes(workforce::Regulator::ALL, |v| v.as_str())),
            (("staff", "specialist_route"), codes(workforce::SpecialistRoute::ALL, |v| v.as_str())),
            (("cpd_records", "activity_type"), codes(workforce::CpdType::ALL, |v| v.as_str())),
            (("supervision_sessions", "kind"), codes(workforce::SupervisionKind::ALL, |v| v.as_str())),
            (("nmc_revalidations", "confirmer_role"), codes(workforce::ConfirmerRole::ALL, |v| v.as_str())),
            (("pending_imports", "kind"), codes(ImportKind::ALL, |v| v.as_str())),
            (("import_mappings", "kind"), codes(ImportKind::ALL, |v| v.as_str())),
            (("audit_plans", "state"), codes(audits::PlanState::ALL, |v| v.as_str())),
            (("audits", "audit_type"), codes(audits::AuditType::ALL, |v| v.as_str())),
            (("audits", "status"), codes(audits::AuditStatus::ALL, |v| v.as_str())),
            (("audit_actions", "status"), codes(audits::ActionStatus::ALL, |v| v.as_str())),
            (
                ("customer_reviews", "recorded_side"),
                codes(ohgov::commissioning::model::ReviewSide::ALL, |v| v.as_str()),
            ),
            (("esr_declarations", "interface"), codes(ohgov::commissioning::model::EsrInterface::ALL, |v| v.as_str())),
            (("live_verdicts", "check_code"), codes(ohgov::catalogue::model::LiveCheck::ALL, |v| v.as_str())),
            (("live_verdicts", "verdict"), codes(ohgov::assessment::model::Verdict::ALL, |v| v.as_str())),
            (("live_exceptions", "check_code"), codes(ohgov::catalogue::model::LiveCheck::ALL, |v| v.as_str())),
            (("live_snapshots", "check_code"), codes(ohgov::catalogue::model::LiveCheck::ALL, |v| v.as_str())),
            (("outbox_messages", "kind"), codes(ohgov::outbox::MessageKind::ALL, |v| v.as_str())),
            (("outbox_messages", "status"), codes(ohgov::outbox::MessageStatus::ALL, |v| v.as_str())),
            (("account_links", "purpose"), codes(ohgov::accounts::links::LinkPurpose::ALL, |v| v.as_str())),
            (("reminder_opt_outs", "kind"), codes(ohgov::outbox::ReminderKind::ALL, |v| v.as_str())),
        ]
        .into_iter()
        .collect();

        let rules = enforced(&mut db.migrated());
        let mut found: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
        for (table, table_rules) in &rules {
            for (name, check) in &table_rules.checks {
                if let Check::ClosedList { column, values } = check {
                    assert_eq!(name, &format!("{table}_{column}_check"), "constraints are named table_column_check");
                    let previous = found.insert((table.as_str(), column.as_str()), values.clone());
                    assert!(previous.is_none(), "{table}.{column} has two closed lists");
                }
            }
        }
        assert_eq!(found, expected, "each closed-list column allows its vocabulary's codes and nothing else");

        // An organisation's type is checked against the types of its kind.
        let Check::Other(types) = &rules["organisations"].checks["organisations_organisation_type_check"] else {
            panic!("organisation_type is checked against its kind")
        };
        for kind in organisation_kinds {
            let listed = kind.types().iter().map(|(code, _)| format!("'{code}'")).collect::<Vec<_>>().join(" ");
            let clause = format!("kind = '{}' and organisation_type in {listed}", kind.as_str());
            assert!(types.contains(&clause), "{types:?} lacks {clause:?}");
        }
    }
);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut DbConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<Count>(conn).expect("count").n
}

/// Runs `sql` with a value from outside the column's list, then with one from inside: the first must
/// be refused by the named CHECK constraint with the table unchanged, the second accepted, so the
/// refusal was the value's alone.
fn refused_then_accepted(conn: &mut DbConnection, table: &str, constraint: &str, sql: &str, bad: &str, good: &str) {
    let before = count(conn, table);
    let refusal = diesel::sql_query(sql.replace("{value}", bad)).execute(conn);
    match refusal {
        Err(diesel::result::Error::DatabaseError(kind, info)) => {
            assert!(
                matches!(kind, diesel::result::DatabaseErrorKind::CheckViolation),
                "{table} refused {bad:?} with {kind:?}: {}",
                info.message()
            );
            let named = info.constraint_name() == Some(constraint) || info.message().contains(constraint);
            assert!(named, "{table} refused {bad:?} by {constraint}: {}", info.message());
        }
        other => panic!("{table} accepted {bad:?}: {other:?}"),
    }
    assert_eq!(count(conn, table), before, "{table} holds the rows it had");
    diesel::sql_query(sql.replace("{value}", good)).execute(conn).unwrap_or_else(|e| panic!("{table}: {good:?}: {e}"));
    assert_eq!(count(conn, table), before + 1, "{table} took the row with {good:?}");
}

on_both_backends!(
    a_value_outside_a_closed_list_is_refused_by_the_database,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let service = support::service(&mut conn, "Closed Lists OH", "closed-lists");
            let (provider, viewer) = (service.provider, service.viewer);
            let now = "'2026-11-23 10:00:00'";
            let conn = &mut conn;

            let staff = format!(
                "INSERT INTO staff (provider_id, staff_number, full_name, discipline, tier, regulator, created_at, \
             updated_at) VALUES ({provider}, '{{value}}-1', 'Ada Example', 'occupational_physician', 'clinical', \
             '{{value}}', {now}, {now})"
            );
            // The catalogue's spelling, a typo and the empty string are all refused.
            for (bad, good) in [("GMC", "gmc"), ("gmcc", "nmc"), ("", "hcpc")] {
                refused_then_accepted(conn, "staff", "staff_regulator_check", &staff, bad, good);
            }
            let tier = format!(
            "INSERT INTO staff (provider_id, staff_number, full_name, discipline, tier, regulator, created_at, \
             updated_at) VALUES ({provider}, 'T-{{value}}', 'Bea Example', 'oh_nurse', '{{value}}', 'nmc', {now}, {now})"
        );
            refused_then_accepted(conn, "staff", "staff_tier_check", &tier, "nonclinical", "non_clinical");

            let membership = format!(
                "INSERT INTO memberships (user_id, organisation_id, role, created_at) \
             VALUES ({viewer}, {provider}, '{{value}}', {now})"
            );
            refused_then_accepted(conn, "memberships", "memberships_role_check", &membership, "admin", "clinician");

            let organisation =
                format!("INSERT INTO organisations (kind, name, created_at) VALUES ('{{value}}', 'Acme', {now})");
            refused_then_accepted(
                conn,
                "organisations",
                "organisations_kind_check",
                &organisation,
                "supplier",
                "commissioner",
            );
            let organisation_type = format!(
                "INSERT INTO organisations (kind, name, organisation_type, created_at) \
             VALUES ('provider', 'Acme OH', '{{value}}', {now})"
            );
            // A commissioner's type on a provider is refused, as an unknown type is.
            for bad in ["icb", "charity"] {
                refused_then_accepted(
                    conn,
                    "organisations",
                    "organisations_organisation_type_check",
                    &organisation_type,
                    bad,
                    "independent",
                );
            }

            diesel::sql_query(format!(
                "INSERT INTO assessment_cycles (provider_id, catalogue_id, kind, started_on, created_at) \
             SELECT {provider}, id, 'initial', '2026-04-01', {now} FROM catalogues WHERE kind = 'framework' \
             ORDER BY id DESC LIMIT 1"
            ))
            .execute(conn)
            .expect("a cycle");
            let assessment = format!(
                "INSERT INTO standard_assessments (cycle_id, node_id, workflow, result, narrative, updated_at) \
             SELECT c.id, n.id, 'done', '{{value}}', 'Checked', {now} \
             FROM assessment_cycles c JOIN catalogue_nodes n ON n.catalogue_id = c.catalogue_id \
             WHERE c.provider_id = {provider} AND n.kind = 'standard' \
             AND n.id NOT IN (SELECT node_id FROM standard_assessments) ORDER BY n.id LIMIT 1"
            );
            refused_then_accepted(
                conn,
                "standard_assessments",
                "standard_assessments_result_check",
                &assessment,
                "passed",
                "met",
            );
            refused_then_accepted(
                conn,
                "standard_assessments",
                "standard_assessments_result_check",
                &assessment,
                "Met",
                "partly_met",
            );
        }
);

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
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
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
    empty_db | db | {
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
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
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
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
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
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    assert_eq!(support::with_database("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
    assert_eq!(support::with_database("postgres://u@h:5432", "t1"), "postgres://u@h:5432/t1");
    assert_eq!(support::with_database("postgres://u@h/db?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
}

on_both_backends!(
    one_batch_insert_writes_more_rows_than_one_statement_may_bind,
    db | db | {
        use ohgov::db::schema::sign_in_failures;
        let mut conn = db.migrated();
        // Three values a row: 40,000 rows bind 120,000 values, past both backends' limit for one
        // statement, so the helper must split them.
        let at = chrono::Utc::now().naive_utc();
        let rows: Vec<_> = (0..40_000)
            .map(|n| {
                (
                    sign_in_failures::address.eq(format!("10.0.{}.{}", n / 256, n % 256)),
                    sign_in_failures::email.eq(format!("person{n}@example.nhs.uk")),
                    sign_in_failures::failed_at.eq(at),
                )
            })
            .collect();
        assert_eq!(
            db::insert_batch(&mut conn, sign_in_failures::table, &rows[..0]).unwrap(),
            0,
            "no rows, no statement"
        );
        let written =
            db::write_transaction(&mut conn, |c| db::insert_batch(c, sign_in_failures::table, &rows)).unwrap();
        assert_eq!(written, 40_000);
        assert_eq!(count(&mut conn, "sign_in_failures"), 40_000);
        let last: String = sign_in_failures::table
            .filter(sign_in_failures::email.eq("person39999@example.nhs.uk"))
            .select(sign_in_failures::address)
            .first(&mut conn)
            .unwrap();
        assert_eq!(last, "10.0.156.63", "each row keeps its own values");
    }
);
