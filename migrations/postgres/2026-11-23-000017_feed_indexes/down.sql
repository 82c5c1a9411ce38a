DROP INDEX communities_private_idx;
DROP INDEX activities_feed_idx;
DROP INDEX posts_announcements_idx;
