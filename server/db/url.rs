//! Which database a URL names. An unknown scheme is an error, never a new SQLite file.

use std::fmt;
use std::path::PathBuf;

/// A parsed database location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (`sqlite://PATH`, `sqlite:PATH` or a plain path).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses a URL or path, choosing the backend from the scheme.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("the database URL is empty".into());
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://").or_else(|| raw.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err("the sqlite:// URL names no file".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = raw.split_once("://") {
            return Err(format!(
                "unsupported database URL scheme '{scheme}': use sqlite://PATH, a file path, or postgres://…"
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(raw)))
    }
}

/// Displays the URL without any password, so it can be logged and printed.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme_end), Some(at)) if at > scheme_end => {
                    let userinfo = &url[scheme_end + 3..at];
                    let user = userinfo.split(':').next().unwrap_or_default();
                    write!(f, "{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                _ => f.write_str(url),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_choose_the_backend() {
        assert_eq!(DatabaseUrl::parse("data/a.db"), Ok(DatabaseUrl::Sqlite("data/a.db".into())));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/a.db"), Ok(DatabaseUrl::Sqlite("/tmp/a.db".into())));
        assert!(matches!(DatabaseUrl::parse("postgres://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
        assert!(DatabaseUrl::parse("mysql://u@h/db").unwrap_err().contains("mysql"));
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn display_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://agora:s3cret@db:5432/agora").unwrap();
        assert_eq!(url.to_string(), "postgres://agora:***@db:5432/agora");
    }
}
