//! The facts of many providers at once, in set-based queries, and their keeping per day.
