DROP TABLE tag_follows;
DROP TABLE user_follows;
