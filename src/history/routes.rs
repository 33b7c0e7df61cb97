//! `/providers/{id}/history`: a provider's audit trail, filterable by entity and by user.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::store;
use crate::accounts::access::Capability;
use crate::web::access::authorize;
use crate::web::session::CurrentUser;
use crate::web::{render, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/history", web::get().to(index));
}

#[derive(Deserialize)]
struct Filters {
    entity: Option<String>,
    user: Option<String>,
}

async fn index(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
    filters: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    let entity = filters.entity.clone().filter(|e| !e.is_empty());
    // A filter that is not a number matches no one rather than failing the page.
    let by_user = filters.user.as_deref().filter(|u| !u.is_empty()).map(|u| u.parse::<i32>().unwrap_or(-1));
    let entity_filter = entity.clone();
    let page = with_conn(&state, move |conn| {
        Ok(store::for_organisation(conn, provider_id, entity_filter.as_deref(), by_user)?)
    })
    .await?;
    let mut context = tera::Context::new();
    context.insert("provider_id", &provider_id);
    context.insert("lines", &page.lines);
    context.insert("entities", &page.entities);
    context.insert("people", &page.people);
    context.insert("chosen_entity", &entity.unwrap_or_default());
    context.insert("chosen_user", &by_user.unwrap_or(0));
    context.insert("page_rows", &store::PAGE_ROWS);
    render(&state, &req, "history/index.html", context)
}
