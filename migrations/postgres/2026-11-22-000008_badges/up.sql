-- Badges, awarded from the activity log by the badge job. The primary key is what makes an
-- award happen once, however many nodes see the same activities at the same moment.

CREATE TABLE badges (
    user_id     BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- first_post | first_idea | accepted_answer | idea_funded | community_builder | top_voter
    kind        TEXT      NOT NULL,
    activity_id BIGINT    NOT NULL,
    awarded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);
