//! The commissioning area's pages, split by subject: `home` (a commissioner's providers side by
//! side, its exports and its API), `questions` (a provider's key questions answered), `reviews`
//! (customer reviews) and `esr` (the ESR declaration).

use actix_web::web;

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
