//! A provider's row in a commissioner's comparison, and the problems a commissioner filters by.
