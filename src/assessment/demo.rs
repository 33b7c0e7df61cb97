//! The demo provider's self-assessment: filled in below.
