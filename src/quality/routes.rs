//! `/providers/{id}/kpis`: every quality indicator with its latest value, each indicator over time
//! against its target (an SVG chart drawn here, and its figures as a table), a value recorded by
//! hand, the provider's own target, CSV imports (upload, preview, confirm); and
//! `/api/v1/providers/{id}/kpis`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::model::{PeriodQuery, TargetInput, ValueInput};
use super::store::{self, KpiLine, Recorded, ValueLine};
use super::{chart, import};
use crate::accounts::access::Capability;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, provider_context, provider_page};
use crate::accounts::session::CurrentUser;
use crate::db::{ProviderId, StoreError};
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form, UploadForm};
use crate::web::session::session_token;
use crate::web::{render_status, with_conn, AppError, AppState};
use crate::workforce::import::{csv_upload, hold, refusal_in_words, upload_sheet, ImportKind, ReadAs, RowError};

/// The quality indicator pages, imports and API, for `lib::app`. The import's routes come before
/// `{reference}`, which would otherwise take "import" for a KPI.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/kpis", web::get().to(overview))
        .route("/providers/{provider_id}/kpis/import", web::get().to(import_form))
        .route("/providers/{provider_id}/kpis/import", web::post().to(import_upload))
        .route("/providers/{provider_id}/kpis/import/confirm", web::post().to(import_confirm))
        .route("/providers/{provider_id}/kpis/{reference}", web::get().to(kpi))
        .route("/providers/{provider_id}/kpis/{reference}/values", web::post().to(record_value))
        .route("/providers/{provider_id}/kpis/{reference}/target", web::post().to(set_target))
        .route("/api/v1/providers/{provider_id}/kpis", web::get().to(kpis_json));
}

/// One group of the overview (MoHaWK, service, Growing OH) and its KPIs with their latest values.
#[derive(Serialize)]
struct Group {
    reference: String,
    title: String,
    kpis: Vec<(KpiLine, Option<ValueLine>)>,
}

fn in_groups(kpis: Vec<KpiLine>, mut latest: std::collections::HashMap<i32, ValueLine>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for kpi in kpis {
        let value = latest.remove(&kpi.node_id);
        match groups.last_mut() {
            Some(group) if group.reference == kpi.group_reference => group.kpis.push((kpi, value)),
            _ => groups.push(Group {
                reference: kpi.group_reference.clone(),
                title: kpi.group_title.clone(),
                kpis: vec![(kpi, value)],
            }),
        }
    }
    groups
}

/// `GET /providers/{id}/kpis[?from=&to=]`: every KPI, grouped, with its latest value in the range,
/// its target, met or missed, and whether it leads or lags.
async fn overview(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let filter = query.parse().map_err(AppError::BadInput)?;
    let (mut context, _) = provider_page(&state, &user, provider_id).await?;
    let (kpis, latest) = with_conn(&state, move |conn| {
        let kpis = store::definitions(conn, provider_id)?;
        let latest = store::latest(conn, provider_id, &kpis, filter)?;
        Ok((kpis, latest))
    })
    .await?;
    if let Some(format) = crate::web::download::requested(&req) {
        return crate::web::download::sheet_response(&kpis_sheet(&kpis, &latest), format, state.today());
    }
    context.insert("downloads", &crate::web::download::links(&req));
    overview_context(&mut context, kpis, latest, &query);
    render_status(&state, &req, "quality/index.html", context, StatusCode::OK)
}

