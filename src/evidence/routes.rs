//! `/providers/{id}/evidence`: the library, uploads (new items and new versions), links and
//! downloads.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::model::{check_submission, listed, EvidenceForm, EvidenceInput, EvidenceKind};
use super::rules::{download_needs, ReviewState};
use super::store::{self, LibraryFilter, LibrarySort};
use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_context, provider_page, Permissions};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::form::{FieldErrors, WithdrawalInput};
use crate::web::form::{confirm_then, save_then, status_for, Form, UploadForm};
use crate::web::list::ListQuery;
use crate::web::{render, render_status, see_other, with_conn, AppError, AppState};

/// Which framework a provider assesses against: the assessment area knows (its cycles), and the
/// evidence pages need it to offer and resolve standards. `lib::app` hands the lookup in, so this
/// area does not import the one that imports it.
#[derive(Clone, Copy)]
pub struct FrameworkInUse(pub store::FrameworkLookup);

/// The lookup `lib::app` registered.
fn framework_lookup(req: &HttpRequest) -> Result<store::FrameworkLookup, AppError> {
    req.app_data::<web::Data<FrameworkInUse>>()
        .map(|lookup| lookup.0)
        .ok_or_else(|| AppError::Internal("no framework lookup registered".into()))
}

/// The evidence library's pages, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/evidence", web::get().to(library))
        .route("/providers/{provider_id}/evidence", web::post().to(create))
        .route("/providers/{provider_id}/evidence/new", web::get().to(new_form))
        .route("/providers/{provider_id}/evidence/{item_id}", web::get().to(item))
        .route("/providers/{provider_id}/evidence/{item_id}/download", web::get().to(download))
        .route("/providers/{provider_id}/evidence/{item_id}/replace", web::get().to(replace_form))
        .route("/providers/{provider_id}/evidence/{item_id}/replace", web::post().to(replace))
        .route("/providers/{provider_id}/evidence/{item_id}/links", web::post().to(set_links))
        .route("/providers/{provider_id}/evidence/{item_id}/withdraw", web::post().to(withdraw));
}

/// The library's sortable columns, with their headers.
const LIBRARY_COLUMNS: [(LibrarySort, &str); 4] = [
    (LibrarySort::Title, "Title"),
    (LibrarySort::Owner, "Owner"),
    (LibrarySort::Effective, "Effective"),
    (LibrarySort::ReviewDue, "Review due"),
];

crate::sort_keys!(
    LibrarySort,
    default Uploaded,
    descending first [Uploaded],
    Uploaded => "uploaded",
    Title => "title",
    Owner => "owner",
    Effective => "effective",
    ReviewDue => "review_due",
);

/// `GET /providers/{id}/evidence`: live items, a page at a time; `?review=overdue` or
/// `?review=due_soon` narrows it, `?withdrawn=1` lists the withdrawn ones instead, and
/// `?q=&sort=&dir=&page=` search, sort and page it.
async fn library(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    let list: ListQuery<LibrarySort> = ListQuery::parse(req.query_string());
    let review_code = list.get("review").to_string();
    let review = match review_code.as_str() {
        "overdue" => Some(ReviewState::Overdue),
        "due_soon" => Some(ReviewState::DueSoon),
        _ => None,
    };
    let withdrawn = list.get("withdrawn") == "1";
    let kind_code = list.get("document_kind").to_string();
    let document_kind = Some(kind_code.clone()).filter(|k| !k.is_empty());
    let filter = LibraryFilter { review, withdrawn, node_id: None, document_kind };
    let download = crate::web::download::requested(&req);
    let page = if download.is_some() { crate::db::page::EVERY_ROW } else { list.page };
    let (search, sort, dir) = (list.q.clone(), list.sort, list.dir);
    let (lines, document_kinds) = with_conn(&state, move |conn| {
        Ok((
            store::library_page(conn, provider_id, &filter, &search, sort, dir, page, today)?,
            crate::catalogue::store::document_kinds(conn)?,
        ))
    })
    .await?;
    if let Some(format) = download {
        let sheet = library_sheet(&lines.rows, &kind_titles(&document_kinds), withdrawn).noting_total(lines.total);
        return crate::web::download::sheet_response(&sheet, format, today);
    }
    context.insert("downloads", &crate::web::download::links(&req).noting_total(lines.total));
    context.insert("document_kind", &kind_code);
    context.insert("kind_titles", &kind_titles(&document_kinds));
    context.insert("document_kinds", &document_kinds);
    context.insert("list", &list.view(&format!("/providers/{provider_id}/evidence"), &LIBRARY_COLUMNS, &lines));
    context.insert("items", &lines.rows);
    context.insert("withdrawn", &withdrawn);
    context.insert("review", &review_code);
    render(&state, &req, "evidence/index.html", context)
}

