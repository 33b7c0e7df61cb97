//! An audit's pages: adding one to a plan, its page (criteria, results, the other round of a
//! re-audit, actions), changing it, recording its results, and adding an action.

use actix_web::{web, HttpRequest, HttpResponse};

use super::plans::{lead_names, year_in_path};
use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page, Permissions};
use crate::accounts::session::CurrentUser;
use crate::audits::model::{ActionInput, AuditInput, AuditStatus, AuditType, ResultsInput, BLANK_CRITERIA};
use crate::audits::rules;
use crate::audits::store::audits::{self, AuditRecord};
use crate::audits::store::{actions, plans};
use crate::db::{DbConnection, ProviderId, StaffId, StoreError, UserId};
use crate::form::{form_date, form_date_or_blank, FieldErrors};
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-plans/{year}/audits/new", web::get().to(new_audit))
        .route("/providers/{provider_id}/audit-plans/{year}/audits/new", web::post().to(create_audit))
        .route("/providers/{provider_id}/audits/{audit_id}", web::get().to(audit_page))
        .route("/providers/{provider_id}/audits/{audit_id}/edit", web::get().to(edit_audit))
        .route("/providers/{provider_id}/audits/{audit_id}/edit", web::post().to(update_audit))
        .route("/providers/{provider_id}/audits/{audit_id}/results", web::post().to(save_results))
        .route("/providers/{provider_id}/audits/{audit_id}/actions", web::post().to(add_action));
}

/// The saved audit as the form's starting values.
fn as_input(record: &AuditRecord) -> AuditInput {
    AuditInput {
        title: record.title.clone(),
        audit_type: record.audit_type.as_str().into(),
        standards: record.standards.iter().map(|s| s.0.clone()).collect(),
        service: record.service.as_ref().map(|s| s.0.clone()).unwrap_or_default(),
        lead_staff_id: record.lead_staff_id.map(|s| s.0.to_string()).unwrap_or_default(),
        planned_quarter: record.planned_quarter.to_string(),
        method: record.method.clone(),
        sample_size: record.sample_size.map(|n| n.to_string()).unwrap_or_default(),
        criterion: record.criteria.iter().map(|c| c.description.clone()).collect(),
        target: record.criteria.iter().map(|c| c.target_percent.to_string()).collect(),
        status: record.status.as_str().into(),
        status_reason: record.status_reason.clone().unwrap_or_default(),
        started_on: form_date_or_blank(record.started_on),
        completed_on: form_date_or_blank(record.completed_on),
        findings: record.findings.clone().unwrap_or_default(),
    }
}

/// Where the audit form is sent and what it is about.
enum Editing {
    New(crate::clock::FinancialYear),
    Existing(i32),
}

async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    editing: Editing,
    form: Option<AuditInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let audit_id = match editing {
        Editing::Existing(id) => Some(id),
        Editing::New(_) => None,
    };
    let wanted_year = match editing {
        Editing::New(year) => Some(year),
        Editing::Existing(_) => None,
    };
    let (plan, record, choices, services, clinicians) = with_conn(state, move |conn| {
        let record = match audit_id {
            Some(id) => Some(audits::audit(conn, provider_id, id)?.ok_or(AppError::NotFound)?),
            None => None,
        };
        let plan = match (&record, wanted_year) {
            (Some(record), _) => record.plan.clone(),
            (None, Some(year)) => plans::plan(conn, provider_id, year)?.ok_or(AppError::NotFound)?,
            (None, None) => return Err(AppError::NotFound),
        };
        let framework = crate::assessment::store::framework_id(conn, provider_id)?;
        let choices = crate::evidence::store::link_choices(conn, framework)?;
        let services: Vec<(String, String)> = crate::coverage::store::coverage(conn, provider_id, today)?
            .into_iter()
            .map(|row| (row.reference.clone(), format!("{} {}", row.reference, row.title)))
            .collect();
        let clinicians: Vec<(String, String)> = crate::workforce::store::clinical_staff(conn, provider_id, today)?
            .into_iter()
            .map(|(id, name)| (id.0.to_string(), name))
            .collect();
        Ok((plan, record, choices, services, clinicians))
    })
    .await?;
    let form = form.unwrap_or_else(|| match &record {
        Some(record) => as_input(record),
        None => AuditInput { status: AuditStatus::Planned.as_str().into(), ..Default::default() },
    });
    let mut rows: Vec<(String, String)> = (0..form.criterion.len().max(form.target.len()))
        .map(|i| (form.criterion.get(i).cloned().unwrap_or_default(), form.target.get(i).cloned().unwrap_or_default()))
        .filter(|(d, t)| !d.trim().is_empty() || !t.trim().is_empty())
        .collect();
    rows.extend((0..BLANK_CRITERIA).map(|_| (String::new(), String::new())));
    let quarters: Vec<(String, String)> = rules::QUARTERS.iter().map(|(q, l)| (q.to_string(), l.to_string())).collect();
    let action = match (&record, wanted_year) {
        (Some(record), _) => format!("/providers/{provider_id}/audits/{}/edit", record.id),
        (None, Some(year)) => format!("/providers/{provider_id}/audit-plans/{}/audits/new", year.url()),
        (None, None) => return Err(AppError::NotFound),
    };
    context.insert("plan", &plan);
    context.insert("record", &record);
    context.insert("action", &action);
    context.insert("form", &form);
    context.insert("rows", &rows);
    context.insert("choices", &choices);
    context.insert("services", &services);
    context.insert("clinicians", &clinicians);
    context.insert("types", &AuditType::options());
    context.insert("statuses", &AuditStatus::options());
    context.insert("quarters", &quarters);
    context.insert("errors", &errors.0);
    render_status(state, req, "audits/audit_form.html", context, status_for(&errors))
}

