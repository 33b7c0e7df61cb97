//! `/providers/{id}/assessment`, `/accreditation`, `/findings` and `/requests`: the readiness
//! dashboard, each standard's self-assessment, the accreditation record and cycles, findings and
//! assessor requests; and `/api/v1/providers/{id}/readiness`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{
    self, AccreditationInput, AccreditationStatus, AnswerInput, AssessmentInput, AssessmentResult, CloseInput,
    CycleInput, CycleKind, DecisionInput, FindingGrade, FindingInput, FindingSource, RequestInput, RequestStatus,
    Verdict, Workflow,
};
use super::rules::{LiveVerdict, StandardReadiness};
use super::store;
use crate::accounts::access::Capability;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, permissions, provider_context, provider_page, Permissions};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::form::{FieldErrors, WithdrawalInput};
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render, render_status, see_other, with_conn, AppError, AppState};

/// The assessment pages and the readiness API, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/assessment", web::get().to(dashboard))
        .route("/providers/{provider_id}/assessment/standards", web::get().to(standards))
        .route("/providers/{provider_id}/assessment/{reference}", web::get().to(standard))
        .route("/providers/{provider_id}/assessment/{reference}", web::post().to(save_standard))
        .route("/providers/{provider_id}/assessment/{reference}/findings", web::post().to(add_finding))
        .route("/providers/{provider_id}/findings", web::get().to(findings))
        .route("/providers/{provider_id}/findings/{finding_id}/close", web::post().to(close_finding))
        .route("/providers/{provider_id}/findings/{finding_id}/withdraw", web::get().to(withdraw_finding_form))
        .route("/providers/{provider_id}/findings/{finding_id}/withdraw", web::post().to(withdraw_finding))
        .route("/providers/{provider_id}/accreditation", web::get().to(accreditation))
        .route("/providers/{provider_id}/accreditation", web::post().to(change_accreditation))
        .route("/providers/{provider_id}/accreditation/cycles", web::post().to(start_cycle))
        .route("/providers/{provider_id}/requests", web::get().to(requests))
        .route("/providers/{provider_id}/requests", web::post().to(raise_request))
        .route("/providers/{provider_id}/requests/{request_id}", web::get().to(request))
        .route("/providers/{provider_id}/requests/{request_id}/answer", web::post().to(answer_request))
        .route("/providers/{provider_id}/requests/{request_id}/decision", web::post().to(decide_request))
        .route("/api/v1/providers/{provider_id}/readiness", web::get().to(readiness_json));
}

/// The live checks' judge: the `live` area knows it, and this area's pages show its verdicts.
/// `lib::app` hands it in, so this area does not import the one that imports it.
#[derive(Clone, Copy)]
pub struct LiveChecks(pub store::LiveJudge);

/// The judge `lib::app` registered, for this area's pages and any other that shows readiness.
pub fn live_judge(req: &HttpRequest) -> Result<store::LiveJudge, AppError> {
    req.app_data::<web::Data<LiveChecks>>()
        .map(|judge| judge.0)
        .ok_or_else(|| AppError::Internal("no live checks registered".into()))
}

/// A line of the standards table, with its owner's name.
#[derive(Serialize)]
struct StandardView<'a> {
    #[serde(flatten)]
    line: &'a StandardReadiness,
    owner: Option<&'a String>,
    must_not_met: bool,
    lacks_evidence: bool,
}

/// `GET /providers/{id}/assessment`: the readiness dashboard.
async fn dashboard(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    let live = live_judge(&req)?;
    let report = with_conn(&state, move |conn| Ok(store::readiness(conn, provider_id, today, live)?)).await?;
    let owners: Vec<(i32, String, usize)> = report
        .readiness
        .busiest_owners
        .iter()
        .map(|(id, count)| (*id, report.people.get(id).cloned().unwrap_or_else(|| format!("User {id}")), *count))
        .collect();
    context.insert("report", &report);
    context.insert("owners", &owners);
    context.insert("results", &AssessmentResult::options());
    context.insert("workflows", &Workflow::options());
    render(&state, &req, "assessment/dashboard.html", context)
}

#[derive(Deserialize, Default)]
struct StandardFilters {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    workflow: String,
    #[serde(default)]
    owner: String,
    /// must_not_met, no_evidence, met_without_current_evidence, carried_over, overdue_evidence,
    /// contradicted.
    #[serde(default)]
    show: String,
}

