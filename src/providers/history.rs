//! `/providers/{id}/history`: a provider's audit trail, filterable by entity and by user.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::accounts::access::Capability;
use crate::accounts::guard::authorize;
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::history::store;
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
    let entity = filters.entity.clone().filter(|e| !e.is_empty());
    // A filter that is not a number matches no one rather than failing the page.
    let by_user = filters.user.as_deref().filter(|u| !u.is_empty()).map(|u| u.parse::<i32>().unwrap_or(-1));
    let entity_filter = entity.clone();
    let page = with_conn(&state, move |conn| {
        Ok(store::for_organisation(conn, provider_id.0, entity_filter.as_deref(), by_user)?)
    })
    .await?;
    let mut context = tera::Context::new();
    context.insert("provider_id", &provider_id);
    let lines: Vec<LineView> = page.lines.into_iter().map(LineView::from).collect();
    context.insert("lines", &lines);
    context.insert("entities", &page.entities);
    context.insert("people", &page.people);
    context.insert("chosen_entity", &entity.unwrap_or_default());
    context.insert("chosen_user", &by_user.unwrap_or(0));
    context.insert("page_rows", &store::PAGE_ROWS);
    render(&state, &req, "providers/history.html", context)
}

/// A history line for people: each changed field as "before → after" in plain text.
#[derive(serde::Serialize)]
struct LineView {
    recorded_at: chrono::NaiveDateTime,
    user_name: Option<String>,
    entity: String,
    entity_id: String,
    action: String,
    changes: Vec<(String, String, String)>,
}

fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "–".into(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

impl From<store::HistoryLine> for LineView {
    fn from(line: store::HistoryLine) -> Self {
        let parsed: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&line.changes).unwrap_or_default();
        let changes = parsed
            .iter()
            .map(|(field, change)| (field.replace('_', " "), plain(&change["before"]), plain(&change["after"])))
            .collect();
        LineView {
            recorded_at: line.recorded_at,
            user_name: line.user_name,
            entity: line.entity,
            entity_id: line.entity_id,
            action: line.action,
            changes,
        }
    }
}
