//! Account input parsed once at the edge: after `parse`, the rest of the code cannot hold a
//! malformed email, handle, name, password or role.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A lower-cased, syntactically plausible email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces, at most 254 characters.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && valid_domain(domain));
        if valid { Ok(Self(email)) } else { Err("enter an email address like name@example.com".into()) }
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_domain(domain: &str) -> bool {
    domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A person's `@handle`: 2–32 lower-case letters, digits, `_` or `-`, starting and ending
/// with a letter or digit, so that `@handle.` and `@handle,` in text still mention it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handle(String);

impl Handle {
    /// Lower-cases and checks the handle (a leading `@` is dropped).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let handle = raw.trim().trim_start_matches('@').to_lowercase();
        let ends_ok = handle.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && handle.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        let chars_ok =
            handle.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if (2..=32).contains(&handle.len()) && ends_ok && chars_ok {
            Ok(Self(handle))
        } else {
            Err("use 2–32 letters, digits, '_' or '-', starting and ending with a letter or digit".into())
        }
    }

    /// The handle without `@`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and checks the name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err("enter a name".into()),
            n if n > 100 => Err("use at most 100 characters".into()),
            _ if name.chars().any(char::is_control) => Err("remove control characters".into()),
            _ => Ok(Self(name.to_owned())),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: at least 10 characters; at most 1,000 so hashing cannot be abused.
pub struct Password(String);

impl Password {
    /// Minimum length, in characters.
    pub const MIN_CHARS: usize = 10;

    /// Checks the length rules of a password being set.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.chars().count() {
            n if n < Self::MIN_CHARS => Err(format!("use at least {} characters", Self::MIN_CHARS)),
            n if n > 1000 => Err("use at most 1,000 characters".into()),
            _ if raw.trim().is_empty() => Err("use something other than spaces".into()),
            _ => Ok(Self(raw.to_owned())),
        }
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Never print a password, even by accident in a debug log.
impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// What an account may do across the whole site (community roles are separate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Every account.
    Employee,
    /// Sits on the quarterly review board.
    Executive,
    /// Manages users, communities, quarters and settings; moderates everywhere.
    Admin,
}

impl Role {
    /// Parses `employee`, `executive` or `admin`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_lowercase().as_str() {
            "employee" => Ok(Self::Employee),
            "executive" => Ok(Self::Executive),
            "admin" => Ok(Self::Admin),
            other => Err(format!("unknown role '{other}': use employee, executive or admin")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employee => "employee",
            Self::Executive => "executive",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        assert_eq!(Email::parse("a@b.example").unwrap().domain(), "b.example");
        for bad in ["", "ada", "ada@", "@x.com", "a b@x.com", "a@x", "a@-x.com", "a@b@c.com", "<a@x.com>"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn handles_follow_the_mention_rules() {
        assert_eq!(Handle::parse("@Ada_L").unwrap().as_str(), "ada_l");
        for bad in ["a", "-ada", "ada-", "ada lovelace", "ädä", "a.b", &"x".repeat(33)] {
            assert!(Handle::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("          ").is_err());
        assert!(Password::parse("correct horse").is_ok());
        assert_eq!(format!("{:?}", Password::parse("correct horse").unwrap()), "Password(***)");
    }

    #[test]
    fn roles_parse_by_name() {
        assert_eq!(Role::parse("Admin"), Ok(Role::Admin));
        assert!(Role::parse("root").is_err());
    }

    proptest::proptest! {
        /// Whatever is typed, an accepted handle is 2–32 of `a-z 0-9 _ -`, starts and ends
        /// with a letter or digit, and reads back as itself.
        #[test]
        fn accepted_handles_keep_their_shape(raw in "@?[A-Za-z0-9_\\-. ]{0,40}|\\PC{0,40}") {
            if let Ok(handle) = Handle::parse(&raw) {
                let h = handle.as_str();
                proptest::prop_assert!((2..=32).contains(&h.len()));
                proptest::prop_assert!(h.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'));
                proptest::prop_assert!(h.starts_with(|c: char| c.is_ascii_alphanumeric()) && h.ends_with(|c: char| c.is_ascii_alphanumeric()));
                proptest::prop_assert_eq!(Handle::parse(h).map(|again| again.as_str().to_owned()), Ok(h.to_owned()));
            }
        }

        /// An accepted email has one `@`, no spaces or angle brackets, and is lower-case.
        #[test]
        fn accepted_emails_keep_their_shape(raw in "[A-Za-z0-9.<>@ _-]{0,30}|\\PC{0,30}") {
            if let Ok(email) = Email::parse(&raw) {
                let e = email.as_str();
                proptest::prop_assert_eq!(e.matches('@').count(), 1);
                proptest::prop_assert!(!e.contains(|c: char| c.is_whitespace() || c == '<' || c == '>'));
                proptest::prop_assert_eq!(e.to_lowercase(), e);
            }
        }
    }
}