impl StandardFilters {
    fn keeps(&self, domain: &str, line: &StandardReadiness) -> bool {
        (self.domain.is_empty() || self.domain == domain)
            && (self.result.is_empty() || self.result == line.result.as_str())
            && (self.workflow.is_empty() || self.workflow == line.workflow.as_str())
            && (self.owner.is_empty() || (self.owner.parse::<i32>().ok() == line.owner_user_id && line.is_open()))
            && match self.show.as_str() {
                "must_not_met" => line.is_must_not_met(),
                "no_evidence" => line.lacks_evidence(),
                "met_without_current_evidence" => line.met_without_current_evidence,
                "carried_over" => line.carried_over,
                "overdue_evidence" => line.overdue_evidence_count > 0,
                "contradicted" => line.contradicted,
                _ => true,
            }
    }

    fn describe(&self) -> Vec<String> {
        let mut said = Vec::new();
        if !self.domain.is_empty() {
            said.push(format!("domain {}", self.domain));
        }
        if let Some(result) = AssessmentResult::parse(&self.result) {
            said.push(format!("result: {}", result.label().to_lowercase()));
        }
        if let Some(workflow) = Workflow::parse(&self.workflow) {
            said.push(format!("state: {}", workflow.label().to_lowercase()));
        }
        if !self.owner.is_empty() {
            said.push("open items of one owner".into());
        }
        match self.show.as_str() {
            "must_not_met" => said.push("“must” standards not yet met".into()),
            "no_evidence" => said.push("no evidence".into()),
            "met_without_current_evidence" => said.push("met with no evidence in date".into()),
            "carried_over" => said.push("carried over, waiting for review".into()),
            "overdue_evidence" => said.push("evidence past its review date".into()),
            "contradicted" => said.push("marked met, contradicted by the records".into()),
            _ => {}
        }
        said
    }
}

/// `GET /providers/{id}/assessment/standards`: the standards behind any figure on the dashboard.
async fn standards(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    filters: web::Query<StandardFilters>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    let live = live_judge(&req)?;
    let report = with_conn(&state, move |conn| Ok(store::readiness(conn, provider_id, today, live)?)).await?;
    let rows: Vec<(String, StandardView)> = report
        .readiness
        .domains
        .iter()
        .filter(|d| d.applies || filters.show.is_empty())
        .flat_map(|d| d.standards.iter().map(move |s| (d.reference.clone(), s)))
        .filter(|(domain, line)| filters.keeps(domain, line))
        .map(|(domain, line)| {
            (
                domain,
                StandardView {
                    line,
                    owner: line.owner_user_id.and_then(|o| report.people.get(&o)),
                    must_not_met: line.is_must_not_met(),
                    lacks_evidence: line.lacks_evidence(),
                },
            )
        })
        .collect();
    context.insert("rows", &rows);
    context.insert("filters", &filters.describe());
    context.insert("cycle", &report.cycle);
    render(&state, &req, "assessment/standards.html", context)
}

fn people_options(people: &[(i32, String)]) -> Vec<(String, String)> {
    people.iter().map(|(id, name)| (id.to_string(), name.clone())).collect()
}

/// The exception form on a standard's page, as typed: the `live` area reads and records it, and
/// shows the page again with it after a refusal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExceptionForm {
    pub check: String,
    pub reason: String,
    pub ends_on: String,
}

/// A live check as the standard's page shows it: the verdict, the facts (linked only for those
/// who may open the record), how long it has stood, and the exceptions recorded on this standard.
#[derive(Debug, Serialize)]
struct LiveCheckView {
    code: &'static str,
    question: &'static str,
    verdict: Verdict,
    verdict_label: &'static str,
    summary: String,
    /// (text, link if the user may follow it).
    facts: Vec<(String, Option<String>)>,
    standing: String,
    excused: bool,
    exceptions: Vec<ExceptionView>,
}

/// An exception as the standard's page lists it.
#[derive(Debug, Serialize)]
struct ExceptionView {
    id: i32,
    reason: String,
    recorded_by: Option<String>,
    recorded_at: chrono::NaiveDateTime,
    standing: String,
    in_force: bool,
}

