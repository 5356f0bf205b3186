//! 查询码 (query codes) and their secrets: how a writer follows a ticket without an account.
//!
//! A code is 12 characters from a 32-letter alphabet without look-alikes (no `0 O 1 I`),
//! 60 random bits, unique by index. The secret is 8 characters of the same alphabet
//! (40 bits) and is stored only as `sha256(salt ‖ secret)` with a per-ticket random salt:
//! argon2 would cost a second per submission, and a 40-bit random secret does not need
//! key stretching against guessing when lookups are rate limited. Comparison is in
//! constant time. Typing is forgiving: lowercase, spaces and hyphens are accepted.

use sha2::{Digest, Sha256};

/// The alphabet: digits 2–9 and A–Z without I and O.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Length of a query code.
pub const CODE_LEN: usize = 12;
/// Length of a secret.
pub const SECRET_LEN: usize = 8;

fn random_string(len: usize) -> Result<String, String> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes.iter().map(|b| char::from(ALPHABET[usize::from(b & 31)])).collect())
}

/// A fresh random query code.
pub fn new_code() -> Result<String, String> {
    random_string(CODE_LEN)
}

/// A fresh secret with its salt (hex) and hash (hex).
pub fn new_secret() -> Result<(String, String, String), String> {
    let secret = random_string(SECRET_LEN)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = hex(&salt);
    let hash = hash_secret(&salt, &secret);
    Ok((secret, salt, hash))
}

/// Normalises what a writer typed: uppercase, without spaces and hyphens.
pub fn normalize(typed: &str) -> String {
    typed.chars().filter(|c| !matches!(c, ' ' | '-' | '　')).flat_map(char::to_uppercase).collect()
}

/// `sha256(salt ‖ normalised secret)`, hex.
pub fn hash_secret(salt: &str, secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(normalize(secret).as_bytes());
    hex(&h.finalize())
}

/// Whether `typed` matches the stored hash (constant time in the hash length).
pub fn verify(salt: &str, stored_hash: &str, typed: &str) -> bool {
    let computed = hash_secret(salt, typed);
    let (a, b) = (computed.as_bytes(), stored_hash.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_secrets() {
        let code = new_code().unwrap();
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        assert!(!code.contains(['0', 'O', '1', 'I']));
        let (secret, salt, hash) = new_secret().unwrap();
        assert!(verify(&salt, &hash, &secret));
        assert!(verify(&salt, &hash, &format!(" {}-{} ", &secret[..4], &secret[4..]).to_lowercase()));
        assert!(!verify(&salt, &hash, "WRONGWRO"));
        assert!(!verify("other", &hash, &secret));
        assert_ne!(new_code().unwrap(), new_code().unwrap());
    }
}
