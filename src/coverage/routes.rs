//! `/providers/{id}/coverage`: the sixteen-row coverage table, each row's record, and
//! `/api/v1/providers/{id}/coverage`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::model::{CoverageInput, Delivery};
use super::rules::CoverageState;
use super::store;
use crate::accounts::access::Capability;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, provider_context};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

/// The coverage pages and API, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/coverage", web::get().to(table))
        .route("/providers/{provider_id}/coverage/{reference}", web::get().to(row))
        .route("/providers/{provider_id}/coverage/{reference}", web::post().to(save))
        .route("/api/v1/providers/{provider_id}/coverage", web::get().to(coverage_json));
}

/// Which rows to list: `?show=` one of the page's figures (`rules::in_figure`), or every row.
#[derive(serde::Deserialize)]
struct TableQuery {
    #[serde(default)]
    show: String,
}

/// `GET /providers/{id}/coverage[?show=figure]`: every row, or the rows behind one figure.
async fn table(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    query: web::Query<TableQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    let rows = with_conn(&state, move |conn| Ok(store::coverage(conn, provider_id, today)?)).await?;
    context.insert("totals", &store::totals(&rows));
    let shown: Vec<_> = rows.iter().filter(|row| super::rules::in_figure(&query.show, row.state)).collect();
    if let Some(format) = crate::web::download::requested(&req) {
        return crate::web::download::sheet_response(&coverage_sheet(&shown), format, today);
    }
    context.insert("downloads", &crate::web::download::links(&req));
    context.insert("filtered", &(shown.len() < rows.len()));
    context.insert("rows", &shown);
    context.insert("states", &CoverageState::options());
    context.insert("deliveries", &Delivery::options());
    render_status(&state, &req, "coverage/index.html", context, StatusCode::OK)
}

/// The coverage table as a download (and `ohgov coverage --out`): the page's columns, the service's reference, title and kind
/// apart, an arrangement's partner and agreement apart from how it is delivered.
pub fn coverage_sheet(rows: &[&store::CoverageRow]) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut sheet = Sheet::new(
        "Coverage",
        &[
            "Reference",
            "Service",
            "Kind",
            "State",
            "Delivered by",
            "Partner",
            "Agreement",
            "Ends (last day covered)",
            "Lead",
        ],
    );
    for row in rows {
        sheet.push(vec![
            Cell::text(row.reference.as_str()),
            Cell::text(row.title.as_str()),
            Cell::text(row.kind.label()),
            Cell::text(row.state.label()),
            Cell::text(row.delivery.map(|d| d.label()).unwrap_or("Nothing recorded")),
            Cell::maybe_text(row.partner_name.clone()),
            Cell::maybe_text(row.agreement_reference.clone()),
            Cell::maybe_date(row.ends_on),
            Cell::maybe_text(row.lead_name.clone()),
        ]);
    }
    sheet
}

async fn show_row(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    reference: String,
    form: Option<CoverageInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let mut context = provider_context(state, user, provider_id).await?;
    let (row, evidence, clinicians) = with_conn(state, move |conn| {
        let Some(row) = store::coverage_row(conn, provider_id, &reference, today)? else {
            return Err(AppError::NotFound);
        };
        let filter = crate::evidence::store::LibraryFilter { node_id: Some(row.node_id), ..Default::default() };
        let evidence = crate::evidence::store::library(conn, provider_id, &filter, today)?;
        // Leads are picked from the clinical and specialist staff, or typed where they are not listed.
        let clinicians = crate::workforce::store::clinicians(conn, provider_id, today)?;
        Ok((row, evidence, clinicians))
    })
    .await?;
    context.insert("form", &form.unwrap_or_else(|| row.as_input()));
    let deliveries: Vec<(&str, &str)> =
        Delivery::allowed_for(row.kind).iter().map(|d| (d.as_str(), d.label())).collect();
    context.insert("deliveries", &deliveries);
    context.insert("row", &row);
    context.insert("evidence", &evidence);
    context.insert("clinicians", &clinicians);
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "coverage/row.html", context, status)
}

/// `GET /providers/{id}/coverage/{reference}`.
async fn row(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_row(&state, &req, &user, provider_id, reference, None, FieldErrors::default()).await
}

/// `POST /providers/{id}/coverage/{reference}`.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<CoverageInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, wanted, submitted) = (user.id, state.today(), reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| {
            // What may be recorded depends on the row: a sub-specialism cannot be partly delivered.
            let row = store::coverage_row(conn, provider_id, &wanted, today)?.ok_or(StoreError::NotFound)?;
            store::save(conn, Some(by), provider_id, &wanted, &submitted.parse(row.kind)?, today).map(|()| row.title)
        },
        |title| confirm_then(&req, format!("{title} saved"), format!("/providers/{provider_id}/coverage")),
        |errors| show_row(&state, &req, &user, provider_id, reference, Some(input), errors),
    )
    .await
}

/// `GET /api/v1/providers/{id}/coverage`: each row's kind, reference, title, state, partner, end
/// date and lead, with the totals.
async fn coverage_json(
    state: web::Data<AppState>,
    user: ApiUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user.0, provider_id, Capability::ReadAssessment).await?;
    let rows = with_conn(&state, move |conn| Ok(store::coverage(conn, provider_id, today)?)).await?;
    Ok(HttpResponse::Ok().json(super::api::to_json(provider_id, &rows)))
}
