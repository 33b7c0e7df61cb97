//! The column-mapping pages: the step between a file's upload and its preview when the file's
//! headers are not ohgov's own (`POST .../import/mapping`), and the provider's saved mappings, to
//! list, change and delete (`.../import/mappings`). Whoever may import may use them; no one else
//! sees them.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::import::{self, ImportKind, ReadAs};
use super::mapping::{self, ClosedList, ColumnMapping, Synonyms, UnknownValue};
use super::mapping_store::{self, MappingSort, SavedMapping};
use super::routes::{import_context, preview_context, workforce_kind, IMPORT_SESSION};
use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_context};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::evidence::model::Upload;
use crate::web::form::{confirm_then, Form};
use crate::web::list::ListQuery;
use crate::web::session::session_token;
use crate::web::{render_status, with_conn, AppError, AppState};

/// The mapping step and the saved mappings' pages, for `workforce::routes::configure`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/workforce/import/mapping", web::post().to(post_mapping))
        .route("/providers/{provider_id}/workforce/import/mappings", web::get().to(list))
        .route("/providers/{provider_id}/workforce/import/mappings/{mapping_id}", web::get().to(show))
        .route("/providers/{provider_id}/workforce/import/mappings/{mapping_id}", web::post().to(change))
        .route("/providers/{provider_id}/workforce/import/mappings/{mapping_id}/delete", web::get().to(confirm_delete))
        .route("/providers/{provider_id}/workforce/import/mappings/{mapping_id}/delete", web::post().to(delete));
}

/// What the upload does with a file before its preview.
pub(super) enum Step {
    /// Read it this way: by ohgov's own headers, or with the saved mapping named.
    Read(ReadAs, Option<String>),
    /// The file needs a mapping: this page asks for it (the file is held meanwhile).
    Page(HttpResponse),
}

/// Decides how an uploaded file is read: as it is when its headers are ohgov's own; with the
/// provider's saved mapping for exactly these headers, without asking, when that mapping knows
/// every value; otherwise the file is held and the mapping page is shown, pre-filled by the guess
/// (or by the saved mapping, to add the values it does not know).
#[allow(clippy::too_many_arguments)]
pub(super) async fn before_preview(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user: &CurrentUser,
    session: &Session,
    provider_id: ProviderId,
    kind: ImportKind,
    upload: &Upload,
    read_as: ReadAs,
) -> Result<Step, AppError> {
    let sheet = read_as.sheet.clone();
    // A file that cannot be read at all goes on to the import's own refusal.
    let Ok(headers) = mapping::headers(&upload.content, sheet.as_deref()) else { return Ok(Step::Read(read_as, None)) };
    if mapping::headers_are_own(kind, &headers) {
        return Ok(Step::Read(read_as, None));
    }
    let (token, now) = (session_token(session, IMPORT_SESSION)?, state.now());
    let (upload, held_as) = (upload.clone(), read_as.clone());
    let found = with_conn(state, move |conn| {
        let saved = mapping_store::for_headers(conn, provider_id, kind, &headers)?;
        let columns = saved.as_ref().map_or_else(
            || mapping::guess_columns(kind, &headers, Synonyms::builtin()),
            |saved| saved.mapping.columns.clone(),
        );
        let chosen = saved.as_ref().map(|s| s.mapping.values.clone()).unwrap_or_default();
        let survey = mapping::survey(&upload.content, sheet.as_deref(), kind, &columns);
        let Ok((headers, counts)) = survey else { return Ok(None) };
        let (values, unknown) = mapping::guess_values(kind, &counts, &chosen, Synonyms::builtin());
        if unknown.is_empty() {
            if let Some(saved) = saved {
                return Ok(Some(Err((ColumnMapping { columns, values }, saved.name))));
            }
        }
        // Held as it is: confirming it without the mapping would be refused at its header.
        import::hold(conn, provider_id, &token, kind, &upload, &held_as, now)?;
        Ok(Some(Ok(MappingForm {
            kind,
            sha256: upload.sha256.clone(),
            headers,
            columns,
            chosen: values,
            unknown,
            name: saved.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
            mapping_id: saved.map(|s| s.id),
            errors: BTreeMap::new(),
        })))
    })
    .await?;
    match found {
        None => Ok(Step::Read(read_as, None)),
        Some(Err((column_mapping, name))) => {
            Ok(Step::Read(ReadAs { mapping: Some(column_mapping), ..read_as }, Some(name)))
        }
        Some(Ok(form)) => Ok(Step::Page(mapping_page(state, req, user, provider_id, form, StatusCode::OK).await?)),
    }
}

