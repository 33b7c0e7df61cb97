//! `/providers/{id}/audit-plans/{year}/sign-off`: where a plan stands with the clinical director,
//! submitting, signing and returning it; every signed version, readable as a page and as the exact
//! JSON that was hashed; and the provider's single-director setting.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::audits::model::AuditType;
use crate::audits::sign_off::{self as rules, PlanSnapshot, ReturnInput, SettingInput, SignInput};
use crate::audits::store::sign_off as store;
use crate::clock::FinancialYear;
use crate::db::{ProviderId, StoreError};
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

/// The sign-off pages, for `audits::routes`.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-plans/{year}/sign-off", web::get().to(page))
        .route("/providers/{provider_id}/audit-plans/{year}/submit", web::post().to(submit))
        .route("/providers/{provider_id}/audit-plans/{year}/sign", web::post().to(sign))
        .route("/providers/{provider_id}/audit-plans/{year}/return", web::post().to(return_plan))
        .route("/providers/{provider_id}/audit-plans/{year}/sign-offs/{version}", web::get().to(signed_version))
        .route("/providers/{provider_id}/audit-settings", web::post().to(settings));
}

/// The year in an address, "2026-27"; anything else is no page.
fn year_of(text: &str) -> Result<FinancialYear, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// The plan's id for the provider and year, or 404.
fn plan_of(
    conn: &mut crate::db::DbConnection,
    provider_id: ProviderId,
    year: FinancialYear,
) -> Result<i32, StoreError> {
    store::plan_id(conn, provider_id, year)?.ok_or(StoreError::NotFound)
}

fn sign_off_path(provider_id: ProviderId, year: FinancialYear) -> String {
    format!("/providers/{provider_id}/audit-plans/{}/sign-off", year.url())
}

/// What a form shown again keeps: the problems and what was typed.
#[derive(Default)]
struct Again {
    errors: FieldErrors,
    comment: String,
}

async fn show_page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    year: FinancialYear,
    again: Again,
) -> Result<HttpResponse, AppError> {
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (now, versions, allowed) = with_conn(state, move |conn| {
        let plan = plan_of(conn, provider_id, year)?;
        let now = store::state(conn, plan)?;
        let versions = store::versions(conn, plan)?;
        let allowed = store::submitter_may_sign_off(conn, provider_id)?;
        Ok((now, versions, allowed))
    })
    .await?;
    let may_decide = can.sign_off && now.status.awaits_decision();
    let refusal = rules::signer_refusal(user.id.0, now.submitted_by.map(|u| u.0), allowed).filter(|_| may_decide);
    context.insert("year", &year.to_string());
    context.insert("year_url", &year.url());
    context.insert("warnings", &rules::sector_standard_warnings(&now.snapshot));
    context.insert("may_submit", &(can.manage && now.status.may_submit()));
    context.insert("may_decide", &may_decide);
    context.insert("sign_refusal", &refusal);
    context.insert("submitter_may_sign_off", &allowed);
    context.insert("sign_off", &now);
    context.insert("versions", &versions);
    context.insert("errors", &again.errors.0);
    context.insert("comment", &again.comment);
    let status = status_for(&again.errors);
    render_status(state, req, "audits/sign_off.html", context, status)
}

/// `GET /providers/{id}/audit-plans/{year}/sign-off`: the plan's state in words, the sector
/// standard's warnings, what changed since the last sign-off, the forms the person may use, and
/// every signed version.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let year = year_of(&year)?;
    show_page(&state, &req, &user, provider_id, year, Again::default()).await
}

/// `POST …/submit`: a manager submits the plan for sign-off.
async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(_): Form<crate::web::form::NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let year = year_of(&year)?;
    let (by, at) = (user.id, state.now().naive_utc());
    save_then(
        &state,
        move |conn| {
            let plan = plan_of(conn, provider_id, year)?;
            store::submit(conn, plan, by, at)
        },
        |()| confirm_then(&req, format!("Audit plan {year} submitted for sign-off"), sign_off_path(provider_id, year)),
        |errors| show_page(&state, &req, &user, provider_id, year, Again { errors, ..Again::default() }),
    )
    .await
}

/// `POST …/sign`: a clinical director signs the submitted plan off, having ticked that they
/// reviewed it.
async fn sign(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<SignInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::SignOff).await?;
    let year = year_of(&year)?;
    let (by, at) = (user.id, state.now().naive_utc());
    save_then(
        &state,
        move |conn| {
            let plan = plan_of(conn, provider_id, year)?;
            let reviewed = input.parse()?;
            store::sign_as_reviewed(conn, plan, by, at, reviewed.as_deref())
        },
        |_| confirm_then(&req, format!("Audit plan {year} signed off"), sign_off_path(provider_id, year)),
        |errors| show_page(&state, &req, &user, provider_id, year, Again { errors, ..Again::default() }),
    )
    .await
}

