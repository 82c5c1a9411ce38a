-- The home page's announcements: the few announcement posts of the viewer's communities.
-- Without it every post of those communities was read and sorted to find none (21 ms for a
-- member of 30 communities in the small synthetic organisation).
CREATE INDEX posts_announcements_idx ON posts (community_id, id) WHERE kind = 'announcement';

-- The home feed's entries of one community, as its members see them (feed::home_candidates
-- names the same verbs, in the same order, so the planners can prove the index applies).
-- The newest 30 come straight from the index, without reading an activity row each.
CREATE INDEX activities_feed_idx ON activities (community_id, id)
    WHERE withdrawn_at IS NULL
      AND verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created')
      AND visibility IN ('public', 'community');

-- The private communities, with whether each is archived: search, similar ideas and the
-- idea page ask on every request which of them the viewer may not read. Without it every
-- community row was read (1.6 ms with 4,500 communities; 0.6 ms with it).
CREATE INDEX communities_private_idx ON communities (id, archived_at) WHERE visibility = 'private';
