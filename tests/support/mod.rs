//! Shared test support: a fresh database on either backend, and the real application served on a
//! free loopback port against it. Every area's tests use these, so each runs on both backends
//! without copied code.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

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

/// A database made for one test, removed when the test ends.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    /// The SQLite file's folder, removed on drop.
    sqlite_dir: Option<tempfile::TempDir>,
    /// The PostgreSQL server's maintenance URL and this test's database name, dropped on drop.
    postgres: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SKIP_NOTICE: Once = Once::new();

impl TestDb {
    /// An empty SQLite file in a fresh temporary folder. Nothing is migrated yet.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path: PathBuf = dir.path().join("ohgov-test.db");
        TestDb { backend: Backend::Sqlite, url: path.display().to_string(), sqlite_dir: Some(dir), postgres: None }
    }

    /// An empty PostgreSQL database on the server named by OHGOV_TEST_PG_URL, or None (with a
    /// notice) when that is unset. Under CI=true an unset URL or an unreachable server fails.
    pub fn postgres() -> Option<Self> {
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
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_subsec_nanos()
        );
        let mut admin = diesel::PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("OHGOV_TEST_PG_URL is set but PostgreSQL does not answer: {e}"));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let url = with_database(&admin_url, &name);
        Some(TestDb { backend: Backend::Postgres, url, sqlite_dir: None, postgres: Some((admin_url, name)) })
    }

    /// A fresh database of the given backend, or None when PostgreSQL tests are skipped.
    pub fn fresh(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres(),
        }
    }

    pub fn target(&self) -> DatabaseTarget {
        DatabaseTarget::parse(&self.url).expect("test URL parses")
    }

    /// A direct connection, set up as the pool's are.
    pub fn conn(&self) -> DbConnection {
        db::establish(&self.target()).expect("connect to test database")
    }

    /// A connection with every migration applied.
    pub fn migrated(&self) -> DbConnection {
        let mut conn = self.conn();
        db::run_migrations(&mut conn).expect("migrations apply");
        conn
    }

    pub fn settings(&self) -> Settings {
        let mut settings = Settings::for_database(self.url.clone());
        settings.pool_size = 4;
        settings
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
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres {
            if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
        let _ = &self.sqlite_dir;
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

/// Declares a test that runs once on SQLite and once on PostgreSQL, each against a fresh database
/// and, with `app`, the real application served over HTTP.
///
/// ```ignore
/// on_both_backends!(catalogue_page_lists_domains, app |app| { ... });
/// on_both_backends!(schema_matches, db |db| { ... });
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
                run($crate::support::TestApp::spawn($crate::support::TestDb::sqlite()).await).await
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres() {
                    run($crate::support::TestApp::spawn(db).await).await
                }
            }
        }
    };
    ($name:ident, db |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($db: $crate::support::TestDb) $body

            #[test]
            fn sqlite() {
                run($crate::support::TestDb::sqlite())
            }

            #[test]
            fn postgres() {
                if let Some(db) = $crate::support::TestDb::postgres() {
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
