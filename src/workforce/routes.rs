//! `/providers/{id}/workforce`: people and their compliance, each person's record and CPD,
//! supervision, CSV imports (upload, preview, confirm); and `/api/v1/providers/{id}/workforce`.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::import::{self, ImportKind};
use super::model::{
    AsOfQuery, ConfirmerRole, CpdEntryInput, CpdInput, CpdType, Discipline, RevalidationInput, SpecialistRoute,
    StaffInput, SupervisionForm, SupervisionInput, SupervisionKind, Tier,
};
use super::rules::Issue;
use super::store::{self, PeopleFilter, PeopleSort};
use crate::accounts::access::Capability;
use crate::accounts::api::ApiUser;
use crate::accounts::guard::{authorize, permissions, provider_context, provider_page};
use crate::accounts::session::CurrentUser;
use crate::db::{ProviderId, StaffId};
use crate::form::parse_date;
use crate::form::{FieldErrors, WithdrawalInput};
use crate::web::form::{confirm_then, save_then, status_for, Form, UploadForm};
use crate::web::list::ListQuery;
use crate::web::session::session_token;
use crate::web::{render_status, with_conn, AppError, AppState};

/// The workforce pages, imports and API, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/workforce", web::get().to(index))
        .route("/providers/{provider_id}/workforce/staff", web::post().to(create_person))
        .route("/providers/{provider_id}/workforce/staff/new", web::get().to(new_person))
        .route("/providers/{provider_id}/workforce/staff/{staff_id}", web::get().to(person))
        .route("/providers/{provider_id}/workforce/staff/{staff_id}", web::post().to(update_person))
        .route("/providers/{provider_id}/workforce/staff/{staff_id}/cpd", web::post().to(add_cpd))
        .route(
            "/providers/{provider_id}/workforce/staff/{staff_id}/cpd/{cpd_id}/withdraw",
            web::post().to(withdraw_cpd),
        )
        .route("/providers/{provider_id}/workforce/staff/{staff_id}/revalidation", web::post().to(save_revalidation))
        .route("/providers/{provider_id}/workforce/supervision", web::get().to(supervision))
        .route("/providers/{provider_id}/workforce/supervision", web::post().to(add_supervision))
        .route("/providers/{provider_id}/workforce/supervision/{session_id}/withdraw", web::post().to(withdraw_session))
        .route("/providers/{provider_id}/workforce/import", web::get().to(import_form))
        .route("/providers/{provider_id}/workforce/import", web::post().to(import_upload))
        .route("/providers/{provider_id}/workforce/import/confirm", web::post().to(import_confirm))
        .route("/api/v1/providers/{provider_id}/workforce", web::get().to(workforce_json))
        .configure(super::mapping_routes::configure);
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    issue: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    discipline: String,
    #[serde(default)]
    as_of: String,
}

