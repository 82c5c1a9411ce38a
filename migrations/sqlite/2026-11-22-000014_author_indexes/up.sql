-- What someone wrote, found by author: profiles (recent posts, points) read these. Without
-- them a profile scanned every post and comment (13 s on the large synthetic organisation).
CREATE INDEX posts_author_idx ON posts (author_id, id);
CREATE INDEX comments_author_idx ON comments (author_id, id);
CREATE INDEX idea_comments_author_idx ON idea_comments (author_id, id);
CREATE INDEX ideas_author_idx ON ideas (author_id, id);
