//! The demo provider's evidence library: filled in below.
