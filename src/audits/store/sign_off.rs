//! (sign_off: to be written.)
