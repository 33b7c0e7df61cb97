//! Email (issue 17): the transport (SMTP through lettre, or `.eml` files when no server is
//! configured), the sender that drains the outbox, the daily reminders, and the outbox page.
//! The outbox itself is `crate::outbox`, low enough that every store can queue a message in its
//! own transaction; this module reads many areas, so it sits with the outputs.

pub mod reminders;
pub mod routes;
pub mod sender;
pub mod transport;