/// `GET /providers/{id}/workforce`: counts, supervision of the non-clinical tier, escalations, and
/// a table of people with their issues; filters narrow the table.
async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    filters: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    let (mut context, can) = provider_page(&state, &user, provider_id).await?;
    let as_of = parse_date("as_of", &filters.as_of).unwrap_or(today);
    let days = state.settings.supervision_days;
    let list: ListQuery<PeopleSort> = ListQuery::parse(req.query_string());
    let wanted_issue = Issue::ALL.iter().copied().find(|i| i.code() == filters.issue);
    // The figures are for everyone who may open the page; the people themselves only for those who
    // may read named staff records (not a commissioner), who alone may search them.
    let named = can.read_staff;
    // The table's download names people, so it is for those who may read them (not a commissioner).
    let download = crate::web::download::requested(&req);
    if download.is_some() && !named {
        return Err(AppError::Forbidden);
    }
    let search = if named { list.q.clone() } else { String::new() };
    let (sort, dir) = (list.sort, list.dir);
    let page = if download.is_some() { crate::db::page::EVERY_ROW } else { list.page };
    let (tier, discipline) = (Tier::parse(&filters.tier), Discipline::parse(&filters.discipline));
    let (mut report, people) = with_conn(&state, move |conn| {
        // Everyone in post is judged for the figures; the table's page is chosen in SQL, handed
        // the issues (judged in Rust) where it filters or sorts by them.
        let report = store::workforce(conn, provider_id, as_of, days)?;
        let filter = PeopleFilter {
            search,
            tier,
            discipline,
            only: wanted_issue.map(|wanted| {
                report.people.iter().filter(|l| l.issues.contains(&wanted)).map(|l| l.staff.id).collect()
            }),
            issue_counts: report.people.iter().map(|l| (l.staff.id, l.issues.len())).collect(),
        };
        let people = store::people_page(conn, provider_id, as_of, &filter, sort, dir, page)?;
        Ok((report, people))
    })
    .await?;
    let mut judged: HashMap<StaffId, store::PersonLine> =
        std::mem::take(&mut report.people).into_iter().map(|line| (line.staff.id, line)).collect();
    let view = list.view(&format!("/providers/{provider_id}/workforce"), &PEOPLE_COLUMNS, &people);
    let rows: Vec<store::PersonLine> =
        if named { people.rows.iter().filter_map(|person| judged.remove(&person.id)).collect() } else { Vec::new() };
    if let Some(format) = download {
        return crate::web::download::sheet_response(&people_sheet(&rows).noting_total(people.total), format, today);
    }
    context.insert("downloads", &crate::web::download::links(&req).noting_total(people.total));
    context.insert("people", &rows);
    context.insert("list", &view);
    let issues: Vec<(&str, &str)> = Issue::ALL.iter().map(|i| (i.code(), i.label())).collect();
    context.insert("report", &report);
    context.insert("issues", &issues);
    context.insert("tiers", &Tier::options());
    context.insert("disciplines", &Discipline::options());
    context.insert("chosen_issue", &filters.issue);
    context.insert("chosen_tier", &filters.tier);
    context.insert("chosen_discipline", &filters.discipline);
    render_status(&state, &req, "workforce/index.html", context, StatusCode::OK)
}

/// The people table as a download: the page's columns, a person's number, tier and registration
/// each in a column of its own, dates as dates.
fn people_sheet(rows: &[store::PersonLine]) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut sheet = Sheet::new(
        "Workforce",
        &[
            "Name",
            "Staff number",
            "Tier",
            "Discipline",
            "Regulator",
            "Registration number",
            "Registration renewal",
            "Revalidation",
            "Needs attention",
        ],
    );
    for line in rows {
        let staff = &line.staff;
        let issues: Vec<&str> = line.issues.iter().map(|issue| issue.label()).collect();
        sheet.push(vec![
            Cell::text(staff.full_name.as_str()),
            Cell::text(staff.staff_number.as_str()),
            Cell::text(staff.tier.label()),
            Cell::text(line.discipline_label.as_str()),
            if staff.registration_number.is_some() { Cell::text(staff.regulator.label()) } else { Cell::Blank },
            Cell::maybe_text(staff.registration_number.clone()),
            Cell::maybe_date(staff.registration_renewal),
            Cell::maybe_date(staff.revalidation_due),
            Cell::text(if issues.is_empty() { "Nothing".to_string() } else { issues.join("; ") }),
        ]);
    }
    sheet
}

/// The people table's sortable columns, with their headers.
const PEOPLE_COLUMNS: [(PeopleSort, &str); 5] = [
    (PeopleSort::Name, "Name"),
    (PeopleSort::Discipline, "Discipline"),
    (PeopleSort::Registration, "Registration"),
    (PeopleSort::Revalidation, "Revalidation"),
    (PeopleSort::Attention, "Needs attention"),
];