/// The quality indicators as a download, in their groups: the page's columns, the latest period's
/// first and last days as dates and its value as a number beside the words the page shows.
fn kpis_sheet(kpis: &[KpiLine], latest: &std::collections::HashMap<i32, ValueLine>) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut sheet = Sheet::new(
        "Quality indicators",
        &[
            "Group",
            "Reference",
            "Indicator",
            "Latest period",
            "Period starts",
            "Period ends",
            "Value",
            "Value as shown",
            "Numerator",
            "Denominator",
            "Target",
            "Target value",
            "The service's own target",
            "Against target",
            "Leading or lagging",
        ],
    );
    for kpi in kpis {
        let value = latest.get(&kpi.node_id);
        let bound = if kpi.higher_is_better { "At least" } else { "At most" };
        sheet.push(vec![
            Cell::text(kpi.group_title.as_str()),
            Cell::text(kpi.reference.as_str()),
            Cell::text(kpi.title.as_str()),
            Cell::text(value.map(|v| v.period_label.clone()).unwrap_or_else(|| "Nothing recorded".into())),
            Cell::maybe_date(value.map(|v| v.period.start)),
            Cell::maybe_date(value.map(|v| v.period.end)),
            Cell::maybe_number(value.map(|v| v.value)),
            Cell::maybe_text(value.map(|v| v.value_text.clone())),
            Cell::maybe_number(value.and_then(|v| v.numerator).map(f64::from)),
            Cell::maybe_number(value.and_then(|v| v.denominator).map(f64::from)),
            Cell::text(format!("{bound} {}", kpi.target_text)),
            Cell::Number(kpi.target),
            Cell::text(if kpi.own_target.is_some() { "Yes" } else { "No" }),
            Cell::maybe_text(value.map(|v| if v.met { "Met" } else { "Missed" })),
            Cell::text(kpi.indicator_label),
        ]);
    }
    sheet
}

/// What `quality/index.html` shows beside the provider's context: the KPIs in their groups with
/// their latest values, and the counts above them. Public for the benchmark, which renders the page.
pub fn overview_context(
    context: &mut tera::Context,
    kpis: Vec<KpiLine>,
    latest: std::collections::HashMap<i32, ValueLine>,
    query: &PeriodQuery,
) {
    context.insert("kpi_count", &kpis.len());
    context.insert("recorded", &latest.len());
    context.insert("missed", &latest.values().filter(|v| !v.met).count());
    context.insert("groups", &in_groups(kpis, latest));
    context.insert("query", query);
}

/// What `quality/kpi.html` shows of one KPI beside the provider's context and its forms: the
/// chart, the table of values, and the KPI. Public for the benchmark, which renders the page.
pub fn kpi_context(context: &mut tera::Context, kpi: &KpiLine, values: &[ValueLine], query: &PeriodQuery) {
    let series: Vec<_> = values.iter().map(|v| (v.period, v.value, v.met)).collect();
    context.insert("chart", &chart::draw(&kpi.title, kpi.unit, &series, kpi.target));
    context.insert("missed", &values.iter().filter(|v| !v.met).count());
    context.insert("values", values);
    context.insert("kpi", kpi);
    context.insert("default_target_text", &kpi.with_unit(kpi.default_target));
    context.insert("query", query);
}

/// Which form on the KPI page is shown again with its problems.
#[derive(Default)]
struct Forms {
    value: Option<ValueInput>,
    target: Option<TargetInput>,
    errors: FieldErrors,
}

async fn show_kpi(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    reference: String,
    query: PeriodQuery,
    forms: Forms,
) -> Result<HttpResponse, AppError> {
    let filter = query.parse().map_err(AppError::BadInput)?;
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let (kpi, values) = with_conn(state, move |conn| {
        let Some(kpi) = store::definition(conn, provider_id, &reference)? else { return Err(AppError::NotFound) };
        let values = store::values(conn, provider_id, std::slice::from_ref(&kpi), filter)?;
        Ok((kpi, values))
    })
    .await?;
    kpi_context(&mut context, &kpi, &values, &query);
    context.insert("value_form", &forms.value.unwrap_or_default());
    let target_form = forms.target.unwrap_or_else(|| TargetInput {
        target: kpi.own_target.map(super::rules::number).unwrap_or_default(),
        default: String::new(),
    });
    context.insert("target_form", &target_form);
    context.insert("errors", &forms.errors.0);
    render_status(state, req, "quality/kpi.html", context, status_for(&forms.errors))
}

/// `GET /providers/{id}/kpis/{reference}[?from=&to=]`: one indicator over time against its target.
async fn kpi(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_kpi(&state, &req, &user, provider_id, reference, query.into_inner(), Forms::default()).await
}

