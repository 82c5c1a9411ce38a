-- Communities and what lives in them: memberships, posts, comments, reactions, tags.

CREATE TABLE communities (
    id               INTEGER PRIMARY KEY,
    slug             TEXT      NOT NULL UNIQUE,
    name             TEXT      NOT NULL,
    description      TEXT      NOT NULL DEFAULT '',
    description_html TEXT      NOT NULL DEFAULT '',
    visibility       TEXT      NOT NULL CHECK (visibility IN ('open', 'restricted', 'private')),
    created_by       BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    -- Kept in the same transaction as every membership change, so the directory needs no
    -- COUNT per row.
    member_count     INTEGER   NOT NULL DEFAULT 0,
    archived_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    community_id BIGINT    NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    user_id      BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT      NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    -- pending: asked to join a restricted community; invited: asked in by a moderator.
    state        TEXT      NOT NULL CHECK (state IN ('active', 'pending', 'invited')),
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id, state);

CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY,
    community_id        BIGINT    NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
    author_id           BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    kind                TEXT      NOT NULL CHECK (kind IN ('update', 'discussion', 'question', 'announcement')),
    title               TEXT      NOT NULL DEFAULT '',
    body                TEXT      NOT NULL,
    html                TEXT      NOT NULL,
    pinned              BOOLEAN   NOT NULL DEFAULT FALSE,
    accepted_comment_id BIGINT,
    comment_count       INTEGER   NOT NULL DEFAULT 0,
    created_at          TIMESTAMP NOT NULL,
    edited_at           TIMESTAMP,
    -- Soft delete: the row stays for the moderation trail; pages and the API treat it as gone.
    deleted_at          TIMESTAMP
);
CREATE INDEX posts_community_idx ON posts (community_id, pinned, id);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    post_id    BIGINT    NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    reply_to   BIGINT    REFERENCES comments (id) ON DELETE CASCADE,
    body       TEXT      NOT NULL,
    html       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    edited_at  TIMESTAMP,
    deleted_at TIMESTAMP
);
CREATE INDEX comments_post_idx ON comments (post_id, id);

-- One of each kind per user per item: the primary key decides, so reacting twice is a no-op.
CREATE TABLE reactions (
    target_type TEXT      NOT NULL CHECK (target_type IN ('post', 'comment', 'idea_comment')),
    target_id   BIGINT    NOT NULL,
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT      NOT NULL CHECK (kind IN ('like', 'celebrate', 'insightful')),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (target_type, target_id, user_id, kind)
);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag     TEXT   NOT NULL,
    PRIMARY KEY (post_id, tag)
);
CREATE INDEX post_tags_tag_idx ON post_tags (tag, post_id);