/// `GET /providers/{id}/audit-plans/{year}/audits/new`.
async fn new_audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    show_form(&state, &req, &user, provider_id, Editing::New(year), None, FieldErrors::default()).await
}

/// `POST /providers/{id}/audit-plans/{year}/audits/new`: adds the audit to the plan.
async fn create_audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<AuditInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    let year = year_in_path(&year)?;
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, submitted) = (user.id, state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let (plan, progress) = submitted.parse(today)?;
            let framework = crate::assessment::store::framework_id(conn, provider_id)?;
            audits::create_audit(conn, Some(by), provider_id, year, &plan, &progress, framework, today)
                .map(|id| (id, plan.title))
        },
        |(id, title)| {
            confirm_then(
                &req,
                format!("{title} added to the {year} plan"),
                format!("/providers/{provider_id}/audits/{id}"),
            )
        },
        |errors| show_form(&state, &req, &user, provider_id, Editing::New(year), Some(input), errors),
    )
    .await
}

/// `GET /providers/{id}/audits/{audit_id}/edit`.
async fn edit_audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, audit_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    show_form(&state, &req, &user, provider_id, Editing::Existing(audit_id), None, FieldErrors::default()).await
}

/// `POST /providers/{id}/audits/{audit_id}/edit`: changes the audit.
async fn update_audit(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<AuditInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, audit_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, submitted) = (user.id, state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let (plan, progress) = submitted.parse(today)?;
            let framework = crate::assessment::store::framework_id(conn, provider_id)?;
            audits::update_audit(conn, Some(by), provider_id, audit_id, &plan, &progress, framework, today)
        },
        |title| confirm_then(&req, format!("{title} saved"), format!("/providers/{provider_id}/audits/{audit_id}")),
        |errors| show_form(&state, &req, &user, provider_id, Editing::Existing(audit_id), Some(input), errors),
    )
    .await
}

/// Whether the user leads the audit: one of the provider's staff records that is theirs is the
/// audit's lead.
fn leads(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    user_id: UserId,
    lead: Option<StaffId>,
) -> Result<bool, AppError> {
    let Some(lead) = lead else { return Ok(false) };
    Ok(crate::workforce::store::staff_of_user(conn, provider_id, user_id)?.contains(&lead))
}

/// Whether the user may record an audit's results, findings and status: a manager, or a clinician
/// (who may edit their own records) leading it.
fn may_record(can: &Permissions, is_lead: bool) -> bool {
    can.manage || (can.edit_own_records && is_lead)
}

/// A refused form on the audit's page, shown again with what was typed.
enum Refill {
    Nothing,
    Results(ResultsInput),
    Action(ActionInput),
}

/// One row of the rounds side by side: the criterion in the first round and in the re-audit.
#[derive(serde::Serialize)]
struct RoundRow {
    description: String,
    first: Option<audits::CriterionRow>,
    second: Option<audits::CriterionRow>,
}