/// The mapping page's content: the file's columns, the choice made (or guessed) for each field,
/// the values to choose codes for, the name.
struct MappingForm {
    kind: ImportKind,
    sha256: String,
    headers: Vec<String>,
    columns: BTreeMap<String, String>,
    /// Field → file value → code: the guess and the manager's choices.
    chosen: BTreeMap<String, BTreeMap<String, String>>,
    unknown: Vec<UnknownValue>,
    name: String,
    /// The saved mapping this page adds values to, when the headers matched one.
    mapping_id: Option<i32>,
    errors: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct FieldChoice {
    field: &'static str,
    label: &'static str,
    required: bool,
    chosen: String,
}

#[derive(Serialize)]
struct ValueChoice {
    index: usize,
    field: String,
    field_label: &'static str,
    value: String,
    rows: usize,
    chosen: String,
    choices: Vec<(&'static str, &'static str)>,
}

fn field_choices(kind: ImportKind, columns: &BTreeMap<String, String>) -> Vec<FieldChoice> {
    kind.columns()
        .iter()
        .map(|field| FieldChoice {
            field,
            label: mapping::field_label(field),
            required: mapping::required_fields(kind).contains(field),
            chosen: columns.get(*field).cloned().unwrap_or_default(),
        })
        .collect()
}

async fn mapping_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    form: MappingForm,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let mut context = provider_context(state, user, provider_id).await?;
    import_context(&mut context, provider_id, form.kind.as_str());
    let values: Vec<ValueChoice> = form
        .unknown
        .iter()
        .enumerate()
        .map(|(index, u)| ValueChoice {
            index,
            field: u.field.clone(),
            field_label: mapping::field_label(&u.field),
            value: u.value.clone(),
            rows: u.rows,
            chosen: form.chosen.get(&u.field).and_then(|codes| codes.get(&u.value)).cloned().unwrap_or_default(),
            choices: ClosedList::of(form.kind, &u.field).map(ClosedList::choices).unwrap_or_default(),
        })
        .collect();
    context.insert("kind_label", form.kind.label());
    context.insert("sha256", &form.sha256);
    context.insert("headers", &form.headers);
    context.insert("fields", &field_choices(form.kind, &form.columns));
    context.insert("values", &values);
    context.insert("name", &form.name);
    context.insert("mapping_id", &form.mapping_id);
    context.insert("errors", &form.errors);
    render_status(state, req, "workforce/import_mapping.html", context, status)
}

/// The chosen columns of a posted mapping form: `column_FIELD` = the file's header, blank for "not
/// in this file".
fn posted_columns(kind: ImportKind, form: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    kind.columns()
        .iter()
        .filter_map(|field| {
            let header = form.get(&format!("column_{field}"))?.trim();
            (!header.is_empty()).then(|| (field.to_string(), header.to_string()))
        })
        .collect()
}

/// The posted codes for values: `value_field_N`, `value_text_N` and the chosen `value_N`.
fn posted_values(form: &BTreeMap<String, String>) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for i in 0.. {
        let (Some(field), Some(text)) = (form.get(&format!("value_field_{i}")), form.get(&format!("value_text_{i}")))
        else {
            break;
        };
        if let Some(code) = form.get(&format!("value_{i}")).map(|c| c.trim()).filter(|c| !c.is_empty()) {
            values.entry(field.clone()).or_default().insert(text.clone(), code.to_string());
        }
    }
    values
}

