-- Files attached to posts, comments, ideas and idea comments. The bytes live in the file
-- store under their SHA-256 (the same file uploaded twice is stored once); each upload is
-- a row of its own with the name its uploader gave it. An upload not attached to anything
-- within a day is deleted.
CREATE TABLE uploads (
    id          BIGSERIAL PRIMARY KEY,
    owner_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sha256      TEXT      NOT NULL,
    name        TEXT      NOT NULL,
    -- the type found by reading the content, never the name's
    mime        TEXT      NOT NULL,
    size        BIGINT    NOT NULL,
    -- images: their size in pixels, and the format of the thumbnail and preview made of them
    width       INTEGER,
    height      INTEGER,
    preview     TEXT      CHECK (preview IN ('jpg', 'png')),
    -- the words search finds the item by (plain-text and Markdown files)
    text        TEXT      NOT NULL DEFAULT '',
    target_type TEXT      CHECK (target_type IN ('post', 'comment', 'idea', 'idea_comment')),
    target_id   BIGINT,
    position    INTEGER   NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL,
    attached_at TIMESTAMP,
    CHECK ((target_type IS NULL) = (target_id IS NULL))
);
CREATE INDEX uploads_target_idx ON uploads (target_type, target_id, position);
CREATE INDEX uploads_owner_idx ON uploads (owner_id, created_at);
CREATE INDEX uploads_sha256_idx ON uploads (sha256);
CREATE INDEX uploads_unattached_idx ON uploads (created_at) WHERE target_id IS NULL;
