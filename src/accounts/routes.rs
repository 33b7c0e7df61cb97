//! `/sign-in`, `/sign-out`, `/sign-out-everywhere`.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::Capability;
use super::store;
use crate::web::access::authorize;
use crate::web::api::ApiUser;
use crate::web::session::{self, CurrentUser};
use crate::web::{render, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in))
        .route("/sign-out", web::post().to(sign_out))
        .route("/sign-out-everywhere", web::post().to(sign_out_everywhere))
        .route("/providers", web::get().to(providers))
        .route("/providers/{provider_id}", web::get().to(provider))
        .route("/api/v1/providers", web::get().to(api_providers));
}

async fn providers(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let today = chrono::Utc::now().date_naive();
    let list = with_conn(&state, move |conn| Ok(store::readable_providers(conn, user.id, today)?)).await?;
    let mut context = tera::Context::new();
    context.insert("providers", &list);
    render(&state, &req, "accounts/providers.html", context)
}

async fn provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let found = with_conn(&state, move |conn| Ok(store::provider(conn, provider_id)?)).await?;
    let provider = found.ok_or(AppError::NotFound)?;
    let mut context = tera::Context::new();
    context.insert("provider", &provider);
    context.insert("sites", &provider.sites);
    render(&state, &req, "accounts/provider.html", context)
}

/// `GET /api/v1/providers`: the providers the caller may read: id, name, code and type.
async fn api_providers(state: web::Data<AppState>, caller: ApiUser) -> Result<HttpResponse, AppError> {
    let today = chrono::Utc::now().date_naive();
    let user_id = caller.0.id;
    let list = with_conn(&state, move |conn| Ok(store::readable_providers(conn, user_id, today)?)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "providers": list })))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// A form that carries only its token.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

fn sign_in_context(session: &Session, email: &str, error: Option<String>) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("form_token", &session::csrf_token(session));
    context.insert("email", email);
    context.insert("error", &error);
    context
}

async fn sign_in_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
) -> Result<HttpResponse, AppError> {
    render(&state, &req, "accounts/sign_in.html", sign_in_context(&session, "", None))
}

/// The client's address for throttling: the peer address. (Behind a proxy every user shares it;
/// the per-account lock still holds.)
fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    session::check_csrf(&session, &form.csrf_token)?;
    let form = form.into_inner();
    let address = client_address(&req);
    let email = form.email.clone();
    let outcome = with_conn(&state, move |conn| {
        store::sign_in(conn, &form.email, &form.password, &address, chrono::Utc::now().naive_utc())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await?;
    match outcome {
        Ok(signed_in) => {
            session::start(&session, signed_in.user_id, &signed_in.name, signed_in.session_epoch)?;
            Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/")).finish())
        }
        Err(refusal) => {
            let context = sign_in_context(&session, email.trim(), Some(refusal.to_string()));
            let page = render(&state, &req, "accounts/sign_in.html", context)?;
            let mut response = HttpResponse::Unauthorized();
            response.content_type("text/html; charset=utf-8");
            Ok(response.body(page.into_body()))
        }
    }
}

async fn sign_out(session: Session, form: web::Form<TokenForm>) -> Result<HttpResponse, AppError> {
    session::check_csrf(&session, &form.csrf_token)?;
    session.purge();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/sign-in")).finish())
}

async fn sign_out_everywhere(
    state: web::Data<AppState>,
    user: CurrentUser,
    session: Session,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    session::check_csrf(&session, &form.csrf_token)?;
    with_conn(&state, move |conn| {
        store::end_all_sessions(conn, user.id).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await?;
    session.purge();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/sign-in")).finish())
}