impl LiveCheckView {
    fn of(verdict: &LiveVerdict, can: &Permissions, today: NaiveDate) -> Self {
        LiveCheckView {
            code: verdict.check.as_str(),
            question: verdict.question,
            verdict: verdict.verdict,
            verdict_label: verdict.verdict.label(),
            summary: verdict.summary.clone(),
            facts: verdict
                .facts
                .iter()
                .map(|fact| (fact.text.clone(), fact.href.clone().filter(|_| can.allows(fact.needs))))
                .collect(),
            standing: verdict.standing(today),
            excused: verdict.verdict == Verdict::Fails && !verdict.fails_unexcused(today),
            exceptions: verdict
                .exceptions
                .iter()
                .map(|e| ExceptionView {
                    id: e.id,
                    reason: e.reason.clone(),
                    recorded_by: e.recorded_by.clone(),
                    recorded_at: e.recorded_at,
                    standing: e.standing(today),
                    in_force: e.in_force(today),
                })
                .collect(),
        }
    }
}

/// The forms a refused save fills again on a standard's page.
#[derive(Default)]
pub struct StandardForms {
    pub assessment: Option<AssessmentInput>,
    pub finding: Option<FindingInput>,
    pub exception: Option<ExceptionForm>,
}

/// Shows a standard's page; `forms` and `errors` refill the form refused. The `live` area shows it
/// again after a refused exception.
pub async fn show_standard(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    reference: String,
    forms: StandardForms,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let live = live_judge(req)?;
    let (page, people, evidence, verdicts) = with_conn(state, move |conn| {
        let Some(page) = store::standard_page(conn, provider_id, &reference)? else { return Err(AppError::NotFound) };
        let people = crate::accounts::store::provider_people(conn, provider_id)?;
        let filter = crate::evidence::store::LibraryFilter { node_id: Some(page.node_id), ..Default::default() };
        let evidence = crate::evidence::store::library(conn, provider_id, &filter, today)?;
        let verdicts = live(conn, provider_id, today)?.remove(&page.node_id).unwrap_or_default();
        Ok((page, people, evidence, verdicts))
    })
    .await?;
    let form = forms.assessment.unwrap_or_else(|| AssessmentInput {
        workflow: page.workflow.as_str().into(),
        result: page.result.as_str().into(),
        not_applicable_reason: page.not_applicable_reason.clone().unwrap_or_default(),
        owner_user_id: page.owner_user_id.map(|o| o.to_string()).unwrap_or_default(),
        target_on: crate::form::form_date_or_blank(page.target_on),
        narrative: page.narrative.clone(),
    });
    let finding = forms
        .finding
        .unwrap_or_else(|| FindingInput { raised_on: crate::form::form_date(today), ..Default::default() });
    let owner = page.owner_user_id.and_then(|o| people.iter().find(|(id, _)| *id == o).map(|(_, n)| n.clone()));
    let contradicted = super::rules::is_contradicted(page.result, &verdicts, today);
    let failing: Vec<(&str, &str)> =
        verdicts.iter().filter(|v| v.verdict == Verdict::Fails).map(|v| (v.check.as_str(), v.question)).collect();
    let exception = forms.exception.unwrap_or_else(|| ExceptionForm {
        check: failing.first().map(|(code, _)| code.to_string()).unwrap_or_default(),
        ..Default::default()
    });
    let live_checks: Vec<LiveCheckView> = verdicts.iter().map(|v| LiveCheckView::of(v, &can, today)).collect();
    context.insert("page", &page);
    context.insert("owner", &owner);
    context.insert("form", &form);
    context.insert("finding", &finding);
    context.insert("live_checks", &live_checks);
    context.insert("contradicted", &contradicted);
    context.insert("failing_checks", &failing);
    context.insert("exception", &exception);
    context.insert("errors", &errors.0);
    context.insert("people", &people_options(&people));
    context.insert("evidence", &evidence);
    context.insert("workflows", &Workflow::options());
    context.insert("results", &AssessmentResult::options());
    context.insert("grades", &FindingGrade::options());
    context.insert("narrative_limit", &model::NARRATIVE_LIMIT);
    let status = status_for(&errors);
    render_status(state, req, "assessment/standard.html", context, status)
}

/// `GET /providers/{id}/assessment/{reference}`.
async fn standard(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_standard(&state, &req, &user, provider_id, reference, StandardForms::default(), FieldErrors::default()).await
}

/// `POST /providers/{id}/assessment/{reference}`: saves the self-assessment (and so confirms a
/// carried-over result).
async fn save_standard(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<AssessmentInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, wanted, submitted) = (user.id, state.today(), reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| store::save_assessment(conn, Some(by), provider_id, &wanted, &submitted.parse()?, today),
        |()| {
            confirm_then(&req, format!("{reference} saved"), format!("/providers/{provider_id}/assessment/{reference}"))
        },
        |errors| {
            let forms = StandardForms { assessment: Some(input), ..Default::default() };
            show_standard(&state, &req, &user, provider_id, reference.clone(), forms, errors)
        },
    )
    .await
}

