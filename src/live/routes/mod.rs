//! The live area's pages, by subject.

use actix_web::web;

pub mod exceptions;
pub mod snapshots;

/// The live area's pages, for `lib::app`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    exceptions::configure(cfg);
    snapshots::configure(cfg);
}