crate::sort_keys!(
    PeopleSort,
    default Name,
    descending first [Attention],
    Name => "name",
    Discipline => "discipline",
    Registration => "registration",
    Revalidation => "revalidation",
    Attention => "attention",
);

fn staff_form_context(context: &mut tera::Context, form: &StaffInput, errors: &FieldErrors) {
    context.insert("form", form);
    context.insert("errors", &errors.0);
    context.insert("disciplines", &Discipline::options());
    context.insert("tiers", &Tier::options());
    context.insert("regulators", &super::model::Regulator::options());
    context.insert("routes", &SpecialistRoute::options());
}

/// `GET /providers/{id}/workforce/staff/new`.
async fn new_person(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    show_new_person(&state, &req, &user, provider_id, StaffInput::default(), FieldErrors::default()).await
}

/// The form for a new person; `errors` (422) when a submission was refused.
async fn show_new_person(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: StaffInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    staff_form_context(&mut context, &form, &errors);
    render_status(state, req, "workforce/staff_form.html", context, status_for(&errors))
}

/// `POST /providers/{id}/workforce/staff`: adds a person.
async fn create_person(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<StaffInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let regulations = store::regulations(conn)?;
            let person = submitted.parse(&regulations)?;
            store::create_staff(conn, Some(by), provider_id, &person).map(|id| (id, person.full_name))
        },
        |(id, name)| {
            confirm_then(&req, format!("{name} added"), format!("/providers/{provider_id}/workforce/staff/{id}"))
        },
        |errors| show_new_person(&state, &req, &user, provider_id, input, errors),
    )
    .await
}

/// A refused form on the person's page, shown again with what was typed; the other forms start
/// from the record.
#[derive(Default)]
enum Refill {
    #[default]
    Nothing,
    Staff(StaffInput),
    Cpd(CpdEntryInput),
    Revalidation(RevalidationInput),
    /// The CPD record whose withdrawal was refused, and the reason given.
    Withdrawal(i32, WithdrawalInput),
}

