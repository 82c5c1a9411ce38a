DROP TABLE post_tags;
DROP TABLE reactions;
DROP TABLE comments;
DROP TABLE posts;
DROP TABLE memberships;
DROP TABLE communities;
