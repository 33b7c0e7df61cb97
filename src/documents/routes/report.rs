//! `/providers/{id}/quality-report`: the annual quality reports by year; a year's report as a web
//! page (the same document as the PDF), its words, approving it, the draft PDF, and each approved
//! version's PDF byte for byte.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::clock::FinancialYear;
use crate::db::ProviderId;
use crate::documents::report::{self, SignOff};
use crate::documents::store::reports::{self as store, Approval, Version, WordsInput};
use crate::form::FieldErrors;
use crate::web::download::file_response;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

/// How many years the list offers: this one and the three before.
const YEARS_LISTED: i32 = 4;

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    // The PDF's address first: `{year}` alone would also match "2025-26.pdf".
    cfg.route("/providers/{provider_id}/quality-report", web::get().to(list))
        .route("/providers/{provider_id}/quality-report/{year}.pdf", web::get().to(draft_pdf))
        .route("/providers/{provider_id}/quality-report/{year}", web::get().to(page))
        .route("/providers/{provider_id}/quality-report/{year}/edit", web::get().to(edit_form))
        .route("/providers/{provider_id}/quality-report/{year}/edit", web::post().to(save))
        .route("/providers/{provider_id}/quality-report/{year}/approve", web::post().to(approve))
        .route("/providers/{provider_id}/quality-report/{year}/versions/{version}.pdf", web::get().to(version_pdf));
}

/// The year in an address, "2025-26"; anything else, or a year not yet begun (it has no figures to
/// report), is no page.
fn year_of(text: &str, today: chrono::NaiveDate) -> Result<FinancialYear, AppError> {
    let year: FinancialYear = text.parse().map_err(|_| AppError::NotFound)?;
    if year.starts_on() > today {
        return Err(AppError::NotFound);
    }
    Ok(year)
}

fn report_path(provider_id: ProviderId, year: FinancialYear) -> String {
    format!("/providers/{provider_id}/quality-report/{}", year.url())
}

/// One year on the list.
#[derive(Serialize)]
struct YearLine {
    year: String,
    year_url: String,
    latest: Option<Version>,
}

/// `GET /providers/{id}/quality-report`: this financial year and the last few, each a draft or its
/// newest approved version with a download link. Those who may read drafts open a year's page.
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let (mut context, _) = provider_page(&state, &user, provider_id).await?;
    let years = report::recent_years(state.today(), YEARS_LISTED);
    let lookup = years.clone();
    let mut latest = with_conn(&state, move |conn| Ok(store::latest_versions(conn, provider_id, &lookup)?)).await?;
    let lines: Vec<YearLine> = years
        .iter()
        .map(|y| YearLine { year: y.to_string(), year_url: y.url(), latest: latest.remove(&y.start_year()) })
        .collect();
    context.insert("years", &lines);
    render_status(&state, &req, "documents/reports.html", context, StatusCode::OK)
}

/// What the year's page shows again with a refused approval.
#[derive(Default)]
struct Again {
    errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    year: FinancialYear,
    again: Again,
) -> Result<HttpResponse, AppError> {
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let (today, now, days) = (state.today(), state.now().naive_utc(), state.settings.supervision_days);
    let drawn = with_conn(state, move |conn| {
        Ok(report::build_signed(conn, provider_id, year, today, now, days, SignOff::Draft)?)
    })
    .await?;
    context.insert("year", &year.to_string());
    context.insert("year_url", &year.url());
    context.insert("as_of", &drawn.as_of);
    context.insert("versions", &drawn.versions);
    context.insert("body", &crate::pdf::html::fragment(&drawn.document));
    context.insert("errors", &again.errors.0);
    render_status(state, req, "documents/report.html", context, status_for(&again.errors))
}

/// `GET /providers/{id}/quality-report/{year}`: the draft as a web page, with its approved versions
/// and what the person may do: edit the words (managers), approve (clinical directors).
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadUnpublished).await?;
    let year = year_of(&year, state.today())?;
    show_page(&state, &req, &user, provider_id, year, Again::default()).await
}

async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    year: FinancialYear,
    form: Option<WordsInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let form = match form {
        Some(form) => form,
        None => with_conn(state, move |conn| Ok(store::words(conn, provider_id, year)?)).await?.as_input(),
    };
    context.insert("year", &year.to_string());
    context.insert("year_url", &year.url());
    context.insert("form", &form);
    context.insert("errors", &errors.0);
    render_status(state, req, "documents/report_edit.html", context, status_for(&errors))
}

