//! Who may download which document.

use crate::accounts::access::Capability;

/// The evidence pack goes to everyone who works with the provider, and to its commissioners only
/// when the provider shares it with them.
pub fn pack_needs(shared_with_commissioners: bool) -> Capability {
    if shared_with_commissioners {
        Capability::ReadAssessment
    } else {
        Capability::ReadUnpublished
    }
}
