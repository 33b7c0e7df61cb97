//! Accounts by email: `/forgot-password`, the single-use links' pages (`/reset-password/{token}`,
//! `/invitation/{token}`), and a provider's managers' `/providers/{id}/invite`. The link pages are
//! for people who are signed out (a signed-in person may open one too); the store side is
//! `accounts::links`.

use std::future::ready;

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::NaiveDateTime;

use super::access::Capability;
use super::links::{self, ForgotInput, InviteInput, Invited, LinkPurpose, LinkState, ResetAnswer, SetPasswordInput};
use super::routes::client_address;
use crate::accounts::guard::{authorize, provider_context};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/forgot-password", web::get().to(forgot_page))
        .route("/forgot-password", web::post().to(forgot))
        .route("/reset-password/{token}", web::get().to(reset_page))
        .route("/reset-password/{token}", web::post().to(reset))
        .route("/invitation/{token}", web::get().to(invitation_page))
        .route("/invitation/{token}", web::post().to(accept_invitation))
        .route("/providers/{provider_id}/invite", web::get().to(invite_page))
        .route("/providers/{provider_id}/invite", web::post().to(invite));
}

/// The one answer to a reset request, whether or not the address has an account.
pub const RESET_ANSWER: &str = "If ohgov has an account for that address, we have sent it a link to set a new \
     password. The link works once, within an hour. If nothing arrives, check the address and your junk folder.";

/// What a link's page says once its password is set.
pub const PASSWORD_SET: &str = "Your password has been set. Sign in with it.";

fn show_forgot(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = tera::Context::new();
    context.insert("email", email);
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "accounts/forgot_password.html", context, status)
}

/// `GET /forgot-password`.
async fn forgot_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    show_forgot(&state, &req, "", FieldErrors::default())
}

/// `POST /forgot-password`: the same confirmation whether or not the email has an account; 429
/// when this address has asked too often.
async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    Form(form): Form<ForgotInput>,
) -> Result<HttpResponse, AppError> {
    let (address, now) = (client_address(&req, &state.settings.trusted_proxies), state.now().naive_utc());
    let submitted = form.clone();
    save_then(
        &state,
        move |conn| {
            let email = submitted.parse()?;
            links::request_reset(conn, &email, &address, now)
        },
        |answer| match answer {
            ResetAnswer::Answered => confirm_then(&req, RESET_ANSWER, "/forgot-password"),
            ResetAnswer::TooMany { retry_at } => too_many(&state, &req, retry_at, now),
        },
        |errors| ready(show_forgot(&state, &req, form.email.trim(), errors)),
    )
    .await
}

/// The 429 page: too many reset requests from this address, and when to try again.
fn too_many(state: &AppState, req: &HttpRequest, retry_at: NaiveDateTime, now: NaiveDateTime) -> HttpResponse {
    let mut context = tera::Context::new();
    context.insert("retry_at", &retry_at);
    let mut response =
        render_status(state, req, "accounts/too_many_resets.html", context, StatusCode::TOO_MANY_REQUESTS)
            .unwrap_or_else(|error| error.error_response());
    let seconds = (retry_at - now).num_seconds().max(1);
    response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// `GET /reset-password/{token}`.
async fn reset_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    link_page(&state, &req, path.into_inner(), LinkPurpose::PasswordReset, FieldErrors::default()).await
}

/// `GET /invitation/{token}`.
async fn invitation_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    link_page(&state, &req, path.into_inner(), LinkPurpose::Invitation, FieldErrors::default()).await
}

/// `POST /reset-password/{token}`.
async fn reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    Form(form): Form<SetPasswordInput>,
) -> Result<HttpResponse, AppError> {
    set_password(&state, &req, path.into_inner(), LinkPurpose::PasswordReset, form).await
}

/// `POST /invitation/{token}`.
async fn accept_invitation(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    Form(form): Form<SetPasswordInput>,
) -> Result<HttpResponse, AppError> {
    set_password(&state, &req, path.into_inner(), LinkPurpose::Invitation, form).await
}

/// A link's page: the form to set a password while the link is usable (with `errors`, 422, when a
/// password was refused), else the page that says why it is not and what to do.
async fn link_page(
    state: &AppState,
    req: &HttpRequest,
    token: String,
    purpose: LinkPurpose,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let now = state.now().naive_utc();
    let asked = token.clone();
    let link = with_conn(state, move |conn| Ok(links::look_up(conn, &asked, purpose, now)?)).await?;
    let LinkState::Usable { name, expires_at, .. } = link else { return unusable(state, req, purpose, &link) };
    let mut context = tera::Context::new();
    context.insert("purpose", purpose.as_str());
    context.insert("name", &name);
    context.insert("expires_at", &expires_at);
    context.insert("action", &purpose.path(&token));
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "accounts/set_password.html", context, status)
}

