//! `/commissioners/{id}`: a commissioner's providers side by side, its CSV export and its JSON API.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::api::ApiUser;
use crate::accounts::guard::authorize_commissioner;
use crate::accounts::session::CurrentUser;
use crate::clock::FinancialYear;
use crate::commissioning::api::ProvidersDocument;
use crate::commissioning::rules::comparison::Problem;
use crate::commissioning::store::facts::{self, ComparisonFilter, ComparisonRow, ComparisonSort};
use crate::web::download::{file_response, Cell, Sheet};
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
    if let Some(format) = crate::web::download::requested(&req) {
        // The page's rows in its order, every page: only the providers this commissioner holds a
        // current contract with, and only the figures the page shows them.
        let every = crate::db::page::EVERY_ROW;
        let rows = with_conn(&state, move |conn| {
            crate::accounts::store::commissioner_name(conn, commissioner_id)?.ok_or(AppError::NotFound)?;
            Ok(facts::comparison(conn, commissioner_id, today, days, filter, sort, dir, every)?)
        })
        .await?;
        let sheet = comparison_sheet(&rows.rows).noting_total(rows.total);
        return crate::web::download::sheet_response(&sheet, format, today);
    }
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
    context.insert("downloads", &crate::web::download::links(&req).noting_total(rows.total));
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
    let content =
        crate::web::download::to_csv(&comparison_sheet(&rows)).map_err(|e| AppError::Internal(e.to_string()))?;
    let file_name = format!("{} providers {}.csv", name, state.today().format("%Y-%m-%d"));
    Ok(file_response("text/csv; charset=utf-8", &file_name, content))
}

/// The download's columns, as a spreadsheet user reads them.
const SHEET_HEADERS: [&str; 19] = [
    "Provider",
    "Accreditation",
    "Months working towards",
    "Standards met",
    "Standards applicable",
    "Standards met by domain",
    "Must standards not met",
    "Core service gaps",
    "Sub-specialism gaps",
    "Arrangements ending within 90 days",
    "People with workforce issues",
    "Workforce issues by kind",
    "Non-clinical tier supervised",
    "Non-clinical tier needing supervision",
    "Audit plan",
    "Overdue audit actions",
    "Last KPI period ended",
    "KPIs missing target",
    "Last customer review",
];

/// The comparison as a download: one row per provider, its figures as numbers and its days as
/// dates; the CSV writes any cell a spreadsheet would run as a formula as text.
fn comparison_sheet(rows: &[ComparisonRow]) -> Sheet {
    let mut sheet = Sheet::new("Providers", &SHEET_HEADERS);
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
        let count = |n: usize| Cell::Number(n as f64);
        sheet.push(vec![
            Cell::text(facts.name.as_str()),
            Cell::text(figures.accreditation.label()),
            Cell::maybe_number(figures.months_working_towards.map(f64::from)),
            count(figures.standards_met),
            count(figures.standards_applicable),
            Cell::text(domains.join("; ")),
            count(figures.must_not_met),
            count(figures.core_gaps),
            count(figures.subspecialism_gaps),
            count(figures.arrangements_ending),
            count(figures.people_with_issues),
            Cell::text(issues.join("; ")),
            count(figures.non_clinical_supervised),
            count(figures.non_clinical_needing_supervision),
            Cell::text(figures.plan_state.map(|s| s.label()).unwrap_or("No plan")),
            count(figures.overdue_actions),
            Cell::maybe_date(figures.last_kpi_period_end),
            count(figures.kpis_missing_target),
            Cell::maybe_date(row.last_review),
        ]);
    }
    sheet
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
