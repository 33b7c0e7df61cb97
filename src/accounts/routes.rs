//! `/sign-in`, `/sign-out`, `/sign-out-everywhere`.

use std::future::ready;

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::access::Capability;
use super::model::{PasswordInput, ProviderDetailsInput};
use super::store;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, provider_context};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::web::form::{confirm_then, save_then, status_for, Form, NoFields};
use crate::web::session;
use crate::web::{render, render_status, see_other, with_conn, AppError, AppState};
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
    Ok(HttpResponse::Ok().json(super::api::ProvidersDocument { providers: list }))
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// The page that sent the visitor to sign in, to return to (`?next=` on the sign-in page).
    #[serde(default)]
    next: String,
}

fn sign_in_context(email: &str, error: Option<String>, next: Option<&str>) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("email", email);
    context.insert("error", &error);
    context.insert("next", &next);
    context
}

#[derive(Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    next: String,
}

/// `GET /sign-in`; `?next=/providers/3/evidence` (a local path only) is where signing in returns.
async fn sign_in_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, AppError> {
    let next = local_path(&query.next);
    render(&state, &req, "accounts/sign_in.html", sign_in_context("", None, next.as_deref()))
}

/// Where a person goes once signed in: back to the page that sent them to sign in, if that is one
/// of ours; else to their provider's page if they read exactly one; else home.
/// Where signing in leads: back to the page that asked, else a commissioner's providers side by
/// side, else the one provider someone works with, else home.
fn landing(next: Option<String>, commissioners: &[(i32, String)], providers: &[store::ProviderSummary]) -> String {
    match (next, commissioners, providers) {
        (Some(path), _, _) => path,
        (None, [(only, _)], _) => format!("/commissioners/{only}"),
        (None, [], [only]) => format!("/providers/{}", only.id),
        (None, _, _) => "/".into(),
    }
}

/// The client's address for throttling: the peer's, or behind a trusted proxy the client's from
/// `X-Forwarded-For` (`web::client::address`).
pub(crate) fn client_address(req: &HttpRequest, trusted_proxies: &[std::net::IpAddr]) -> String {
    let Some(peer) = req.peer_addr() else { return "unknown".into() };
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").filter_map(|value| value.to_str().ok()).collect();
    crate::web::client::address(peer.ip(), &forwarded, trusted_proxies).to_string()
}

async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: Form<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let form = form.into_inner();
    let (address, now) = (client_address(&req, &state.settings.trusted_proxies), state.now().naive_utc());
    let email = form.email.clone();
    let next = local_path(&form.next);
    let outcome = with_conn(&state, move |conn| {
        store::sign_in(conn, &form.email, &form.password, &address, now).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await?;
    match outcome {
        Ok(signed_in) => {
            let user_id = signed_in.user_id;
            let session_id = with_conn(&state, move |conn| Ok(store::start_session(conn, user_id, now)?)).await?;
            session::start(
                &session,
                signed_in.user_id.0,
                &signed_in.name,
                signed_in.session_epoch,
                &session_id,
                now.and_utc().timestamp(),
            )?;
            let (held, is_admin, commissioners, providers) = with_conn(&state, move |conn| {
                let held = store::membership_labels(conn, user_id, today)?;
                let is_admin = store::session_user(conn, user_id)?.is_some_and(|(_, _, admin)| admin);
                let commissioners = store::commissioner_organisations(conn, user_id, today)?;
                let providers = store::readable_providers(conn, user_id, today)?;
                Ok((held, is_admin, commissioners, providers))
            })
            .await?;
            session::remember_memberships(&session, &held)?;
            session::remember_admin(&session, is_admin)?;
            Ok(see_other(landing(next, &commissioners, &providers)))
        }
        Err(refusal) => {
            let context = sign_in_context(email.trim(), Some(refusal.to_string()), next.as_deref());
            render_status(&state, &req, "accounts/sign_in.html", context, StatusCode::UNAUTHORIZED)
        }
    }
}

/// `POST /sign-out`: deletes the session's row, so a copy of the cookie opens nothing afterwards.
async fn sign_out(state: web::Data<AppState>, session: Session, _: Form<NoFields>) -> Result<HttpResponse, AppError> {
    if let Some(token) = session::session_id(&session) {
        with_conn(&state, move |conn| Ok(store::end_session(conn, &token)?)).await?;
    }
    session.purge();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/sign-in")).finish())
}

async fn sign_out_everywhere(
    state: web::Data<AppState>,
    user: CurrentUser,
    session: Session,
    _: Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    with_conn(&state, move |conn| {
        store::end_all_sessions(conn, user.id).map_err(|e| AppError::Internal(e.to_string()))
    })
    .await?;
    session.purge();
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/sign-in")).finish())
}

fn provider_form_context(
    provider_id: ProviderId,
    form: &ProviderDetailsInput,
    errors: &crate::form::FieldErrors,
) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("provider_id", &provider_id);
    context.insert("name", &form.name);
    context.insert("code", &form.code);
    context.insert("organisation_type", &form.organisation_type);
    context.insert("sites", &form.sites);
    context.insert("nhs_domain", if form.nhs_domain.is_empty() { "default" } else { form.nhs_domain.as_str() });
    context.insert("nhs_domain_choices", &super::model::NHS_DOMAIN_CHOICES);
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
    let (current, nhs_choice) = with_conn(&state, move |conn| {
        Ok((store::provider(conn, provider_id)?, store::nhs_domain_choice(conn, provider_id)?))
    })
    .await?;
    let current = current.ok_or(AppError::NotFound)?;
    let form = ProviderDetailsInput {
        nhs_domain: super::model::nhs_domain_code(nhs_choice).to_string(),
        name: current.name,
        code: current.code.unwrap_or_default(),
        organisation_type: current.organisation_type.map(|t| t.as_str().to_string()).unwrap_or_default(),
        sites: current.sites.map(|s| s.to_string()).unwrap_or_default(),
    };
    show_provider_form(&state, &req, &user, provider_id, &form, Default::default()).await
}

