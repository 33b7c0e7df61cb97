//! `/providers/{id}/history`: a provider's audit trail, filterable by entity and by user.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::accounts::access::Capability;
use crate::accounts::guard::{allows, authorize, provider_context};
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::history::store;
use crate::providers::history_words::{describe, describe_without_personal_details, LineView, Names};
use crate::web::{render, with_conn, AppError, AppState};

#[derive(Deserialize)]
pub(super) struct Filters {
    entity: Option<String>,
    user: Option<String>,
}

/// `GET /providers/{id}/history`.
pub(super) async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    filters: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    let mut context = provider_context(&state, &user, provider_id).await?;
    // Who changed what, and the values changed, are personal details: only for those who may read
    // named staff records (`ReadStaff`). A commissioner sees when, which record and what was done.
    let named = allows(&state, &user, provider_id, Capability::ReadStaff).await?;
    let entity = filters.entity.clone().filter(|e| !e.is_empty());
    // A filter that is not a number matches no one rather than failing the page.
    let by_user = filters.user.as_deref().filter(|u| named && !u.is_empty()).map(|u| u.parse::<i32>().unwrap_or(-1));
    let entity_filter = entity.clone();
    let (page, names) = with_conn(&state, move |conn| {
        let page = store::for_organisation(conn, provider_id.0, entity_filter.as_deref(), by_user)?;
        let names = if named { Names::for_lines(conn, provider_id, &page.lines)? } else { Names::default() };
        Ok((page, names))
    })
    .await?;
    let lines: Vec<LineView> = page
        .lines
        .iter()
        .map(|line| if named { describe(line, &names) } else { describe_without_personal_details(line) })
        .collect();
    context.insert("lines", &lines);
    context.insert("entities", &page.entities);
    context.insert("people", if named { page.people.as_slice() } else { &[] });
    context.insert("chosen_entity", &entity.unwrap_or_default());
    context.insert("chosen_user", &by_user.unwrap_or(0));
    context.insert("page_rows", &store::PAGE_ROWS);
    render(&state, &req, "providers/history.html", context)
}