async fn show_person(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    staff_id: StaffId,
    refill: Refill,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let mut context = provider_context(state, user, provider_id).await?;
    let user_id = user.id;
    let days = state.settings.supervision_days;
    let (line, cpd, own, library, rule) = with_conn(state, move |conn| {
        let line = store::person_line(conn, provider_id, staff_id, today, days)?.ok_or(AppError::NotFound)?;
        let cpd = store::cpd_for(conn, staff_id)?;
        let standing = store::cpd_standing(conn, &line.staff, &cpd, today)?;
        let own = store::is_self(conn, user_id, &line.staff)?;
        let library = crate::evidence::store::library(conn, provider_id, &Default::default(), today)?;
        let regulations = store::regulations(conn)?;
        let rule = regulations.get(line.staff.regulator).map(|r| r.rule.clone());
        let cycle = rule.as_ref().and_then(|rule| {
            super::rules::revalidation_cycle(&store::person_facts(&line.staff, &regulations, None), rule)
        });
        Ok((line, (cpd, standing), own, library, (rule, cycle)))
    })
    .await?;
    let (rule, revalidation_cycle) = rule;
    context.insert("revalidation_cycle", &revalidation_cycle);
    context.insert("practice_hours_required", &rule.as_ref().and_then(|r| r.practice_hours_required));
    context.insert("feedback_required", &rule.as_ref().and_then(|r| r.feedback_required));
    context.insert("warning_days", &rule.as_ref().and_then(|r| r.cpd_warning_days));
    let (cpd, standing) = cpd;
    let (mut form, mut cpd_form, mut revalidation_form, mut withdrawing) = (None, None, None, None);
    match refill {
        Refill::Nothing => {}
        Refill::Staff(input) => form = Some(input),
        Refill::Cpd(input) => cpd_form = Some(input),
        Refill::Revalidation(input) => revalidation_form = Some(input),
        Refill::Withdrawal(cpd_id, input) => withdrawing = Some((cpd_id, input.reason)),
    }
    let form = form.unwrap_or_else(|| line.staff.as_input());
    let cpd_form = cpd_form.unwrap_or_else(|| CpdEntryInput {
        cpd: CpdInput { date: crate::form::form_date(today), ..Default::default() },
        ..Default::default()
    });
    let revalidation_form = revalidation_form
        .or_else(|| line.revalidation.as_ref().map(store::RevalidationRecord::as_input))
        .unwrap_or_default();
    let labels: Vec<(&str, &str)> = line.issues.iter().map(|i| (i.code(), i.label())).collect();
    let counted = || cpd.iter().filter(|c| c.withdrawn_at.is_none());
    context.insert("revalidation_form", &revalidation_form);
    context.insert("confirmer_roles", &ConfirmerRole::options());
    context.insert("nmc", &(line.staff.regulator == super::model::Regulator::Nmc));
    context.insert("withdrawing", &withdrawing.as_ref().map(|w| w.0));
    context.insert("withdrawal_reason", &withdrawing.map(|w| w.1).unwrap_or_default());
    context.insert("no_errors", &FieldErrors::default().0);
    context.insert("line", &line);
    context.insert("issue_labels", &labels);
    context.insert("standing", &standing);
    context.insert("cpd_counted", &counted().count());
    context.insert("cpd_total", &counted().map(|c| c.hours).sum::<f64>());
    context.insert("reflective_total", &counted().filter(|c| c.reflective).count());
    context.insert("cpd", &cpd);
    context.insert("may_add_cpd", &(own && permissions(state, user, provider_id).await?.read));
    context.insert("cpd_form", &cpd_form.cpd);
    context.insert("cpd_evidence_id", &cpd_form.evidence_id);
    context.insert("cpd_types", &CpdType::options());
    let library: Vec<(i32, String)> = library.into_iter().map(|l| (l.item.id, l.item.title)).collect();
    context.insert("library", &library);
    staff_form_context(&mut context, &form, &errors);
    render_status(state, req, "workforce/person.html", context, status_for(&errors))
}

/// `GET /providers/{id}/workforce/staff/{staff_id}`.
async fn person(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, StaffId)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, staff_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadStaff).await?;
    show_person(&state, &req, &user, provider_id, staff_id, Refill::Nothing, FieldErrors::default()).await
}

/// `POST /providers/{id}/workforce/staff/{staff_id}`: changes a person's record.
async fn update_person(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, StaffId)>,
    Form(input): Form<StaffInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, staff_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| {
            let regulations = store::regulations(conn)?;
            let person = submitted.parse(&regulations)?;
            store::update_staff(conn, Some(by), provider_id, staff_id, &person).map(|()| person.full_name)
        },
        |name| {
            confirm_then(
                &req,
                format!("{name}'s record saved"),
                format!("/providers/{provider_id}/workforce/staff/{staff_id}"),
            )
        },
        |errors| show_person(&state, &req, &user, provider_id, staff_id, Refill::Staff(input), errors),
    )
    .await
}

/// `POST /providers/{id}/workforce/staff/{staff_id}/cpd`: managers add anyone's CPD; a clinician
/// adds their own.
async fn add_cpd(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, StaffId)>,
    Form(input): Form<CpdEntryInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, staff_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::EditOwnRecords).await?;
    let manages = permissions(&state, &user, provider_id).await?.manage;
    let user_id = user.id;
    let own = with_conn(&state, move |conn| match store::staff_member(conn, provider_id, staff_id)? {
        Some(record) => Ok(Some(store::is_self(conn, user_id, &record)?)),
        None => Ok(None),
    })
    .await?;
    match own {
        None => return Err(AppError::NotFound),
        Some(false) if !manages => return Err(AppError::Forbidden),
        _ => {}
    }
    let (today, submitted) = (state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let (cpd, evidence_id) = submitted.parse(today)?;
            store::add_cpd(conn, Some(user_id), provider_id, staff_id, &cpd, evidence_id)
        },
        |_| confirm_then(&req, "CPD added", format!("/providers/{provider_id}/workforce/staff/{staff_id}#cpd")),
        |errors| show_person(&state, &req, &user, provider_id, staff_id, Refill::Cpd(input), errors),
    )
    .await
}

