//! `/admin`: organisations, users and their memberships, and contracts, for system administrators.
//! Each form shows a message at each bad field and saves nothing until all are right.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::model::{NewContract, OrganisationInput, UserInput};
use super::store::{self, Grant};
use super::Role;
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::form::{parse_date, FieldErrors};
use crate::web::session;
use crate::web::{render, render_status, with_conn, AppError, AppState};
use actix_web::http::StatusCode;

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
    let overview = with_conn(&state, |conn| Ok(store::admin_overview(conn)?)).await?;
    let mut context = tera::Context::new();
    context.insert("overview", &overview);
    render(&state, &req, "accounts/admin.html", context)
}

/// Any admin form as submitted: every field as text, so what was typed can be shown again.
#[derive(Deserialize, Default, serde::Serialize)]
pub struct AdminForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    organisation_type: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    expires_on: String,
    #[serde(default)]
    is_admin: String,
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    commissioner_id: String,
    #[serde(default)]
    provider_id: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

/// Draws an admin form, blank or with what was typed and a message at each bad field (422).
async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    template: &str,
    form: &AdminForm,
    errors: &FieldErrors,
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
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
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
    show_form(&state, &req, template, &AdminForm::default(), &FieldErrors::default()).await
}

/// An optional date field: Some(None) when blank, None (with a message) when not a date.
fn optional_date(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<Option<chrono::NaiveDate>> {
    match value.trim() {
        "" => Some(None),
        text => parse_date(field, text).map_err(|e| merge(errors, e)).ok().map(Some),
    }
}

fn id_field(errors: &mut FieldErrors, field: &'static str, value: &str, message: &str) -> Option<i32> {
    match value.trim().parse::<i32>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, message);
            None
        }
    }
}

fn merge(errors: &mut FieldErrors, found: FieldErrors) {
    for (field, message) in found.0 {
        errors.add(field, message);
    }
}

/// Turns a store refusal into field messages; anything else is a server error.
fn refusal(error: StoreError) -> Result<FieldErrors, AppError> {
    match error {
        StoreError::Invalid(errors) => Ok(errors),
        other => Err(other.into()),
    }
}

fn done() -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, "/admin")).finish()
}

async fn create_organisation(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    user: CurrentUser,
    form: web::Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    session::check_csrf(&session, &form.csrf_token)?;
    let input = OrganisationInput {
        kind: form.kind.clone(),
        name: form.name.clone(),
        code: form.code.clone(),
        organisation_type: form.organisation_type.clone(),
        sites: None,
    };
    let errors = match input.parse() {
        Err(errors) => errors,
        Ok(org) => {
            let by = user.id;
            match with_conn(&state, move |conn| Ok(store::create_organisation(conn, Some(by), &org))).await? {
                Ok(_) => return Ok(done()),
                Err(error) => refusal(error)?,
            }
        }
    };
    show_form(&state, &req, "accounts/admin_organisation.html", &form, &errors).await
}

async fn create_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    user: CurrentUser,
    form: web::Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    session::check_csrf(&session, &form.csrf_token)?;
    let mut errors = FieldErrors::default();
    let grant = if form.organisation_id.trim().is_empty() && form.role.trim().is_empty() {
        None
    } else {
        let organisation_id =
            id_field(&mut errors, "organisation_id", &form.organisation_id, "Choose the organisation for the role");
        let role = Role::parse(&form.role);
        if role.is_none() {
            errors.add("role", "Choose a role");
        }
        let expires_on = optional_date(&mut errors, "expires_on", &form.expires_on).flatten();
        match (organisation_id, role) {
            (Some(organisation_id), Some(role)) => Some(Grant { organisation_id, role, expires_on }),
            _ => None,
        }
    };
    let input = UserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        password: form.password.clone(),
        is_admin: form.is_admin == "yes",
    };
    match input.parse() {
        Err(found) => merge(&mut errors, found),
        Ok(new_user) if errors.is_empty() => {
            let by = user.id;
            match with_conn(&state, move |conn| Ok(store::create_user(conn, Some(by), &new_user, grant))).await? {
                Ok(_) => return Ok(done()),
                Err(error) => merge(&mut errors, refusal(error)?),
            }
        }
        Ok(_) => {}
    }
    // The password is never sent back to the browser.
    let mut shown = form.into_inner();
    shown.password.clear();
    show_form(&state, &req, "accounts/admin_user.html", &shown, &errors).await
}

async fn create_contract(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    user: CurrentUser,
    form: web::Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    session::check_csrf(&session, &form.csrf_token)?;
    let mut errors = FieldErrors::default();
    let commissioner_id = id_field(&mut errors, "commissioner_id", &form.commissioner_id, "Choose the commissioner");
    let provider_id = id_field(&mut errors, "provider_id", &form.provider_id, "Choose the provider");
    let starts_on = parse_date("starts_on", &form.starts_on).map_err(|e| merge(&mut errors, e)).ok();
    let ends_on = optional_date(&mut errors, "ends_on", &form.ends_on);
    if let (Some(commissioner_id), Some(provider_id), Some(starts_on), Some(ends_on)) =
        (commissioner_id, provider_id, starts_on, ends_on)
    {
        let provider_id = ProviderId(provider_id);
        let contract = NewContract { commissioner_id, provider_id, starts_on, ends_on, services: Vec::new() };
        let by = user.id;
        match with_conn(&state, move |conn| Ok(store::create_contract(conn, Some(by), &contract))).await? {
            Ok(_) => return Ok(done()),
            Err(error) => merge(&mut errors, refusal(error)?),
        }
    }
    show_form(&state, &req, "accounts/admin_contract.html", &form, &errors).await
}

/// Gives an existing user a role in an organisation.
async fn create_membership(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    user: CurrentUser,
    form: web::Form<AdminForm>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    session::check_csrf(&session, &form.csrf_token)?;
    let mut errors = FieldErrors::default();
    let user_id = id_field(&mut errors, "user_id", &form.user_id, "Choose the person");
    let organisation_id = id_field(&mut errors, "organisation_id", &form.organisation_id, "Choose the organisation");
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Choose a role");
    }
    let expires_on = optional_date(&mut errors, "expires_on", &form.expires_on);
    if let (Some(user_id), Some(organisation_id), Some(role), Some(expires_on)) =
        (user_id, organisation_id, role, expires_on)
    {
        let grant = Grant { organisation_id, role, expires_on };
        let by = user.id;
        let saved = with_conn(&state, move |conn| {
            Ok(crate::db::write_transaction(conn, |conn| store::add_membership(conn, Some(by), UserId(user_id), grant)))
        })
        .await?;
        match saved {
            Ok(_) => return Ok(done()),
            Err(error) => merge(&mut errors, refusal(error)?),
        }
    }
    show_form(&state, &req, "accounts/admin_membership.html", &form, &errors).await
}
