DROP TABLE skill_endorsements;
DROP TABLE user_skills;
