-- Email (SPEC §7): preferences, the outbox a sender task delivers from, password resets.

-- How each person wants each kind of notification by mail; no row = the kind's default.
CREATE TABLE mail_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT   NOT NULL,
    mode    TEXT   NOT NULL CHECK (mode IN ('off', 'instant', 'digest')),
    PRIMARY KEY (user_id, kind)
);

-- When a notification went out by mail (alone or in a digest), so none is mailed twice.
ALTER TABLE notifications ADD COLUMN mailed_at TIMESTAMP;

-- Every mail, written in the same transaction as what caused it; the sender delivers it
-- with retries. message_id is fixed here, so a resend after a crash is recognisably the
-- same message.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         BIGINT    REFERENCES users (id) ON DELETE CASCADE,
    recipient       TEXT      NOT NULL,
    -- a notification kind, 'digest', 'invitation' or 'password_reset'
    kind            TEXT      NOT NULL,
    subject         TEXT      NOT NULL,
    body_text       TEXT      NOT NULL,
    body_html       TEXT      NOT NULL,
    unsubscribe_url TEXT,
    message_id      TEXT      NOT NULL UNIQUE,
    -- how many notifications the mail tells of: fewer links left means access was revoked
    items           INTEGER   NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- a sender holds the row until then, so two nodes never send it at once
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    -- given up on, or withdrawn (last_error says which)
    failed_at       TIMESTAMP,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- The notifications a mail tells of: deleting one (access revoked) withdraws the mail.
CREATE TABLE outbox_notifications (
    outbox_id       BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    notification_id BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    PRIMARY KEY (outbox_id, notification_id)
);
CREATE INDEX outbox_notifications_by_notification ON outbox_notifications (notification_id);

-- Password reset tokens, stored hashed: single use, short-lived.
CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT      NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);