/// `POST /providers/{id}/workforce/import/mapping`: checks the mapping (required fields mapped, a
/// name, a code for every value the guess did not know), saves it (or adds to the saved one), then
/// shows the preview of the held file read with it. A problem shows the page again at its field,
/// the file still held.
async fn post_mapping(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    session: Session,
    path: web::Path<ProviderId>,
    form: Form<BTreeMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let form = form.into_inner();
    let field = |name: &str| form.get(name).map(|v| v.trim().to_string()).unwrap_or_default();
    let kind = workforce_kind(&field("kind")).ok_or(AppError::BadRequest("unknown import kind".into()))?;
    let (sha256, name) = (field("sha256"), field("name"));
    let mapping_id = field("mapping_id").parse::<i32>().ok();
    let (token, now, user_id) = (session_token(&session, IMPORT_SESSION)?, state.now(), user.id);
    let columns = posted_columns(kind, &form);
    let posted = posted_values(&form);
    let held_sha = sha256.clone();
    let (held, earlier) = with_conn(&state, move |conn| {
        let held = import::held(conn, provider_id, &token, kind, &held_sha, now)?;
        // Adding values to a saved mapping: the values it already knows are not asked about.
        let earlier = match mapping_id {
            Some(id) => mapping_store::get(conn, provider_id, id)?.mapping.values,
            None => BTreeMap::new(),
        };
        Ok((held, earlier))
    })
    .await?;
    let Some((content, read_as)) = held else {
        let mut context = provider_context(&state, &user, provider_id).await?;
        import_context(&mut context, provider_id, kind.as_str());
        context.insert("file_error", import::NOT_PREVIEWED);
        context.insert("row_errors", &Vec::<import::RowError>::new());
        return render_status(&state, &req, "import.html", context, StatusCode::CONFLICT);
    };
    let (headers, counts) = match mapping::survey(&content, read_as.sheet.as_deref(), kind, &columns) {
        Ok(surveyed) => surveyed,
        Err(row) => {
            let mut context = provider_context(&state, &user, provider_id).await?;
            import_context(&mut context, provider_id, kind.as_str());
            context.insert("file_error", "");
            context.insert("row_errors", &vec![row]);
            return render_status(&state, &req, "import.html", context, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    // Every value the list and the synonyms do not know is asked about, and stays on the page
    // with its choice, so a page shown again loses none.
    let (mut values, unknown) = mapping::guess_values(kind, &counts, &earlier, Synonyms::builtin());
    for u in &unknown {
        if let Some(code) = posted.get(&u.field).and_then(|codes| codes.get(&u.value)) {
            values.entry(u.field.clone()).or_default().insert(u.value.clone(), code.clone());
        }
    }
    // A saved mapping keeps the choices it had for values this file does not hold.
    let column_mapping = ColumnMapping { columns, values };
    let mut errors = mapping::check(kind, &headers, &column_mapping, &unknown);
    if let Some(problem) = mapping_store::name_problem(&name) {
        errors.insert("name".into(), problem.into());
    }
    let again = |errors: BTreeMap<String, String>, column_mapping: ColumnMapping| MappingForm {
        kind,
        sha256: sha256.clone(),
        headers: headers.clone(),
        columns: column_mapping.columns,
        chosen: column_mapping.values,
        unknown: unknown.clone(),
        name: name.clone(),
        mapping_id,
        errors,
    };
    if !errors.is_empty() {
        let form = again(errors, column_mapping);
        return mapping_page(&state, &req, &user, provider_id, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (to_save, saved_name, file_headers) = (column_mapping.clone(), name.clone(), headers.clone());
    let saved = with_conn(&state, move |conn| {
        let at = now.naive_utc();
        let result = match mapping_id {
            None => {
                mapping_store::save(conn, Some(user_id), provider_id, kind, &saved_name, &file_headers, &to_save, at)
                    .map(|_| ())
            }
            Some(id) => {
                let mut kept = mapping_store::get(conn, provider_id, id)?.mapping;
                for (field, codes) in to_save.values {
                    kept.values.entry(field).or_default().extend(codes);
                }
                kept.columns = to_save.columns;
                mapping_store::update(conn, Some(user_id), provider_id, id, &saved_name, &kept, at).map(|_| ())
            }
        };
        crate::web::error::Refusal::refusal(result)
    })
    .await?;
    if let Err(refused) = saved {
        let errors = refused.0.into_iter().map(|(field, message)| (field.to_string(), message)).collect();
        let form = again(errors, column_mapping);
        return mapping_page(&state, &req, &user, provider_id, form, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let read_as = ReadAs { mapping: Some(column_mapping), ..read_as };
    let upload = Upload { file_name: "import.csv".into(), media_type: "text/csv".into(), sha256, content };
    show_preview(&state, &req, &user, &session, provider_id, kind, upload, read_as, &name, today).await
}

/// The preview of a file read with a mapping just saved: the same checks and the same page as an
/// upload's, saying which mapping read it.
#[allow(clippy::too_many_arguments)]
async fn show_preview(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user: &CurrentUser,
    session: &Session,
    provider_id: ProviderId,
    kind: ImportKind,
    upload: Upload,
    read_as: ReadAs,
    mapping_name: &str,
    today: chrono::NaiveDate,
) -> Result<HttpResponse, AppError> {
    let (token, now) = (session_token(session, IMPORT_SESSION)?, state.now());
    let sha256 = upload.sha256.clone();
    let full_extract_dated = read_as.full_extract_dated;
    let checked = with_conn(state, move |conn| {
        let prepared = import::prepare_read(conn, provider_id, kind, &upload.content, &read_as, today)?;
        if prepared.is_ok() {
            import::hold(conn, provider_id, &token, kind, &upload, &read_as, now)?;
        }
        Ok(prepared)
    })
    .await?;
    let mut context = provider_context(state, user, provider_id).await?;
    import_context(&mut context, provider_id, kind.as_str());
    match checked {
        Err(rows) => {
            context.insert(
                "file_error",
                &format!("The mapping {mapping_name:?} is saved; the file read with it has rows to correct"),
            );
            context.insert("row_errors", &rows);
            render_status(state, req, "import.html", context, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Ok((prepared, read)) => {
            preview_context(&mut context, kind, &sha256, &prepared, &read, Some(mapping_name), full_extract_dated);
            render_status(state, req, "import_preview.html", context, StatusCode::OK)
        }
    }
}

const COLUMNS: [(MappingSort, &str); 3] =
    [(MappingSort::Name, "Name"), (MappingSort::Kind, "File holds"), (MappingSort::Changed, "Last changed")];

/// `GET /providers/{id}/workforce/import/mappings`: the provider's saved mappings, searched by
/// name, sorted and paged.
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let list: ListQuery<MappingSort> = ListQuery::parse(req.query_string());
    let (q, sort, dir, page) = (list.q.clone(), list.sort, list.dir, list.page);
    let page = with_conn(&state, move |conn| Ok(mapping_store::page(conn, provider_id, &q, sort, dir, page)?)).await?;
    let base = format!("/providers/{provider_id}/workforce/import/mappings");
    let mut context = provider_context(&state, &user, provider_id).await?;
    context.insert("list", &list.view(&base, &COLUMNS, &page));
    context.insert("mappings", &page.rows);
    context.insert("base", &base);
    render_status(&state, &req, "workforce/mappings.html", context, StatusCode::OK)
}

/// A saved mapping's form as submitted.
#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    name: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct SavedValue {
    index: usize,
    field: String,
    field_label: &'static str,
    value: String,
    chosen: String,
    choices: Vec<(&'static str, &'static str)>,
}

async fn mapping_edit_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    saved: &SavedMapping,
    shown: (&str, &ColumnMapping),
    errors: BTreeMap<String, String>,
) -> Result<HttpResponse, AppError> {
    let (name, column_mapping) = shown;
    let mut context = provider_context(state, user, provider_id).await?;
    let values: Vec<SavedValue> = saved
        .mapping
        .values
        .iter()
        .flat_map(|(field, codes)| codes.keys().map(move |value| (field, value)))
        .enumerate()
        .map(|(index, (field, value))| SavedValue {
            index,
            field: field.clone(),
            field_label: mapping::field_label(field),
            value: value.clone(),
            chosen: column_mapping.values.get(field).and_then(|c| c.get(value)).cloned().unwrap_or_default(),
            choices: ClosedList::of(saved.kind, field).map(ClosedList::choices).unwrap_or_default(),
        })
        .collect();
    context.insert("mapping", saved);
    context.insert("kind_label", saved.kind.label());
    context.insert("name", name);
    context.insert("headers", &saved.headers);
    context.insert("fields", &field_choices(saved.kind, &column_mapping.columns));
    context.insert("values", &values);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    context.insert("errors", &errors);
    render_status(state, req, "workforce/mapping.html", context, status)
}

/// `GET /providers/{id}/workforce/import/mappings/{mapping_id}`: a saved mapping, to rename or to
/// change its columns and values.
async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let saved = with_conn(&state, move |conn| Ok(mapping_store::get(conn, provider_id, id)?)).await?;
    let shown = (saved.name.as_str(), &saved.mapping);
    mapping_edit_page(&state, &req, &user, provider_id, &saved, shown, BTreeMap::new()).await
}

/// `POST /providers/{id}/workforce/import/mappings/{mapping_id}`: saves the mapping's new name,
/// columns and values; a value set to "read as written" is taken out.
async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    form: Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let form = form.into_inner();
    let saved = with_conn(&state, move |conn| Ok(mapping_store::get(conn, provider_id, id)?)).await?;
    let columns = posted_columns(saved.kind, &form.rest);
    let posted = posted_values(&form.rest);
    let mut values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (field, codes) in &posted {
        let Some(list) = ClosedList::of(saved.kind, field) else { continue };
        for (value, code) in codes {
            // Only the values the mapping had, each to a code of its list.
            let known = saved.mapping.values.get(field).is_some_and(|c| c.contains_key(value));
            if known && list.choices().iter().any(|(c, _)| c == code) {
                values.entry(field.clone()).or_default().insert(value.clone(), code.clone());
            }
        }
    }
    let column_mapping = ColumnMapping { columns, values };
    let mut errors = mapping::check(saved.kind, &saved.headers, &column_mapping, &[]);
    let name = form.name.trim().to_string();
    if let Some(problem) = mapping_store::name_problem(&name) {
        errors.insert("name".into(), problem.into());
    }
    if !errors.is_empty() {
        return mapping_edit_page(&state, &req, &user, provider_id, &saved, (&name, &column_mapping), errors).await;
    }
    let (to_save, new_name, user_id, now) = (column_mapping.clone(), name.clone(), user.id, state.now().naive_utc());
    let result = with_conn(&state, move |conn| {
        let changed = mapping_store::update(conn, Some(user_id), provider_id, id, &new_name, &to_save, now);
        crate::web::error::Refusal::refusal(changed)
    })
    .await?;
    match result {
        Ok(changed) => {
            let said = if changed {
                format!("Column mapping {name} changed")
            } else {
                format!("Column mapping {name}: nothing changed")
            };
            Ok(confirm_then(&req, said, format!("/providers/{provider_id}/workforce/import/mappings")))
        }
        Err(refused) => {
            let errors = refused.0.into_iter().map(|(field, message)| (field.to_string(), message)).collect();
            mapping_edit_page(&state, &req, &user, provider_id, &saved, (&name, &column_mapping), errors).await
        }
    }
}

/// `GET /providers/{id}/workforce/import/mappings/{mapping_id}/delete`: asks before deleting.
async fn confirm_delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let saved = with_conn(&state, move |conn| Ok(mapping_store::get(conn, provider_id, id)?)).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    context.insert("mapping", &saved);
    context.insert("kind_label", saved.kind.label());
    render_status(&state, &req, "workforce/mapping_delete.html", context, StatusCode::OK)
}

/// `POST /providers/{id}/workforce/import/mappings/{mapping_id}/delete`: deletes the mapping; the
/// next file with its headers is asked about again.
async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    _form: Form<crate::web::form::NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let user_id = user.id;
    let name = with_conn(&state, move |conn| Ok(mapping_store::delete(conn, Some(user_id), provider_id, id)?)).await?;
    Ok(confirm_then(
        &req,
        format!("Column mapping {name} deleted"),
        format!("/providers/{provider_id}/workforce/import/mappings"),
    ))
}
