//! The documents' pages and downloads.

mod comparison;
mod pack;
mod plan;
mod report;

use actix_web::web;

/// The documents' routes, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    comparison::configure(cfg);
    pack::configure(cfg);
    plan::configure(cfg);
    report::configure(cfg);
}
