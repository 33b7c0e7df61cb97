//! The commissioner's view: every provider a commissioner pays, side by side, and the seventeen key
//! questions of the NHS Employers guidance on commissioning OH (seeds/002) answered from each
//! provider's own records; the six-monthly customer reviews between a provider and a commissioner;
//! and the provider's declaration of its exchange with ESR.
//!
//! It reads every other area through its store, so it sits above them all. The figures of many
//! providers are gathered with set-based queries (`store::facts`), never one query per provider,
//! and kept per provider and day in `provider_figures` until the audit trail shows a change.

pub mod api;
pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