/// The evidence index as a download: the library's columns, with what the page shows under an
/// item's title (its kind, file, version, document kind, patient data) each in a column of its own.
fn library_sheet(
    lines: &[store::LibraryLine],
    kind_titles: &std::collections::HashMap<&str, &str>,
    withdrawn: bool,
) -> crate::web::download::Sheet {
    use crate::web::download::{Cell, Sheet};
    let mut headers = vec![
        "Title",
        "Kind",
        "File name",
        "Version",
        "Document kind",
        "Patient-identifiable",
        "Evidence for",
        "Owner",
        "Effective",
        "Review due",
        "Review",
    ];
    if withdrawn {
        headers.extend(["Withdrawn", "Reason for withdrawal"]);
    }
    let mut sheet = Sheet::new(if withdrawn { "Withdrawn evidence" } else { "Evidence" }, &headers);
    for line in lines {
        let item = &line.item;
        let document_kind = item.document_kind.as_deref().map(|k| kind_titles.get(k).copied().unwrap_or(k));
        let mut row = vec![
            Cell::text(item.title.as_str()),
            Cell::text(item.kind.label()),
            Cell::maybe_text(item.file_name.clone()),
            Cell::Number(f64::from(item.version)),
            Cell::maybe_text(document_kind),
            Cell::text(if item.contains_patient_data { "Yes" } else { "No" }),
            Cell::text(line.links.join(", ")),
            Cell::maybe_text(line.owner.clone()),
            Cell::maybe_date(item.effective_on),
            Cell::maybe_date(item.review_due),
            Cell::text(match line.review {
                ReviewState::Overdue => "Past review date",
                ReviewState::DueSoon => "Due soon",
                ReviewState::Current => "",
            }),
        ];
        if withdrawn {
            row.push(Cell::maybe_date(item.withdrawn_at.map(|at| crate::clock::london_date(at.and_utc()))));
            row.push(Cell::maybe_text(item.withdrawal_reason.clone()));
        }
        sheet.push(row);
    }
    sheet
}

/// The document kinds' titles by reference, for pages that name an item's kind.
fn kind_titles(kinds: &[(String, String)]) -> std::collections::HashMap<&str, &str> {
    kinds.iter().map(|(reference, title)| (reference.as_str(), title.as_str())).collect()
}

/// Shows the upload form, for a new item or (with `replacing`) a new version of one.
async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    replacing: Option<i32>,
    input: EvidenceInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let framework_id = framework_lookup(req)?;
    let (people, choices, document_kinds) = with_conn(state, move |conn| {
        Ok((
            crate::accounts::store::provider_people(conn, provider_id)?,
            {
                let framework = framework_id(conn, provider_id)?;
                store::link_choices(conn, framework)?
            },
            crate::catalogue::store::document_kinds(conn)?,
        ))
    })
    .await?;
    let context_document_kinds = document_kinds;
    let mut context = provider_context(state, user, provider_id).await?;
    context.insert("document_kinds", &context_document_kinds);
    context.insert("replacing", &replacing);
    context.insert("form", &input);
    context.insert("errors", &errors.0);
    let people: Vec<(String, String)> = people.into_iter().map(|(id, name)| (id.to_string(), name)).collect();
    context.insert("people", &people);
    context.insert("choices", &choices);
    context.insert("kinds", &EvidenceKind::options());
    context.insert("max_upload_mb", &state.settings.max_upload_mb);
    let status = status_for(&errors);
    render_status(state, req, "evidence/form.html", context, status)
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    standard: String,
}

