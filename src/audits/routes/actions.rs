//! `/providers/{id}/audit-actions/{action_id}`: an action from an audit, and marking it done,
//! dropped or open again. Its owner may (a clinician updating their own action), and managers.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page, Permissions};
use crate::accounts::session::CurrentUser;
use crate::audits::model::{ActionStatus, ActionUpdateInput};
use crate::audits::store::actions::{self, ActionRecord};
use crate::db::{ProviderId, UserId};
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/audit-actions/{action_id}", web::get().to(action_page))
        .route("/providers/{provider_id}/audit-actions/{action_id}", web::post().to(update));
}

/// Whether the user may close or reopen the action: a manager, or its owner where they may edit
/// their own records.
fn may_update(can: &Permissions, action: &ActionRecord, user: UserId) -> bool {
    can.manage || (can.edit_own_records && action.owner_id == user)
}

async fn show_action(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    action_id: i32,
    form: Option<ActionUpdateInput>,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let today = state.today();
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let action =
        with_conn(state, move |conn| actions::action(conn, provider_id, action_id, today)?.ok_or(AppError::NotFound))
            .await?;
    let form = form.unwrap_or_else(|| ActionUpdateInput {
        status: match action.status {
            ActionStatus::Open => ActionStatus::Done.as_str().into(),
            other => other.as_str().into(),
        },
        completion_note: action.completion_note.clone().unwrap_or_default(),
        drop_reason: action.drop_reason.clone().unwrap_or_default(),
    });
    context.insert("may_update", &may_update(&can, &action, user.id));
    context.insert("named", &can.read_staff);
    context.insert("action", &action);
    context.insert("form", &form);
    context.insert("statuses", &ActionStatus::options());
    context.insert("errors", &errors.0);
    render_status(state, req, "audits/action.html", context, status_for(&errors))
}

/// `GET /providers/{id}/audit-actions/{action_id}`.
async fn action_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, action_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    show_action(&state, &req, &user, provider_id, action_id, None, FieldErrors::default()).await
}

/// `POST /providers/{id}/audit-actions/{action_id}`: done with a note, dropped with a reason, or
/// open again. Anyone else who may read it is refused (403).
async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(input): Form<ActionUpdateInput>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, action_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReadAssessment).await?;
    let today = state.today();
    let can = crate::accounts::guard::permissions(&state, &user, provider_id).await?;
    let action =
        with_conn(&state, move |conn| actions::action(conn, provider_id, action_id, today)?.ok_or(AppError::NotFound))
            .await?;
    if !may_update(&can, &action, user.id) {
        return Err(AppError::Forbidden);
    }
    let (by, submitted) = (user.id, input.clone());
    save_then(
        &state,
        move |conn| actions::update_action(conn, Some(by), provider_id, action_id, &submitted.parse()?, today),
        |said| confirm_then(&req, said, format!("/providers/{provider_id}/audit-actions/{action_id}")),
        |errors| show_action(&state, &req, &user, provider_id, action_id, Some(input), errors),
    )
    .await
}
