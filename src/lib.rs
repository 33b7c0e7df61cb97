//! ohgov: SEQOHS accreditation and clinical governance for occupational health services.
//!
//! This file wires the areas together: [`prepare`] opens and migrates the database and loads the
//! catalogue, and [`app`] builds the actix application that `main` serves and tests drive.

pub mod accounts;
pub mod assessment;
pub mod audits;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod commissioning;
pub mod config;
pub mod coverage;
pub mod db;
pub mod documents;
pub mod evidence;
pub mod form;
pub mod history;
pub mod live;
pub mod mail;
pub mod outbox;
pub mod pdf;
pub mod providers;
pub mod quality;
pub mod web;
pub mod words;
pub mod workforce;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web as aw, App, HttpRequest, HttpResponse};

use crate::config::Settings;
use crate::web::{AppError, AppState};

/// A closed list of the field's own terms: each value has the code stored in the database and sent
/// in JSON, and the words people read. Generates `ALL`, `as_str`, `label`, `parse` and `options`
/// (pairs for a form's select), and diesel's `Text` conversions on both backends, so a row struct
/// holds the enum itself and never a string that might be anything.
///
/// After the variants, `name` is the list's name in messages and `stored_in` the columns that hold
/// its codes (`table.column`, or `table(key).column` when the table's key is not `id`): a stored
/// code outside the list fails the read with [`db::codes::UnknownCode`], which
/// [`db::codes::explain`] traces to those columns' rows. Nothing becomes a silent default.
///
/// ```ignore
/// ohgov::vocabulary! {
///     /// The professional regulators.
///     pub enum Regulator { Gmc => ("gmc", "GMC"), None => ("none", "Not registered") }
///     name = "regulator", stored_in = [staff.regulator];
/// }
/// ```
#[macro_export]
macro_rules! vocabulary {
    (@key) => { "id" };
    (@key $key:ident) => { stringify!($key) };
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => ($code:literal, $label:literal)),+ $(,)?
        }
        name = $list:literal, stored_in = [$($table:ident $(($key:ident))? . $column:ident),* $(,)?] $(;)?
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The list's name, as messages about a stored code outside it say it.
            pub const LIST: &'static str = $list;

            /// Every code, in the order of `ALL`.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            /// The columns that store these codes, for tracing a bad one to its rows.
            pub const STORED_IN: &'static [$crate::db::codes::StoredIn] = &[$(
                $crate::db::codes::StoredIn {
                    table: stringify!($table),
                    key: $crate::vocabulary!(@key $($key)?),
                    column: stringify!($column),
                }
            ),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                let value = value.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == value)
            }

            pub fn options() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
            }

            /// What a form or an import says of a choice missing or outside the list: "Choose a
            /// tier", or the value given and the choices by their labels (`form::choice_refusal`).
            pub fn refusal(given: &str) -> String {
                $crate::form::choice_refusal($list, given, &[$($label),+])
            }

            /// Every code with its label, for an import file's errors: "specialist (Specialist), …".
            pub fn accepted() -> String {
                $crate::form::codes_with_labels(&[$(($code, $label)),+])
            }

            /// A choice that must be made: the value, or None with [`Self::refusal`] at `field`.
            pub fn read(errors: &mut $crate::form::FieldErrors, field: &'static str, given: &str) -> Option<Self> {
                let found = Self::parse(given);
                if found.is_none() {
                    errors.add(field, Self::refusal(given));
                }
                found
            }

            /// A choice that may be left blank (None); an unknown one is refused as [`Self::read`] does.
            pub fn read_optional(
                errors: &mut $crate::form::FieldErrors,
                field: &'static str,
                given: &str,
            ) -> Option<Self> {
                if given.trim().is_empty() {
                    return None;
                }
                Self::read(errors, field, given)
            }

            /// A code exactly as stored; anything else is the error that names the list and the
            /// value (the database's CHECK constraints hold the same list).
            pub fn from_code(code: &str) -> Result<Self, $crate::db::codes::UnknownCode> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code).ok_or_else(|| $crate::db::codes::UnknownCode {
                    list: $list,
                    value: code.to_string(),
                    codes: Self::CODES,
                    stored_in: Self::STORED_IN,
                })
            }
        }

        impl $crate::db::codes::Vocabulary for $name {
            const LIST: &'static str = $list;
            const CODES: &'static [&'static str] = &[$($code),+];

            fn from_code(code: &str) -> Result<Self, $crate::db::codes::UnknownCode> {
                $name::from_code(code)
            }

            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        /// Read back from its code, refusing one outside the list (a cached document of figures).
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&code).ok_or_else(|| serde::de::Error::custom(Self::refusal(&code)))
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn from_sql(value: diesel::sqlite::SqliteValue<'_, '_, '_>) -> diesel::deserialize::Result<Self> {
                let code = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::from_sql(value)?;
                Ok(Self::from_code(&code)?)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let code = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(value)?;
                Ok(Self::from_code(&code)?)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                value: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                value.from_sql::<Self, diesel::sql_types::Text>()
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self.as_str()));
                Ok(diesel::serialize::IsNull::No)
            }
        }
    };
}

