DROP INDEX activities_actor_feed_idx;
DROP INDEX activities_feed_idx;
CREATE INDEX activities_feed_idx ON activities (community_id, id)
    WHERE withdrawn_at IS NULL
      AND verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created')
      AND visibility IN ('public', 'community');
