//! The audit programme's part of the fictional demo service. (Written below.)
