//! `/commissioners/{id}`: a commissioner's providers side by side, its CSV export and its JSON API.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::api::ApiUser;
use crate::accounts::guard::authorize_commissioner;
use crate::accounts::session::CurrentUser;
use crate::clock::FinancialYear;
use crate::commissioning::api::ProvidersDocument;
use crate::commissioning::rules::comparison::Problem;
use crate::commissioning::store::facts::{self, ComparisonFilter, ComparisonRow, ComparisonSort};
use crate::web::download::{file_response, spreadsheet_safe};
use crate::web::list::ListQuery;
use crate::web::{render, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/commissioners/{commissioner_id}", web::get().to(page))
        .route("/commissioners/{commissioner_id}/providers.csv", web::get().to(csv_export))
        .route("/api/v1/commissioners/{commissioner_id}/providers", web::get().to(api));
}

/// The comparison's sortable columns, with their headers.
const COLUMNS: [(ComparisonSort, &str); 10] = [
    (ComparisonSort::Name, "Provider"),
    (ComparisonSort::Accreditation, "SEQOHS accreditation"),
    (ComparisonSort::Standards, "Standards met by domain"),
    (ComparisonSort::MustNotMet, "“Must” standards not met"),
    (ComparisonSort::Gaps, "Service gaps"),
    (ComparisonSort::Workforce, "Workforce issues"),
    (ComparisonSort::Supervision, "Non-clinical tier supervised"),
    (ComparisonSort::Plan, "Audit plan"),
    (ComparisonSort::OverdueActions, "Overdue audit actions"),
    (ComparisonSort::Kpis, "Quality indicators"),
];

/// The problem asked for in the address (`?problem=gaps`); anything else is no filter.
fn problem_of(list: &ListQuery<ComparisonSort>) -> Option<Problem> {
    Problem::parse(list.get("problem"))
}

/// `GET /commissioners/{id}`: one row per provider the commissioner holds a current contract
/// with, sorted, filtered by a problem, searched by name and paged.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let commissioner_id = path.into_inner();
    authorize_commissioner(&state, &user, commissioner_id).await?;
    let (today, days) = (state.today(), state.settings.supervision_days);
    let list: ListQuery<ComparisonSort> = ListQuery::parse(req.query_string());
    let problem = problem_of(&list);
    let filter = ComparisonFilter { search: list.q.clone(), problem, review_overdue: Vec::new() };
    let (sort, dir, page) = (list.sort, list.dir, list.page);
    let judge = super::contradictions(&req)?;
    let (name, rows, contradicted) = with_conn(&state, move |conn| {
        let name = crate::accounts::store::commissioner_name(conn, commissioner_id)?;
        let rows = facts::comparison(conn, commissioner_id, today, days, filter, sort, dir, page)?;
        let shown: Vec<_> = rows.rows.iter().map(|row| row.facts.provider_id).collect();
        let contradicted = judge(conn, &shown, today)?;
        Ok((name, rows, contradicted))
    })
    .await?;
    // In the rows' order, for the template.
    let contradicted: Vec<usize> =
        rows.rows.iter().map(|row| contradicted.get(&row.facts.provider_id).map_or(0, Vec::len)).collect();
    let name = name.ok_or(AppError::NotFound)?;
    let base = format!("/commissioners/{commissioner_id}");
    let mut context = tera::Context::new();
    context.insert("commissioner_id", &commissioner_id);
    context.insert("commissioner_name", &name);
    context.insert("list", &list.view(&base, &COLUMNS, &rows));
    context.insert("rows", &rows.rows);
    context.insert("contradicted", &contradicted);
    context.insert("problem", &problem.map(Problem::as_str).unwrap_or_default());
    context.insert("problems", &Problem::options());
    context.insert("year", &FinancialYear::containing(today).to_string());
    context.insert("year_url", &FinancialYear::containing(today).url());
    context.insert("issue_labels", &issue_labels());
    context.insert("status_labels", &labels(crate::assessment::model::AccreditationStatus::options()));
    context.insert("plan_labels", &labels(crate::audits::model::PlanState::options()));
    context.insert("export_query", &export_query(&list.q, problem));
    render(&state, &req, "commissioning/home.html", context)
}

/// The workforce issues' labels by code, for the cells that list them.
fn issue_labels() -> std::collections::HashMap<&'static str, &'static str> {
    labels(crate::workforce::rules::Issue::options())
}

/// A closed list's labels by code, for the template.
fn labels(options: Vec<(&'static str, &'static str)>) -> std::collections::HashMap<&'static str, &'static str> {
    options.into_iter().collect()
}

