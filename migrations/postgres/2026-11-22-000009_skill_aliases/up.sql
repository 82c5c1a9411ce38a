-- Skill aliases set by admins ("k8s" means "kubernetes"): skills are stored under the name
-- an alias points to, so endorsements and expert search gather in one place.

CREATE TABLE skill_aliases (
    alias      TEXT      PRIMARY KEY,
    skill      TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL
);
