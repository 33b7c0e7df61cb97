//! Shared test support: a fresh database on either backend, and the real application served on a
//! free loopback port against it. Every area's tests use these, so each runs on both backends
//! without copied code.
#![allow(dead_code)]

pub mod audits;
pub mod browser;
pub mod pdf;
pub mod smtp;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Once, OnceLock};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use ohgov::config::Settings;
use ohgov::db::{self, DatabaseTarget, DbConnection, ProviderId, UserId};

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Whether this run includes the cases of `backend`. `OHGOV_TEST_BACKENDS` (a comma-separated
/// list: `sqlite`, `postgres`) narrows the run; unset, both are included (PostgreSQL still needs
/// `OHGOV_TEST_PG_URL`). `.ci/run` runs its second pass with `OHGOV_TEST_BACKENDS=postgres`, so
/// the SQLite cases, which the first pass ran, are not run again.
///
/// A test that uses no PostgreSQL counts as a SQLite case: a plain `#[test]` that works on SQLite
/// only, or on no database at all, starts with `if !support::selected(Backend::Sqlite) { return; }`.
/// A test comparing the two backends needs PostgreSQL and runs when [`TestDb::postgres`] gives one.
pub fn selected(backend: Backend) -> bool {
    let Ok(list) = std::env::var("OHGOV_TEST_BACKENDS") else { return true };
    if list.trim().is_empty() {
        return true;
    }
    let names: Vec<&str> = list.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    if let Some(unknown) = names.iter().find(|n| !["sqlite", "postgres"].contains(n)) {
        panic!("OHGOV_TEST_BACKENDS names {unknown:?}; the backends are sqlite and postgres");
    }
    let chosen = names.contains(&backend.name());
    if !chosen {
        let message: &'static str = match backend {
            Backend::Sqlite => "OHGOV_TEST_BACKENDS leaves out sqlite: the SQLite cases are skipped",
            Backend::Postgres => "OHGOV_TEST_BACKENDS leaves out postgres: the PostgreSQL cases are skipped",
        };
        skip_notice(message);
    }
    chosen
}

/// What a new test database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Nothing: the test migrates it itself (the migration tests).
    Empty,
    /// Every migration applied, no rows.
    Migrated,
    /// Migrated, with the built-in catalogue loaded: what `ohgov::prepare` makes of an empty database
    /// (less the session key, which each application makes for itself).
    Catalogue,
}

/// A database made for one test, removed when the test ends.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    /// The SQLite file's folder, removed on drop.
    sqlite_dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server's maintenance URL and this test's database name, dropped on drop.
    postgres: Option<(String, String)>,
    /// This test's own key files, removed on drop: no two tests share a session key (the history
    /// key is the process's, see [`history_key`]).
    pub secrets_dir: tempfile::TempDir,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SKIP_NOTICE: Once = Once::new();

/// Everything the support sets up for the test process once: cheap password hashing, and the
/// history key every row this process writes is sealed with (before any template is made, so the
/// templates' rows are sealed with it too).
fn process_setup() {
    static SETUP: Once = Once::new();
    SETUP.call_once(|| {
        ohgov::accounts::secrets::use_test_hashing_cost();
        ohgov::history::install_key(history_key().clone()).expect("the test history key installs");
    });
}

/// This test process's history key, sealing every row from the first: each test database's key
/// file ([`TestDb::history_key_file`]) holds it, so the application and the `ohgov` commands a test
/// starts seal with it too.
pub fn history_key() -> &'static ohgov::history::HistoryKey {
    static KEY: OnceLock<ohgov::history::HistoryKey> = OnceLock::new();
    KEY.get_or_init(|| ohgov::history::HistoryKey::generate(1))
}

/// A folder for a test's key files, holding the process's history key file.
fn secrets_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("history.key"), history_key().file_text()).expect("write the history key file");
    dir
}

impl TestDb {
    /// An empty SQLite file in a fresh temporary folder. Nothing is migrated yet.
    pub fn sqlite() -> Self {
        Self::sqlite_with(Seed::Empty)
    }

    /// A SQLite file in a fresh temporary folder holding `seed`: a copy of this process's template.
    pub fn sqlite_with(seed: Seed) -> Self {
        process_setup();
        let dir = tempfile::tempdir().expect("temporary folder");
        let path: PathBuf = dir.path().join("ohgov-test.db");
        if seed != Seed::Empty {
            std::fs::write(&path, sqlite_template(seed)).expect("copy the template database");
        }
        TestDb {
            backend: Backend::Sqlite,
            url: path.display().to_string(),
            sqlite_dir: Some(dir),
            postgres: None,
            secrets_dir: secrets_dir(),
        }
    }

