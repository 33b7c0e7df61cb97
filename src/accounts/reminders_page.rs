//! `/account/reminders`: each signed-in person chooses the reminders they get (a box per kind, all
//! ticked until turned off) and, for a manager, the weekly digest instead of single messages.
//! Sign-off requests and account messages are listed as always sent. The choices are kept by
//! [`super::reminders`].

use std::future::ready;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::reminders::{self, Choices, ChoicesInput};
use crate::accounts::session::CurrentUser;
use crate::form::FieldErrors;
use crate::outbox::ReminderKind;
use crate::web::form::{confirm_then, save_then, status_for, Form};
use crate::web::{render_status, with_conn, AppError, AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account/reminders", web::get().to(page)).route("/account/reminders", web::post().to(save));
}

/// One box on the page.
#[derive(Debug, Serialize)]
struct Choice {
    code: &'static str,
    label: &'static str,
    on: bool,
}

fn context(choices: &Choices, manager: bool, errors: &FieldErrors) -> tera::Context {
    let boxes: Vec<Choice> = ReminderKind::ALL
        .iter()
        .map(|kind| Choice { code: kind.as_str(), label: kind.label(), on: choices.wants(*kind) })
        .collect();
    let mut context = tera::Context::new();
    context.insert("choices", &boxes);
    context.insert("digest", &choices.digest);
    context.insert("manager", &manager);
    context.insert("errors", &errors.0);
    context
}

/// The form as sent, shown again with its problems: the boxes as the person left them.
fn as_sent(input: &ChoicesInput) -> Choices {
    let kept: Vec<ReminderKind> = input.reminders.iter().filter_map(|c| ReminderKind::parse(c)).collect();
    Choices {
        turned_off: ReminderKind::ALL.iter().copied().filter(|k| !kept.contains(k)).collect(),
        digest: matches!(input.digest.trim(), "yes" | "on" | "true"),
    }
}

async fn page(state: web::Data<AppState>, req: HttpRequest, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let (id, today) = (user.id, state.today());
    let (choices, manager) =
        with_conn(&state, move |conn| Ok((reminders::choices_of(conn, id)?, reminders::is_manager(conn, id, today)?)))
            .await?;
    let errors = FieldErrors::default();
    render_status(&state, &req, "accounts/reminders.html", context(&choices, manager, &errors), status_for(&errors))
}

/// `POST /account/reminders`: saves the choices with a history row; a kind outside the list, or
/// the digest chosen by someone who is not a manager, is refused at its field.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    Form(form): Form<ChoicesInput>,
) -> Result<HttpResponse, AppError> {
    let (id, today, now) = (user.id, state.today(), state.now().naive_utc());
    let shown = as_sent(&form);
    let manager = with_conn(&state, move |conn| Ok(reminders::is_manager(conn, id, today)?)).await?;
    save_then(
        &state,
        move |conn| reminders::save(conn, id, &form, today, now),
        |saved| confirm_then(&req, reminders::saved_words(&saved, manager), "/account/reminders"),
        |errors| {
            let context = context(&shown, manager, &errors);
            ready(render_status(&state, &req, "accounts/reminders.html", context, status_for(&errors)))
        },
    )
    .await
}
