//! The commissioning area's store, split by subject: `facts` (the set-based gathering of many
//! providers' facts, and their keeping in `provider_figures`), `reviews` (customer reviews) and
//! `esr` (the ESR declaration).

pub mod esr;
pub mod facts;
pub mod reviews;