/// `GET /providers/{id}/evidence/new`; `?standard=GF1` ticks that standard.
async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let input = EvidenceInput {
        kind: EvidenceKind::File.as_str().into(),
        effective_on: crate::form::form_date(today),
        standards: (!query.standard.is_empty()).then(|| query.standard.clone()).into_iter().collect(),
        ..Default::default()
    };
    show_form(&state, &req, &user, provider_id, None, input, FieldErrors::default()).await
}

/// `POST /providers/{id}/evidence`: adds an item. Nothing is stored if anything is wrong.
async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    upload: UploadForm<EvidenceForm>,
) -> Result<HttpResponse, AppError> {
    let framework_id = framework_lookup(&req)?;
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let input = EvidenceInput::from(upload.fields);
    let checked = check_submission(&input, upload.file, upload.too_large, upload.limit);
    let by = user.id;
    save_then(
        &state,
        move |conn| {
            let (details, file) = checked?;
            let framework = framework_id(conn, provider_id)?;
            store::add(conn, Some(by), provider_id, framework, &details, file.as_ref())
                .map(|id| (id, details.standards))
        },
        |(id, links)| {
            confirm_then(&req, super::rules::added(&links), format!("/providers/{provider_id}/evidence/{id}"))
        },
        |errors| show_form(&state, &req, &user, provider_id, None, input, errors),
    )
    .await
}

/// `GET /providers/{id}/evidence/{item_id}`: one version, its versions and its links.
async fn item(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_item(&state, &req, &user, provider_id, item_id, None).await
}

/// Shows an item's page; `refused` reopens the withdrawal form with its problem.
async fn show_item(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    item_id: i32,
    refused: Option<(WithdrawalInput, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let framework_id = framework_lookup(req)?;
    let today = state.today();
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (page, choices, document_kinds) = with_conn(state, move |conn| {
        Ok((
            store::item(conn, provider_id, item_id, today)?,
            {
                let framework = framework_id(conn, provider_id)?;
                store::link_choices(conn, framework)?
            },
            crate::catalogue::store::document_kinds(conn)?,
        ))
    })
    .await?;
    context.insert("kind_titles", &kind_titles(&document_kinds));
    let page = page.ok_or(AppError::NotFound)?;
    let linked: Vec<&String> = page.links.iter().map(|l| &l.reference).collect();
    let files = std::iter::once(&page.item).chain(&page.versions).map(|v| (v.id, v.contains_patient_data));
    let downloadable = downloadable(&can, files);
    context.insert("downloadable", &downloadable);
    context.insert("linked", &linked);
    context.insert("page", &page);
    context.insert("choices", &choices);
    let (input, errors) = refused.unwrap_or_default();
    context.insert("withdrawal_reason", &input.reason);
    context.insert("errors", &errors.0);
    let status = status_for(&errors);
    render_status(state, req, "evidence/item.html", context, status)
}

/// `POST /providers/{id}/evidence/{item_id}/withdraw`: a manager withdraws an item or a note
/// entered by mistake, with a reason. It is kept, with its versions, and stops counting.
async fn withdraw(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<WithdrawalInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, now, submitted) = (user.id, state.now().naive_utc(), input.clone());
    save_then(
        &state,
        move |conn| store::withdraw(conn, Some(by), provider_id, item_id, &submitted.parse()?, now),
        |()| confirm_then(&req, "Evidence withdrawn", format!("/providers/{provider_id}/evidence/{item_id}")),
        |errors| show_item(&state, &req, &user, provider_id, item_id, Some((input, errors))),
    )
    .await
}