    /// An empty PostgreSQL database on the server named by OHGOV_TEST_PG_URL, or None (with a
    /// notice) when that is unset or `OHGOV_TEST_BACKENDS` leaves PostgreSQL out. Under CI=true an
    /// unset URL or an unreachable server fails.
    pub fn postgres() -> Option<Self> {
        Self::postgres_with(Seed::Empty)
    }

    /// As [`TestDb::postgres`], holding `seed`: a copy of this process's template database.
    pub fn postgres_with(seed: Seed) -> Option<Self> {
        process_setup();
        if !selected(Backend::Postgres) {
            return None;
        }
        let admin_url = match std::env::var("OHGOV_TEST_PG_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true but OHGOV_TEST_PG_URL is unset: the PostgreSQL tests must run in CI");
                }
                SKIP_NOTICE.call_once(|| {
                    // Written past the test harness's capture, so it is seen even when tests pass.
                    let _ = writeln!(
                        std::io::stderr(),
                        "notice: OHGOV_TEST_PG_URL is unset; PostgreSQL tests are skipped \
                         (set it to e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                    );
                });
                return None;
            }
        };
        let name = format!(
            "ohgov_test_{}_{}_{}",
            process_started(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = admin_connection(&admin_url);
        let create = match seed {
            Seed::Empty => format!("CREATE DATABASE {name}"),
            seed => format!("CREATE DATABASE {name} TEMPLATE {}", postgres_template(&admin_url, seed)),
        };
        admin.batch_execute(&create).unwrap_or_else(|e| panic!("{create}: {e}"));
        let url = with_database(&admin_url, &name);
        Some(TestDb {
            backend: Backend::Postgres,
            url,
            sqlite_dir: None,
            postgres: Some((admin_url, name)),
            secrets_dir: secrets_dir(),
        })
    }

    /// An empty database of the given backend, or None when PostgreSQL tests are skipped.
    pub fn fresh(backend: Backend) -> Option<Self> {
        Self::with(backend, Seed::Empty)
    }

    /// A database of the given backend holding `seed`, or None when PostgreSQL tests are skipped.
    pub fn with(backend: Backend, seed: Seed) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite_with(seed)),
            Backend::Postgres => Self::postgres_with(seed),
        }
    }

    pub fn target(&self) -> DatabaseTarget {
        DatabaseTarget::parse(&self.url).expect("test URL parses")
    }

    /// A direct connection, set up as the pool's are.
    pub fn conn(&self) -> DbConnection {
        db::establish(&self.target()).expect("connect to test database")
    }

    /// A connection with every migration applied (nothing to apply on a copy of a template).
    pub fn migrated(&self) -> DbConnection {
        let mut conn = self.conn();
        db::run_migrations(&mut conn).expect("migrations apply");
        conn
    }

    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.url.clone());
        settings.pool_size = 4;
        settings.session_key_file = self.secrets_dir.path().join("session.key");
        settings.history_key_file = self.history_key_file();
        // Email stays in the test's own folder, whatever the environment says.
        settings.mail.smtp_url = None;
        settings.mail.mail_dir = self.secrets_dir.path().join("mail-outbox");
        // Tests drain the outbox by hand (`ohgov::mail::sender::drain`), at moments of their
        // choosing; `tests/mail.rs` turns the server's own sender on to see it send.
        settings.send_mail = false;
        settings
    }

    /// This database's history key file, holding [`history_key`]: pass it to an `ohgov` command as
    /// `OHGOV_HISTORY_KEY_FILE`.
    pub fn history_key_file(&self) -> PathBuf {
        self.secrets_dir.path().join("history.key")
    }

    /// Runs the `ohgov` command on this database as an operator would: the history key from its
    /// file, no `DATABASE_URL` from the environment.
    pub fn ohgov(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(args)
            .args(["--database-url", &self.url])
            .env_remove("DATABASE_URL")
            .env("OHGOV_HISTORY_KEY_FILE", self.history_key_file())
            .output()
            .expect("run ohgov")
    }

    /// The SQLite file's path (SQLite only).
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match self.target() {
            DatabaseTarget::Sqlite(path) => Some(path),
            DatabaseTarget::Postgres(_) => None,
        }
    }
}