/// `POST /providers/{id}/kpis/{reference}/values`: records one period's value, replacing the value
/// the period already has.
async fn record_value(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<ValueInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, wanted, submitted) = (user.id, reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| {
            let kpi = store::definition(conn, provider_id, &wanted)?.ok_or(StoreError::NotFound)?;
            let value = submitted.parse(kpi.unit)?;
            let recorded = store::record_value(conn, Some(by), provider_id, &kpi, &value)?;
            let said = match recorded {
                Recorded::Created | Recorded::Replaced => "recorded",
                Recorded::Unchanged => "was already recorded",
            };
            Ok(format!("{}: {} {said} for {}", kpi.title, kpi.with_unit(value.figure.value), value.period.label()))
        },
        |message| confirm_then(&req, message, format!("/providers/{provider_id}/kpis/{reference}")),
        |errors| {
            let forms = Forms { value: Some(input), target: None, errors };
            show_kpi(&state, &req, &user, provider_id, reference.clone(), PeriodQuery::default(), forms)
        },
    )
    .await
}

/// `POST /providers/{id}/kpis/{reference}/target`: the provider's own target, or back to the
/// definition's default.
async fn set_target(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<TargetInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, wanted, submitted) = (user.id, reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| {
            let kpi = store::definition(conn, provider_id, &wanted)?.ok_or(StoreError::NotFound)?;
            let target = submitted.parse(kpi.unit)?;
            store::set_target(conn, Some(by), provider_id, &kpi, target)?;
            Ok(match target {
                Some(t) => format!("{}: the service's own target is now {}", kpi.title, kpi.with_unit(t)),
                None => {
                    format!("{}: the default target, {}, applies again", kpi.title, kpi.with_unit(kpi.default_target))
                }
            })
        },
        |message| confirm_then(&req, message, format!("/providers/{provider_id}/kpis/{reference}")),
        |errors| {
            let forms = Forms { value: None, target: Some(input), errors };
            show_kpi(&state, &req, &user, provider_id, reference.clone(), PeriodQuery::default(), forms)
        },
    )
    .await
}

/// How a KPI file is read, as the import page says it.
const IMPORT_HELP: &str =
    "One row per KPI and period. kpi_code is the code shown on each KPI's page (such as M-APPT); \
a period is a calendar month (1st to last day) or a quarter of three whole months; dates may be 23/11/2026 or \
2026-11-23. For a percentage give the numerator and denominator (the value then follows; a value also given must \
agree to one decimal place) or the value alone; for days or minutes give the value alone. A file with any bad row is \
refused whole, with every bad row listed. A value for a period that already has one replaces it.";

fn import_context(context: &mut tera::Context, provider_id: ProviderId) {
    let kind = ImportKind::Kpis;
    context.insert("kinds", &vec![(kind.as_str(), kind.label(), kind.columns().join(", "))]);
    context.insert("kind", kind.as_str());
    context.insert("import_path", &format!("/providers/{provider_id}/kpis/import"));
    context.insert("import_help", IMPORT_HELP);
    context.insert("import_title", "Import quality indicator values");
    context.insert("errors", &FieldErrors::default().0);
}

/// `GET /providers/{id}/kpis/import`.
async fn import_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    import_context(&mut context, provider_id);
    context.insert("row_errors", &Vec::<RowError>::new());
    context.insert("file_error", "");
    render_status(&state, &req, "import.html", context, StatusCode::OK)
}

/// The session key of the token naming this browser's KPI previews (`workforce::import::hold`).
const IMPORT_SESSION: &str = "kpi_import_session";

