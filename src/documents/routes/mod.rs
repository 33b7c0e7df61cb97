//! The documents' pages and downloads.

mod pack;
mod plan;
mod report;

use actix_web::web;

/// The documents' routes, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    pack::configure(cfg);
    plan::configure(cfg);
    report::configure(cfg);
}
