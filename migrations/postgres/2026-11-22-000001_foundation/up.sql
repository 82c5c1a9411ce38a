-- Accounts, sessions, tokens, throttling, the activity log and the audit log.
-- Kept column-for-column identical to migrations/postgres (portable types only).

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    handle        TEXT    NOT NULL UNIQUE,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT,
    role          TEXT    NOT NULL DEFAULT 'employee'
                  CHECK (role IN ('employee', 'executive', 'admin')),
    title         TEXT    NOT NULL DEFAULT '',
    department    TEXT    NOT NULL DEFAULT '',
    location      TEXT    NOT NULL DEFAULT '',
    manager_id    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    bio           TEXT    NOT NULL DEFAULT '',
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX users_manager_idx ON users (manager_id);

-- Server-side sessions: only a SHA-256 of the cookie's key is stored, so a leaked
-- database cannot be replayed as cookies. user_id lets logout-everywhere and
-- deactivation end every session of a user at once.
CREATE TABLE sessions (
    key_hash   TEXT PRIMARY KEY,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    state      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT      NOT NULL,
    token_hash   TEXT      NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE invitations (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT      NOT NULL,
    token_hash  TEXT      NOT NULL UNIQUE,
    role        TEXT      NOT NULL DEFAULT 'employee'
                CHECK (role IN ('employee', 'executive', 'admin')),
    invited_by  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP
);

-- Failed-login counters live in the database so every node enforces the same limit.
CREATE TABLE login_attempts (
    bucket       TEXT PRIMARY KEY,
    failures     INTEGER   NOT NULL,
    window_start TIMESTAMP NOT NULL
);

-- The spine: every change others should see appends one row here, in the same
-- transaction as the change. Feeds, the websocket hub and the indexer resume "from activity
-- id N", so ids must become visible in order: inserts take a transaction-scoped advisory
-- lock (db/models/activities.rs), which makes commit order follow BIGSERIAL order.
CREATE TABLE activities (
    id           BIGSERIAL PRIMARY KEY,
    actor_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    verb         TEXT      NOT NULL,
    object_type  TEXT      NOT NULL,
    object_id    BIGINT    NOT NULL,
    community_id BIGINT,
    visibility   TEXT      NOT NULL CHECK (visibility IN ('public', 'community', 'admins')),
    data         TEXT      NOT NULL DEFAULT '{}',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX activities_actor_idx ON activities (actor_id, id);
CREATE INDEX activities_community_idx ON activities (community_id, id);
CREATE INDEX activities_object_idx ON activities (object_type, object_id, id);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT      NOT NULL,
    target_type TEXT      NOT NULL,
    target_id   BIGINT,
    details     TEXT      NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);
