//! `/providers/{id}/audit-plans`: the plans by year, starting one, copying one into the next year;
//! a plan's page; and its JSON, `/api/v1/providers/{id}/audit-plans/{year}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, permissions, provider_page};
use crate::accounts::session::CurrentUser;
use crate::audits::api;
use crate::audits::model::{PlanInput, PlanState};
use crate::audits::rules;
use crate::audits::store::{actions, audits, plans, reports};
use crate::clock::FinancialYear;
use crate::db::{ProviderId, StaffId};
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form, NoFields};
use crate::web::{render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-plans", web::get().to(index))
        .route("/providers/{provider_id}/audit-plans", web::post().to(create))
        .route("/providers/{provider_id}/audit-plans/{year}", web::get().to(plan_page))
        .route("/providers/{provider_id}/audit-plans/{year}/copy", web::post().to(copy))
        .route("/api/v1/providers/{provider_id}/audit-plans/{year}", web::get().to(plan_json));
}

/// The year in an address, "2026-27"; anything else is a page that is not there.
pub(super) fn year_in_path(text: &str) -> Result<FinancialYear, AppError> {
    text.parse::<FinancialYear>().map_err(|_| AppError::NotFound)
}

/// The names of the leads given, for those who may read named staff records; none otherwise.
pub(super) fn lead_names(
    conn: &mut crate::db::DbConnection,
    ids: &[StaffId],
    named: bool,
) -> Result<Vec<(StaffId, String)>, AppError> {
    if !named {
        return Ok(Vec::new());
    }
    Ok(crate::workforce::store::staff_names(conn, ids)?)
}

async fn show_index(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: PlanInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let (lines, standings) = with_conn(state, move |conn| {
        let lines = plans::plans(conn, provider_id, today)?;
        // Where each plan stands with the clinical director, "changed since sign-off" included,
        // judged for all the plans at once.
        let stored: Vec<(i32, PlanState)> = lines.iter().map(|line| (line.plan.id, line.plan.state)).collect();
        let statuses = crate::audits::store::sign_off::statuses(conn, &stored)?;
        let standings: Vec<&'static str> =
            stored.iter().map(|(id, _)| statuses.get(id).map_or("", |status| status.label())).collect();
        Ok((lines, standings))
    })
    .await?;
    let current = FinancialYear::containing(today);
    let next_years: Vec<String> = lines
        .iter()
        .map(|l| FinancialYear::starting_in(l.plan.year.start_year() + 1).map(|y| y.to_string()).unwrap_or_default())
        .collect();
    let taken: Vec<String> = lines.iter().map(|l| l.plan.year_label.clone()).collect();
    context.insert("lines", &lines);
    context.insert("standings", &standings);
    context.insert("next_years", &next_years);
    context.insert("taken", &taken);
    context.insert("suggested_year", &current.to_string());
    context.insert("form", &form);
    context.insert("errors", &errors.0);
    render_status(state, req, "audits/plans.html", context, status_for(&errors))
}

/// `GET /providers/{id}/audit-plans`: the plans, newest year first, each with its state, its
/// audits by status and its open and overdue actions.
async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let form = PlanInput { year: FinancialYear::containing(state.today()).to_string() };
    show_index(&state, &req, &user, provider_id, form, FieldErrors::default()).await
}

/// `POST /providers/{id}/audit-plans`: starts an empty plan for a year.
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<PlanInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let year = submitted.parse()?;
            plans::create_plan(conn, Some(by), provider_id, year).map(|_| year)
        },
        |year| {
            confirm_then(
                &req,
                format!("Audit plan for {year} started"),
                format!("/providers/{provider_id}/audit-plans/{}", year.url()),
            )
        },
        |errors| show_index(&state, &req, &user, provider_id, input, errors),
    )
    .await
}

/// An audit on the plan's page, with its lead's name for those who may see it.
#[derive(serde::Serialize)]
struct PlanRow<'a> {
    #[serde(flatten)]
    line: &'a audits::AuditLine,
    lead: Option<String>,
}

