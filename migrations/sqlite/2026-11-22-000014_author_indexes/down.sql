DROP INDEX ideas_author_idx;
DROP INDEX idea_comments_author_idx;
DROP INDEX comments_author_idx;
DROP INDEX posts_author_idx;
