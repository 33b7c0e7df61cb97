//! Pure decisions over [`super::model::ProviderFacts`], split by subject: `questions` (the key
//! questions' answers), `comparison` (a comparison row's figures and the problems a commissioner
//! filters by) and `reviews` (when a customer review is due).

pub mod comparison;
pub mod questions;
pub mod reviews;
