//! The sender's side of the outbox: claiming due messages (one sender each, `FOR UPDATE SKIP
//! LOCKED` on PostgreSQL), recording each attempt, marking sent or failed, and the outbox page's
//! list. Written with issue 17's sender (`mail::sender`).
