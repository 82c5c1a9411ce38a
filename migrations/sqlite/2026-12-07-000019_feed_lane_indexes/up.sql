-- The home feed reads each lane (a community, a followed person) newest first from an
-- index that holds every column the lane's statement names, the index's condition's too:
-- SQLite (3.40, as Debian 12 ships it) reads an index alone only then, and otherwise reads
-- the log entry's row for each index entry.
DROP INDEX activities_feed_idx;
CREATE INDEX activities_feed_idx ON activities (community_id, id, verb, visibility, withdrawn_at)
    WHERE withdrawn_at IS NULL
      AND verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created')
      AND visibility IN ('public', 'community');

-- A followed person's lane: only their feed entries, with what the visibility rule needs.
-- Without it a lane read every entry of the person's log (reactions, votes, follows) and
-- its row, and one who works in private communities the reader is not in cost 0.3 ms of
-- every home page on the large organisation.
CREATE INDEX activities_actor_feed_idx ON activities (actor_id, id, community_id, verb, visibility, withdrawn_at)
    WHERE withdrawn_at IS NULL
      AND verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created');
