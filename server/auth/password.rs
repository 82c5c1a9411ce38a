//! Argon2id password hashes with the crate's defaults, which are OWASP's recommendation
//! (19 MiB, 2 passes, 1 lane). Callers run these in a blocking thread.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::encode_b64(&super::secrets::random_bytes::<16>())
        .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))
}

/// Checks a password against a stored hash. With no hash (unknown email, account without a
/// password) it verifies against a dummy hash, so the answer takes the same time either way
/// and response times do not reveal which emails have accounts.
pub fn verify(stored: Option<&str>, password: &str) -> bool {
    let (encoded, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(encoded) else {
        return false;
    };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && real
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("agora dummy password for timing").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = super::hash("correct horse battery").unwrap();
        let b = super::hash("correct horse battery").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(super::verify(Some(&a), "correct horse battery"));
        assert!(!super::verify(Some(&a), "wrong horse battery"));
        assert!(!super::verify(None, "agora dummy password for timing"));
    }
}