impl Drop for TestDb {
    /// A SQLite file goes with its folder. A PostgreSQL database is closed to connections at once
    /// (the test's application may outlive the test: actix's workers keep their pool) and dropped
    /// when the process exits, with the others together: each `DROP DATABASE` waits for a
    /// checkpoint (over a second here), and drops made at the same time share one.
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!(
                    "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
                ));
            }
            drop_at_exit(admin_url, name);
        }
        let _ = &self.sqlite_dir;
    }
}

/// Migrates an empty database and, for [`Seed::Catalogue`], loads the built-in catalogue.
fn seed_database(conn: &mut DbConnection, seed: Seed) {
    db::run_migrations(conn).expect("migrations apply to the template");
    if seed == Seed::Catalogue {
        ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources())
            .expect("the catalogue loads into the template");
    }
}

/// The bytes of a SQLite file holding `seed`, made once per test process: migrating and loading
/// the catalogue for every test took most of the suite's time.
fn sqlite_template(seed: Seed) -> &'static [u8] {
    static MIGRATED: OnceLock<Vec<u8>> = OnceLock::new();
    static CATALOGUE: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = match seed {
        Seed::Empty => unreachable!("an empty database needs no template"),
        Seed::Migrated => &MIGRATED,
        Seed::Catalogue => &CATALOGUE,
    };
    cell.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("template.db");
        let mut conn = db::establish(&DatabaseTarget::Sqlite(path.clone())).expect("open the template");
        seed_database(&mut conn, seed);
        // Everything out of the write-ahead log into the file itself, so the file alone is whole.
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint the template");
        drop(conn);
        let wal = dir.path().join("template.db-wal");
        assert!(std::fs::metadata(&wal).map_or(true, |m| m.len() == 0), "the template's log is empty");
        std::fs::read(&path).expect("read the template")
    })
}

/// When this test process started, in seconds since 1970: part of every PostgreSQL database name
/// it makes, so that a later run can tell leftovers (from a killed run) by their age.
fn process_started() -> u64 {
    static STARTED: OnceLock<u64> = OnceLock::new();
    *STARTED.get_or_init(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_secs()
    })
}

/// No test process runs this long: a test database or template older than this was left behind by a
/// killed run.
const LEFTOVER_AFTER_SECONDS: u64 = 3 * 60 * 60;

fn admin_connection(admin_url: &str) -> diesel::PgConnection {
    diesel::PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("OHGOV_TEST_PG_URL is set but PostgreSQL does not answer: {e}"))
}

/// The name of a PostgreSQL database holding `seed`, made once per test process (named with the
/// process's start and id) and dropped when the process exits. Tests copy it with
/// `CREATE DATABASE … TEMPLATE`, which needs no one connected to it: only this function connects,
/// before anyone copies it.
fn postgres_template(admin_url: &str, seed: Seed) -> &'static str {
    static MIGRATED: OnceLock<String> = OnceLock::new();
    static CATALOGUE: OnceLock<String> = OnceLock::new();
    let (cell, tag) = match seed {
        Seed::Empty => unreachable!("an empty database needs no template"),
        Seed::Migrated => (&MIGRATED, "migrated"),
        Seed::Catalogue => (&CATALOGUE, "catalogue"),
    };
    cell.get_or_init(|| {
        let mut admin = admin_connection(admin_url);
        drop_leftovers(&mut admin, admin_url);
        let name = format!("ohgov_tmpl_{}_{}_{tag}", process_started(), std::process::id());
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop an old template");
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the template database");
        drop_at_exit(admin_url, &name);
        let mut conn =
            db::establish(&DatabaseTarget::Postgres(with_database(admin_url, &name))).expect("open the template");
        seed_database(&mut conn, seed);
        // The connection closes here; CREATE DATABASE … TEMPLATE waits a few seconds for its
        // server process to go.
        drop(conn);
        name
    })
}

/// Drops the test databases and templates that killed runs left behind (older than
/// [`LEFTOVER_AFTER_SECONDS`]; a running suite's own are younger).
fn drop_leftovers(admin: &mut diesel::PgConnection, admin_url: &str) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let Ok(names) = diesel::sql_query(
        "SELECT datname::text AS datname FROM pg_database \
         WHERE datname LIKE 'ohgov\\_test\\_%' OR datname LIKE 'ohgov\\_tmpl\\_%'",
    )
    .load::<Name>(admin) else {
        return;
    };
    // ohgov_test_<started>_<pid>_<n> and ohgov_tmpl_<started>_<pid>_<seed>; older names held a
    // process id where the start now is, and are left alone.
    let stale: Vec<(String, String)> = names
        .into_iter()
        .filter(|Name { datname }| {
            let started = datname.split('_').nth(2).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
            started > 1_600_000_000 && started + LEFTOVER_AFTER_SECONDS < process_started()
        })
        .map(|Name { datname }| (admin_url.to_string(), datname))
        .collect();
    drop_together(&stale);
}

