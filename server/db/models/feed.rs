//! Feeds read from the activity log: what a viewer follows, and what a viewer may see.

use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Nullable, Text, Untyped};

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

/// A page of the home feed, newest first (before `before`): what the viewer follows
/// (their communities, the people and #tags they follow, and their own entries) that the
/// viewer may see, with each entry's actor and community.
pub fn home(
    conn: &mut DbConn,
    viewer: &Viewer,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<FeedRow>> {
    let statement = HomeFeed {
        viewer: viewer.id,
        admin: viewer.admin,
        before: before.unwrap_or(i64::MAX),
        limit,
        lateral: matches!(conn, DbConn::Pg(_)),
    };
    let rows: Vec<HomeRow> = crate::on_backend!(conn, |c| statement.load(c))?;
    Ok(rows
        .into_iter()
        .map(|r| (r.activity, r.actor_handle.zip(r.actor_name), r.community_slug.zip(r.community_name)))
        .collect())
}

/// Who reads the home feed.
pub struct Viewer {
    pub id: i64,
    pub admin: bool,
}

#[derive(QueryableByName)]
struct HomeRow {
    #[diesel(embed)]
    activity: Activity,
    #[diesel(sql_type = Nullable<Text>)]
    actor_handle: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    community_slug: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    community_name: Option<String>,
}

/// The home feed as one statement whose values are bound, not written into its text, so
/// each connection prepares it once: preparing the text anew took 0.6 ms of every home
/// page on the large organisation, more than running it.
///
/// It takes the newest `limit` entries of each source, and the page is the newest `limit`
/// of those, since it takes at most that many from any one source. Each source is one
/// index range read newest first and stopped at the limit; gathering every entry of every
/// source and sorting them cost seconds on the large organisation. SQLite has no LATERAL
/// join, so there each source's subquery is an `IN (…)` correlated to the outer row, which
/// its planner runs once per source; PostgreSQL gets the LATERAL join it plans well.
struct HomeFeed {
    viewer: i64,
    admin: bool,
    before: i64,
    limit: i64,
    lateral: bool,
}

/// Where a source's entries come from: its tables, how they meet the outer row, and the
/// column its newest-first order follows.
struct Source {
    /// The outer rows (the viewer's communities, followees or tags), around the viewer's id.
    outer: Option<(&'static str, &'static str)>,
    from: &'static str,
    matches: &'static str,
    /// Whether the source needs the whole visibility rule (not only its own communities).
    any_community: bool,
    newest_first: &'static str,
}

const SOURCES: [Source; 4] = [
    Source {
        outer: Some(("(SELECT community_id FROM memberships WHERE user_id = ", " AND state = 'active') m")),
        from: "activities y",
        matches: "y.community_id = m.community_id",
        any_community: false,
        newest_first: "y.id DESC",
    },
    Source {
        outer: Some(("(SELECT followee_id FROM user_follows WHERE follower_id = ", ") f")),
        from: "activities y",
        matches: "y.actor_id = f.followee_id",
        any_community: true,
        newest_first: "y.id DESC",
    },
    // The viewer's own entries: no outer rows, the viewer's id is bound in `matches`.
    Source {
        outer: None,
        from: "activities y",
        matches: "y.actor_id = ",
        any_community: true,
        newest_first: "y.id DESC",
    },
    // Posts with a followed tag, read from the tag's index newest post first (post ids and
    // their `post.created` entries grow together). Left to itself SQLite's planner walked
    // every post's entry looking for the tag: 0.8 s per home page on the large data.
    Source {
        outer: Some(("(SELECT tag FROM tag_follows WHERE user_id = ", ") t")),
        from: "post_tags p CROSS JOIN activities y",
        matches: "p.tag = t.tag AND y.object_type = 'post' AND y.object_id = p.post_id",
        any_community: true,
        newest_first: "p.post_id DESC",
    },
];

impl HomeFeed {
    /// One source's newest entries that the viewer may see.
    fn newest<'b, DB: Backend>(&'b self, source: &Source, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        i64: ToSql<BigInt, DB>,
    {
        out.push_sql("SELECT y.id FROM ");
        out.push_sql(source.from);
        out.push_sql(" WHERE ");
        out.push_sql(source.matches);
        if source.outer.is_none() {
            out.push_bind_param::<BigInt, _>(&self.viewer)?;
        }
        // FEED_VERBS, as the partial index `activities_feed_idx` lists them.
        out.push_sql(
            " AND y.withdrawn_at IS NULL \
             AND y.verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created') \
             AND y.id < ",
        );
        out.push_bind_param::<BigInt, _>(&self.before)?;
        // The policy's visibility rule, as in `read`; in the viewer's own communities it is
        // simply "not for admins only", which spares a lookup per entry.
        match (self.admin, source.any_community) {
            (true, _) => {}
            (false, true) => {
                out.push_sql(
                    " AND (y.visibility = 'public' OR (y.visibility = 'community' AND (\
                 y.community_id IN (SELECT community_id FROM memberships WHERE user_id = ",
                );
                out.push_bind_param::<BigInt, _>(&self.viewer)?;
                out.push_sql(
                " AND state = 'active') \
                 OR EXISTS (SELECT 1 FROM communities c WHERE c.id = y.community_id AND c.visibility <> 'private'))))",
                );
            }
            (false, false) => out.push_sql(" AND y.visibility IN ('public', 'community')"),
        }
        out.push_sql(" ORDER BY ");
        out.push_sql(source.newest_first);
        out.push_sql(" LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)
    }
}

impl QueryId for HomeFeed {
    type QueryId = ();
    // The text depends on the backend and on whether the viewer is an admin: the statement
    // cache keys it by its text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for HomeFeed {
    type SqlType = Untyped;
}

impl<Conn> RunQueryDsl<Conn> for HomeFeed {}

impl<DB: Backend> QueryFragment<DB> for HomeFeed
where
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "SELECT a.id, a.actor_id, a.verb, a.object_type, a.object_id, a.community_id, a.visibility, \
             a.data, a.created_at, a.withdrawn_at, u.handle AS actor_handle, u.name AS actor_name, \
             c.slug AS community_slug, c.name AS community_name \
             FROM activities a LEFT JOIN users u ON u.id = a.actor_id \
             LEFT JOIN communities c ON c.id = a.community_id \
             WHERE a.id IN (SELECT DISTINCT id FROM (",
        );
        for (i, source) in SOURCES.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            let Some((before_viewer, after_viewer)) = source.outer else {
                out.push_sql("SELECT s.id FROM (");
                self.newest(source, &mut out)?;
                out.push_sql(") s");
                continue;
            };
            out.push_sql(if self.lateral { "SELECT s.id FROM " } else { "SELECT x.id FROM " });
            out.push_sql(before_viewer);
            out.push_bind_param::<BigInt, _>(&self.viewer)?;
            out.push_sql(after_viewer);
            out.push_sql(if self.lateral {
                " CROSS JOIN LATERAL ("
            } else {
                " JOIN activities x ON x.id IN ("
            });
            self.newest(source, &mut out)?;
            out.push_sql(if self.lateral { ") s" } else { ")" });
        }
        out.push_sql(") candidates ORDER BY id DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(") ORDER BY a.id DESC");
        Ok(())
    }
}