/// `POST /providers/{id}/workforce/staff/{staff_id}/cpd/{cpd_id}/withdraw`: a manager withdraws a
/// CPD record entered by mistake, with a reason. It stays listed, marked, and is no longer counted.
async fn withdraw_cpd(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, StaffId, i32)>,
    Form(input): Form<WithdrawalInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, staff_id, cpd_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| store::withdraw_cpd(conn, by, provider_id, staff_id, cpd_id, &submitted.parse()?),
        |()| {
            confirm_then(
                &req,
                "CPD record withdrawn",
                format!("/providers/{provider_id}/workforce/staff/{staff_id}#cpd"),
            )
        },
        |errors| show_person(&state, &req, &user, provider_id, staff_id, Refill::Withdrawal(cpd_id, input), errors),
    )
    .await
}

/// `POST /providers/{id}/workforce/staff/{staff_id}/revalidation`: records a nurse's practice
/// hours, feedback, reflective discussion and confirmation for the current cycle. Whoever may
/// change the person's record may.
async fn save_revalidation(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, StaffId)>,
    Form(input): Form<RevalidationInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, staff_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, submitted) = (user.id, state.today(), input.clone());
    save_then(
        &state,
        move |conn| {
            let regulations = store::regulations(conn)?;
            store::save_revalidation(conn, Some(by), provider_id, staff_id, &submitted.parse(today, &regulations)?)
        },
        |()| {
            confirm_then(
                &req,
                "NMC revalidation record saved",
                format!("/providers/{provider_id}/workforce/staff/{staff_id}#revalidation"),
            )
        },
        |errors| show_person(&state, &req, &user, provider_id, staff_id, Refill::Revalidation(input), errors),
    )
    .await
}

async fn show_supervision(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: SupervisionInput,
    withdrawal: Option<(i32, WithdrawalInput)>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    context.insert("withdrawing", &withdrawal.as_ref().map(|w| w.0));
    context.insert("withdrawal_reason", &withdrawal.map(|w| w.1.reason).unwrap_or_default());
    context.insert("no_errors", &FieldErrors::default().0);
    let (sessions, people) = with_conn(state, move |conn| {
        Ok((store::sessions(conn, provider_id, 200)?, store::staff_list(conn, provider_id)?))
    })
    .await?;
    let supervisors: Vec<(String, String)> = people
        .iter()
        .filter(|p| p.tier.may_supervise())
        .map(|p| (p.staff_number.clone(), format!("{} ({})", p.full_name, p.staff_number)))
        .collect();
    let supervised: Vec<(String, String)> =
        people.iter().map(|p| (p.staff_number.clone(), format!("{} ({})", p.full_name, p.staff_number))).collect();
    context.insert("sessions", &sessions);
    context.insert("supervisors", &supervisors);
    context.insert("supervised", &supervised);
    context.insert("kinds", &SupervisionKind::options());
    let chosen: Vec<&str> = form.attendee_staff_numbers.split(';').map(str::trim).collect();
    context.insert("chosen_attendees", &chosen);
    context.insert("form", &form);
    context.insert("errors", &errors.0);
    render_status(state, req, "workforce/supervision.html", context, status_for(&errors))
}

/// `GET /providers/{id}/workforce/supervision`.
async fn supervision(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadStaff).await?;
    let form = SupervisionInput { date: crate::form::form_date(today), kind: "group".into(), ..Default::default() };
    show_supervision(&state, &req, &user, provider_id, form, None, FieldErrors::default()).await
}

