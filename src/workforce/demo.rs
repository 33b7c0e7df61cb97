//! The demo provider's workforce: filled below.