/// Internal audit when the user manages the service, external assessment otherwise.
async fn finding_source(
    state: &AppState,
    user: &CurrentUser,
    provider_id: ProviderId,
) -> Result<FindingSource, AppError> {
    Ok(if permissions(state, user, provider_id).await?.manage {
        FindingSource::InternalAudit
    } else {
        FindingSource::ExternalAssessment
    })
}

/// `POST /providers/{id}/assessment/{reference}/findings`.
async fn add_finding(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<FindingInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Assess).await?;
    let source = finding_source(&state, &user, provider_id).await?;
    let (by, today, wanted, submitted) = (user.id, state.today(), reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| store::record_finding(conn, Some(by), provider_id, &wanted, source, &submitted.parse(today)?),
        |_| {
            confirm_then(
                &req,
                format!("Finding recorded against {reference}"),
                format!("/providers/{provider_id}/assessment/{reference}#findings"),
            )
        },
        |errors| {
            let forms = StandardForms { finding: Some(input), ..Default::default() };
            show_standard(&state, &req, &user, provider_id, reference.clone(), forms, errors)
        },
    )
    .await
}

#[derive(Deserialize)]
struct FindingsQuery {
    #[serde(default)]
    open: String,
    /// Set when a finding could not be closed on the date given.
    #[serde(default)]
    problem: String,
}

/// `GET /providers/{id}/findings`: every finding, open first; `?open=1` for open ones only.
async fn findings(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    query: web::Query<FindingsQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    let open_only = query.open == "1";
    let lines = with_conn(&state, move |conn| Ok(store::findings_list(conn, provider_id, None, open_only)?)).await?;
    if let Some(format) = crate::web::download::requested(&req) {
        return crate::web::download::sheet_response(&findings_sheet(&lines), format, today);
    }
    context.insert("downloads", &crate::web::download::links(&req));
    context.insert("findings", &lines);
    context.insert("open_only", &open_only);
    context.insert("date_problem", &(query.problem == "date"));
    context.insert("grades", &FindingGrade::options());
    context.insert("sources", &FindingSource::options());
    context.insert("today", &today.to_string());
    render(&state, &req, "assessment/findings.html", context)
}

/// The findings as a download: the page's columns, who raised a finding and how apart from the day,
/// and its status with the day it was closed or withdrawn as a date.
fn findings_sheet(lines: &[store::FindingLine]) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut sheet = Sheet::new(
        "Findings",
        &[
            "Standard",
            "Raised",
            "Source",
            "Raised by",
            "Grade",
            "Finding",
            "Action needed",
            "Status",
            "Closed or withdrawn",
            "Reason for withdrawal",
        ],
    );
    for finding in lines {
        let (status, on) = match (finding.withdrawn_at, finding.closed_on) {
            (Some(at), _) => ("Withdrawn", Some(crate::clock::london_date(at.and_utc()))),
            (None, Some(closed)) => ("Closed", Some(closed)),
            (None, None) => ("Open", None),
        };
        sheet.push(vec![
            Cell::text(finding.reference.as_str()),
            Cell::Date(finding.raised_on),
            Cell::text(finding.source.label()),
            Cell::maybe_text(finding.raised_by.clone()),
            Cell::text(finding.grade.label()),
            Cell::text(finding.description.as_str()),
            Cell::text(finding.action_needed.as_str()),
            Cell::text(status),
            Cell::maybe_date(on),
            Cell::maybe_text(finding.withdrawal_reason.clone()),
        ]);
    }
    sheet
}

/// Shows a finding with the form to withdraw it; `input` and `errors` refill a refused reason.
async fn show_withdraw_finding(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    (provider_id, finding_id): (ProviderId, i32),
    input: WithdrawalInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    let finding = with_conn(state, move |conn| Ok(store::finding(conn, provider_id, finding_id)?)).await?;
    context.insert("finding", &finding.ok_or(AppError::NotFound)?);
    context.insert("withdrawal_reason", &input.reason);
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "assessment/withdraw_finding.html", context, status)
}