/// `POST /providers/{id}/workforce/supervision`: records a session. The attendees field takes staff
/// numbers separated by ";" and the ticked boxes alike.
async fn add_supervision(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(form): Form<SupervisionForm>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let input = SupervisionInput::from(form);
    let (by, today, submitted) = (user.id, state.today(), input.clone());
    save_then(
        &state,
        move |conn| store::add_supervision(conn, Some(by), provider_id, &submitted.parse(today)?),
        |_| {
            confirm_then(
                &req,
                "Supervision session recorded",
                format!("/providers/{provider_id}/workforce/supervision"),
            )
        },
        |errors| show_supervision(&state, &req, &user, provider_id, input, None, errors),
    )
    .await
}

/// `POST /providers/{id}/workforce/supervision/{session_id}/withdraw`: a manager withdraws a
/// session entered by mistake, with a reason. It stays listed, marked, and no longer counts for
/// anyone's supervision or the escalation figures.
async fn withdraw_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<WithdrawalInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, session_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, submitted, today) = (user.id, input.clone(), state.today());
    save_then(
        &state,
        move |conn| store::withdraw_session(conn, by, provider_id, session_id, &submitted.parse()?),
        |()| {
            confirm_then(
                &req,
                "Supervision session withdrawn",
                format!("/providers/{provider_id}/workforce/supervision"),
            )
        },
        |errors| {
            let form =
                SupervisionInput { date: crate::form::form_date(today), kind: "group".into(), ..Default::default() };
            show_supervision(&state, &req, &user, provider_id, form, Some((session_id, input)), errors)
        },
    )
    .await
}

/// What the shared import pages (`import.html`, `import_preview.html`) need to say about
/// workforce files.
pub(super) fn import_context(context: &mut tera::Context, provider_id: ProviderId, kind: &str) {
    let kinds: Vec<(&str, &str, String)> =
        ImportKind::WORKFORCE.iter().map(|k| (k.as_str(), k.label(), k.columns().join(", "))).collect();
    context.insert("kinds", &kinds);
    context.insert("kind", kind);
    context.insert("import_path", &format!("/providers/{provider_id}/workforce/import"));
    context.insert("import_help", IMPORT_HELP);
    context.insert("errors", &FieldErrors::default().0);
    context.insert("mappings_path", &format!("/providers/{provider_id}/workforce/import/mappings"));
}

/// How a workforce file is read, as the import page says it.
const IMPORT_HELP: &str = "Headers may be in any case; dates may be 23/11/2026 or 2026-11-23; yes/no may be yes, no, \
true, false, y, n, 1 or 0. A file with any bad row is refused whole, with its bad rows listed (the first 1,000, then \
how many more). Re-importing staff updates people by staff number.";

/// A kind the workforce import offers: quality indicator files have their own page.
pub(super) fn workforce_kind(code: &str) -> Option<ImportKind> {
    ImportKind::parse(code).filter(|kind| ImportKind::WORKFORCE.contains(kind))
}

/// `GET /providers/{id}/workforce/import`.
async fn import_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    import_context(&mut context, provider_id, "staff");
    context.insert("row_errors", &Vec::<import::RowError>::new());
    context.insert("file_error", "");
    render_status(&state, &req, "import.html", context, StatusCode::OK)
}

/// What the import form says the file holds, and, for a staff file, whether it is a full extract
/// and of which day.
#[derive(Deserialize)]
struct ImportChoice {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    full_extract: Option<String>,
    #[serde(default)]
    extract_date: String,
    /// A workbook's sheet by name; blank is the first.
    #[serde(default)]
    sheet: String,
}