/// `GET /providers/{id}/audit-plans/{year}`: the plan's audits by quarter then title, its check
/// against the NHS sector standard, its overdue actions, its progress reports and its state.
async fn plan_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let (mut context, can) = provider_page(&state, &user, provider_id).await?;
    let named = can.read_staff;
    if let Some(format) = crate::web::download::requested(&req) {
        let actions_wanted =
            form_urlencoded::parse(req.query_string().as_bytes()).any(|(k, v)| k == "list" && v == "actions");
        let sheet = with_conn(&state, move |conn| {
            let plan = plans::plan(conn, provider_id, year)?.ok_or(AppError::NotFound)?;
            if actions_wanted {
                Ok(actions_sheet(&plan.year_label, &actions::plan_actions(conn, plan.id, today)?, named))
            } else {
                let lines = audits::plan_audits(conn, plan.id)?;
                let ids: Vec<StaffId> = lines.iter().filter_map(|l| l.lead_staff_id).collect();
                let leads = lead_names(conn, &ids, named)?;
                Ok(audits_sheet(&plan.year_label, &lines, &leads, named))
            }
        })
        .await?;
        return crate::web::download::sheet_response(&sheet, format, today);
    }
    context.insert("downloads", &crate::web::download::links(&req));
    context.insert("action_downloads", &crate::web::download::links_with(&req, &[("list", "actions")]));
    let (plan, lines, overdue, reports, leads, next_exists, standing) = with_conn(&state, move |conn| {
        let plan = plans::plan(conn, provider_id, year)?.ok_or(AppError::NotFound)?;
        let standing = crate::audits::store::sign_off::summary(conn, plan.id)?;
        let lines = audits::plan_audits(conn, plan.id)?;
        let overdue = actions::overdue_in_plan(conn, plan.id, today)?;
        let reports = reports::reports(conn, plan.id, today)?;
        let ids: Vec<StaffId> = lines.iter().filter_map(|l| l.lead_staff_id).collect();
        let leads = lead_names(conn, &ids, named)?;
        let next_exists = match FinancialYear::starting_in(year.start_year() + 1) {
            Some(next) => plans::plan(conn, provider_id, next)?.is_some(),
            None => true,
        };
        Ok((plan, lines, overdue, reports, leads, next_exists, standing))
    })
    .await?;
    let counted: Vec<rules::Counted> =
        lines.iter().map(|l| rules::Counted { audit_type: l.audit_type, status: l.status }).collect();
    let rows: Vec<PlanRow> = lines
        .iter()
        .map(|line| PlanRow {
            line,
            lead: line.lead_staff_id.and_then(|l| leads.iter().find(|(id, _)| *id == l).map(|(_, n)| n.clone())),
        })
        .collect();
    context.insert("plan", &plan);
    context.insert("audits", &rows);
    context.insert("named", &named);
    context.insert("warnings", &rules::sector_warnings(&counted));
    context.insert("overdue", &overdue);
    context.insert("reports", &reports);
    context.insert("next_year", &FinancialYear::starting_in(year.start_year() + 1).map(|y| y.to_string()));
    context.insert("next_exists", &next_exists);
    // Where the plan stands with the clinical director, "changed since sign-off" included.
    context.insert("sign_off", &standing);
    render_status(&state, &req, "audits/plan.html", context, StatusCode::OK)
}

/// A plan's audits as a download: the page's columns, the reason for a status and the days an audit
/// started and was completed in columns of their own; the lead named only for those the page names
/// them to.
fn audits_sheet(
    year_label: &str,
    lines: &[audits::AuditLine],
    leads: &[(StaffId, String)],
    named: bool,
) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut sheet = Sheet::new(
        &format!("Audit plan {year_label}"),
        &["Audit", "Type", "Lead", "Quarter", "Status", "Reason", "Started", "Completed"],
    );
    for line in lines {
        let lead = match line.lead_staff_id {
            None => "Not named".to_string(),
            Some(id) if named => {
                leads.iter().find(|(lead, _)| *lead == id).map(|(_, n)| n.clone()).unwrap_or_else(|| "Not named".into())
            }
            Some(_) => "Named lead".to_string(),
        };
        sheet.push(vec![
            Cell::text(line.title.as_str()),
            Cell::text(line.audit_type_label),
            Cell::text(lead),
            Cell::text(line.quarter_label.as_str()),
            Cell::text(line.status_label),
            Cell::maybe_text(line.status_reason.clone()),
            Cell::maybe_date(line.started_on),
            Cell::maybe_date(line.completed_on),
        ]);
    }
    sheet
}

