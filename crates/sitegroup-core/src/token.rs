//! Signed, expiring session tokens (HMAC-SHA256) for hosts that want stateless sessions.
//!
//! A token reads `v1.<user>.<epoch>.<expires>.<nonce>.<signature>`; the signature covers
//! everything before it. `epoch` is the user's session epoch: raising it (password
//! change, "log out everywhere") invalidates every token issued before.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use crate::ids::UserId;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    /// Not a token of ours, or tampered with.
    #[error("invalid session token")]
    Invalid,
    /// Signed by us but past its expiry.
    #[error("session expired")]
    Expired,
    /// The signing key is too short.
    #[error("signing key must be at least 32 bytes")]
    WeakKey,
}

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// The user.
    pub user: UserId,
    /// The user's session epoch when the token was issued.
    pub epoch: i64,
    /// Expiry, unix seconds.
    pub expires_at: i64,
}

/// Signs and checks tokens with one secret key.
#[derive(Clone)]
pub struct TokenSigner {
    key: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

impl TokenSigner {
    /// A signer with `key` (at least 32 bytes of secret randomness).
    pub fn new(key: &[u8]) -> Result<TokenSigner, TokenError> {
        if key.len() < 32 {
            return Err(TokenError::WeakKey);
        }
        Ok(TokenSigner { key: key.to_vec() })
    }

    fn mac(&self, body: &str) -> Result<HmacSha256, TokenError> {
        let mut mac = HmacSha256::new_from_slice(&self.key).map_err(|_| TokenError::WeakKey)?;
        mac.update(body.as_bytes());
        Ok(mac)
    }

    /// Issues a token. `nonce` makes two tokens of the same second differ.
    ///
    /// ```
    /// use sitegroup_core::token::{TokenSigner, TokenClaims, TokenError};
    /// use sitegroup_core::UserId;
    /// let s = TokenSigner::new(&[7u8; 32]).unwrap();
    /// let claims = TokenClaims { user: UserId(3), epoch: 0, expires_at: 2000 };
    /// let t = s.sign(&claims, &[1, 2, 3]).unwrap();
    /// assert_eq!(s.verify(&t, 1999), Ok(claims));
    /// assert_eq!(s.verify(&t, 2000), Err(TokenError::Expired));
    /// assert_eq!(s.verify(&t.replace(".3.", ".4."), 1000), Err(TokenError::Invalid));
    /// ```
    pub fn sign(&self, claims: &TokenClaims, nonce: &[u8]) -> Result<String, TokenError> {
        let body =
            format!("v1.{}.{}.{}.{}", claims.user.0, claims.epoch, claims.expires_at, URL_SAFE_NO_PAD.encode(nonce));
        let sig = self.mac(&body)?.finalize().into_bytes();
        Ok(format!("{body}.{}", URL_SAFE_NO_PAD.encode(sig)))
    }

    /// Checks the signature (in constant time) and the expiry against `now`.
    pub fn verify(&self, token: &str, now: i64) -> Result<TokenClaims, TokenError> {
        let (body, sig) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| TokenError::Invalid)?;
        self.mac(body)?.verify_slice(&sig).map_err(|_| TokenError::Invalid)?;
        let parts: Vec<&str> = body.split('.').collect();
        let [version, user, epoch, expires, _nonce] = parts.as_slice() else {
            return Err(TokenError::Invalid);
        };
        if *version != "v1" {
            return Err(TokenError::Invalid);
        }
        let num = |s: &str| s.parse::<i64>().map_err(|_| TokenError::Invalid);
        let claims = TokenClaims { user: UserId(num(user)?), epoch: num(epoch)?, expires_at: num(expires)? };
        if now >= claims.expires_at {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}
