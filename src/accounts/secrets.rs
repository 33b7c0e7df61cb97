//! Passwords and API tokens: argon2id for passwords, SHA-256 for tokens (they are long and random,
//! so a slow hash adds nothing), and the operating system's random source for both.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};

/// What every API token starts with, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "ohgov_";

/// Set once by [`use_test_hashing_cost`]; never set by the program itself.
static TEST_HASHING_COST: AtomicBool = AtomicBool::new(false);

/// For tests and benchmarks only: every later [`hash_password`] in this process uses argon2's
/// cheapest parameters (8 KiB, one pass) instead of the default. Such hashes are worthless against
/// guessing, so the program never calls this; a test suite that creates hundreds of users does.
/// Hashes made either way verify, since verification reads the parameters from the stored hash.
pub fn use_test_hashing_cost() {
    TEST_HASHING_COST.store(true, Ordering::Relaxed);
}

/// The hasher for new passwords: `Argon2::default()` (argon2id, 19 MiB, two passes), or the
/// cheapest argon2id when `cheap`.
fn hasher(cheap: bool) -> Argon2<'static> {
    if cheap {
        let params = Params::new(Params::MIN_M_COST, Params::MIN_T_COST, Params::MIN_P_COST, None)
            .expect("argon2's minimum parameters are valid");
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    } else {
        Argon2::default()
    }
}

/// Hashes a password with argon2id and a fresh salt (PHC string form).
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let hasher = hasher(TEST_HASHING_COST.load(Ordering::Relaxed));
    Ok(hasher.hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether a password matches a stored hash. A malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A password for someone who was not asked for one: 20 characters from an alphabet without
/// look-alikes (about 115 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    OsRng.fill_bytes(&mut bytes);
    // 256 is not a multiple of 56; the bias this leaves is negligible for a 20-character password.
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// A new API token (shown once) and the hash that is stored.
pub fn generate_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let stored = token_sha256(&token);
    (token, stored)
}

/// The stored form of a token.
pub fn token_sha256(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery staple").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple", &hash));
        assert!(!verify_password("Correct horse battery staple", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(hash, hash_password("correct horse battery staple").unwrap(), "salted");
    }

    #[test]
    fn the_default_cost_is_argon2s_and_the_test_cost_still_verifies() {
        let salt = SaltString::generate(&mut OsRng);
        let normal = hasher(false).hash_password(b"a long enough passphrase", &salt).unwrap().to_string();
        assert!(normal.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{normal}");
        let cheap = hasher(true).hash_password(b"a long enough passphrase", &salt).unwrap().to_string();
        assert!(cheap.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{cheap}");
        assert!(verify_password("a long enough passphrase", &cheap));
        assert!(!verify_password("another passphrase", &cheap));
    }

    #[test]
    fn generated_secrets_are_long_and_different() {
        let (a, b) = (generate_password(), generate_password());
        assert_eq!(a.len(), 20);
        assert_ne!(a, b);
        let (token, stored) = generate_token();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(stored, token_sha256(&token));
        assert_ne!(stored, token);
    }
}