/// Every action of a plan's audits as a download, by due date: the page lists the overdue ones,
/// the file all of them with their status; the owner named only for those the page names them to.
fn actions_sheet(year_label: &str, records: &[actions::ActionRecord], named: bool) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut headers = vec!["Action", "Audit"];
    if named {
        headers.push("Owner");
    }
    headers.extend(["Raised", "Due", "Status", "Overdue", "Closed", "Completion note", "Reason dropped"]);
    let mut sheet = Sheet::new(&format!("Audit actions {year_label}"), &headers);
    for action in records {
        let mut row = vec![Cell::text(action.description.as_str()), Cell::text(action.audit_title.as_str())];
        if named {
            row.push(Cell::text(action.owner_name.as_str()));
        }
        row.extend([
            Cell::Date(action.created_on),
            Cell::Date(action.due_on),
            Cell::text(action.status_label),
            Cell::text(if action.overdue { "Overdue" } else { "" }),
            Cell::maybe_date(action.closed_on),
            Cell::maybe_text(action.completion_note.clone()),
            Cell::maybe_text(action.drop_reason.clone()),
        ]);
        sheet.push(row);
    }
    sheet
}

/// `POST /providers/{id}/audit-plans/{year}/copy`: copies the plan into the next year, in one
/// save (`plans::copy_plan`); 409 when the next year has a plan already.
async fn copy(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    _form: Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let by = user.id;
    let outcome = with_conn(&state, move |conn| match plans::copy_plan(conn, Some(by), provider_id, year) {
        Err(crate::db::StoreError::Conflict(why)) => Ok(Err(why)),
        other => Ok(Ok(other?)),
    })
    .await?;
    let copied = match outcome {
        Ok(copied) => copied,
        Err(why) => {
            // Refused with its reason on a page of its own (409), the plans one click away.
            let (mut context, _) = provider_page(&state, &user, provider_id).await?;
            context.insert("why", &why);
            context.insert("year_label", &year.to_string());
            context.insert("year_url", &year.url());
            return render_status(&state, &req, "audits/copy_refused.html", context, StatusCode::CONFLICT);
        }
    };
    let Some(next) = copied.next_year else { return Err(AppError::NotFound) };
    let message = format!(
        "{year} copied into {next}: {} carried over, {} proposed",
        crate::words::counted(copied.carried.len(), "audit", "audits"),
        crate::words::counted(copied.reaudits.len(), "re-audit", "re-audits"),
    );
    Ok(confirm_then(&req, message, format!("/providers/{provider_id}/audit-plans/{}", next.url())))
}

/// `GET /api/v1/providers/{id}/audit-plans/{year}`: the plan's audits with their statuses,
/// criteria, results and actions, and its sign-off. A year not written like 2026-27 is a 400 that
/// says so; a year with no plan is a 404.
async fn plan_json(
    state: web::Data<AppState>,
    user: ApiUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user.0, provider_id, Capability::ReadAssessment).await?;
    let year: FinancialYear = year
        .parse()
        .map_err(|e: crate::clock::NotAFinancialYear| AppError::BadInput(FieldErrors::one("year", e.to_string())))?;
    let named = permissions(&state, &user.0, provider_id).await?.read_staff;
    let document = with_conn(&state, move |conn| {
        let plan = plans::plan(conn, provider_id, year)?.ok_or(AppError::NotFound)?;
        let lines = audits::plan_audits(conn, plan.id)?;
        let ids: Vec<i32> = lines.iter().map(|l| l.id).collect();
        let criteria = audits::criteria_of(conn, &ids)?;
        let standards = audits::standards_of(conn, &ids)?;
        let found = actions::actions_of(conn, &ids, today)?;
        let lead_ids: Vec<StaffId> = lines.iter().filter_map(|l| l.lead_staff_id).collect();
        let leads = lead_names(conn, &lead_ids, named)?;
        let sign_off = crate::audits::store::sign_off::summary(conn, plan.id)?;
        Ok(api::plan_document(&api::PlanFacts {
            provider_id,
            plan: &plan,
            audits: &lines,
            criteria: &criteria,
            standards: &standards,
            actions: &found,
            leads: &leads,
            named,
            sign_off: &sign_off,
        }))
    })
    .await?;
    Ok(HttpResponse::Ok().json(document))
}
