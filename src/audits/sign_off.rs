//! The clinical director's sign-off, decided without the database: the canonical snapshot of a plan, its hash, and what changed between two snapshots. (To be written.)
