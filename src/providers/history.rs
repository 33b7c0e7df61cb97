//! `/providers/{id}/history`: a provider's audit trail, filterable by entity and by user.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::accounts::access::Capability;
use crate::accounts::guard::{allows, authorize, provider_context};
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
    let mut context = provider_context(&state, &user, provider_id).await?;
    // Who changed what, and the values changed, are personal details: only for those who may read
    // named staff records (`ReadStaff`). A commissioner sees when, which record and what was done.
    let named = allows(&state, &user, provider_id, Capability::ReadStaff).await?;
    let entity = filters.entity.clone().filter(|e| !e.is_empty());
    // A filter that is not a number matches no one rather than failing the page.
    let by_user = filters.user.as_deref().filter(|u| named && !u.is_empty()).map(|u| u.parse::<i32>().unwrap_or(-1));
    let entity_filter = entity.clone();
    let page = with_conn(&state, move |conn| {
        Ok(store::for_organisation(conn, provider_id.0, entity_filter.as_deref(), by_user)?)
    })
    .await?;
    let lines: Vec<LineView> = page
        .lines
        .into_iter()
        .map(LineView::from)
        .map(|line| if named { line } else { line.without_personal_details() })
        .collect();
    context.insert("lines", &lines);
    context.insert("entities", &page.entities);
    context.insert("people", if named { page.people.as_slice() } else { &[] });
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

impl LineView {
    /// The line without who made the change or the values changed (names, email addresses, a
    /// person's record): what a commissioner may see. The fields that changed are still named.
    fn without_personal_details(self) -> Self {
        LineView {
            user_name: None,
            changes: self.changes.into_iter().map(|(field, _, _)| (field, String::new(), String::new())).collect(),
            ..self
        }
    }
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