/// `GET …/{year}/edit`: the report's words, for a manager.
async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let year = year_of(&year, state.today())?;
    show_form(&state, &req, &user, provider_id, year, None, FieldErrors::default()).await
}

/// `POST …/{year}/edit`: saves the words, with a history row of what changed.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<WordsInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let year = year_of(&year, state.today())?;
    let (by, at, submitted) = (user.id, state.now().naive_utc(), input.clone());
    save_then(
        &state,
        move |conn| store::save_words(conn, by, provider_id, year, &submitted, at),
        |saved| confirm_then(&req, saved.in_words(year), report_path(provider_id, year)),
        |errors| show_form(&state, &req, &user, provider_id, year, Some(input), errors),
    )
    .await
}

/// The approval's form: the clinical director ticks that they read the report.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApproveInput {
    reviewed: String,
}

impl ApproveInput {
    fn parse(&self) -> Result<(), FieldErrors> {
        if self.reviewed.trim() == "yes" {
            Ok(())
        } else {
            Err(FieldErrors::one("reviewed", "Tick to confirm you have read the report before approving it"))
        }
    }
}

/// `POST …/{year}/approve`: a clinical director approves the report as it is now. The PDF, with
/// the sign-off block naming them and the version, is drawn off the request threads, then kept by
/// its hash with the version row and a history row, in one transaction.
async fn approve(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<ApproveInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::SignOff).await?;
    let year = year_of(&year, state.today())?;
    if let Err(errors) = input.parse() {
        return show_page(&state, &req, &user, provider_id, year, Again { errors }).await;
    }
    let (by, today, now, days) = (user.id, state.today(), state.now().naive_utc(), state.settings.supervision_days);
    let (drawn, version) = with_conn(&state, move |conn| {
        let version = store::next_version(conn, provider_id, year)?;
        let name = crate::accounts::store::user_names(conn, &[by.0])?.into_iter().next().map(|(_, n)| n);
        let sign_off =
            SignOff::Approved { by_name: name.unwrap_or_else(|| "the clinical director".into()), on: today, version };
        Ok((report::build_signed(conn, provider_id, year, today, now, days, sign_off)?, version))
    })
    .await?;
    let file_name = crate::documents::file_name(
        &drawn.provider_name,
        &format!("quality report {} version {version}", year.url()),
        today,
    );
    let made = crate::documents::make_off_thread(drawn.document, file_name).await?;
    save_then(
        &state,
        move |conn| {
            let approval = Approval { version, bytes: &made.bytes, sha256: &made.sha256, file_name: &made.file_name };
            store::approve(conn, by, provider_id, year, &approval, now)
        },
        |version| {
            confirm_then(
                &req,
                format!("Quality report {year} approved as version {version}"),
                report_path(provider_id, year),
            )
        },
        |errors| show_page(&state, &req, &user, provider_id, year, Again { errors }),
    )
    .await
}

/// `GET …/{year}.pdf`: the draft as it is now, for those who may read unpublished documents.
async fn draft_pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadUnpublished).await?;
    let year = year_of(&year, state.today())?;
    let (today, now, days) = (state.today(), state.now().naive_utc(), state.settings.supervision_days);
    let drawn = with_conn(&state, move |conn| {
        Ok(report::build_signed(conn, provider_id, year, today, now, days, SignOff::Draft)?)
    })
    .await?;
    let made = crate::documents::make_off_thread(drawn.document, drawn.file_name).await?;
    Ok(file_response("application/pdf", &made.file_name, made.bytes))
}

/// `GET …/{year}/versions/{n}.pdf`: an approved version exactly as approved, for everyone who may
/// read the provider's assessment, commissioners included.
async fn version_pdf(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(ProviderId, String, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year, number) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let year = year_of(&year, state.today())?;
    let number: i32 = number.parse().map_err(|_| AppError::NotFound)?;
    let (version, bytes) =
        with_conn(&state, move |conn| store::version_file(conn, provider_id, year, number)?.ok_or(AppError::NotFound))
            .await?;
    Ok(file_response("application/pdf", &version.file_name, bytes))
}
