//! `/providers/{id}/customer-reviews`: the six-monthly customer reviews between a provider and its
//! commissioners, when the next is due with each, recording one, and confirming one the other
//! side recorded.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::accounts::access::Capability;
use crate::accounts::guard::{authorize, provider_page};
use crate::accounts::session::CurrentUser;
use crate::commissioning::model::{ReviewInput, ReviewSide};
use crate::commissioning::store::reviews::{self, ReviewSort, Standing};
use crate::db::{ProviderId, StoreError};
use crate::form::FieldErrors;
use crate::web::form::{confirm_then, save_then, status_for, Form, NoFields};
use crate::web::list::ListQuery;
use crate::web::{render, render_status, with_conn, AppError, AppState};

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/providers/{provider_id}/customer-reviews", web::get().to(list))
        .route("/providers/{provider_id}/customer-reviews", web::post().to(record))
        .route("/providers/{provider_id}/customer-reviews/new", web::get().to(new_form))
        .route("/providers/{provider_id}/customer-reviews/{review_id}", web::get().to(show))
        .route("/providers/{provider_id}/customer-reviews/{review_id}/confirm", web::post().to(confirm));
}

crate::sort_keys!(
    ReviewSort,
    default HeldOn,
    descending first [HeldOn],
    HeldOn => "held_on",
    Confirmed => "confirmed",
);

/// The list's sortable columns, with their headers.
const COLUMNS: [(ReviewSort, &str); 2] = [(ReviewSort::HeldOn, "Held on"), (ReviewSort::Confirmed, "Confirmed")];

