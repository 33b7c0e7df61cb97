//! `/providers/{id}/audit-plans/{year}/reports`: a plan's progress reports, each with what changed
//! since the one before, and writing a new one.

use actix_web::{web, HttpRequest, HttpResponse};

use super::plans::year_in_path;
use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::audits::model::ReportInput;
use crate::audits::store::{plans, reports};
use crate::clock::FinancialYear;
use crate::db::ProviderId;
use crate::form::{form_date, FieldErrors};
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-plans/{year}/reports", web::get().to(reports_page))
        .route("/providers/{provider_id}/audit-plans/{year}/reports", web::post().to(add_report));
}

async fn show_reports(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    year: FinancialYear,
    form: Option<ReportInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let (plan, lines) = with_conn(state, move |conn| {
        let plan = plans::plan(conn, provider_id, year)?.ok_or(AppError::NotFound)?;
        let lines = reports::reports(conn, plan.id, today)?;
        Ok((plan, lines))
    })
    .await?;
    let form =
        form.unwrap_or_else(|| ReportInput { report_date: form_date(today.min(year.ends_on())), ..Default::default() });
    context.insert("plan", &plan);
    context.insert("reports", &lines);
    context.insert("form", &form);
    context.insert("errors", &errors.0);
    render_status(state, req, "audits/reports.html", context, status_for(&errors))
}

/// `GET /providers/{id}/audit-plans/{year}/reports`.
async fn reports_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_reports(&state, &req, &user, provider_id, year, None, FieldErrors::default()).await
}

/// `POST /providers/{id}/audit-plans/{year}/reports`: a manager writes a progress report.
async fn add_report(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<ReportInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, submitted) = (user.id, state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let (date, summary) = submitted.parse(year, today)?;
            reports::add_report(conn, Some(by), provider_id, year, date, &summary).map(|_| date)
        },
        |date| {
            confirm_then(
                &req,
                format!("Progress report of {} added", date.format("%-d %B %Y")),
                format!("/providers/{provider_id}/audit-plans/{}/reports", year.url()),
            )
        },
        |errors| show_reports(&state, &req, &user, provider_id, year, Some(input), errors),
    )
    .await
}