/// `POST /providers/{id}/workforce/import`: checks the whole file and shows a preview to confirm,
/// or every bad row. The file is kept by its SHA-256, for this session to confirm within 24 hours;
/// nothing else is written.
async fn import_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    path: web::Path<ProviderId>,
    upload: UploadForm<ImportChoice>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (kind_code, limit) = (upload.fields.kind.clone(), upload.limit);
    let mut context = provider_context(&state, &user, provider_id).await?;
    import_context(&mut context, provider_id, &kind_code);
    context.insert("full_extract", &upload.fields.full_extract.is_some());
    context.insert("extract_date", &upload.fields.extract_date);
    context.insert("sheet", &upload.fields.sheet);
    let refuse = |mut context: tera::Context, file_error: String, rows: Vec<import::RowError>| {
        context.insert("file_error", &file_error);
        context.insert("row_errors", &rows);
        render_status(&state, &req, "import.html", context, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(kind) = workforce_kind(&kind_code) else {
        return refuse(
            context,
            "Choose what the file holds: staff, CPD records or supervision sessions".into(),
            vec![],
        );
    };
    let full_extract_dated = match import::full_extract_dated(
        upload.fields.full_extract.is_some(),
        &upload.fields.extract_date,
        kind,
        today,
    ) {
        Ok(day) => day,
        Err(errors) => {
            context.insert("errors", &errors.0);
            return refuse(context, String::new(), vec![]);
        }
    };
    let sheet = upload.fields.sheet.clone();
    let upload = match import::csv_upload(upload.file, upload.too_large, limit, state.settings.max_upload_mb) {
        Ok(upload) => upload,
        Err(message) => return refuse(context, message, vec![]),
    };
    let sheet = match import::upload_sheet(&upload, &sheet) {
        Ok(sheet) => sheet,
        Err(message) => {
            context.insert("errors", &FieldErrors::one("sheet", message).0);
            return refuse(context, String::new(), vec![]);
        }
    };
    let sha256 = upload.sha256.clone();
    let (token, now) = (session_token(&session, IMPORT_SESSION)?, state.now());
    let read_as = import::ReadAs { sheet, full_extract_dated, ..Default::default() };
    let read_as_day = read_as.full_extract_dated;
    // A file whose headers are not ohgov's own is read with its saved mapping, or asked about.
    let step =
        super::mapping_routes::before_preview(&state, &req, &user, &session, provider_id, kind, &upload, read_as);
    let (read_as, mapping_name) = match step.await? {
        super::mapping_routes::Step::Read(read_as, name) => (read_as, name),
        super::mapping_routes::Step::Page(page) => return Ok(page),
    };
    let checked = with_conn(&state, move |conn| {
        let prepared = import::prepare_read(conn, provider_id, kind, &upload.content, &read_as, today)?;
        if prepared.is_ok() {
            // Kept in the database until confirmed, so any instance behind a load balancer can
            // finish it; only this session can, for this provider, within the day.
            import::hold(conn, provider_id, &token, kind, &upload, &read_as, now)?;
        }
        Ok(prepared)
    })
    .await?;
    match checked {
        Err(rows) => refuse(context, String::new(), rows),
        Ok((prepared, read)) => {
            preview_context(&mut context, kind, &sha256, &prepared, &read, mapping_name.as_deref(), read_as_day);
            render_status(&state, &req, "import_preview.html", context, StatusCode::OK)
        }
    }
}

/// What the preview (`import_preview.html`) says of a checked file, however it was reached (the
/// upload, or the mapping step): how it was read, its first rows, and a full extract's leavers.
pub(super) fn preview_context(
    context: &mut tera::Context,
    kind: ImportKind,
    sha256: &str,
    prepared: &import::Prepared,
    read: &import::FileRead,
    mapping_name: Option<&str>,
    full_extract_dated: Option<chrono::NaiveDate>,
) {
    context.insert("read_as", &read.read_as);
    context.insert("read_sheet", &read.sheet);
    context.insert("mapping_name", &mapping_name);
    context.insert("kind_label", kind.label());
    context.insert("sha256", sha256);
    context.insert("rows", &prepared.len());
    context.insert("preview", &preview(prepared));
    if let (import::Prepared::Staff { leavers, .. }, Some(day)) = (prepared, full_extract_dated) {
        context.insert("leavers", leavers);
        context.insert("extract_date_words", &crate::words::long_date(day));
    }
}

/// The first rows of a checked file, as the preview shows them.
pub(super) fn preview(prepared: &import::Prepared) -> Vec<(u64, String)> {
    const SHOWN: usize = 20;
    match prepared {
        import::Prepared::Staff { rows, .. } => rows
            .iter()
            .take(SHOWN)
            .map(|(line, p)| {
                (
                    *line,
                    format!("{} {}: {}, {}", p.staff_number, p.full_name, p.discipline.label(), p.regulator.label()),
                )
            })
            .collect(),
        import::Prepared::Cpd(rows) => rows.iter().take(SHOWN).map(|(line, _, c)| (*line, cpd_line(c))).collect(),
        import::Prepared::CpdFile(file) => {
            file.first.iter().take(SHOWN).map(|(line, c)| (*line, cpd_line(c))).collect()
        }
        import::Prepared::Supervision(rows) => rows
            .iter()
            .take(SHOWN)
            .map(|(line, s, _, a)| {
                (
                    *line,
                    format!(
                        "{} {} session led by {}, {} attending",
                        s.date.format("%-d %b %Y"),
                        s.kind.label(),
                        s.supervisor,
                        a.len()
                    ),
                )
            })
            .collect(),
    }
}

/// A CPD record as the preview lists it: "23 Nov 2026 Course: 2 hours".
fn cpd_line(c: &super::model::NewCpd) -> String {
    let what = if c.reflective { "reflective account".to_string() } else { format!("{} hours", c.hours) };
    format!("{} {}: {what}", c.date.format("%-d %b %Y"), c.title)
}

/// The session key of the token naming this browser's previews (`import::hold`).
pub(super) const IMPORT_SESSION: &str = "import_session";

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sha256: String,
}

