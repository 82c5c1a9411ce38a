//! actix-session's storage backed by our `sessions` table. The cookie carries a random
//! session key; the table keeps only its SHA-256, plus the user id so that logout,
//! password change and deactivation can end sessions at once.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::db::Db;
use crate::db::models::{now, sessions};
use crate::error::AppError;

/// The session-state key holding the signed-in user's id.
pub const USER_ID_KEY: &str = "uid";
/// The session-state key naming one sign-in (it survives the key renewals of a password
/// change): websockets opened with the session end with it.
pub const SIGN_IN_KEY: &str = "sid";

/// The sign-in a session belongs to (none for a session from before sign-ins had ids).
pub fn sign_in_of(session: &actix_session::Session) -> Option<String> {
    session.get::<String>(SIGN_IN_KEY).ok().flatten()
}

/// Sessions in the database (shared by every node).
///
/// A session ends after `idle` without any request, or `max_age` after sign-in however
/// active. The row's `expires_at` is the idle limit; `load` moves it forward as the session
/// is used, but only once it has fallen behind by a fiftieth of `idle`, so reading pages
/// costs a write at most that often (a write per request would queue every reader behind
/// SQLite's single writer). The cookie itself lives as long as the longest sign-in: the
/// server, not the browser, decides when a session is over. So actix-session's `ttl`
/// arguments (the cookie's age) are not the row's expiry.
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    idle: chrono::Duration,
    max_age: chrono::Duration,
}

impl DbSessionStore {
    /// A store over `db` whose sessions end after `idle_minutes` unused, or `max_days` after
    /// they began at the latest.
    pub fn new(db: Db, idle_minutes: i64, max_days: i64) -> Self {
        Self { db, idle: chrono::Duration::minutes(idle_minutes), max_age: chrono::Duration::days(max_days) }
    }

    fn expiry(&self) -> chrono::NaiveDateTime {
        now() + self.idle
    }

    /// How far the expiry may fall behind before a request moves it.
    fn step(&self) -> chrono::Duration {
        (self.idle / 50).max(chrono::Duration::minutes(1))
    }
}

type State = HashMap<String, String>;

/// actix-session stores values as JSON text; the user id is a JSON number.
fn user_id(state: &State) -> Option<i64> {
    state.get(USER_ID_KEY).and_then(|v| v.parse().ok())
}

fn key_hash(key: &SessionKey) -> String {
    crate::auth::secrets::sha256_hex(key.as_ref())
}

fn internal(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("session store: {e}")
}

impl SessionStore for DbSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let hash = key_hash(key);
        let born_after = now() - self.max_age;
        let lookup = hash.clone();
        let row = self
            .db
            .read(move |c| Ok(sessions::load(c, &lookup, now(), born_after)?))
            .await
            .map_err(|e| LoadError::Other(internal(e)))?;
        let Some((state, expires_at)) = row else { return Ok(None) };
        if expires_at < self.expiry() - self.step() {
            let expires_at = self.expiry();
            self.db
                .write(move |c| Ok(sessions::touch(c, &hash, expires_at)?))
                .await
                .map_err(|e| LoadError::Other(internal(e)))?;
        }
        // A row we cannot parse is treated as no session rather than an error page.
        Ok(serde_json::from_str(&state).ok())
    }

    async fn save(&self, state: State, _cookie_age: &Duration) -> Result<SessionKey, SaveError> {
        let key = URL_SAFE_NO_PAD.encode(crate::auth::secrets::random_bytes::<32>());
        let session_key = SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))?;
        let hash = key_hash(&session_key);
        let text = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let expires_at = self.expiry();
        self.db
            .write(move |c| {
                let row = sessions::SessionRow {
                    key_hash: &hash,
                    user_id: user_id(&state),
                    state: &text,
                    created_at: now(),
                    expires_at,
                };
                Ok(sessions::insert(c, &row)?)
            })
            .await
            .map_err(|e| SaveError::Other(internal(e)))?;
        Ok(session_key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        cookie_age: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let hash = key_hash(&key);
        let text = serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let expires_at = self.expiry();
        let uid = user_id(&state);
        let updated = self
            .db
            .write(move |c| Ok(sessions::update(c, &hash, uid, &text, expires_at)?))
            .await
            .map_err(|e| UpdateError::Other(internal(e)))?;
        if updated == 0 {
            // The session was ended while this request ran (logout elsewhere, password
            // change, deactivation): start a fresh, signed-out one; never resurrect it.
            let mut state = state;
            state.remove(USER_ID_KEY);
            return self.save(state, cookie_age).await.map_err(|e| UpdateError::Other(e.into()));
        }
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, _cookie_age: &Duration) -> Result<(), anyhow::Error> {
        let hash = key_hash(key);
        let expires_at = self.expiry();
        self.db.write(move |c| Ok(sessions::touch(c, &hash, expires_at)?)).await.map_err(internal)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let hash = key_hash(key);
        self.db.write(move |c| Ok(sessions::delete(c, &hash)?)).await.map_err(internal)
    }
}
