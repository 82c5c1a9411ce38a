-- The idea pipeline: ideas, votes, followers, comments, challenges and the decision trail.

CREATE TABLE challenges (
    id          INTEGER PRIMARY KEY,
    title       TEXT      NOT NULL,
    description TEXT      NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    created_by  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    deadline    TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE ideas (
    id           INTEGER PRIMARY KEY,
    author_id    BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    community_id BIGINT    REFERENCES communities (id) ON DELETE SET NULL,
    challenge_id BIGINT    REFERENCES challenges (id) ON DELETE SET NULL,
    title        TEXT      NOT NULL,
    problem      TEXT      NOT NULL DEFAULT '',
    proposal     TEXT      NOT NULL DEFAULT '',
    benefit      TEXT      NOT NULL DEFAULT '',
    html         TEXT      NOT NULL DEFAULT '',
    tags         TEXT      NOT NULL DEFAULT '',
    state        TEXT      NOT NULL CHECK (state IN ('draft', 'submitted', 'in_review', 'funded', 'declined',
                          'needs_work', 'in_development', 'launched', 'stopped', 'withdrawn', 'merged')),
    -- Calendar quarter of submission, e.g. 2026-Q4 (empty while a draft).
    quarter      TEXT      NOT NULL DEFAULT '',
    merged_into  BIGINT    REFERENCES ideas (id) ON DELETE SET NULL,
    -- Kept in the same transaction as every vote; the votes table's key makes it exact.
    vote_count   INTEGER   NOT NULL DEFAULT 0,
    -- Trending: votes decayed with a 3-day time constant, stored as a sortable key
    -- ln(decayed votes) + t/tau, updated when a vote happens (never by a batch job).
    trend_value  DOUBLE PRECISION NOT NULL DEFAULT 0,
    trend_at     TIMESTAMP,
    trend_key    DOUBLE PRECISION NOT NULL DEFAULT 0,
    submitted_at TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX ideas_quarter_idx ON ideas (quarter, state, vote_count);
CREATE INDEX ideas_trend_idx ON ideas (trend_key);
CREATE INDEX ideas_community_idx ON ideas (community_id);
CREATE INDEX ideas_challenge_idx ON ideas (challenge_id);

CREATE TABLE idea_votes (
    idea_id    BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    user_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, user_id)
);
CREATE INDEX idea_votes_user_idx ON idea_votes (user_id);

CREATE TABLE idea_follows (
    idea_id    BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    user_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, user_id)
);

CREATE TABLE idea_comments (
    id         INTEGER PRIMARY KEY,
    idea_id    BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    author_id  BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    reply_to   BIGINT    REFERENCES idea_comments (id) ON DELETE CASCADE,
    body       TEXT      NOT NULL,
    html       TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX idea_comments_idea_idx ON idea_comments (idea_id, id);

-- The public, append-only decision trail. Each event stores the hash of the idea's event
-- before it, so editing history breaks the chain (agora verify-trail).
CREATE TABLE idea_events (
    id         INTEGER PRIMARY KEY,
    idea_id    BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    actor_id   BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    kind       TEXT      NOT NULL,
    from_state TEXT      NOT NULL DEFAULT '',
    to_state   TEXT      NOT NULL DEFAULT '',
    note       TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    prev_hash  TEXT      NOT NULL,
    hash       TEXT      NOT NULL
);
CREATE INDEX idea_events_idea_idx ON idea_events (idea_id, id);