async fn show_audit(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    audit_id: i32,
    refill: Refill,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (named, user_id) = (can.read_staff, user.id);
    let (record, found_actions, previous, later, lead, is_lead, people) = with_conn(state, move |conn| {
        let record = audits::audit(conn, provider_id, audit_id)?.ok_or(AppError::NotFound)?;
        let found_actions = actions::audit_actions(conn, audit_id, today)?;
        let previous = match record.reaudit_of {
            Some(id) => audits::audit(conn, provider_id, id)?,
            None => None,
        };
        let later = match record.reaudited_by {
            Some(id) => audits::audit(conn, provider_id, id)?,
            None => None,
        };
        let lead_ids: Vec<StaffId> = record.lead_staff_id.into_iter().collect();
        let lead = lead_names(conn, &lead_ids, named)?.into_iter().next().map(|(_, n)| n);
        let is_lead = leads(conn, provider_id, user_id, record.lead_staff_id)?;
        let people = if can.manage { crate::accounts::store::provider_people(conn, provider_id)? } else { Vec::new() };
        Ok((record, found_actions, previous, later, lead, is_lead, people))
    })
    .await?;
    let rounds: Vec<RoundRow> = match &previous {
        Some(first) => {
            let a: Vec<&str> = first.criteria.iter().map(|c| c.description.as_str()).collect();
            let b: Vec<&str> = record.criteria.iter().map(|c| c.description.as_str()).collect();
            rules::pair_rounds(&a, &b)
                .into_iter()
                .map(|(i, j)| {
                    let first = i.and_then(|i| first.criteria.get(i).cloned());
                    let second = j.and_then(|j| record.criteria.get(j).cloned());
                    let description =
                        second.as_ref().or(first.as_ref()).map(|c| c.description.clone()).unwrap_or_default();
                    RoundRow { description, first, second }
                })
                .collect()
        }
        None => Vec::new(),
    };
    let (mut results_form, mut action_form) = (None, None);
    match refill {
        Refill::Nothing => {}
        Refill::Results(input) => results_form = Some(input),
        Refill::Action(input) => action_form = Some(input),
    }
    let results_form = results_form.unwrap_or_else(|| ResultsInput {
        criterion_id: record.criteria.iter().map(|c| c.id.to_string()).collect(),
        cases_met: record.criteria.iter().map(|c| c.cases_met.map(|n| n.to_string()).unwrap_or_default()).collect(),
        cases_checked: record
            .criteria
            .iter()
            .map(|c| c.cases_checked.map(|n| n.to_string()).unwrap_or_default())
            .collect(),
        status: record.status.as_str().into(),
        status_reason: record.status_reason.clone().unwrap_or_default(),
        started_on: form_date_or_blank(record.started_on),
        completed_on: form_date_or_blank(record.completed_on),
        findings: record.findings.clone().unwrap_or_default(),
    });
    // The results table's rows: each criterion with what was typed against it.
    let result_rows: Vec<(audits::CriterionRow, String, String)> = record
        .criteria
        .iter()
        .map(|c| {
            let row = results_form.criterion_id.iter().position(|id| id == &c.id.to_string());
            let typed = |list: &Vec<String>| row.and_then(|r| list.get(r).cloned()).unwrap_or_default();
            (c.clone(), typed(&results_form.cases_met), typed(&results_form.cases_checked))
        })
        .collect();
    let action_form = action_form
        .unwrap_or_else(|| ActionInput { due_on: form_date(today + chrono::Duration::days(90)), ..Default::default() });
    let people: Vec<(String, String)> = people.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    context.insert("audit", &record);
    context.insert("lead", &lead);
    context.insert("named", &named);
    context.insert("actions", &found_actions);
    context.insert("previous", &previous);
    context.insert("later", &later);
    context.insert("rounds", &rounds);
    context.insert("may_record", &may_record(&can, is_lead));
    context.insert("results_form", &results_form);
    context.insert("result_rows", &result_rows);
    context.insert("action_form", &action_form);
    context.insert("people", &people);
    context.insert("statuses", &AuditStatus::options());
    context.insert("user_id", &user_id);
    context.insert("errors", &errors.0);
    render_status(state, req, "audits/audit.html", context, status_for(&errors))
}

/// `GET /providers/{id}/audits/{audit_id}`.
async fn audit_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, audit_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_audit(&state, &req, &user, provider_id, audit_id, Refill::Nothing, FieldErrors::default()).await
}

/// `POST /providers/{id}/audits/{audit_id}/results`: the cases met and checked for each criterion,
/// the findings and where the audit stands. A manager may, and so may the clinician leading it;
/// nobody else (403).
async fn save_results(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<ResultsInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, audit_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let can = crate::accounts::guard::permissions(&state, &user, provider_id).await?;
    let user_id = user.id;
    let is_lead = with_conn(&state, move |conn| {
        let record = audits::audit(conn, provider_id, audit_id)?.ok_or(AppError::NotFound)?;
        leads(conn, provider_id, user_id, record.lead_staff_id)
    })
    .await?;
    if !may_record(&can, is_lead) {
        return Err(AppError::Forbidden);
    }
    let (today, submitted) = (state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let record = audits::audit(conn, provider_id, audit_id)?.ok_or(StoreError::NotFound)?;
            let names: Vec<(i32, String)> = record.criteria.iter().map(|c| (c.id, c.description.clone())).collect();
            let (results, progress) = submitted.parse(today, &names)?;
            audits::record_results(conn, Some(user_id), provider_id, audit_id, &results, &progress)
        },
        |title| {
            confirm_then(
                &req,
                format!("Results of {title} saved"),
                format!("/providers/{provider_id}/audits/{audit_id}"),
            )
        },
        |errors| show_audit(&state, &req, &user, provider_id, audit_id, Refill::Results(input), errors),
    )
    .await
}

/// `POST /providers/{id}/audits/{audit_id}/actions`: a manager adds an action from the audit.
async fn add_action(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<ActionInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, audit_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| actions::add_action(conn, Some(by), provider_id, audit_id, &submitted.parse()?),
        |_| confirm_then(&req, "Action added", format!("/providers/{provider_id}/audits/{audit_id}#actions")),
        |errors| show_audit(&state, &req, &user, provider_id, audit_id, Refill::Action(input), errors),
    )
    .await
}
