//! `/providers/{id}/assessment/{reference}/live-exceptions`: recording an exception to a failing
//! live check on one standard, and ending one early. Both are done from the standard's page, which
//! shows a refusal at its field.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::authorize;
use crate::accounts::session::CurrentUser;
use crate::assessment::routes::{show_standard, ExceptionForm, StandardForms};
use crate::db::ProviderId;
use crate::live::model::ExceptionInput;
use crate::live::store::exceptions;
use crate::web::form::{confirm_then, save_then, Form, NoFields};
use crate::web::{AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/assessment/{reference}/live-exceptions", web::post().to(record)).route(
        "/providers/{provider_id}/assessment/{reference}/live-exceptions/{exception_id}/end",
        web::post().to(end),
    );
}

/// The standard's page, where the live checks are.
fn checks_of(provider_id: ProviderId, reference: &str) -> String {
    format!("/providers/{provider_id}/assessment/{reference}#live-checks")
}

/// `POST …/live-exceptions`: someone who may change the assessment records why a failing check
/// does not undo the standard's "met", until a last day at most twelve months ahead. Nothing is
/// written when anything is wrong.
async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(input): Form<ExceptionInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    // Whoever may change the self-assessment, as the standard's save asks.
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, now) = (user.id, state.today(), state.now().naive_utc());
    let (wanted, submitted) = (reference.clone(), input.clone());
    save_then(
        &state,
        move |conn| {
            let exception = submitted.parse(today)?;
            exceptions::record(conn, Some(by), provider_id, &wanted, &exception, now)?;
            Ok(exception)
        },
        |exception| {
            let message = format!(
                "Exception recorded on {reference} for “{}” until {}",
                exception.check.label(),
                crate::words::long_date(exception.ends_on)
            );
            confirm_then(&req, message, checks_of(provider_id, &reference))
        },
        |errors| {
            let form = ExceptionForm { check: input.check, reason: input.reason, ends_on: input.ends_on };
            let forms = StandardForms { exception: Some(form), ..Default::default() };
            show_standard(&state, &req, &user, provider_id, reference.clone(), forms, errors)
        },
    )
    .await
}

/// `POST …/live-exceptions/{exception_id}/end`: ends an exception in force before its last day.
/// It stays listed, ended, and the check counts against the standard again.
async fn end(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String, i32)>,
    Form(_): Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference, exception_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, now, wanted) = (user.id, state.today(), state.now().naive_utc(), reference.clone());
    save_then(
        &state,
        move |conn| exceptions::end(conn, Some(by), provider_id, &wanted, exception_id, today, now),
        |check| {
            let message = format!("Exception on {reference} for “{}” ended", check.label());
            confirm_then(&req, message, checks_of(provider_id, &reference))
        },
        |errors| show_standard(&state, &req, &user, provider_id, reference.clone(), StandardForms::default(), errors),
    )
    .await
}
