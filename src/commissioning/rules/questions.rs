//! The seventeen key questions of the NHS Employers guidance on commissioning OH (seeds/002),
//! answered from one provider's facts.

use crate::commissioning::model::{Answer, ProviderFacts};

/// Every key question answered, in the guidance's order.
pub fn answers(_facts: &ProviderFacts) -> Vec<Answer> {
    Vec::new()
}
