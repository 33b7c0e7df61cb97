//! `/providers/{id}/pack`: the SEQOHS evidence pack's page (what it will hold, the download for
//! those who may have it, and the manager's sharing with commissioners), the PDF itself, drawn off
//! the request threads and recorded in the history, and the sharing form.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::documents::pack::{self, PackCounts};
use crate::documents::rules::pack_needs;
use crate::documents::store::settings;
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

/// The pack's routes, for `documents::routes::configure`.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/pack", web::get().to(page))
        .route("/providers/{provider_id}/pack.pdf", web::get().to(download))
        .route("/providers/{provider_id}/pack/sharing", web::post().to(sharing));
}

fn pack_path(provider_id: ProviderId) -> String {
    format!("/providers/{provider_id}/pack")
}

/// What the page says the pack will hold.
#[derive(serde::Serialize)]
struct Preview {
    counts: PackCounts,
    framework_code: String,
    framework_title: String,
    file_name: String,
}

async fn show_page(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (today, now) = (state.today(), state.now().naive_utc());
    let (preview, shared) = with_conn(state, move |conn| {
        let shared = settings::pack_shared(conn, provider_id)?;
        let pack = pack::build(conn, provider_id, None, today, now)?;
        let preview = Preview {
            counts: pack.counts,
            framework_code: pack.framework.code,
            framework_title: pack.framework.title,
            file_name: pack.file_name,
        };
        Ok((preview, shared))
    })
    .await?;
    context.insert("pack", &preview);
    context.insert("shared", &shared);
    context.insert("may_download", &can.allows(pack_needs(shared)));
    context.insert("errors", &errors.0);
    render_status(state, req, "documents/pack.html", context, status_for(&errors))
}

/// `GET /providers/{id}/pack`: what the evidence pack will hold, the download link for those who
/// may have it, and for managers whether commissioners may have it too.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_page(&state, &req, &user, provider_id, FieldErrors::default()).await
}

/// `GET /providers/{id}/pack.pdf`: the pack as a PDF, for those `pack_needs` allows (a commissioner
/// only once the provider shares it). Fresh snapshots of the records are taken first, so the pack
/// shows them as of its day; then it is gathered on the database pool, drawn on the blocking pool,
/// and recorded in the history with its SHA-256 before it is sent.
async fn download(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let shared = with_conn(&state, move |conn| Ok(settings::pack_shared(conn, provider_id)?)).await?;
    authorize(&state, &user, provider_id, pack_needs(shared)).await?;
    let (today, now) = (state.today(), state.now().naive_utc());
    let by = user.id;
    let pack = with_conn(&state, move |conn| {
        pack::take_snapshots(conn, provider_id, Some(by), today)?;
        Ok(pack::build(conn, provider_id, None, today, now)?)
    })
    .await?;
    let framework = pack.framework.code;
    let made = crate::documents::make_off_thread(pack.document, pack.file_name).await?;
    let made = with_conn(&state, move |conn| {
        pack::record_made(conn, provider_id, Some(by), &made, &framework)?;
        Ok(made)
    })
    .await?;
    Ok(crate::web::download::file_response("application/pdf", &made.file_name, made.bytes))
}

/// The sharing form: the box ticked ("yes") shares the pack, left empty stops sharing it.
#[derive(serde::Deserialize)]
struct SharingForm {
    #[serde(default)]
    shared: String,
}

impl SharingForm {
    fn parse(&self) -> Result<bool, FieldErrors> {
        match self.shared.as_str() {
            "yes" => Ok(true),
            "" => Ok(false),
            _ => Err(FieldErrors::one(
                "shared",
                "Tick the box to share the evidence pack with your commissioners, or leave it empty",
            )),
        }
    }
}

/// `POST /providers/{id}/pack/sharing`: a manager shares the pack with the provider's
/// commissioners, or stops sharing it; back to the pack's page with the change in words.
async fn sharing(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<SharingForm>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, at) = (user.id, state.now().naive_utc());
    save_then(
        &state,
        move |conn| {
            let shared = input.parse()?;
            settings::set_pack_shared(conn, provider_id, by, shared, at).map(|changed| (shared, changed))
        },
        |(shared, changed)| {
            let message = match (shared, changed) {
                (true, true) => "The evidence pack is now shared with your commissioners",
                (false, true) => "The evidence pack is no longer shared with your commissioners",
                (true, false) => "The evidence pack was already shared with your commissioners",
                (false, false) => "The evidence pack was not shared with your commissioners, and still is not",
            };
            confirm_then(&req, message, pack_path(provider_id))
        },
        |errors| show_page(&state, &req, &user, provider_id, errors),
    )
    .await
}