/// `POST /providers/{id}/workforce/import/confirm`: checks the kept file again (the data may have
/// changed since the preview) and writes it in one transaction; a file this session did not
/// preview, or whose preview expired, is refused (409).
async fn import_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    path: web::Path<ProviderId>,
    form: Form<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let kind = workforce_kind(&form.kind).ok_or(AppError::BadRequest("unknown import kind".into()))?;
    let (token, now, sha256, user_id) =
        (session_token(&session, IMPORT_SESSION)?, state.now(), form.sha256.clone(), user.id);
    let outcome = with_conn(&state, move |conn| {
        let confirmed = import::confirm(conn, Some(user_id), provider_id, &token, kind, &sha256, today, now);
        Ok(import::refusal_in_words(confirmed)?)
    })
    .await?;
    match outcome {
        Ok(report) => Ok(confirm_then(&req, report.in_words(kind), format!("/providers/{provider_id}/workforce"))),
        Err(refusal) => {
            let mut context = provider_context(&state, &user, provider_id).await?;
            import_context(&mut context, provider_id, kind.as_str());
            context.insert("file_error", &refusal.file_error);
            context.insert("row_errors", &refusal.rows);
            render_status(&state, &req, "import.html", context, refusal.status())
        }
    }
}

/// `GET /api/v1/providers/{id}/workforce[?as_of=YYYY-MM-DD]`: each person's staff number,
/// discipline, tier and issue codes, with totals for each code.
async fn workforce_json(
    state: web::Data<AppState>,
    user: ApiUser,
    path: web::Path<ProviderId>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    // The document names each person: named staff records, not only the figures.
    authorize(&state, &user.0, provider_id, Capability::ReadStaff).await?;
    let as_of = query.parse(today).map_err(AppError::BadInput)?;
    let days = state.settings.supervision_days;
    let report = with_conn(&state, move |conn| Ok(store::workforce(conn, provider_id, as_of, days)?)).await?;
    Ok(HttpResponse::Ok().json(report.to_json(provider_id)))
}
