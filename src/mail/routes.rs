//! (issue 17)
