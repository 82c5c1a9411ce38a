-- Declared skills and colleagues' endorsements of them (SPEC §5). Expert search reads both.
-- A skill is stored normalised (lowercase, single spaces), so "Kubernetes" and "kubernetes "
-- are one skill.

CREATE TABLE user_skills (
    user_id    BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    skill      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, skill)
);
CREATE INDEX user_skills_skill_idx ON user_skills (skill);

CREATE TABLE skill_endorsements (
    user_id     BIGINT    NOT NULL,
    skill       TEXT      NOT NULL,
    endorser_id BIGINT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, skill, endorser_id),
    FOREIGN KEY (user_id, skill) REFERENCES user_skills (user_id, skill) ON DELETE CASCADE
);
