//! Feeds read from the activity log: what a viewer follows, and what a viewer may see.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::activities::Activity;
use crate::db::schema::{activities, communities, memberships, users};
use crate::domain::community::{MemberState, Visibility};

/// Verbs a feed shows (edits, deletions, reactions and membership chores stay out of it).
/// The partial index `activities_feed_idx` (migration 000017) lists the same verbs in the
/// same order; change both together.
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
        query = query.filter(activities::id.eq_any(home_candidates(conn, q)?));
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

/// The newest entries (oldest after `q.after`) of the home feed's every source, `q.limit` from each: each of the
/// viewer's communities, each person and tag they follow, and their own. The page is the
/// newest `q.limit` of these, since it takes at most that many from any one source.
///
/// One index range per source, read newest first and stopped at the limit, instead of
/// every entry of every source gathered and sorted: that cost grew with the sources'
/// whole history (58 ms for a member of 30 communities of the small synthetic
/// organisation, seconds on the large one). SQLite has no LATERAL join, so there each
/// source's subquery is an `IN (…)` correlated to the outer row, which its planner runs
/// once per source; PostgreSQL gets the LATERAL join it plans well.
fn home_candidates(conn: &mut DbConn, q: &FeedQuery) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Candidate {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let sql = home_candidates_sql(q, matches!(conn, DbConn::Pg(_)));
    Ok(diesel::sql_query(sql).load::<Candidate>(conn)?.into_iter().map(|c| c.id).collect())
}

/// The SQL of [`home_candidates`] (`lateral` for PostgreSQL); public so that a test can ask
/// SQLite's planner whether it still uses `activities_feed_idx`.
pub fn home_candidates_sql(q: &FeedQuery, lateral: bool) -> String {
    let (viewer, n) = (q.viewer_id, q.limit);
    // Every number below is an i64 from the server, never text from a request.
    let mut wanted = String::from("y.withdrawn_at IS NULL");
    if let Some(verbs) = q.verbs {
        let list = verbs.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
        wanted.push_str(&format!(" AND y.verb IN ({list})"));
    }
    let order = match (q.before, q.after) {
        (_, Some(after)) => {
            wanted.push_str(&format!(" AND y.id > {after}"));
            "ASC"
        }
        (Some(before), None) => {
            wanted.push_str(&format!(" AND y.id < {before}"));
            "DESC"
        }
        (None, None) => "DESC",
    };
    // The policy's visibility rule, as in `read`; in the viewer's own communities it is
    // simply "not for admins only", which spares a lookup per entry.
    let (visible, visible_as_member) = if q.admin {
        (String::new(), String::new())
    } else {
        (
            format!(
                " AND (y.visibility = 'public' OR (y.visibility = 'community' AND (\
                 y.community_id IN (SELECT community_id FROM memberships WHERE user_id = {viewer} AND state = 'active') \
                 OR EXISTS (SELECT 1 FROM communities c WHERE c.id = y.community_id AND c.visibility <> 'private'))))"
            ),
            " AND y.visibility IN ('public', 'community')".to_owned(),
        )
    };
    let source = |from: &str, matches: &str, filter: &str, visible: &str| {
        let newest = format!(
            "SELECT y.id FROM {from} WHERE {matches} AND {wanted}{visible} ORDER BY y.id {order} LIMIT {n}"
        );
        if lateral {
            format!("SELECT s.id FROM {filter} CROSS JOIN LATERAL ({newest}) s")
        } else {
            format!("SELECT x.id FROM {filter} JOIN activities x ON x.id IN ({newest})")
        }
    };
    let sources = [
        source(
            "activities y",
            "y.community_id = m.community_id",
            &format!(
                "(SELECT community_id FROM memberships WHERE user_id = {viewer} AND state = 'active') m"
            ),
            &visible_as_member,
        ),
        source(
            "activities y",
            "y.actor_id = f.followee_id",
            &format!("(SELECT followee_id FROM user_follows WHERE follower_id = {viewer}) f"),
            &visible,
        ),
        source("activities y", "y.actor_id = me.id", &format!("(SELECT {viewer} AS id) me"), &visible),
        source(
            "post_tags p JOIN activities y ON y.object_type = 'post' AND y.object_id = p.post_id",
            "p.tag = t.tag",
            &format!("(SELECT tag FROM tag_follows WHERE user_id = {viewer}) t"),
            &visible,
        ),
    ];
    format!(
        "SELECT DISTINCT id FROM ({}) candidates ORDER BY id {order} LIMIT {n}",
        sources.join(" UNION ALL ")
    )
}
