//! `POST /providers/{id}/assessment/{reference}/snapshot`: a snapshot of the records each of the
//! standard's live checks reads, kept as dated evidence, for whoever may add evidence.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use crate::accounts::access::Capability;
use crate::accounts::guard::authorize;
use crate::accounts::session::CurrentUser;
use crate::db::ProviderId;
use crate::live::store::snapshots::{self, Taken};
use crate::web::form::{confirm_then, save_then, Form, NoFields};
use crate::web::{AppError, AppState};

/// The snapshot's route, for `live::routes::configure`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/assessment/{reference}/snapshot", web::post().to(take));
}

/// The confirmation, in words: "Snapshot of the records taken for RP1: professional registrations
/// as of 2 December 2026"; a check already taken today with the same records is said to be so.
pub fn confirmation(reference: &str, taken: &[Taken], today: NaiveDate) -> String {
    let subjects = |new: bool| -> Vec<&str> {
        taken.iter().filter(|t| t.new_version == new).map(|t| snapshots::subject(t.check)).collect()
    };
    let (new, same) = (subjects(true), subjects(false));
    let day = snapshots::day_words(today);
    let mut said = Vec::new();
    if !new.is_empty() {
        let noun = if new.len() == 1 { "Snapshot" } else { "Snapshots" };
        said.push(format!("{noun} of the records taken for {reference}: {} as of {day}", crate::words::listed(&new)));
    }
    if !same.is_empty() {
        let lead = if new.is_empty() { format!("The records for {reference} have") } else { "The rest have".into() };
        said.push(format!(
            "{lead} not changed since today's snapshot, which is kept: {} as of {day}",
            crate::words::listed(&same)
        ));
    }
    said.join(". ")
}

/// Takes the snapshots, then back to the standard's evidence with what was kept, in words.
async fn take(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, String)>,
    Form(_): Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, reference) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Manage).await?;
    let (by, today) = (user.id, state.today());
    let standard = format!("/providers/{provider_id}/assessment/{reference}");
    let asked = reference.clone();
    save_then(
        &state,
        move |conn| snapshots::take_for_standard(conn, Some(by), provider_id, &asked, today),
        |taken| confirm_then(&req, confirmation(&reference, &taken, today), format!("{standard}#evidence")),
        // The form has no fields to refuse; a refusal of the store's is a fault.
        |errors| async move { Err(AppError::Internal(format!("snapshot refused: {errors}"))) },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::model::LiveCheck;
    use crate::live::model::Verdict;

    fn taken(check: LiveCheck, new_version: bool) -> Taken {
        Taken {
            check,
            item_id: 1,
            title: String::new(),
            verdict: Verdict::Holds,
            summary: String::new(),
            standards: vec!["RP1".into()],
            new_version,
        }
    }

    #[test]
    fn the_confirmation_says_what_was_kept_and_as_of_when() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).expect("date");
        assert_eq!(
            confirmation("RP1", &[taken(LiveCheck::RegistrationsCurrent, true)], day),
            "Snapshot of the records taken for RP1: professional registrations as of 2 December 2026"
        );
        let two = [taken(LiveCheck::RegistrationsCurrent, true), taken(LiveCheck::CpdOnTrack, true)];
        assert!(confirmation("RP3", &two, day)
            .starts_with("Snapshots of the records taken for RP3: professional registrations and CPD of clinicians"));
        assert_eq!(
            confirmation("RP1", &[taken(LiveCheck::RegistrationsCurrent, false)], day),
            "The records for RP1 have not changed since today's snapshot, which is kept: professional registrations \
             as of 2 December 2026"
        );
    }
}
