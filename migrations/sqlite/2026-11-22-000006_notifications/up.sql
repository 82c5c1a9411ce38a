-- In-app notifications, derived from the activity log by the notifier. Rows are never
-- updated except to mark them read: the bell groups them per object (group_key), so three
-- replies to one post are one line, "3 new replies".

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- mention | reply | idea_state | decision (checked in code, so new kinds need no table rebuild)
    kind        TEXT      NOT NULL,
    -- "<kind>:<object type>:<object id>": one line in the bell per group
    group_key   TEXT      NOT NULL,
    activity_id BIGINT    NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    actor_id    BIGINT    REFERENCES users (id) ON DELETE SET NULL,
    title       TEXT      NOT NULL,
    url         TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP
);
-- One notification per activity and person, however many nodes run the notifier.
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, activity_id);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at, group_key);

-- How far each consumer of the activity log has got, so it resumes after a restart.
CREATE TABLE log_cursors (
    name    TEXT   PRIMARY KEY,
    last_id BIGINT NOT NULL
);
