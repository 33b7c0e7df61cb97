//! `/providers/{id}/esr`: the provider's declaration of how its OH information system exchanges
//! data with the Electronic Staff Record, the evidence that shows it, and the day staff were last
//! imported.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::commissioning::model::{EsrInput, EsrInterface};
use crate::commissioning::store::esr;
use crate::db::ProviderId;
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/esr", web::get().to(page))
        .route("/providers/{provider_id}/esr", web::post().to(save));
}

/// `GET /providers/{id}/esr`: the declaration, and for those who manage the service, the form.
async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show(&state, &req, &user, provider_id, None).await
}

/// The page, with the form filled from the declaration or (`refused`) as sent with its problems.
async fn show(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    refused: Option<(EsrInput, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let (declaration, last_import, items) = with_conn(state, move |conn| {
        let imports = crate::history::store::last_recorded_for(conn, &[provider_id.0], "import", "staff")?;
        let items = if can.manage { crate::evidence::store::current_choices(conn, provider_id)? } else { Vec::new() };
        Ok((esr::declaration(conn, provider_id)?, imports.get(&provider_id.0).map(|at| at.date()), items))
    })
    .await?;
    let (input, errors) = refused.unwrap_or_else(|| {
        let input = match &declaration {
            Some(d) => EsrInput {
                interface: d.interface.as_str().into(),
                declared_on: crate::form::form_date(d.declared_on),
                evidence_id: d.evidence_id.map(|id| id.to_string()).unwrap_or_default(),
            },
            None => EsrInput { declared_on: crate::form::form_date(state.today()), ..Default::default() },
        };
        (input, FieldErrors::default())
    });
    let items: Vec<(String, String)> = items.into_iter().map(|(id, title)| (id.to_string(), title)).collect();
    context.insert("declaration", &declaration);
    context.insert("last_staff_import", &last_import);
    context.insert("interfaces", &EsrInterface::options());
    context.insert("items", &items);
    context.insert("form", &input);
    context.insert("errors", &errors.0);
    render_status(state, req, "commissioning/esr.html", context, status_for(&errors))
}

/// `POST /providers/{id}/esr`: makes or changes the declaration. Nothing is written if anything
/// is wrong.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<EsrInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today, now, submitted) = (user.id, state.today(), state.now().naive_utc(), input.clone());
    save_then(
        &state,
        move |conn| esr::save(conn, by, provider_id, &submitted, today, now),
        |()| confirm_then(&req, "ESR declaration saved", format!("/providers/{provider_id}/esr")),
        |errors| show(&state, &req, &user, provider_id, Some((input, errors))),
    )
    .await
}
