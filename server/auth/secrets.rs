//! Random secrets and their stored form: tokens are shown once and stored as SHA-256.

use std::io::Write;
use std::path::Path;

use actix_web::cookie::Key;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's CSPRNG (through the thread-local generator).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe random token with 256 bits of entropy and a recognisable prefix
/// (`agora_pat_…`), so a leaked token is easy to spot in logs and code.
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()))
}

/// The hex SHA-256 of a secret, as stored in the database.
pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key that signs and encrypts session cookies: from the `secret_key` setting (needed
/// when several nodes serve one database), else from `<data_dir>/secret.key`, created with
/// owner-only permissions on first start.
pub fn cookie_key(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<Key> {
    let encoded = match configured {
        Some(value) => value.trim().to_owned(),
        None => key_file(&data_dir.join("secret.key"))?,
    };
    let bytes = STANDARD.decode(&encoded).map_err(|e| anyhow::anyhow!("secret_key is not base64: {e}"))?;
    Key::try_from(bytes.as_slice()).map_err(|_| anyhow::anyhow!("secret_key must hold at least 64 bytes"))
}

fn key_file(path: &Path) -> anyhow::Result<String> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return Ok(existing.trim().to_owned());
    }
    let encoded = STANDARD.encode(random_bytes::<64>());
    let mut file = owner_only(path).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
    file.write_all(encoded.as_bytes())?;
    Ok(encoded)
}

#[cfg(unix)]
fn owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let t = new_token("agora_pat_");
        assert!(t.starts_with("agora_pat_") && t.len() > 50);
        assert_ne!(t, new_token("agora_pat_"));
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"diff"));
        assert!(!constant_time_eq(b"same", b"longer"));
    }
}
