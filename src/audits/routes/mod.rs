//! The audit programme's pages and its JSON, split by subject like the store.

use actix_web::web;

mod actions;
mod audits;
mod plans;
mod reports;
mod sign_off;

pub fn configure(cfg: &mut web::ServiceConfig) {
    plans::configure(cfg);
    audits::configure(cfg);
    actions::configure(cfg);
    reports::configure(cfg);
    sign_off::configure(cfg);
}