/// The search and problem of the page, for the export links, so a download holds what is shown.
fn export_query(search: &str, problem: Option<Problem>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        query.append_pair("q", search);
    }
    if let Some(problem) = problem {
        query.append_pair("problem", problem.as_str());
    }
    let query = query.finish();
    if query.is_empty() {
        query
    } else {
        format!("?{query}")
    }
}

/// Every row the page's search and problem select, on every page, with the commissioner's name.
async fn all_rows(
    state: &AppState,
    commissioner_id: i32,
    search: String,
    problem: Option<Problem>,
) -> Result<(String, Vec<ComparisonRow>), AppError> {
    let (today, days) = (state.today(), state.settings.supervision_days);
    let (name, rows) = with_conn(state, move |conn| {
        let name = crate::accounts::store::commissioner_name(conn, commissioner_id)?;
        Ok((name, facts::comparison_all(conn, commissioner_id, today, days, problem, &search)?))
    })
    .await?;
    Ok((name.ok_or(AppError::NotFound)?, rows))
}

/// `GET /commissioners/{id}/providers.csv`: the comparison's rows as the page selects them, every
/// page, one column per figure; a cell a spreadsheet would run as a formula is written as text.
async fn csv_export(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let commissioner_id = path.into_inner();
    authorize_commissioner(&state, &user, commissioner_id).await?;
    let list: ListQuery<ComparisonSort> = ListQuery::parse(req.query_string());
    let (name, rows) = all_rows(&state, commissioner_id, list.q.clone(), problem_of(&list)).await?;
    let content = comparison_csv(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    let file_name = format!("{} providers {}.csv", name, state.today().format("%Y-%m-%d"));
    Ok(file_response("text/csv; charset=utf-8", &file_name, content))
}

/// The CSV's columns, as a spreadsheet user reads them.
const CSV_HEADERS: [&str; 19] = [
    "provider",
    "accreditation",
    "months working towards",
    "standards met",
    "standards applicable",
    "standards met by domain",
    "must standards not met",
    "core service gaps",
    "sub-specialism gaps",
    "arrangements ending within 90 days",
    "people with workforce issues",
    "workforce issues by kind",
    "non-clinical tier supervised",
    "non-clinical tier needing supervision",
    "audit plan",
    "overdue audit actions",
    "last KPI period ended",
    "KPIs missing target",
    "last customer review",
];

/// The rows as CSV, each cell made safe for a spreadsheet.
fn comparison_csv(rows: &[ComparisonRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADERS)?;
    for row in rows {
        let (facts, figures) = (&row.facts, &row.figures);
        let domains: Vec<String> = facts
            .domains
            .iter()
            .map(|d| crate::commissioning::rules::comparison::domain_cell(&d.reference, d.met, d.applicable))
            .collect();
        let issues: Vec<String> = facts
            .workforce
            .issues
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(issue, n)| format!("{} {n}", issue.label()))
            .collect();
        let optional = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        let cells = [
            facts.name.clone(),
            figures.accreditation.label().to_string(),
            optional(figures.months_working_towards),
            figures.standards_met.to_string(),
            figures.standards_applicable.to_string(),
            domains.join("; "),
            figures.must_not_met.to_string(),
            figures.core_gaps.to_string(),
            figures.subspecialism_gaps.to_string(),
            figures.arrangements_ending.to_string(),
            figures.people_with_issues.to_string(),
            issues.join("; "),
            figures.non_clinical_supervised.to_string(),
            figures.non_clinical_needing_supervision.to_string(),
            figures.plan_state.map(|s| s.label()).unwrap_or("No plan").to_string(),
            figures.overdue_actions.to_string(),
            day(figures.last_kpi_period_end),
            figures.kpis_missing_target.to_string(),
            day(row.last_review),
        ];
        writer.write_record(cells.iter().map(|cell| spreadsheet_safe(cell).into_owned()))?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `GET /api/v1/commissioners/{id}/providers`: the page's figures for every contracted provider,
/// with the key questions answered.
async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: ApiUser,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let commissioner_id = path.into_inner();
    authorize_commissioner(&state, &caller.0, commissioner_id).await?;
    let (name, rows) = all_rows(&state, commissioner_id, String::new(), None).await?;
    let (judge, today) = (super::contradictions(&req)?, state.today());
    let providers: Vec<_> = rows.iter().map(|row| row.facts.provider_id).collect();
    let contradicted = with_conn(&state, move |conn| Ok(judge(conn, &providers, today)?)).await?;
    Ok(HttpResponse::Ok().json(ProvidersDocument::new(commissioner_id, &name, today, &rows, &contradicted)))
}
