//! `GET /commissioners/{id}/providers.pdf`: a commissioner's providers side by side, as a PDF.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::guard::authorize_commissioner;
use crate::accounts::session::CurrentUser;
use crate::commissioning::rules::comparison::Problem;
use crate::commissioning::store::facts::ComparisonSort;
use crate::db::StoreError;
use crate::documents::comparison;
use crate::web::download::file_response;
use crate::web::list::ListQuery;
use crate::web::{with_conn, AppError, AppState};

/// The comparison's download, for `documents::routes`.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/commissioners/{commissioner_id}/providers.pdf", web::get().to(comparison_pdf));
}

/// The page's rows (its search and problem, every page), drawn off the request threads; for the
/// commissioner's own members only, as the page is.
async fn comparison_pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let commissioner_id = path.into_inner();
    authorize_commissioner(&state, &user, commissioner_id).await?;
    // The page's address read as the page reads it, so the PDF holds the rows the page showed.
    let list: ListQuery<ComparisonSort> = ListQuery::parse(req.query_string());
    let problem = Problem::parse(list.get("problem"));
    let search = list.q;
    let (today, days, made_at) = (state.today(), state.settings.supervision_days, state.now().naive_utc());
    let built = with_conn(&state, move |conn| {
        let name = crate::accounts::store::commissioner_name(conn, commissioner_id)?.ok_or(StoreError::NotFound)?;
        Ok(comparison::build(conn, commissioner_id, &name, today, days, problem, &search, made_at)?)
    })
    .await?;
    let made = crate::documents::make_off_thread(built.document, built.file_name).await?;
    Ok(file_response("application/pdf", &made.file_name, made.bytes))
}
