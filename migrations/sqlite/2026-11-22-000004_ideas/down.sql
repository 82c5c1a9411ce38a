DROP TABLE idea_events;
DROP TABLE idea_comments;
DROP TABLE idea_follows;
DROP TABLE idea_votes;
DROP TABLE ideas;
DROP TABLE challenges;
