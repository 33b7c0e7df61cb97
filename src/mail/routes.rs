//! The outbox page: what has been queued, sent and given up, with each message's attempts and last
//! error, and "Send again" on a failed one. `/admin/outbox` shows administrators every message;
//! `/providers/{id}/outbox` shows a provider's managers the messages about their provider. The
//! bodies are never shown: an invitation's holds a live link until it is sent.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::accounts::store::organisation_names;
use crate::db::ProviderId;
use crate::outbox::store::{self, OutboxFilter, OutboxSort};
use crate::outbox::MessageStatus;
use crate::web::form::{confirm_then, save_then, Form, NoFields};
use crate::web::list::ListQuery;
use crate::web::{render, with_conn, AppError, AppState};

/// The outbox pages, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/outbox", web::get().to(admin_outbox))
        .route("/admin/outbox/{message_id}/send-again", web::post().to(admin_send_again))
        .route("/providers/{provider_id}/outbox", web::get().to(provider_outbox))
        .route("/providers/{provider_id}/outbox/{message_id}/send-again", web::post().to(provider_send_again));
}

/// The sortable columns, with their headers.
const COLUMNS: [(OutboxSort, &str); 5] = [
    (OutboxSort::Queued, "Queued"),
    (OutboxSort::Recipient, "To"),
    (OutboxSort::Subject, "Subject"),
    (OutboxSort::Status, "Status"),
    (OutboxSort::Attempts, "Attempts"),
];

/// A message as the page shows it: its row (never the bodies) with its kind and state in words.
#[derive(serde::Serialize)]
struct LineView<'a> {
    #[serde(flatten)]
    line: &'a store::OutboxLine,
    #[serde(rename = "kind_label")]
    kind: &'static str,
    #[serde(rename = "status_label")]
    status: &'static str,
    /// The provider's name, on the administrators' page.
    #[serde(rename = "provider_name")]
    provider: Option<String>,
}

fn require_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The page's list and counts in `context`, for one provider's messages or (None) all.
async fn fill(
    state: &AppState,
    req: &HttpRequest,
    provider: Option<ProviderId>,
    base: &str,
    context: &mut tera::Context,
) -> Result<(), AppError> {
    let list: ListQuery<OutboxSort> = ListQuery::parse(req.query_string());
    // An unknown status shows them all rather than failing the page.
    let status = MessageStatus::parse(list.get("status"));
    let filter = OutboxFilter { provider, status, search: list.q.clone() };
    let (sort, dir, page_number) = (list.sort, list.dir, list.page);
    let (page, counts, providers) = with_conn(state, move |conn| {
        let page = store::page(conn, &filter, sort, dir, page_number)?;
        // The administrators' page names each message's provider; a provider's page needs none.
        let mut ids: Vec<i32> = page.rows.iter().filter_map(|line| line.provider_id.map(|p| p.0)).collect();
        ids.sort_unstable();
        ids.dedup();
        let providers = if provider.is_none() { organisation_names(conn, &ids)? } else { Vec::new() };
        Ok((page, store::counts(conn, provider)?, providers))
    })
    .await?;
    let providers: std::collections::HashMap<i32, String> = providers.into_iter().collect();
    context.insert("list", &list.view(base, &COLUMNS, &page));
    let messages: Vec<LineView> = page
        .rows
        .iter()
        .map(|line| LineView {
            line,
            kind: line.kind.label(),
            status: line.status.label(),
            provider: line.provider_id.and_then(|p| providers.get(&p.0).cloned()),
        })
        .collect();
    context.insert("messages", &messages);
    context.insert("counts", &counts);
    context.insert("status", &status.map(MessageStatus::as_str).unwrap_or_default());
    context.insert("statuses", &MessageStatus::options());
    context.insert("base", base);
    Ok(())
}

/// `GET /admin/outbox[?status=&q=&sort=&dir=&page=]`: every message, for administrators.
async fn admin_outbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    let mut context = tera::Context::new();
    fill(&state, &req, None, "/admin/outbox", &mut context).await?;
    render(&state, &req, "mail_pages/outbox.html", context)
}

/// `GET /providers/{id}/outbox`: the messages about one provider, for those who manage it.
async fn provider_outbox(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (mut context, _) = provider_page(&state, &user, provider_id).await?;
    let base = format!("/providers/{provider_id}/outbox");
    fill(&state, &req, Some(provider_id), &base, &mut context).await?;
    render(&state, &req, "mail_pages/outbox.html", context)
}

/// The confirmation, in the page's words: `The message to Dr Asha Patel, "Your registration is
/// due", will be sent again`.
pub fn confirmation(line: &store::OutboxLine) -> String {
    format!("The message to {}, \"{}\", will be sent again", line.recipient_name, line.subject)
}

/// Queues failed message `message_id` again, within `provider`'s messages (None: any), and goes
/// back to `back`.
async fn send_again(
    state: &AppState,
    req: HttpRequest,
    user: &CurrentUser,
    provider: Option<ProviderId>,
    message_id: i32,
    back: String,
) -> Result<HttpResponse, AppError> {
    let (by, now) = (user.id, state.settings.clock.now().naive_utc());
    save_then(
        state,
        move |conn| store::retry(conn, by, provider, message_id, now),
        |line| confirm_then(&req, confirmation(&line), back),
        // The button has no fields to refuse; a refusal of the store's is a fault.
        |errors| async move { Err(AppError::Internal(format!("send again refused: {errors}"))) },
    )
    .await
}

/// `POST /admin/outbox/{message_id}/send-again`.
async fn admin_send_again(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
    Form(_): Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    require_admin(&user)?;
    send_again(&state, req, &user, None, path.into_inner(), "/admin/outbox".into()).await
}

/// `POST /providers/{id}/outbox/{message_id}/send-again`: only a message about this provider.
async fn provider_send_again(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(_): Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, message_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let back = format!("/providers/{provider_id}/outbox");
    send_again(&state, req, &user, Some(provider_id), message_id, back).await
}