/// Drops the database `name` when this process exits. The test harness exits through `exit`
/// whether tests pass or fail, which runs the C library's `atexit` handlers; a killed run leaves
/// its databases behind for [`drop_leftovers`].
fn drop_at_exit(admin_url: &str, name: &str) {
    static TO_DROP: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    static REGISTER: Once = Once::new();
    extern "C" fn drop_all() {
        // Nothing may unwind out of an `extern "C"` function.
        let _ = std::panic::catch_unwind(|| {
            let to_drop = std::mem::take(&mut *TO_DROP.lock().unwrap_or_else(|e| e.into_inner()));
            drop_together(&to_drop);
        });
    }
    extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }
    TO_DROP.lock().unwrap_or_else(|e| e.into_inner()).push((admin_url.to_string(), name.to_string()));
    REGISTER.call_once(|| {
        // SAFETY: `drop_all` does not unwind, and uses only a static mutex, threads and new
        // connections, which are all still usable while the process exits.
        let registered = unsafe { atexit(drop_all) };
        assert_eq!(registered, 0, "atexit registers the databases' removal");
    });
}

/// Drops the databases (server URL, name) all at once, so that they share one checkpoint: a test
/// process's dozen take half a second together, and seconds in rounds of a few. At most 32
/// connections at a time, since the server is shared.
fn drop_together(databases: &[(String, String)]) {
    for batch in databases.chunks(32) {
        std::thread::scope(|scope| {
            let threads: Vec<_> = batch
                .iter()
                .map(|(admin_url, name)| {
                    scope.spawn(move || {
                        if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                        }
                    })
                })
                .collect();
            // Joined by hand: a join waits until the thread has wholly ended, its thread-local
            // destructors included, where the scope's own wait does not. At exit, OpenSSL's
            // cleanup (libpq's TLS) runs next and crashed on a thread still deregistering.
            for thread in threads {
                let _ = thread.join();
            }
        });
    }
}

/// The server URL with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{host_part}/{name}?{query}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The real application, served over HTTP on a free loopback port.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl TestApp {
    /// Prepares (migrates, loads the catalogue) and serves the application on `db`.
    pub async fn spawn(db: TestDb) -> Self {
        let settings = db.settings();
        Self::spawn_with(db, settings).await
    }

    /// As [`TestApp::spawn`], with settings changed by the test (no process-wide environment).
    pub async fn spawn_with(db: TestDb, settings: ohgov::config::Settings) -> Self {
        let state = ohgov::prepare(settings).expect("application prepares");
        let (server, addresses) = ohgov::bind(state, "127.0.0.1:0").expect("bind a free port");
        actix_web::rt::spawn(server);
        let client = Self::new_browser();
        TestApp { address: format!("http://{}", addresses[0]), client, db }
    }

    /// A browser of its own: its own cookies, no redirects followed (tests assert on the 303s).
    pub fn new_browser() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .expect("HTTP client")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{}", self.address, path)).send().await.expect("request is answered")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL, each against a database of its
/// own: with `app`, the real application served over HTTP on a copy of the migrated template with
/// the catalogue loaded; with `catalogue_db`, such a copy alone; with `db`, a copy of the migrated
/// template with no rows; with `empty_db`, an empty database that the test migrates itself.
///
/// ```ignore
/// on_both_backends!(catalogue_page_lists_domains, app |app| { ... });
/// on_both_backends!(readiness_counts, catalogue_db |db| { ... });
/// on_both_backends!(history_verifies, db |db| { ... });
/// on_both_backends!(migrations_apply, empty_db |db| { ... });
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, app |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::support::TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                if $crate::support::selected($crate::support::Backend::Sqlite) {
                    let db = $crate::support::TestDb::sqlite_with($crate::support::Seed::Catalogue);
                    run($crate::support::TestApp::spawn(db).await).await
                }
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres_with($crate::support::Seed::Catalogue) {
                    run($crate::support::TestApp::spawn(db).await).await
                }
            }
        }
    };
    ($name:ident, db |$db:ident| $body:block) => {
        $crate::on_both_backends!(@db $name, $crate::support::Seed::Migrated, |$db| $body);
    };
    ($name:ident, catalogue_db |$db:ident| $body:block) => {
        $crate::on_both_backends!(@db $name, $crate::support::Seed::Catalogue, |$db| $body);
    };
    ($name:ident, empty_db |$db:ident| $body:block) => {
        $crate::on_both_backends!(@db $name, $crate::support::Seed::Empty, |$db| $body);
    };
    (@db $name:ident, $seed:expr, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $crate::support::TestDb) $body

            #[test]
            fn sqlite() {
                if $crate::support::selected($crate::support::Backend::Sqlite) {
                    run($crate::support::TestDb::sqlite_with($seed))
                }
            }

            #[test]
            fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres_with($seed) {
                    run(db)
                }
            }
        }
    };
}

