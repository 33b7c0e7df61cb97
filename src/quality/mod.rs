//! Quality indicators (issue 13): the values each provider records for the KPIs of
//! `standards/kpis.toml` (MoHaWK, service KPIs, Growing OH's outcome and leading measures), by hand
//! or from a CSV file, judged against the provider's own target or the definition's default, and
//! drawn over time as an SVG chart with its figures as a table.

pub mod api;
pub mod chart;
pub mod demo;
pub mod import;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
