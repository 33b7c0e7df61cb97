//! Customer reviews between a provider and a commissioner: recording, confirming, listing.
