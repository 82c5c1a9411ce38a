-- Weekly counters for the admin's analytics, kept by a job that follows the activity log,
-- so the charts read a few hundred rows instead of scanning all content on every request.

CREATE TABLE weekly_counts (
    -- the Monday the week starts on, 'YYYY-MM-DD'
    week    TEXT   NOT NULL,
    -- posts | comments | votes | ideas (site-wide, subject 0) |
    -- community (posts and comments per community) | person (contributions per person)
    metric  TEXT   NOT NULL,
    subject BIGINT NOT NULL DEFAULT 0,
    count   BIGINT NOT NULL,
    PRIMARY KEY (week, metric, subject)
);

-- Who did anything in a week: the weekly active users are a count of these rows.
CREATE TABLE weekly_actives (
    week    TEXT   NOT NULL,
    user_id BIGINT NOT NULL,
    PRIMARY KEY (week, user_id)
);
