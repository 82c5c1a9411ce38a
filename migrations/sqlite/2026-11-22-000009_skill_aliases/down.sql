DROP TABLE skill_aliases;
