//! Organisations (providers and commissioners) and the contracts between them. Users, memberships,
//! roles and sign-in build on these.

pub mod access;
pub mod admin;
pub mod api;
pub mod demo;
pub mod guard;
pub mod link_routes;
pub mod links;
pub mod model;
pub mod notices;
pub mod reminders;
pub mod reminders_page;
pub mod routes;
pub mod secrets;
pub mod session;
pub mod store;

pub use model::{NewContract, NewOrganisation, NewUser, OrganisationKind, Role};
