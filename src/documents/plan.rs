//! (Issue 14: written here.)
