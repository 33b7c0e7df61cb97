//! Live evidence: the standards answered by the provider's own records. A standard names live
//! checks in its catalogue file (`checks = [...]`); each check is a pure function over the
//! provider's records and a day (`rules`), gathered from the other areas' stores (`store::records`).
//! A verdict is kept with the day it changed (`store::verdicts`), a manager's "met" that a failing
//! check contradicts is flagged wherever readiness is shown, only the records or a recorded
//! exception (`store::exceptions`) clear the flag, and a snapshot of what a check saw is kept as a
//! dated evidence item (`store::snapshots`).

pub mod demo;
pub mod model;
pub mod routes;
pub mod rules;
pub mod store;
