//! The commissioning area's pages, split by subject: `home` (a commissioner's providers side by
//! side, its exports and its API), `questions` (a provider's key questions answered), `reviews`
//! (customer reviews) and `esr` (the ESR declaration).

use std::collections::HashMap;

use actix_web::{web, HttpRequest};
use chrono::NaiveDate;
use diesel::QueryResult;

use crate::db::{DbConnection, ProviderId};
use crate::web::AppError;

mod esr;
mod home;
mod questions;
mod reviews;

/// The area's routes, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    home::configure(cfg);
    questions::configure(cfg);
    reviews::configure(cfg);
    esr::configure(cfg);
}

/// The standards each of many providers marked met that its own records contradict, as
/// references by provider, as of a day: the `live` area judges them, and this area may not import
/// it, so `lib::app` hands it in (as `assessment::routes::LiveChecks`).
pub type ContradictionsFn =
    fn(&mut DbConnection, &[ProviderId], NaiveDate) -> QueryResult<HashMap<ProviderId, Vec<String>>>;

/// The judge of contradicted standards `lib::app` registers for the commissioner's pages.
#[derive(Clone, Copy)]
pub struct Contradictions(pub ContradictionsFn);

/// The judge `lib::app` registered.
fn contradictions(req: &HttpRequest) -> Result<ContradictionsFn, AppError> {
    req.app_data::<web::Data<Contradictions>>()
        .map(|judge| judge.0)
        .ok_or_else(|| AppError::Internal("no contradictions judge registered".into()))
}