/// `POST …/return`: a clinical director returns the submitted plan with a comment.
async fn return_plan(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<ReturnInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::SignOff).await?;
    let year = year_of(&year)?;
    let (by, at, comment) = (user.id, state.now().naive_utc(), input.comment.clone());
    save_then(
        &state,
        move |conn| {
            let plan = plan_of(conn, provider_id, year)?;
            store::return_plan(conn, plan, by, at, &comment)
        },
        |()| {
            confirm_then(
                &req,
                format!("Audit plan {year} returned to the service manager"),
                sign_off_path(provider_id, year),
            )
        },
        |errors| show_page(&state, &req, &user, provider_id, year, Again { errors, comment: input.comment }),
    )
    .await
}

/// `POST /providers/{id}/audit-settings`: whether whoever submits a plan may also sign it off (a
/// provider with a single clinical director). Goes back to the sign-off page it was sent from.
async fn settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    // The page to go back to: the sign-off page of the year the form was on, or this year's.
    let year: FinancialYear = input.year.parse().unwrap_or_else(|_| FinancialYear::containing(state.today()));
    let (by, at) = (user.id, state.now().naive_utc());
    let setting = SettingInput { submitter_may_sign_off: input.submitter_may_sign_off };
    save_then(
        &state,
        move |conn| {
            let on = setting.parse()?;
            store::set_submitter_may_sign_off(conn, provider_id, by, on, at).map(|changed| (on, changed))
        },
        |(on, changed)| {
            let message = match (on, changed) {
                (_, false) => "The sign-off setting is unchanged",
                (true, true) => "Whoever submits an audit plan may now also sign it off",
                (false, true) => "Whoever submits an audit plan can no longer sign it off",
            };
            confirm_then(&req, message, sign_off_path(provider_id, year))
        },
        |errors| show_page(&state, &req, &user, provider_id, year, Again { errors, ..Again::default() }),
    )
    .await
}

/// The setting's form, with the year of the page it was sent from.
#[derive(serde::Deserialize)]
struct SettingsForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    submitter_may_sign_off: String,
}

/// One audit of a signed version, as its page shows it: codes in words.
#[derive(serde::Serialize)]
struct SignedAudit<'a> {
    audit: &'a rules::AuditSnapshot,
    type_label: &'static str,
    reaudit_of_year: Option<String>,
}

/// `GET …/sign-offs/{version}`: the plan as it was signed, from the stored snapshot; with `.json`
/// after the version, the stored canonical JSON byte for byte, whose SHA-256 is the signed hash.
async fn signed_version(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year, version) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let year = year_of(&year)?;
    let (number, as_json) = match version.strip_suffix(".json") {
        Some(number) => (number, true),
        None => (version.as_str(), false),
    };
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    if as_json {
        // The signed file names the audits' leads: for those who may read named staff records.
        authorize(&state, &user, provider_id, Capability::ReadStaff).await?;
    }
    let (signed, text) = with_conn(&state, move |conn| {
        let plan = plan_of(conn, provider_id, year)?;
        store::signed_version(conn, plan, number)?.ok_or(AppError::NotFound)
    })
    .await?;
    if as_json {
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"audit-plan-{}-v{number}.json\"", year.url()),
            ))
            .body(text));
    }
    let (mut context, _) = provider_page(&state, &user, provider_id).await?;
    // A version signed in a form this code no longer reads is still the record: its file and hash
    // stay available, and the page says it cannot lay the plan out.
    let snapshot: Option<PlanSnapshot> = serde_json::from_str(&text).ok();
    let audits: Vec<SignedAudit> = snapshot
        .iter()
        .flat_map(|s| s.audits.iter())
        .map(|audit| SignedAudit {
            audit,
            type_label: AuditType::ALL.iter().find(|t| t.as_str() == audit.audit_type).map_or("Other", |t| t.label()),
            reaudit_of_year: audit.reaudit_of.as_ref().map(|r| rules::year_label(&r.year)),
        })
        .collect();
    context.insert("year", &year.to_string());
    context.insert("year_url", &year.url());
    context.insert("signed", &signed);
    context.insert("readable", &snapshot.is_some());
    context.insert("audits", &audits);
    context.insert("warnings", &snapshot.as_ref().map(rules::sector_standard_warnings).unwrap_or_default());
    context.insert("matches_hash", &(rules::sha256_hex(text.as_bytes()) == signed.hash));
    render_status(&state, &req, "audits/sign_off_version.html", context, StatusCode::OK)
}
