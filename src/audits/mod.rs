//! The annual audit programme: each provider's audit plan for an NHS financial year, its audits
//! with their criteria and results, the actions they lead to, periodic progress reports, and the
//! clinical director's sign-off that freezes what was signed.
//!
//! The area is larger than the others, so its store and routes are split by subject (`plans`,
//! `actions`, `reports`, `sign_off`) behind one `store` and one `routes` module.

pub mod api;
pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod sign_off;
pub mod store;
