-- The quarterly docket: an immutable snapshot of the ideas sent to the review board.
-- The quarter is the primary key, so closing twice (even at the same moment) changes nothing.

CREATE TABLE dockets (
    quarter   TEXT      PRIMARY KEY,
    size      INTEGER   NOT NULL,
    formula   TEXT      NOT NULL,
    closed_by BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    closed_at TIMESTAMP NOT NULL
);

CREATE TABLE docket_entries (
    quarter        TEXT    NOT NULL REFERENCES dockets (quarter) ON DELETE CASCADE,
    idea_id        BIGINT  NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    rank           INTEGER NOT NULL,
    votes_at_close INTEGER NOT NULL,
    PRIMARY KEY (quarter, idea_id)
);

-- Executives' rubric scores: one per executive per idea (re-scoring replaces it).
CREATE TABLE idea_reviews (
    idea_id     BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    reviewer_id BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    impact      INTEGER   NOT NULL CHECK (impact BETWEEN 1 AND 5),
    feasibility INTEGER   NOT NULL CHECK (feasibility BETWEEN 1 AND 5),
    fit         INTEGER   NOT NULL CHECK (fit BETWEEN 1 AND 5),
    comment     TEXT      NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (idea_id, reviewer_id)
);

-- Board decisions, public: every employee can read what was decided and why.
CREATE TABLE idea_decisions (
    id         INTEGER PRIMARY KEY,
    idea_id    BIGINT    NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    decided_by BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    decision   TEXT      NOT NULL CHECK (decision IN ('funded', 'declined', 'needs_work')),
    rationale  TEXT      NOT NULL DEFAULT '',
    budget     BIGINT,
    sponsor_id BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idea_decisions_idea_idx ON idea_decisions (idea_id, id);