/// Where the signed-in user stands towards the provider's reviews; someone the access rule let
/// through always stands somewhere, so none is a 404 like any provider they cannot see.
async fn standing_of(state: &AppState, user: &CurrentUser, provider_id: ProviderId) -> Result<Standing, AppError> {
    let (user_id, today) = (user.id, state.today());
    with_conn(state, move |conn| Ok(reviews::standing(conn, user_id, provider_id, today)?))
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /providers/{id}/customer-reviews`: each current commissioner with its last confirmed
/// review and the next due (overdue said plainly), then the reviews, searched, sorted and paged.
/// A commissioner sees only its own.
async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    let standing = standing_of(&state, &user, provider_id).await?;
    let (mut context, _) = provider_page(&state, &user, provider_id).await?;
    let today = state.today();
    let query: ListQuery<ReviewSort> = ListQuery::parse(req.query_string());
    let (search, sort, dir, page) = (query.q.clone(), query.sort, query.dir, query.page);
    let (status, lines) = with_conn(&state, move |conn| {
        Ok((
            reviews::by_commissioner(conn, provider_id, Some(&standing), today)?,
            reviews::list(conn, provider_id, &standing, &search, sort, dir, page)?,
        ))
    })
    .await?;
    let path = format!("/providers/{provider_id}/customer-reviews");
    context.insert("list", &query.view(&path, &COLUMNS, &lines));
    context.insert("reviews", &lines.rows);
    context.insert("commissioners", &status);
    render(&state, &req, "commissioning/reviews.html", context)
}

/// Shows the form to record a review: a commissioner's people record with their own
/// organisation; the provider's people choose among the commissioners with a current contract.
async fn show_form(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    input: ReviewInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let standing = standing_of(state, user, provider_id).await?;
    let today = state.today();
    let (mut context, _) = provider_page(state, user, provider_id).await?;
    let choices =
        with_conn(state, move |conn| Ok(reviews::by_commissioner(conn, provider_id, Some(&standing), today)?)).await?;
    let choices: Vec<(String, String)> = choices.into_iter().map(|c| (c.commissioner_id.to_string(), c.name)).collect();
    context.insert("choices", &choices);
    context.insert("form", &input);
    context.insert("errors", &errors.0);
    render_status(state, req, "commissioning/review_form.html", context, status_for(&errors))
}

/// `GET /providers/{id}/customer-reviews/new`.
async fn new_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReviewService).await?;
    let input = ReviewInput { held_on: crate::form::form_date(state.today()), ..Default::default() };
    show_form(&state, &req, &user, provider_id, input, FieldErrors::default()).await
}

/// `POST /providers/{id}/customer-reviews`: records a review on the recorder's side; someone of
/// the other side confirms it. Nothing is written if anything is wrong.
async fn record(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<ProviderId>,
    Form(input): Form<ReviewInput>,
) -> Result<HttpResponse, AppError> {
    let provider_id = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReviewService).await?;
    let standing = standing_of(&state, &user, provider_id).await?;
    let (by, today, now, submitted) = (user.id, state.today(), state.now().naive_utc(), input.clone());
    save_then(
        &state,
        move |conn| reviews::record(conn, by, provider_id, &standing, &submitted, today, now),
        |id| {
            confirm_then(
                &req,
                "Customer review recorded: the other side confirms it",
                format!("/providers/{provider_id}/customer-reviews/{id}"),
            )
        },
        |errors| show_form(&state, &req, &user, provider_id, input, errors),
    )
    .await
}

/// `GET /providers/{id}/customer-reviews/{review_id}`: one review, who recorded and confirmed it,
/// and the confirm button for someone of the other side who may review the service.
async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, review_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::Read).await?;
    show_review(&state, &req, &user, provider_id, review_id, None).await
}

/// The review's page; `refused` is why a confirmation was refused, shown on it with 409.
async fn show_review(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    provider_id: ProviderId,
    review_id: i32,
    refused: Option<String>,
) -> Result<HttpResponse, AppError> {
    let standing = standing_of(state, user, provider_id).await?;
    let (mut context, can) = provider_page(state, user, provider_id).await?;
    let side = standing.side;
    let found = with_conn(state, move |conn| Ok(reviews::one(conn, provider_id, &standing, review_id)?)).await?;
    let (review, confirmed_by) = found.ok_or(AppError::NotFound)?;
    let may_confirm = can.review_service && review.review.confirmed_at.is_none() && review.review.recorded_side != side;
    let recorded_side = review.review.recorded_side;
    context.insert("review", &review);
    context.insert("confirmed_by", &confirmed_by);
    context.insert("may_confirm", &may_confirm);
    context.insert("same_side", &(recorded_side == side));
    context.insert("other_side", &other(recorded_side).label());
    context.insert("refused", &refused);
    let status = if refused.is_some() { StatusCode::CONFLICT } else { StatusCode::OK };
    render_status(state, req, "commissioning/review.html", context, status)
}

/// The side that confirms what `side` recorded.
fn other(side: ReviewSide) -> ReviewSide {
    match side {
        ReviewSide::Provider => ReviewSide::Commissioner,
        ReviewSide::Commissioner => ReviewSide::Provider,
    }
}

/// `POST /providers/{id}/customer-reviews/{review_id}/confirm`: someone of the other side
/// confirms the review; the same side, or a second confirmation, is refused (409) with the reason
/// on the review's page. Nothing is written then.
async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(ProviderId, i32)>,
    Form(_): Form<NoFields>,
) -> Result<HttpResponse, AppError> {
    let (provider_id, review_id) = path.into_inner();
    authorize(&state, &user, provider_id, Capability::ReviewService).await?;
    let standing = standing_of(&state, &user, provider_id).await?;
    let (by, now) = (user.id, state.now().naive_utc());
    let outcome =
        with_conn(&state, move |conn| match reviews::confirm(conn, by, provider_id, &standing, review_id, now) {
            Err(StoreError::Conflict(why)) => Ok(Err(why)),
            other => Ok(Ok(other?)),
        })
        .await?;
    match outcome {
        Ok(()) => Ok(confirm_then(
            &req,
            "Customer review confirmed",
            format!("/providers/{provider_id}/customer-reviews/{review_id}"),
        )),
        // Refused with its reason on the review's own page (409), as the audit plan's copy is.
        Err(why) => show_review(&state, &req, &user, provider_id, review_id, Some(why)).await,
    }
}