/// `GET /providers/{id}/findings/{finding_id}/withdraw`: the finding, and the form to withdraw it.
async fn withdraw_finding_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, finding_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    show_withdraw_finding(&state, &req, &user, (provider_id, finding_id), Default::default(), Default::default()).await
}

/// `POST /providers/{id}/findings/{finding_id}/withdraw`: a manager withdraws a finding entered by
/// mistake, with a reason. It stays listed and in the history, and no longer counts as open.
async fn withdraw_finding(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<WithdrawalInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, finding_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, now, submitted) = (user.id, state.now().naive_utc(), input.clone());
    save_then(
        &state,
        move |conn| store::withdraw_finding(conn, Some(by), provider_id, finding_id, &submitted.parse()?, now),
        |()| confirm_then(&req, "Finding withdrawn", format!("/providers/{provider_id}/findings")),
        |errors| show_withdraw_finding(&state, &req, &user, (provider_id, finding_id), input, errors),
    )
    .await
}

/// `POST /providers/{id}/findings/{finding_id}/close`: the auditor or assessor is satisfied. A
/// refused date is explained on the findings page, where the form is.
async fn close_finding(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<CloseInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, finding_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Assess).await?;
    let (by, today) = (user.id, state.today());
    save_then(
        &state,
        move |conn| store::close_finding(conn, Some(by), provider_id, finding_id, input.parse(today)?),
        |()| confirm_then(&req, "Finding closed as resolved", format!("/providers/{provider_id}/findings")),
        |_| async move { Ok(see_other(format!("/providers/{provider_id}/findings?problem=date"))) },
    )
    .await
}

/// Shows the accreditation page; `form` and `errors` refill a refused form.
async fn show_accreditation(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: Option<AccreditationInput>,
    cycle_form: Option<CycleInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let mut context = provider_context(state, user, provider_id).await?;
    let (record, cycles, frameworks) = with_conn(state, move |conn| {
        Ok((
            store::accreditation(conn, provider_id, today)?,
            store::cycles(conn, provider_id)?,
            store::frameworks(conn)?,
        ))
    })
    .await?;
    let form =
        form.unwrap_or_else(|| AccreditationInput { status_on: crate::form::form_date(today), ..Default::default() });
    let cycle_form = cycle_form.unwrap_or_else(|| CycleInput {
        kind: CycleKind::AnnualRenewal.as_str().into(),
        framework: frameworks.first().map(|f| f.1.clone()).unwrap_or_default(),
        started_on: crate::form::form_date(today),
    });
    let cycle_views: Vec<(String, String, NaiveDate, String)> = cycles
        .iter()
        .map(|c| (c.id.to_string(), c.kind.label().to_string(), c.started_on, c.framework_title.clone()))
        .collect();
    context.insert("record", &record);
    context.insert("cycles", &cycle_views);
    context.insert("form", &form);
    context.insert("cycle_form", &cycle_form);
    context.insert("errors", &errors.0);
    context.insert("statuses", &AccreditationStatus::options());
    context.insert("cycle_kinds", &CycleKind::options());
    let framework_options: Vec<(String, String)> =
        frameworks.into_iter().map(|(_, code, title)| (code, title)).collect();
    context.insert("frameworks", &framework_options);
    let status = status_for(&errors);
    render_status(state, req, "assessment/accreditation.html", context, status)
}

/// `GET /providers/{id}/accreditation`.
async fn accreditation(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_accreditation(&state, &req, &user, provider_id, None, None, FieldErrors::default()).await
}

/// `POST /providers/{id}/accreditation`: a step on the pathway, dated.
async fn change_accreditation(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<AccreditationInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| store::change_accreditation(conn, Some(by), provider_id, &submitted.parse()?),
        |()| confirm_then(&req, "Accreditation record saved", format!("/providers/{provider_id}/accreditation")),
        |errors| show_accreditation(&state, &req, &user, provider_id, Some(input), None, errors),
    )
    .await
}

/// `POST /providers/{id}/accreditation/cycles`: starts the next cycle, carrying the assessment over.
async fn start_cycle(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<CycleInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let next = submitted.parse()?;
            store::start_cycle(conn, Some(by), provider_id, next.kind, &next.framework, next.started_on)
        },
        |(_, carried)| {
            confirm_then(&req, super::rules::cycle_started(carried), format!("/providers/{provider_id}/assessment"))
        },
        |errors| show_accreditation(&state, &req, &user, provider_id, None, Some(input), errors),
    )
    .await
}

