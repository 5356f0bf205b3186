//! Password hashing with argon2id (PHC strings) and generated passwords.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use thiserror::Error;

/// Hashing failed (no OS randomness, or a stored hash is not a PHC string).
#[derive(Debug, Error)]
#[error("password hashing failed: {0}")]
pub struct PasswordError(String);

/// Hashes a password with argon2id (v19, default parameters: 19 MiB, 2 passes) and a
/// random salt, giving a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
///
/// ```
/// let h = sitegroup_core::password::hash_password("正确的马电池订书钉").unwrap();
/// assert!(h.starts_with("$argon2id$"));
/// assert!(sitegroup_core::password::verify_password("正确的马电池订书钉", &h));
/// assert!(!sitegroup_core::password::verify_password("wrong", &h));
/// ```
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError(e.to_string()))
}

/// Checks a password against a stored PHC string; a malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Fills `buf` with OS randomness.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), PasswordError> {
    getrandom::fill(buf).map_err(|e| PasswordError(e.to_string()))
}

/// Generates a 16-character password from an alphabet without look-alikes
/// (no `0/O`, `1/l/I`), easy to read out over the phone.
pub fn generate_password() -> Result<String, PasswordError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(16);
    let mut buf = [0u8; 64];
    while out.len() < 16 {
        random_bytes(&mut buf)?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % ALPHABET.len());
        for b in buf.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() == 16 {
                break;
            }
            out.push(char::from(ALPHABET[b % ALPHABET.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generated_passwords_are_distinct_and_pass_strength() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(crate::user::check_password_strength("admin", &a).is_ok());
        assert!(!verify_password("x", "not a phc string"));
    }
}
