//! The documents' pages and downloads.

mod pack;
mod plan;
mod report;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    plan::configure(cfg);
}