/// Which of `files` (item id, holds patient-identifiable data) the user may download: the same
/// decision as the download route's, so a page links only to the downloads that open.
pub(crate) fn downloadable(can: &Permissions, files: impl IntoIterator<Item = (i32, bool)>) -> Vec<i32> {
    files.into_iter().filter(|(_, patient_data)| can.allows(download_needs(*patient_data))).map(|(id, _)| id).collect()
}

/// `GET /providers/{id}/evidence/{item_id}/download`: the file as uploaded. A file marked as
/// holding patient-identifiable data goes only to those who manage the service.
async fn download(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let file = with_conn(&state, move |conn| Ok(store::download(conn, provider_id, item_id)?)).await?;
    let file = file.ok_or(AppError::NotFound)?;
    authorize(&state, &user, provider_id, download_needs(file.contains_patient_data)).await?;
    Ok(crate::web::download::file_response(&file.media_type, &file.file_name, file.content))
}

/// `GET /providers/{id}/evidence/{item_id}/replace`: the form for a new version, filled from the
/// current one.
async fn replace_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let page = with_conn(&state, move |conn| Ok(store::item(conn, provider_id, item_id, today)?)).await?;
    let page = page.ok_or(AppError::NotFound)?;
    if let Some(newer) = page.item.superseded_by {
        return Ok(see_other(format!("/providers/{provider_id}/evidence/{newer}/replace")));
    }
    let item = &page.item;
    let input = EvidenceInput {
        kind: item.kind.as_str().to_string(),
        title: item.title.clone(),
        description: item.description.clone(),
        owner_user_id: item.owner_user_id.map(|o| o.to_string()).unwrap_or_default(),
        effective_on: crate::form::form_date(today),
        review_due: String::new(),
        contains_patient_data: item.contains_patient_data,
        link_url: item.link_url.clone().unwrap_or_default(),
        standards: page.links.iter().map(|l| l.reference.clone()).collect(),
        // Kept on the new version unless the form changes it.
        document_kind: item.document_kind.clone().unwrap_or_default(),
    };
    show_form(&state, &req, &user, provider_id, Some(item_id), input, FieldErrors::default()).await
}

/// `POST /providers/{id}/evidence/{item_id}/replace`: a new version; the old one is kept.
async fn replace(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    upload: UploadForm<EvidenceForm>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let input = EvidenceInput::from(upload.fields);
    let checked = check_submission(&input, upload.file, upload.too_large, upload.limit);
    let by = user.id;
    save_then(
        &state,
        move |conn| {
            let (details, file) = checked?;
            store::supersede(conn, Some(by), provider_id, item_id, &details, file.as_ref())
        },
        |id| confirm_then(&req, "New version saved", format!("/providers/{provider_id}/evidence/{id}")),
        |errors| show_form(&state, &req, &user, provider_id, Some(item_id), input, errors),
    )
    .await
}

/// The links form: the standards, services and sub-specialisms ticked.
#[derive(Deserialize)]
struct LinksForm {
    #[serde(default)]
    standards: Vec<String>,
}

/// `POST /providers/{id}/evidence/{item_id}/links`: what the document is evidence for.
async fn set_links(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(form): Form<LinksForm>,
) -> Result<HttpResponse, AppError> {
    let framework_id = framework_lookup(&req)?;
    let (provider_id, item_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let references: Vec<String> = listed(&form.standards).iter().map(|s| s.trim().to_uppercase()).collect();
    let by = user.id;
    save_then(
        &state,
        move |conn| {
            let framework = framework_id(conn, provider_id)?;
            store::set_links(conn, Some(by), provider_id, framework, item_id, &references).map(|_| references)
        },
        |links| {
            confirm_then(&req, super::rules::linked(&links), format!("/providers/{provider_id}/evidence/{item_id}"))
        },
        // Only ticked boxes from our own form reach here; anything else names no standard.
        |errors| async move { Err(AppError::BadRequest(errors.to_string())) },
    )
    .await
}