/// No inline script or style anywhere, and no framing: the pages are plain server-rendered HTML.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Opens the pool, applies migrations, loads (or makes) the history key, loads the built-in
/// catalogue into an empty database and parses the templates: everything that must be right before
/// the first request.
pub fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    // The import's synonyms are checked like the catalogue: a bad file stops the start.
    workforce::mapping::check_builtin().map_err(anyhow::Error::msg)?;
    let target = db::DatabaseTarget::parse(&settings.database_url)?;
    let pool = db::pool(&target, settings.pool_size)?;
    let write_pool = db::pool(&target, settings.write_pool_size)?;
    let session_key = {
        let mut conn = pool.get()?;
        let applied = db::run_migrations(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, backend = target.backend_name(), "migrations applied");
        }
        // Before anything writes history: every row from here on is sealed with it.
        history::key::load_and_install(&settings.history_key_file, &mut conn)?;
        if let Some(report) = catalogue::store::load_if_empty(&mut conn, &catalogue::builtin_sources())? {
            tracing::info!(files = report.files.len(), "built-in catalogue loaded into an empty database");
        }
        sweep(&mut conn, &settings.clock);
        // The day's reminders at start-up too, or a server restarted more often than daily would
        // never reach the daily sweep's run. Measured in a debug build: 50 ms on the demo; 4 s
        // on `ohgov demo --scale 300` queuing 7,282 messages, 3 s when all are already queued.
        // Before serving, so nothing it keeps (the live verdicts it reads) races the first requests.
        remind(&mut conn, &settings.clock);
        web::session::load_or_create_key(&settings.session_key_file)?
    };
    let templates = web::templates::load()?;
    // A mistyped OHGOV_SMTP_URL stops the start, rather than every message failing for a day.
    mail::transport::Transport::from_settings(&settings.mail)?;
    Ok(AppState { pool, write_pool, session_key, templates: Arc::new(templates), settings: Arc::new(settings) })
}

/// HSTS, sent when the service is behind TLS (`OHGOV_SECURE_COOKIES=1`): a year, subdomains too.
const STRICT_TRANSPORT: &str = "max-age=31536000; includeSubDomains";

/// The whole application, for `ohgov serve` and for tests.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let sessions = web::session::middleware(
        state.session_key.clone(),
        state.settings.secure_cookies,
        state.settings.session_idle_seconds,
    );
    let secure = state.settings.secure_cookies;
    App::new()
        // Forms carry narratives of up to 20,000 characters: far past actix's 16 KB default.
        .app_data(aw::FormConfig::default().limit(1024 * 1024))
        .app_data(aw::PayloadConfig::default().limit(1024 * 1024))
        .app_data(aw::Data::new(state))
        // The evidence pages ask assessment which framework applies, without importing it.
        .app_data(aw::Data::new(evidence::routes::FrameworkInUse(assessment::store::framework_id)))
        .app_data(aw::Data::new(assessment::routes::LiveChecks(live::store::verdicts::by_standard)))
        // The commissioner's view counts the standards the records contradict, without importing live.
        .app_data(aw::Data::new(commissioning::routes::Contradictions(
            live::store::verdicts::contradicted_for_providers,
        )))
        .wrap(web::error::error_pages())
        .wrap(sessions)
        .wrap(
            DefaultHeaders::new()
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("X-Frame-Options", "DENY")),
        )
        .wrap_fn(move |req, service| {
            use actix_web::dev::Service as _;
            use actix_web::http::header::{HeaderValue, CACHE_CONTROL, STRICT_TRANSPORT_SECURITY};
            let asset = req.path().starts_with("/static/");
            let writes = !req.method().is_safe();
            let response = service.call(req);
            async move {
                let mut response = if writes { web::writers_lane(response).await? } else { response.await? };
                let headers = response.headers_mut();
                // Every page and API answer may carry someone's data: none is kept by a browser
                // or a proxy. Only the static assets (which set their own) are cached.
                if !asset {
                    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                }
                if secure {
                    headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT));
                }
                Ok(response)
            }
        })
        .wrap(Logger::new("%r %s %Dms"))
        .route("/", aw::get().to(home))
        .route("/healthz", aw::get().to(web::healthz))
        .route("/static/{path:.*}", aw::get().to(web::assets::serve))
        .configure(catalogue::routes::configure)
        .configure(accounts::routes::configure)
        .configure(accounts::admin::configure)
        .configure(accounts::link_routes::configure)
        .configure(accounts::reminders_page::configure)
        .configure(providers::routes::configure)
        .configure(assessment::routes::configure)
        .configure(evidence::routes::configure)
        .configure(coverage::routes::configure)
        .configure(workforce::routes::configure)
        .configure(audits::routes::configure)
        .configure(quality::routes::configure)
        .configure(commissioning::routes::configure)
        .configure(live::routes::configure)
        .configure(documents::routes::configure)
        .configure(mail::routes::configure)
        .default_service(aw::to(web::error::not_found))
}

