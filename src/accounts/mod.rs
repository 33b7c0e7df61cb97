//! Organisations (providers and commissioners) and the contracts between them. Users, memberships,
//! roles and sign-in build on these.

pub mod access;
pub mod admin;
pub mod demo;
pub mod model;
pub mod routes;
pub mod secrets;
pub mod store;

pub use model::{FieldErrors, NewContract, NewOrganisation, NewUser, OrganisationKind, Role};
