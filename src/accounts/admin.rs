//! `/admin`: organisations, users and their memberships, and contracts, for system administrators.
//! Each form shows a message at each bad field and saves nothing until all are right.

use actix_web::{web, HttpRequest, HttpResponse};

use super::model::AdminForm;
use super::store;
use super::Role;
use crate::accounts::session::CurrentUser;
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render, render_status, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(overview))
        .route("/admin/organisations/new", web::get().to(|s, r, u| blank(s, r, u, "accounts/admin_organisation.html")))
        .route("/admin/organisations", web::post().to(create_organisation))
        .route("/admin/users/new", web::get().to(|s, r, u| blank(s, r, u, "accounts/admin_user.html")))
        .route("/admin/users", web::post().to(create_user))
        .route("/admin/memberships/new", web::get().to(|s, r, u| blank(s, r, u, "accounts/admin_membership.html")))
        .route("/admin/memberships", web::post().to(create_membership))
        .route("/admin/contracts/new", web::get().to(|s, r, u| blank(s, r, u, "accounts/admin_contract.html")))
        .route("/admin/contracts", web::post().to(create_contract));
}

fn require_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn overview(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let now = state.now().naive_utc();
    let (overview, waiting) =
        with_conn(&state, move |conn| Ok((store::admin_overview(conn)?, super::links::outstanding(conn, None, now)?)))
            .await?;
    let mut context = tera::Context::new();
    context.insert("overview", &overview);
    // The invitations not yet accepted: few, shown beside their users.
    context.insert("invitations", &waiting);
    render(&state, &req, "accounts/admin.html", context)
}

/// Draws an admin form, blank or with what was typed and a message at each bad field (422).
async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    template: &str,
    form: &AdminForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let overview = with_conn(state, |conn| Ok(store::admin_overview(conn)?)).await?;
    let mut context = tera::Context::new();
    context.insert("form", form);
    context.insert("errors", &errors.0);
    let options = |kind: Option<&str>| -> Vec<(String, String)> {
        overview
            .organisations
            .iter()
            .filter(|o| kind.is_none_or(|k| o.kind.as_str() == k))
            .map(|o| (o.id.to_string(), format!("{} ({})", o.name, o.kind.as_str())))
            .collect()
    };
    context.insert("organisation_options", &options(None));
    let people: Vec<(String, String)> =
        overview.users.iter().map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.email))).collect();
    context.insert("user_options", &people);
    context.insert("commissioner_options", &options(Some("commissioner")));
    context.insert("provider_options", &options(Some("provider")));
    let roles: Vec<(&str, String)> = Role::ALL.iter().map(|r| (r.as_str(), r.as_str().replace('_', " "))).collect();
    context.insert("role_options", &roles);
    let kinds =
        [("provider", "Provider (an OH service)"), ("commissioner", "Commissioner (NHS trust, ICB or other employer)")];
    context.insert("kind_options", &kinds);
    let mut types: Vec<(&str, &str)> = super::OrganisationKind::Provider.types().to_vec();
    types.extend_from_slice(super::OrganisationKind::Commissioner.types());
    context.insert("type_options", &types);
    let status = status_for(&errors);
    render_status(state, req, template, context, status)
}

/// `GET /admin/…/new`: a blank form.
async fn blank(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    template: &'static str,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    show_form(&state, &req, template, &AdminForm::default(), FieldErrors::default()).await
}

/// `POST /admin/organisations`.
async fn create_organisation(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    Form(form): Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let (by, submitted) = (user.id, form.clone());
    save_then(
        &state,
        move |conn| store::create_organisation(conn, Some(by), &submitted.organisation()?),
        |_| confirm_then(&req, format!("{} added", form.name.trim()), "/admin"),
        |errors| show_form(&state, &req, "accounts/admin_organisation.html", &form, errors),
    )
    .await
}

/// `POST /admin/users`: a person, and optionally their first role. By default they are sent an
/// invitation to set their own password (`accounts::links::invite`); `password_choice=set` sets the
/// one typed.
async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    Form(form): Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let (by, inviter, submitted, now) = (user.id, user.name.clone(), form.clone(), state.now().naive_utc());
    // The password is never sent back to the browser.
    let shown = AdminForm { password: String::new(), ..form };
    let email = shown.email.trim().to_lowercase();
    let name = shown.name.trim().to_string();
    save_then(
        &state,
        move |conn| {
            if submitted.password_choice == "set" {
                let (new_user, grant) = submitted.user()?;
                store::create_user(conn, Some(by), &new_user, grant)?;
                return Ok(format!("{name} added"));
            }
            // The person and role are checked as for a set password; a generated one stands in
            // for the password they will choose, and is never stored.
            let checked = AdminForm { password: super::secrets::generate_password(), ..submitted };
            let (new_user, grant) = checked.user()?;
            let invitation = super::links::NewInvitation {
                email: new_user.email,
                name: new_user.name,
                is_admin: new_user.is_admin,
                grant,
            };
            let invited = super::links::invite(conn, Some(by), &inviter, &invitation, now)?;
            Ok(super::link_routes::invited_message(&invited, &email))
        },
        |message| confirm_then(&req, message, "/admin"),
        |errors| show_form(&state, &req, "accounts/admin_user.html", &shown, errors),
    )
    .await
}

/// `POST /admin/contracts`.
async fn create_contract(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    Form(form): Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let (by, submitted) = (user.id, form.clone());
    save_then(
        &state,
        move |conn| store::create_contract(conn, Some(by), &submitted.contract()?),
        |_| confirm_then(&req, "Contract added", "/admin"),
        |errors| show_form(&state, &req, "accounts/admin_contract.html", &form, errors),
    )
    .await
}

/// `POST /admin/memberships`: gives an existing user a role in an organisation.
async fn create_membership(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    Form(form): Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let (by, submitted) = (user.id, form.clone());
    save_then(
        &state,
        move |conn| {
            let (user_id, grant) = submitted.membership()?;
            crate::db::write_transaction(conn, |conn| store::add_membership(conn, Some(by), user_id, grant))
        },
        |_| confirm_then(&req, "Role added", "/admin"),
        |errors| show_form(&state, &req, "accounts/admin_membership.html", &form, errors),
    )
    .await
}
