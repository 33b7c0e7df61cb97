//! The evidence library: documents, links and notes, each version kept, files stored once by
//! their SHA-256, linked to the standards (and later the services) they show.

pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