/// Shows the requests page; `text` and `errors` refill a refused request.
async fn show_requests(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: RequestInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    // `?open=1`: those not yet accepted, the readiness figure's list.
    let open_only = req.query_string() == "open=1";
    let lines = with_conn(state, move |conn| Ok(store::requests_list(conn, provider_id, None, open_only)?)).await?;
    context.insert("open_only", &open_only);
    context.insert("requests", &lines);
    context.insert("statuses", &RequestStatus::options());
    context.insert("form_standard", &form.standard);
    context.insert("form_text", &form.request_text);
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "assessment/requests.html", context, status)
}

/// `GET /providers/{id}/requests`.
async fn requests(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_requests(&state, &req, &user, provider_id, Default::default(), FieldErrors::default()).await
}

/// `POST /providers/{id}/requests`: an assessor asks for evidence.
async fn raise_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<RequestInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Assess).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let request = submitted.parse()?;
            store::raise_request(conn, Some(by), provider_id, request.standard.as_deref(), &request.text)
        },
        |id| confirm_then(&req, "Request sent to the service", format!("/providers/{provider_id}/requests/{id}")),
        |errors| show_requests(&state, &req, &user, provider_id, input, errors),
    )
    .await
}

/// Shows one request with its answer form (for the service) and decision form (for the assessor).
async fn show_request(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    request_id: i32,
    (answer, decision): (AnswerInput, DecisionInput),
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (found, library) = with_conn(state, move |conn| {
        let found = store::request(conn, provider_id, request_id)?;
        let library = crate::evidence::store::library(conn, provider_id, &Default::default(), today)?;
        Ok((found, library))
    })
    .await?;
    let (line, attached) = found.ok_or(AppError::NotFound)?;
    let status = line.status;
    context.insert("request", &line);
    context.insert("status_label", status.label());
    context.insert("awaits_service", &status.awaits_service());
    context.insert("awaits_assessor", &(status == RequestStatus::Answered));
    let files = attached.iter().map(|(id, _, _, _, patient_data)| (*id, *patient_data));
    let downloadable = crate::evidence::routes::downloadable(&can, files);
    context.insert("attached", &attached);
    context.insert("downloadable", &downloadable);
    context.insert("library", &library);
    context.insert("chosen", &answer.chosen());
    context.insert("answer_text", &answer.answer_text);
    context.insert("decision", &decision.decision);
    context.insert("decision_comment", &decision.decision_comment);
    context.insert("errors", &errors.0);
    let code = status_for(&errors);
    render_status(state, req, "assessment/request.html", context, code)
}

/// `GET /providers/{id}/requests/{request_id}`.
async fn request(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, request_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_request(&state, &req, &user, provider_id, request_id, Default::default(), FieldErrors::default()).await
}

/// `POST /providers/{id}/requests/{request_id}/answer`: the service answers with evidence.
async fn answer_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<AnswerInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, request_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let answer = submitted.parse()?;
            store::answer_request(conn, Some(by), provider_id, request_id, &answer.text, &answer.evidence)
        },
        |()| {
            confirm_then(&req, "Answer sent to the assessor", format!("/providers/{provider_id}/requests/{request_id}"))
        },
        |errors| show_request(&state, &req, &user, provider_id, request_id, (input, DecisionInput::default()), errors),
    )
    .await
}

/// `POST /providers/{id}/requests/{request_id}/decision`: the assessor accepts or returns the answer.
async fn decide_request(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<DecisionInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, request_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Assess).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let decision = submitted.parse()?;
            store::decide_request(conn, Some(by), provider_id, request_id, decision.accept, &decision.comment)
                .map(|()| decision.accept)
        },
        |accepted| {
            confirm_then(
                &req,
                super::rules::decision_said(accepted),
                format!("/providers/{provider_id}/requests/{request_id}"),
            )
        },
        |errors| show_request(&state, &req, &user, provider_id, request_id, (AnswerInput::default(), input), errors),
    )
    .await
}

/// `GET /api/v1/providers/{id}/readiness`: the accreditation record, the cycle, and every
/// standard's state and evidence counts.
async fn readiness_json(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: ApiUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user.0, provider_id, Capability::ReadAssessment).await?;
    let live = live_judge(&req)?;
    let report = with_conn(&state, move |conn| Ok(store::readiness(conn, provider_id, today, live)?)).await?;
    Ok(HttpResponse::Ok().json(report.to_json(provider_id, today)))
}
