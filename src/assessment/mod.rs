//! The SEQOHS self-assessment: the accreditation record and its cycles, the assessment of each
//! standard, findings, assessor requests and the readiness dashboard.

pub mod api;
pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