/// The form token in a page's first form.
pub fn form_token(html: &str) -> String {
    let start = html.find("name=\"csrf_token\" value=\"").expect("the page has a form token") + 25;
    html[start..].split('"').next().unwrap_or_default().to_string()
}

/// A hidden field's value in a page: the file's hash or the choice a next step posts back.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    page[start..].split('"').next().unwrap_or_default().to_string()
}

/// How many rows a table holds.
pub fn count(conn: &mut DbConnection, table: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result::<Count>(conn).unwrap().n
}

/// Posts a file to an upload form as a browser does: the form's text fields (its token among them)
/// and the file under `file_name`. The status and the page that answered.
pub async fn post_file(
    client: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    file: Vec<u8>,
) -> (u16, String) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    let form = form.part("file", reqwest::multipart::Part::bytes(file).file_name(file_name.to_string()));
    let response = client.post(url).multipart(form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A browser signed in as `email`, and a form token of its session.
pub async fn browser_signed_in(app: &TestApp, email: &str, password: &str) -> (reqwest::Client, String) {
    let client = TestApp::new_browser();
    let page = client.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    let response = client
        .post(format!("{}/sign-in", app.address))
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "{email} signs in");
    let page = client.get(format!("{}/account", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    (client, token)
}

/// A provider with its people, for the assessment and evidence tests: a manager, a clinical
/// director, a viewer, and an assessor with access until the end of next month.
pub struct Service {
    pub provider: ProviderId,
    pub manager: UserId,
    pub clinical_director: UserId,
    pub viewer: UserId,
    pub assessor: UserId,
}

/// Every test user's password.
pub const PASSWORD: &str = "a long enough passphrase";

/// Creates a provider called `name` with one user per role, emails `role@<slug>.example`, and
/// loads the catalogue if it is not there.
pub fn service(conn: &mut DbConnection, name: &str, slug: &str) -> Service {
    use ohgov::accounts::model::{OrganisationInput, UserInput};
    use ohgov::accounts::store::{self, Grant};
    use ohgov::accounts::Role;
    ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources()).unwrap();
    let input = OrganisationInput { kind: "provider".into(), name: name.into(), ..Default::default() };
    let provider = ProviderId(store::create_organisation(conn, None, &input.parse().unwrap()).unwrap());
    let today = chrono::Utc::now().date_naive();
    let mut person = |role: Role, label: &str| {
        let user = UserInput {
            email: format!("{}@{slug}.example", role.as_str()),
            name: format!("{label} of {name}"),
            password: PASSWORD.into(),
            is_admin: false,
        };
        let expires_on = (role == Role::Assessor).then(|| today + chrono::Duration::days(40));
        store::create_user(
            conn,
            None,
            &user.parse().unwrap(),
            Some(Grant { organisation_id: provider.0, role, expires_on }),
        )
        .unwrap()
    };
    Service {
        manager: person(Role::Manager, "Manager"),
        clinical_director: person(Role::ClinicalDirector, "Clinical director"),
        viewer: person(Role::Viewer, "Viewer"),
        assessor: person(Role::Assessor, "Assessor"),
        provider,
    }
}

/// Prints a notice past the test harness's capture, once per message, so a skipped part of the
/// suite is seen even when every test passes.
pub fn skip_notice(message: &'static str) {
    static SHOWN: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if !shown.contains(&message) {
        shown.push(message);
        let _ = writeln!(std::io::stderr(), "notice: {message}");
    }
}

/// Today as the product sees it: the date in Europe/London.
pub fn today() -> chrono::NaiveDate {
    ohgov::clock::Clock::system().today()
}

/// The framework a provider assesses against, which the evidence store is given.
pub fn framework(conn: &mut DbConnection, provider: ProviderId) -> Option<i32> {
    ohgov::assessment::store::framework_id(conn, provider).expect("framework in use")
}
