//! Shared web plumbing: application state, rendering in the layout, errors as pages, security
//! headers, static files and the health check.

pub mod assets;
pub mod client;
pub mod download;
pub mod error;
mod finish;
pub mod form;
pub mod list;
pub mod session;
pub mod templates;
pub mod upload;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::config::Settings;
use crate::db::{DbConnection, DbPool};
pub use error::AppError;

/// What every handler can reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// The connections of requests that change something: see [`writers_lane`].
    pub write_pool: DbPool,
    /// Signs and encrypts session cookies; shared by every instance through the database.
    pub session_key: actix_web::cookie::Key,
    pub templates: Arc<tera::Tera>,
    pub settings: Arc<Settings>,
}

/// Runs blocking diesel work on the blocking thread pool with a pooled connection, so the async
/// workers keep serving other requests. A failure caused by a stored code outside its closed list
/// comes back naming the table, the rows and the value ([`traced`]).
pub async fn with_conn<T, F>(state: &AppState, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = if in_writers_lane() { state.write_pool.clone() } else { state.pool.clone() };
    web::block(move || {
        let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
        work(&mut conn).map_err(|error| traced(&mut conn, error))
    })
    .await
    .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
}

tokio::task_local! {
    /// Present while a request that changes something is being handled.
    static WRITING: ();
}

/// Handles a request that changes something (any method but GET, HEAD, OPTIONS or TRACE) in the
/// writers' lane: each of its database steps (the session, the access check, the save) takes a
/// connection from `AppState::write_pool`, not the readers' pool. Under a crowd of readers every
/// pooled connection is busy drawing pages; without a lane of its own, a save queued behind them
/// (measured by `benches/load.sh`: a p99 of 340 ms for adding CPD while 64 connections read).
pub async fn writers_lane<F: std::future::Future>(request: F) -> F::Output {
    WRITING.scope((), request).await
}

fn in_writers_lane() -> bool {
    WRITING.try_with(|_| ()).is_ok()
}

/// A request's failure, with a stored code outside its closed list traced to the rows that hold it
/// (`db::codes::explain`): still a 500, and the log says which table, row and value to correct.
fn traced(conn: &mut DbConnection, error: AppError) -> AppError {
    match crate::db::codes::explain(conn, &error) {
        Some(found) => AppError::Database(diesel::result::Error::DeserializationError(Box::new(found))),
        None => error,
    }
}

impl AppState {
    /// Today in Europe/London, from the one clock: the day the rules judge by and forms start from.
    pub fn today(&self) -> chrono::NaiveDate {
        self.settings.clock.today()
    }

    /// The instant now, from the same clock, for timestamps.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.settings.clock.now()
    }
}

/// The answer to a POST that worked: go and look (post/redirect/get).
pub fn see_other(location: impl Into<String>) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.into())).finish()
}

/// One entry of the header navigation.
#[derive(Serialize)]
struct NavItem {
    href: &'static str,
    label: &'static str,
    current: bool,
}

const NAVIGATION: [(&str, &str); 4] =
    [("/", "Home"), ("/providers", "Providers"), ("/catalogue", "Standards catalogue"), ("/account", "Your account")];

/// The context every page's layout needs: the product's name, the navigation with the current
/// page marked, the session's form token (for any form on the page), the signed-in user, and the
/// confirmation of what the last form did, taken so that it shows once.
pub fn page_context(req: &HttpRequest) -> tera::Context {
    use actix_session::SessionExt;
    let mut context = layout_context(req.path());
    context.insert("csrf_token", &session::csrf_token(&req.get_session()));
    context.insert("flash", &session::take_flash(&req.get_session()));
    if let Some(name) = session::signed_in_name(req) {
        context.insert("current_user", &name);
        let (memberships, active) = session::memberships(req);
        let active_label = memberships.iter().find(|(id, _)| Some(*id) == active).map(|(_, label)| label.clone());
        context.insert("current_organisation", &active_label);
        context.insert("memberships", &memberships);
        context.insert("active_membership", &active.unwrap_or(0));
        context.insert("show_admin", &session::shows_admin(req));
    }
    context
}

/// The layout context without a request (error pages drawn outside a handler, benchmarks).
pub fn layout_context(path: &str) -> tera::Context {
    let mut context = tera::Context::new();
    let nav: Vec<NavItem> = NAVIGATION
        .iter()
        .map(|(href, label)| NavItem {
            href,
            label,
            current: if *href == "/" { path == "/" } else { path == *href || path.starts_with(&format!("{href}/")) },
        })
        .collect();
    context.insert("product_name", "ohgov");
    context.insert("current_path", path);
    context.insert("nav", &nav);
    context.insert("current_user", &Option::<String>::None);
    context.insert("current_organisation", &Option::<String>::None);
    context
}

/// Renders a page template inside the layout.
pub fn render(
    state: &AppState,
    req: &HttpRequest,
    template: &str,
    context: tera::Context,
) -> Result<HttpResponse, AppError> {
    render_status(state, req, template, context, StatusCode::OK)
}

/// Renders a page with another status: a form shown again with its messages (422), a refused
/// sign-in (401).
pub fn render_status(
    state: &AppState,
    req: &HttpRequest,
    template: &str,
    mut context: tera::Context,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    context.extend(page_context(req));
    context.insert("printed_on", &state.today());
    let body = finish::page(state.templates.render(template, &context)?);
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body))
}

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let checked = with_conn(&state, |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SELECT 1")?;
        Ok(crate::db::backend_name(conn))
    })
    .await;
    match checked {
        Ok(backend) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": backend })),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}
