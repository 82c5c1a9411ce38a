-- Moderation (SPEC §8): reports, hidden and locked content, community bans, and entries of
-- the activity log withdrawn from readers when what they tell of is hidden or deleted.

-- Hidden by a moderator (or automatically after enough reports): the item is replaced by a
-- notice for everyone but moderators and left out of lists, feeds and search.
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT;
-- A locked thread takes no more comments.
ALTER TABLE posts ADD COLUMN locked_at TIMESTAMP;
ALTER TABLE comments ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE comments ADD COLUMN hidden_reason TEXT;
ALTER TABLE ideas ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE ideas ADD COLUMN hidden_reason TEXT;

-- Log entries about hidden or deleted content: feeds and the ActivityStreams output skip
-- them; restoring the content clears the mark.
ALTER TABLE activities ADD COLUMN withdrawn_at TIMESTAMP;

-- The community a moderation action happened in, so its members can read its log.
ALTER TABLE audit_log ADD COLUMN community_id BIGINT;
CREATE INDEX audit_log_community_idx ON audit_log (community_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- One report per member and item; resolved when a moderator acts on the item.
CREATE TABLE reports (
    id           BIGSERIAL PRIMARY KEY,
    target_type  TEXT      NOT NULL CHECK (target_type IN ('post', 'comment', 'idea')),
    target_id    BIGINT    NOT NULL,
    -- where the item lives (none for an idea outside communities: admins moderate those)
    community_id BIGINT    REFERENCES communities (id) ON DELETE CASCADE,
    reporter_id  BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason       TEXT      NOT NULL
                 CHECK (reason IN ('spam', 'harassment', 'off_topic', 'confidential', 'other')),
    note         TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP,
    resolved_by  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    -- 'actioned' (the item was hidden, locked or its author banned) or 'dismissed'
    outcome      TEXT      CHECK (outcome IN ('actioned', 'dismissed'))
);
CREATE UNIQUE INDEX reports_once ON reports (target_type, target_id, reporter_id);
CREATE INDEX reports_open ON reports (community_id, resolved_at);
CREATE INDEX reports_by_reporter ON reports (reporter_id, outcome);

-- Who may not take part in a community, and until when (none: until lifted).
CREATE TABLE community_bans (
    community_id BIGINT    NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id      BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    until        TIMESTAMP,
    reason       TEXT      NOT NULL,
    banned_by    BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
