//! Workforce: staff and their registration, revalidation and appraisal, CPD, clinical supervision,
//! and the rules that judge each person's compliance.

pub mod api;
pub mod cpd_file;
pub mod demo;
pub mod import;
pub mod mapping;
pub mod mapping_routes;
pub mod mapping_store;
pub mod model;
pub mod reader;
pub mod routes;
pub mod rules;
pub mod store;
