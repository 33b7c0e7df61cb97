//! (actions: to be written.)
