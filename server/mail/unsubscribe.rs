//! Signed unsubscribe links: `<user>.<scope>.<HMAC>` (scope: a notification kind, or `all`),
//! so a link works without signing in and cannot be made for someone else. Using one twice
//! changes nothing the first use did not.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::notify::Kind;

/// What a link turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One kind of notification mail.
    Kind(Kind),
    /// Every notification mail and the digest.
    All,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::Kind(kind) => kind.as_str(),
            Self::All => "all",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        if text == "all" { Some(Self::All) } else { Kind::parse(text).map(Self::Kind) }
    }
}

/// Signs and checks unsubscribe tokens with a key derived from the site's secret.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    /// A signer keyed by the cookie key's signing half (shared by every node).
    pub fn new(key: &actix_web::cookie::Key) -> Self {
        Self { key: key.signing().to_vec() }
    }

    fn mac(&self, user_id: i64, scope: Scope) -> Hmac<Sha256> {
        // new_from_slice accepts keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(format!("agora-unsubscribe\0{user_id}\0{}", scope.as_str()).as_bytes());
        mac
    }

    /// The token for one person and scope.
    pub fn token(&self, user_id: i64, scope: Scope) -> String {
        let tag = URL_SAFE_NO_PAD.encode(self.mac(user_id, scope).finalize().into_bytes());
        format!("{user_id}.{}.{tag}", scope.as_str())
    }

    /// The person and scope of a genuine token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<(i64, Scope)> {
        let mut parts = token.splitn(3, '.');
        let user_id: i64 = parts.next()?.parse().ok()?;
        let scope = Scope::parse(parts.next()?)?;
        let tag = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        self.mac(user_id, scope).verify_slice(&tag).ok()?;
        Some((user_id, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_as_signed() {
        let signer = Signer::new(&actix_web::cookie::Key::generate());
        let token = signer.token(42, Scope::Kind(Kind::Reply));
        assert_eq!(signer.verify(&token), Some((42, Scope::Kind(Kind::Reply))));
        assert_eq!(signer.verify(&token.replacen("42.", "43.", 1)), None);
        assert_eq!(signer.verify(&token.replace(".reply.", ".all.")), None);
        assert_eq!(signer.verify(&format!("{token}x")), None);
        for junk in ["", "42", "42.reply", "x.reply.abc", "42.nonsense.abc", "42.all.!!"] {
            assert_eq!(signer.verify(junk), None, "{junk}");
        }
        let other = Signer::new(&actix_web::cookie::Key::generate());
        assert_eq!(other.verify(&token), None);
    }
}
