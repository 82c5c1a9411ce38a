//! Feeds read from the activity log: what a viewer follows, and what a viewer may see.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::activities::Activity;
use crate::db::schema::{activities, communities, memberships, post_tags, tag_follows, user_follows, users};
use crate::domain::community::{MemberState, Visibility};

/// Verbs a feed shows (edits, deletions, reactions and membership chores stay out of it).
pub const FEED_VERBS: &[&str] = &["post.created", "comment.created", "answer.accepted", "community.created"];

/// An activity with its actor `(handle, name)` and community `(slug, name)`.
pub type FeedRow = (Activity, Option<(String, String)>, Option<(String, String)>);

/// Which activities to read.
pub struct FeedQuery {
    pub viewer_id: i64,
    pub admin: bool,
    /// Newest first, before this id (home feed pages).
    pub before: Option<i64>,
    /// Oldest first, after this id (the ActivityStreams collection).
    pub after: Option<i64>,
    /// Only this community's activities.
    pub community_id: Option<i64>,
    /// Only this person's activities.
    pub actor_id: Option<i64>,
    /// Only activities of these verbs.
    pub verbs: Option<&'static [&'static str]>,
    /// Only what the viewer follows: their communities, people and tags.
    pub home: bool,
    pub limit: i64,
}

/// Reads a page of the log as the viewer may see it.
pub fn read(conn: &mut DbConn, q: &FeedQuery) -> QueryResult<Vec<FeedRow>> {
    let viewer = q.viewer_id;
    let joined = || {
        memberships::table
            .filter(memberships::user_id.eq(viewer))
            .filter(memberships::state.eq(MemberState::Active.as_str()))
            .select(memberships::community_id)
    };
    let mut query = activities::table
        .left_join(users::table.on(users::id.nullable().eq(activities::actor_id)))
        .left_join(communities::table.on(communities::id.nullable().eq(activities::community_id)))
        .select((
            Activity::as_select(),
            (users::handle, users::name).nullable(),
            (communities::slug, communities::name).nullable(),
        ))
        // Entries about hidden or deleted content are withdrawn from every reader.
        .filter(activities::withdrawn_at.is_null())
        .limit(q.limit)
        .into_boxed();
    if !q.admin {
        // The policy's visibility rule, as SQL: public entries, entries of communities that
        // are not private, and entries of private communities the viewer is a member of.
        query = query.filter(
            activities::visibility.eq("public").or(activities::visibility.eq("community").and(
                communities::visibility
                    .ne(Visibility::Private.as_str())
                    .or(activities::community_id.assume_not_null().eq_any(joined())),
            )),
        );
    }
    if q.home {
        let followed_people = user_follows::table
            .filter(user_follows::follower_id.eq(viewer))
            .select(user_follows::followee_id);
        let followed_tags =
            tag_follows::table.filter(tag_follows::user_id.eq(viewer)).select(tag_follows::tag);
        let tagged_posts =
            post_tags::table.filter(post_tags::tag.eq_any(followed_tags)).select(post_tags::post_id);
        query = query.filter(
            activities::community_id
                .assume_not_null()
                .eq_any(joined())
                .or(activities::actor_id.assume_not_null().eq_any(followed_people))
                .or(activities::actor_id.eq(viewer))
                .or(activities::object_type.eq("post").and(activities::object_id.eq_any(tagged_posts))),
        );
    }
    if let Some(community_id) = q.community_id {
        query = query.filter(activities::community_id.eq(community_id));
    }
    if let Some(actor_id) = q.actor_id {
        query = query.filter(activities::actor_id.eq(actor_id));
    }
    if let Some(verbs) = q.verbs {
        query = query.filter(activities::verb.eq_any(verbs));
    }
    query = match (q.before, q.after) {
        (_, Some(after)) => query.filter(activities::id.gt(after)).order(activities::id.asc()),
        (Some(before), None) => query.filter(activities::id.lt(before)).order(activities::id.desc()),
        (None, None) => query.order(activities::id.desc()),
    };
    query.load(conn)
}
