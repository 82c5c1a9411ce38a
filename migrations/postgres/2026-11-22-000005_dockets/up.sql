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
