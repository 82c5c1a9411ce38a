-- Following people and #tags: what the home feed (and the websocket `home` topic) adds to
-- the viewer's own communities.

CREATE TABLE user_follows (
    follower_id BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followee_id BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (follower_id, followee_id)
);
CREATE INDEX user_follows_followee_idx ON user_follows (followee_id);

CREATE TABLE tag_follows (
    user_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tag        TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, tag)
);
CREATE INDEX tag_follows_tag_idx ON tag_follows (tag);