/// The provider's details form under its tab bar; with `errors` (422) when a change was refused.
async fn show_provider_form(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: &ProviderDetailsInput,
    errors: crate::form::FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    context.extend(provider_form_context(provider_id, form, &errors));
    let status = status_for(&errors);
    render_status(state, req, "accounts/provider_edit.html", context, status)
}

/// `POST /providers/{id}`: the provider's own details.
async fn update_provider(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(form): Form<ProviderDetailsInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, form.clone());
    save_then(
        &state,
        move |conn| store::update_provider(conn, Some(by), provider_id, &submitted.parse()?),
        |_| confirm_then(&req, "Provider details saved", format!("/providers/{provider_id}")),
        |errors| show_provider_form(&state, &req, &user, provider_id, &form, errors),
    )
    .await
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    membership_id: String,
}

/// `POST /membership`: the header's switcher. Another user's membership id is refused (403).
async fn switch_membership(
    req: HttpRequest,
    _user: CurrentUser,
    session: Session,
    form: Form<SwitchForm>,
) -> Result<HttpResponse, AppError> {
    let id = form.membership_id.trim().parse::<i32>().map_err(|_| AppError::Forbidden)?;
    if !session::switch_membership(&session, id) {
        return Err(AppError::Forbidden);
    }
    // Back to where the switch was made, if that was one of our own pages.
    let host = req.connection_info().host().to_string();
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| local_return(r, &host))
        .unwrap_or_else(|| "/".into());
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, back)).finish())
}

/// The local path of `referer` to return to, if it is one of our own pages: an absolute `http` or
/// `https` address on `host`, whose path starts with a single `/` (not `//` or `/\`, which a
/// browser reads as another host). Anything else is `None`, and the caller goes to `/`.
fn local_return(referer: &str, host: &str) -> Option<String> {
    let rest = referer.strip_prefix("https://").or_else(|| referer.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if !authority.eq_ignore_ascii_case(host) {
        return None;
    }
    if path.is_empty() {
        return Some("/".into());
    }
    local_path(path)
}

/// `path` if it is a path on this site: it starts with a single `/` (not `//` or `/\`, which a
/// browser reads as another host) and holds no control characters or spaces. Anything else
/// (another site's address, `javascript:`, a relative path) is `None`.
fn local_path(path: &str) -> Option<String> {
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control() || c.is_whitespace());
    local.then(|| path.to_string())
}

fn account_context(errors: &crate::form::FieldErrors) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("errors", &errors.0);
    context
}

async fn account_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    _user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    render(&state, &req, "accounts/account.html", account_context(&Default::default()))
}

/// `POST /account/password`: needs the current password; ends every other session.
async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    Form(form): Form<PasswordInput>,
) -> Result<HttpResponse, AppError> {
    let (user_id, now) = (user.id, state.now().naive_utc());
    let current = session::session_id(&session);
    save_then(
        &state,
        move |conn| {
            form.check()?;
            store::change_password(conn, user_id, &form.current_password, &form.new_password, now, current.as_deref())
        },
        |epoch| {
            // Without the new epoch this session ends at its next request, like every other one:
            // safe, so a failure to write it only costs a sign-in.
            if let Err(error) = session::set_epoch(&session, epoch) {
                tracing::warn!(%error, "the session could not keep up with the password change");
            }
            confirm_then(&req, "Your password was changed. You were signed out everywhere else.", "/account")
        },
        |errors| {
            let context = account_context(&errors);
            ready(render_status(&state, &req, "accounts/account.html", context, StatusCode::UNPROCESSABLE_ENTITY))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::{local_path, local_return};

    #[test]
    fn signing_in_returns_only_to_a_path_on_this_site() {
        assert_eq!(local_path("/providers/3/evidence?kind=file").as_deref(), Some("/providers/3/evidence?kind=file"));
        for refused in
            ["", "//evil.example/x", "/\\evil.example/x", "https://evil.example/", "javascript:alert(1)", "x", "/a b"]
        {
            assert_eq!(local_path(refused), None, "{refused}");
        }
    }

    #[test]
    fn only_a_local_path_on_this_host_is_returned_to() {
        let host = "ohgov.example:8080";
        assert_eq!(local_return("http://ohgov.example:8080/standards?x=1", host).as_deref(), Some("/standards?x=1"));
        assert_eq!(local_return("https://ohgov.example:8080", host).as_deref(), Some("/"));
        for refused in [
            "//evil.example/x",
            "http://ohgov.example:8080//evil.example/x",
            "http://ohgov.example:8080/\\evil.example/x",
            "http://evil.example/x",
            "http://ohgov.example:8080.evil.example/x",
            "http://ohgov.example:8080?next=//evil",
            "javascript:alert(1)",
            "/relative",
            "http://ohgov.example:8080/a\nLocation: x",
        ] {
            assert_eq!(local_return(refused, host), None, "{refused}");
        }
    }
}