/// `POST /providers/{id}/kpis/import`: checks the whole file and shows a preview to confirm, or
/// every bad line. The file is kept by its SHA-256 for this session to confirm within 24 hours;
/// nothing else is written.
async fn import_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    path: web::Path<ProviderId>,
    upload: UploadForm<SheetChoice>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (limit, sheet) = (upload.limit, upload.fields.sheet.clone());
    let mut context = provider_context(&state, &user, provider_id).await?;
    import_context(&mut context, provider_id);
    context.insert("sheet", &sheet);
    let refuse = |mut context: tera::Context, file_error: String, rows: Vec<RowError>| {
        context.insert("file_error", &file_error);
        context.insert("row_errors", &rows);
        render_status(&state, &req, "import.html", context, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let upload = match csv_upload(upload.file, upload.too_large, limit, state.settings.max_upload_mb) {
        Ok(upload) => upload,
        Err(message) => return refuse(context, message, vec![]),
    };
    let read_as = match upload_sheet(&upload, &sheet) {
        Ok(sheet) => ReadAs { sheet, ..Default::default() },
        Err(message) => {
            context.insert("errors", &FieldErrors::one("sheet", message).0);
            return refuse(context, String::new(), vec![]);
        }
    };
    let sha256 = upload.sha256.clone();
    let (token, now) = (session_token(&session, IMPORT_SESSION)?, state.now());
    let checked = with_conn(&state, move |conn| {
        let prepared = import::prepare_read(conn, provider_id, &upload.content, &read_as)?;
        if prepared.is_ok() {
            hold(conn, provider_id, &token, ImportKind::Kpis, &upload, &read_as, now)?;
        }
        Ok(prepared.map(|(rows, read)| (rows.len(), import::preview(&rows), read)))
    })
    .await?;
    match checked {
        Err(rows) => refuse(context, String::new(), rows),
        Ok((rows, preview, read)) => {
            context.insert("read_as", &read.read_as);
            context.insert("read_sheet", &read.sheet);
            context.insert("kind_label", ImportKind::Kpis.label());
            context.insert("sha256", &sha256);
            context.insert("rows", &rows);
            context.insert("preview", &preview);
            render_status(&state, &req, "import_preview.html", context, StatusCode::OK)
        }
    }
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    sha256: String,
}

/// What the import form says beside the file: a workbook's sheet by name (blank is the first).
#[derive(Deserialize)]
struct SheetChoice {
    #[serde(default)]
    sheet: String,
}

/// `POST /providers/{id}/kpis/import/confirm`: checks the kept file again and writes it in one
/// transaction; a file this session did not preview, or whose preview expired or was already
/// confirmed, is refused (409) and nothing is written.
async fn import_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    path: web::Path<ProviderId>,
    form: Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    if form.sha256.len() != 64 || !form.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest("the confirmation names no previewed file".into()));
    }
    let (token, now, sha256, user_id) =
        (session_token(&session, IMPORT_SESSION)?, state.now(), form.sha256.clone(), user.id);
    let outcome = with_conn(&state, move |conn| {
        let confirmed = crate::workforce::import::confirm_with(
            conn,
            provider_id,
            &token,
            ImportKind::Kpis,
            &sha256,
            now,
            |conn, content, read_as| {
                let rows = match import::prepare_read(conn, provider_id, content, read_as)? {
                    Ok((rows, _)) => rows,
                    Err(bad) => return Ok(Err(bad)),
                };
                Ok(Ok(import::write(conn, Some(user_id), provider_id, &rows, &sha256)?))
            },
        );
        Ok(refusal_in_words(confirmed)?)
    })
    .await?;
    match outcome {
        Ok(report) => Ok(confirm_then(&req, import::in_words(&report), format!("/providers/{provider_id}/kpis"))),
        Err(refusal) => {
            let mut context = provider_context(&state, &user, provider_id).await?;
            import_context(&mut context, provider_id);
            context.insert("file_error", &refusal.file_error);
            context.insert("row_errors", &refusal.rows);
            render_status(&state, &req, "import.html", context, refusal.status())
        }
    }
}

/// `GET /api/v1/providers/{id}/kpis[?from=&to=]`: each KPI's definition, default and own target,
/// and its values per period with whether each met the target.
async fn kpis_json(
    state: web::Data<AppState>,
    user: ApiUser,
    path: web::Path<ProviderId>,
    query: web::Query<PeriodQuery>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user.0, provider_id, Capability::ReadAssessment).await?;
    let filter = query.parse().map_err(AppError::BadInput)?;
    let (kpis, values) = with_conn(&state, move |conn| {
        let kpis = store::definitions(conn, provider_id)?;
        let values = store::values(conn, provider_id, &kpis, filter)?;
        Ok((kpis, values))
    })
    .await?;
    Ok(HttpResponse::Ok().json(super::api::to_json(provider_id, filter.from, filter.to, &kpis, &values)))
}
