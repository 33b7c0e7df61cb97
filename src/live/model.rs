//! What a live check judges (the provider's records on a day) and what it answers.

use serde::Serialize;

pub use crate::assessment::model::Verdict;
pub use crate::assessment::rules::LiveFact;
use crate::catalogue::model::LiveCheck;

/// One check's answer on one day: the verdict, the facts behind it, and the table it read, which a
/// snapshot keeps as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub check: LiveCheck,
    pub verdict: Verdict,
    /// The facts in one line, in the field's words: "2 registrations expired: S003, S009" when it
    /// fails, "All 14 registrations are current" when it holds, what is missing when the records
    /// cannot say.
    pub summary: String,
    /// The facts behind the verdict, each linking to its record: for a failing check, each failing
    /// record; for a holding one, what it rests on.
    pub facts: Vec<LiveFact>,
    /// Everything the check read, as a table.
    pub seen: Seen,
}

/// The records a check read, as a table with a title: what a snapshot keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// "Professional registrations of the clinicians in post".
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}
