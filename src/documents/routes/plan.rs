//! `GET /providers/{id}/audit-plans/{year}/signed.pdf`: the newest signed version of the plan as a
//! PDF, for the clinical governance committee.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::clock::FinancialYear;
use crate::db::{ProviderId, StoreError};
use crate::documents::plan;
use crate::web::download::file_response;
use crate::web::{render_status, with_conn, AppError, AppState};

/// The signed plan's download, for `documents::routes`.
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-plans/{year}/signed.pdf", web::get().to(signed_pdf));
}

/// The plan as signed, drawn off the request threads. Its readers are those who may read the
/// signed file itself (`ReadStaff`): it names the audits' leads. A plan never signed is a 404 that
/// says so.
async fn signed_pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, year) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadStaff).await?;
    let year: FinancialYear = year.parse().map_err(|_| AppError::NotFound)?;
    let made_at = state.now().naive_utc();
    let built = with_conn(&state, move |conn| match plan::build(conn, provider_id, year, None, made_at) {
        Ok(signed) => Ok(Some(signed)),
        Err(StoreError::NotFound) => Ok(None),
        Err(other) => Err(other.into()),
    })
    .await?;
    let Some(signed) = built else {
        let (mut context, _) = provider_page(&state, &user, provider_id).await?;
        context.insert("words", &plan::not_signed_words(year));
        context.insert("year", &year.to_string());
        context.insert("year_url", &year.url());
        return render_status(&state, &req, "documents/plan_not_signed.html", context, StatusCode::NOT_FOUND);
    };
    let made = crate::documents::make_off_thread(signed.document, signed.file_name).await?;
    Ok(file_response("application/pdf", &made.file_name, made.bytes))
}
