//! Service coverage: how each of the six NHS core services and ten sub-specialisms reaches the
//! provider's staff, and whether that cover holds today.

pub mod api;
pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
