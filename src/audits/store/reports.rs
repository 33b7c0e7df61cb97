//! (reports: to be written.)