/// The home page; for someone signed in, their own audit actions that are overdue.
async fn home(
    state: aw::Data<AppState>,
    req: HttpRequest,
    user: Option<accounts::session::CurrentUser>,
) -> Result<HttpResponse, AppError> {
    let mut context = tera::Context::new();
    if let Some(user) = user {
        let (owner, today) = (user.id, state.today());
        let (overdue, commissioners) = web::with_conn(&state, move |conn| {
            Ok((
                audits::store::actions::overdue_for_owner(conn, owner, today)?,
                accounts::store::commissioner_organisations(conn, owner, today)?,
            ))
        })
        .await?;
        context.insert("my_overdue_actions", &overdue);
        context.insert("my_commissioners", &commissioners);
    }
    web::render(&state, &req, "home.html", context)
}

/// Binds the application to an address; returns the server to await and the addresses it took
/// (port 0 picks a free port, which the caller then reports). Also starts the daily sweep and the
/// outbox's sender (`mail::sender::spawn`).
pub fn bind(state: AppState, address: &str) -> std::io::Result<(actix_web::dev::Server, Vec<std::net::SocketAddr>)> {
    actix_web::rt::spawn(sweep_daily(state.clone()));
    mail::sender::spawn(state.clone());
    let server = actix_web::HttpServer::new(move || app(state.clone())).bind(address)?;
    let addresses = server.addrs();
    Ok((server.run(), addresses))
}

/// How often a running server sweeps, after the sweep [`prepare`] does at start-up.
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Deletes what is held past its use: import previews never confirmed within their day, and the
/// stored files nothing refers to any more (`workforce::import::sweep`). A failure is logged and
/// tried again at the next sweep; it never stops the application.
fn sweep(conn: &mut db::DbConnection, clock: &clock::Clock) {
    match workforce::import::sweep(conn, clock.now()) {
        Ok(swept) if swept != Default::default() => {
            tracing::info!(pending_imports = swept.pending_imports, files = swept.files, "expired previews swept")
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "the sweep of expired previews failed; it will run again"),
    }
}

/// Brings every contracted provider's kept figures up to today (`commissioning::store::facts::
/// refresh`), so a commissioner's page after the day turns need not gather them all itself. Only
/// the daily sweep does it, not start-up, which stays quick. A failure is logged: the page gathers
/// what is stale whenever it is asked.
fn keep_figures(conn: &mut db::DbConnection, clock: &clock::Clock, supervision_days: i64) {
    let today = clock.today();
    let kept = accounts::store::all_contracted_providers(conn, today).and_then(|providers| {
        let gathered = commissioning::store::facts::refresh(conn, &providers, today, supervision_days)?;
        // The live checks' verdicts too, so the commissioner's count of contradicted standards
        // re-judges none on the first view of the day.
        let contradicted = live::store::verdicts::contradicted_for_providers(conn, &providers, today)?;
        Ok((gathered, contradicted.len()))
    });
    match kept {
        Ok((gathered, contradicted)) => {
            tracing::info!(gathered, contradicted, "commissioners' figures and live verdicts kept for today")
        }
        Err(error) => tracing::warn!(%error, "the commissioners' figures were not kept; pages will gather them"),
    }
}

/// Queues the day's email reminders (`mail::reminders::run`), logging how many. Idempotent: each
/// message's key is queued once, so a second run on a day, or a restart, queues nothing new. A
/// failure is logged and the next sweep tries again.
fn remind(conn: &mut db::DbConnection, clock: &clock::Clock) {
    let started = std::time::Instant::now();
    match mail::reminders::run(conn, clock.today(), clock.now().naive_utc(), false) {
        Ok(report) => tracing::info!(
            queued = report.queued,
            already_queued = report.already_queued,
            held_back = report.held_back,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "the day's reminders queued"
        ),
        Err(error) => tracing::warn!(%error, "the day's reminders were not queued; the next sweep tries again"),
    }
}

/// Sweeps once a day while serving, on the blocking pool so no request waits for it.
async fn sweep_daily(state: AppState) {
    loop {
        actix_web::rt::time::sleep(SWEEP_EVERY).await;
        let pool = state.pool.clone();
        let clock = state.settings.clock.clone();
        let supervision_days = state.settings.supervision_days;
        let done = aw::block(move || match pool.get() {
            Ok(mut conn) => {
                sweep(&mut conn, &clock);
                keep_figures(&mut conn, &clock, supervision_days);
                remind(&mut conn, &clock);
            }
            Err(error) => tracing::warn!(%error, "no connection for the daily sweep; it will run again"),
        })
        .await;
        if let Err(error) = done {
            tracing::warn!(%error, "the daily sweep did not run; it will run again");
        }
    }
}
