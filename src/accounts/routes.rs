//! `/sign-in`, `/sign-out`, `/sign-out-everywhere`.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::Capability;
use super::store;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::authorize;
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::web::session;
use crate::web::{render, render_status, with_conn, AppError, AppState};
use actix_web::http::StatusCode;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in_page))
        .route("/sign-in", web::post().to(sign_in))
        .route("/sign-out", web::post().to(sign_out))
        .route("/sign-out-everywhere", web::post().to(sign_out_everywhere))
        .route("/membership", web::post().to(switch_membership))
        .route("/account", web::get().to(account_page))
        .route("/account/password", web::post().to(change_password))
        .route("/providers", web::get().to(providers))
        .route("/providers/{provider_id}/edit", web::get().to(edit_provider_page))
        .route("/providers/{provider_id}", web::post().to(update_provider))
        .route("/api/v1/providers", web::get().to(api_providers));
}

async fn providers(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let list = with_conn(&state, move |conn| Ok(store::readable_providers(conn, user.id, today)?)).await?;
    let mut context = tera::Context::new();
    context.insert("providers", &list);
    render(&state, &req, "accounts/providers.html", context)
}

/// `GET /api/v1/providers`: the providers the caller may read: id, name, code and type.
async fn api_providers(state: web::Data<AppState>, caller: ApiUser) -> Result<HttpResponse, AppError> {
    let today = state.today();
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

fn sign_in_context(email: &str, error: Option<String>) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("email", email);
    context.insert("error", &error);
    context
}

async fn sign_in_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    render(&state, &req, "accounts/sign_in.html", sign_in_context("", None))
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
    let today = state.today();
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
            session::start(&session, signed_in.user_id.0, &signed_in.name, signed_in.session_epoch)?;
            let user_id = signed_in.user_id;
            let (held, is_admin) = with_conn(&state, move |conn| {
                let held = store::membership_labels(conn, user_id, today)?;
                let is_admin = store::session_user(conn, user_id)?.is_some_and(|(_, _, admin)| admin);
                Ok((held, is_admin))
            })
            .await?;
            session::remember_memberships(&session, &held)?;
            session::remember_admin(&session, is_admin)?;
            Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/")).finish())
        }
        Err(refusal) => {
            let context = sign_in_context(email.trim(), Some(refusal.to_string()));
            render_status(&state, &req, "accounts/sign_in.html", context, StatusCode::UNAUTHORIZED)
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

/// The provider details form, as submitted.
#[derive(Deserialize, Default)]
pub struct ProviderForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    organisation_type: String,
    #[serde(default)]
    sites: String,
}

fn provider_form_context(
    provider_id: ProviderId,
    form: &ProviderForm,
    errors: &crate::form::FieldErrors,
) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("provider_id", &provider_id);
    context.insert("name", &form.name);
    context.insert("code", &form.code);
    context.insert("organisation_type", &form.organisation_type);
    context.insert("sites", &form.sites);
    context.insert("types", crate::accounts::OrganisationKind::Provider.types());
    context.insert("errors", &errors.0);
    context
}

async fn edit_provider_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let current =
        with_conn(&state, move |conn| Ok(store::provider(conn, provider_id)?)).await?.ok_or(AppError::NotFound)?;
    let form = ProviderForm {
        name: current.name,
        code: current.code.unwrap_or_default(),
        organisation_type: current.organisation_type.map(|t| t.as_str().to_string()).unwrap_or_default(),
        sites: current.sites.map(|s| s.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let context = provider_form_context(provider_id, &form, &Default::default());
    render(&state, &req, "accounts/provider_edit.html", context)
}

async fn update_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    form: web::Form<ProviderForm>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    // Authorise first, so a forbidden or hidden provider gives the same answer whatever the token.
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    session::check_csrf(&session, &form.csrf_token)?;
    let form = form.into_inner();
    let mut errors = crate::form::FieldErrors::default();
    let sites = match form.sites.trim() {
        "" => None,
        text => match text.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add("sites", "Enter the number of sites as a whole number, like 3");
                None
            }
        },
    };
    let parsed = crate::accounts::model::OrganisationInput {
        kind: "provider".into(),
        name: form.name.clone(),
        code: form.code.clone(),
        organisation_type: form.organisation_type.clone(),
        sites,
    }
    .parse();
    let details = match parsed {
        Ok(details) if errors.is_empty() => details,
        Ok(_) => return show_provider_errors(&state, &req, provider_id, &form, errors),
        Err(found) => {
            for (field, message) in found.0 {
                errors.add(field, message);
            }
            return show_provider_errors(&state, &req, provider_id, &form, errors);
        }
    };
    let user_id = user.id;
    with_conn(&state, move |conn| match store::update_provider(conn, Some(user_id), provider_id, &details) {
        Ok(_) => Ok(()),
        Err(StoreError::Database(e)) => Err(AppError::Database(e)),
        Err(other) => Err(AppError::Internal(other.to_string())),
    })
    .await?;
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/providers/{provider_id}"))).finish())
}

/// The form again, with a message at each bad field: 422, nothing saved.
fn show_provider_errors(
    state: &AppState,
    req: &HttpRequest,
    provider_id: ProviderId,
    form: &ProviderForm,
    errors: crate::form::FieldErrors,
) -> Result<HttpResponse, AppError> {
    let context = provider_form_context(provider_id, form, &errors);
    render_status(state, req, "accounts/provider_edit.html", context, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    membership_id: String,
}

/// `POST /membership`: the header's switcher. Another user's membership id is refused (403).
async fn switch_membership(
    req: HttpRequest,
    _user: CurrentUser,
    session: Session,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    session::check_csrf(&session, &form.csrf_token)?;
    let id = form.membership_id.trim().parse::<i32>().map_err(|_| AppError::Forbidden)?;
    if !session::switch_membership(&session, id) {
        return Err(AppError::Forbidden);
    }
    // Back to where the switch was made, if that was one of our own pages.
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string())))
        .unwrap_or_else(|| "/".into());
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, back)).finish())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn account_context(errors: &crate::form::FieldErrors, changed: bool) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("errors", &errors.0);
    context.insert("changed", &changed);
    context
}

async fn account_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let changed = req.query_string() == "changed=1";
    render(&state, &req, "accounts/account.html", account_context(&Default::default(), changed))
}

/// `POST /account/password`: needs the current password; ends every other session.
async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    session::check_csrf(&session, &form.csrf_token)?;
    let form = form.into_inner();
    let mut errors = crate::form::FieldErrors::default();
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "The new passwords do not match");
    }
    if errors.is_empty() {
        let user_id = user.id;
        let outcome = with_conn(&state, move |conn| {
            Ok(store::change_password(conn, user_id, &form.current_password, &form.new_password))
        })
        .await?;
        match outcome {
            Ok(epoch) => {
                session::set_epoch(&session, epoch)?;
                return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/account?changed=1")).finish());
            }
            Err(StoreError::Invalid(found)) => errors = found,
            Err(other) => return Err(AppError::Internal(other.to_string())),
        }
    }
    let context = account_context(&errors, false);
    render_status(&state, &req, "accounts/account.html", context, StatusCode::UNPROCESSABLE_ENTITY)
}
