//! (plans: to be written.)
