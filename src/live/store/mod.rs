//! The live area's store, by subject: the records the checks read (`records`), the verdicts kept
//! with the day they changed (`verdicts`), exceptions (`exceptions`) and snapshots (`snapshots`).

pub mod exceptions;
pub mod records;
pub mod snapshots;
pub mod verdicts;