/// The page for a link that sets nothing: used (410), replaced by a newer one or expired (410), or
/// never sent (404), each saying which and offering the way to a new one.
fn unusable(
    state: &AppState,
    req: &HttpRequest,
    purpose: LinkPurpose,
    link: &LinkState,
) -> Result<HttpResponse, AppError> {
    let (why, at, status) = match link {
        LinkState::Used { at } => ("used", Some(*at), StatusCode::GONE),
        LinkState::Replaced { at } => ("replaced", Some(*at), StatusCode::GONE),
        LinkState::Expired { at } => ("expired", Some(*at), StatusCode::GONE),
        LinkState::Unknown | LinkState::Usable { .. } => ("unknown", None, StatusCode::NOT_FOUND),
    };
    let mut context = tera::Context::new();
    context.insert("purpose", purpose.as_str());
    context.insert("why", why);
    context.insert("at", &at);
    render_status(state, req, "accounts/link_unusable.html", context, status)
}

/// Sets the password through a link: refused at the fields (the form again), or, if the link is no
/// longer usable, its explanation.
async fn set_password(
    state: &AppState,
    req: &HttpRequest,
    token: String,
    purpose: LinkPurpose,
    form: SetPasswordInput,
) -> Result<HttpResponse, AppError> {
    let now = state.now().naive_utc();
    let asked = token.clone();
    let link = with_conn(state, move |conn| Ok(links::look_up(conn, &asked, purpose, now)?)).await?;
    if !matches!(link, LinkState::Usable { .. }) {
        return unusable(state, req, purpose, &link);
    }
    let asked = token.clone();
    save_then(
        state,
        move |conn| {
            form.check()?;
            links::redeem(conn, &asked, purpose, &form.new_password, now)
        },
        |_| confirm_then(req, PASSWORD_SET, "/sign-in"),
        |errors| link_page(state, req, token, purpose, errors),
    )
    .await
}

/// The invite page: the form (blank, or as typed with a message at each bad field, 422) and the
/// invitations to this provider not yet accepted.
async fn show_invite(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: &InviteInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    let now = state.now().naive_utc();
    let waiting = with_conn(state, move |conn| Ok(links::outstanding(conn, Some(provider_id), now)?)).await?;
    let roles: Vec<(&str, &str)> = links::MANAGER_MAY_INVITE.iter().map(|r| (r.as_str(), r.label())).collect();
    context.insert("form", form);
    context.insert("errors", &errors.0);
    context.insert("role_options", &roles);
    context.insert("waiting", &waiting);
    let status = status_for(&errors);
    render_status(state, req, "accounts/invite.html", context, status)
}

/// `GET /providers/{id}/invite`: those who manage the provider.
async fn invite_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    show_invite(&state, &req, &user, provider_id, &InviteInput::default(), FieldErrors::default()).await
}

/// `POST /providers/{id}/invite`: invites a person as manager, clinician or viewer. An email that
/// already has an account with a password is given the role and sent no link (they sign in as
/// before), and the confirmation says so; one invited before and not yet accepted is sent a new
/// link, which ends the old one.
async fn invite(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(form): Form<InviteInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, inviter, submitted, now) = (user.id, user.name.clone(), form.clone(), state.now().naive_utc());
    let email = form.email.trim().to_lowercase();
    save_then(
        &state,
        move |conn| links::invite(conn, Some(by), &inviter, &submitted.parse(provider_id)?, now),
        |invited| confirm_then(&req, invited_message(&invited, &email), format!("/providers/{provider_id}/invite")),
        |errors| show_invite(&state, &req, &user, provider_id, &form, errors),
    )
    .await
}

/// The confirmation of an invitation, in the words of what happened.
pub fn invited_message(invited: &Invited, email: &str) -> String {
    match invited {
        Invited::Sent { new_account: true, .. } => {
            format!("Invitation sent to {email}. The link lets them set a password within 72 hours.")
        }
        Invited::Sent { new_account: false, .. } => {
            format!("A new invitation was sent to {email}. The earlier link no longer works.")
        }
        Invited::RoleAdded { name, .. } => format!(
            "{name} ({email}) already had an ohgov account, so no invitation was sent: the role was added, and they \
             sign in as before."
        ),
    }
}
