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

/// Sessions in the database (shared by every node).
#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    /// The longest a session lives, however active (a new one starts at each sign-in).
    max_age: chrono::Duration,
}

impl DbSessionStore {
    /// A store over `db` whose sessions end `max_days` after they began at the latest.
    pub fn new(db: Db, max_days: i64) -> Self {
        Self { db, max_age: chrono::Duration::days(max_days) }
    }
}

type State = HashMap<String, String>;

fn expiry(ttl: &Duration) -> chrono::NaiveDateTime {
    now() + chrono::Duration::seconds(ttl.whole_seconds())
}

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
        let state = self
            .db
            .read(move |c| Ok(sessions::load(c, &hash, now(), born_after)?))
            .await
            .map_err(|e| LoadError::Other(internal(e)))?;
        // A row we cannot parse is treated as no session rather than an error page.
        Ok(state.and_then(|s| serde_json::from_str(&s).ok()))
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let key = URL_SAFE_NO_PAD.encode(crate::auth::secrets::random_bytes::<32>());
        let session_key = SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))?;
        let hash = key_hash(&session_key);
        let text = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let expires_at = expiry(ttl);
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

    async fn update(&self, key: SessionKey, state: State, ttl: &Duration) -> Result<SessionKey, UpdateError> {
        let hash = key_hash(&key);
        let text = serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let expires_at = expiry(ttl);
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
            return self.save(state, ttl).await.map_err(|e| UpdateError::Other(e.into()));
        }
        Ok(key)
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let hash = key_hash(key);
        let expires_at = expiry(ttl);
        self.db.write(move |c| Ok(sessions::touch(c, &hash, expires_at)?)).await.map_err(internal)
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let hash = key_hash(key);
        self.db.write(move |c| Ok(sessions::delete(c, &hash)?)).await.map_err(internal)
    }
}
