//! Feeds read from the activity log: what a viewer follows, and what a viewer may see.

use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Text};

use crate::db::DbConn;
use crate::db::id_list::any_of;
use crate::db::models::activities::Activity;
use crate::db::models::follows;
use crate::db::schema::{activities, communities, memberships, users};
use crate::domain::community::{MemberState, Visibility};

/// Verbs a feed shows (edits, deletions, reactions and membership chores stay out of it).
/// The partial indexes `activities_feed_idx` and `activities_actor_feed_idx` (migration
/// 000019) list the same verbs in the same order; change them together.
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
///
/// Each of those is a lane: one community, one person or one tag, read newest first from
/// its own index. The page is the newest `limit` entries over all lanes. On SQLite, where a
/// statement is a function call, the lanes are merged here and each is read only as deep
/// as the page needs; one statement gathering `limit` entries from every lane and sorting
/// them cost 3 ms of the 4 ms home page for a member of 30 communities. On PostgreSQL each
/// statement is a round trip, so one statement does it there (LATERAL joins, which its
/// planner runs well).
pub fn home(
    conn: &mut DbConn,
    viewer: &Viewer,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<FeedRow>> {
    let before = before.unwrap_or(i64::MAX);
    let ids = match conn {
        DbConn::Pg(c) => HomeFeed { viewer, before, limit }.load(c)?,
        DbConn::Sqlite(_) => merge(conn, viewer, before, limit)?,
    };
    entries(conn, &ids)
}

/// Who reads the home feed.
pub struct Viewer {
    pub id: i64,
    pub admin: bool,
}

/// The log entries of `ids` with their actor and community, newest first.
fn entries(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<FeedRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    activities::table
        .left_join(users::table.on(users::id.nullable().eq(activities::actor_id)))
        .left_join(communities::table.on(communities::id.nullable().eq(activities::community_id)))
        .select((
            Activity::as_select(),
            (users::handle, users::name).nullable(),
            (communities::slug, communities::name).nullable(),
        ))
        .filter(any_of(activities::id, ids))
        .order(activities::id.desc())
        .load(conn)
}

/// What a lane follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A community the viewer is an active member of.
    Community,
    /// A person the viewer follows, or the viewer.
    Person,
    /// A #tag the viewer follows: its posts.
    Tag,
}

/// One lane's key.
enum Key {
    Id(i64),
    Tag(String),
}

impl Kind {
    /// The tables a lane reads, its key column, and the column its newest-first order
    /// follows. Tagged posts are read from the tag's index newest post first (post ids and
    /// their `post.created` entries grow together); left to itself SQLite's planner walked
    /// every post's entry looking for the tag (0.8 s per home page on the large data).
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Community => ("activities y", "y.community_id = ", "y.id DESC"),
            Kind::Person => ("activities y", "y.actor_id = ", "y.id DESC"),
            Kind::Tag => (
                "post_tags p CROSS JOIN activities y",
                "y.object_type = 'post' AND y.object_id = p.post_id AND p.tag = ",
                "p.post_id DESC",
            ),
        }
    }

    /// PostgreSQL's outer rows: the viewer's keys of this kind, around the viewer's id.
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Kind::Community => {
                ("SELECT community_id AS k FROM memberships WHERE user_id = ", " AND state = 'active'")
            }
            Kind::Person => ("SELECT followee_id AS k FROM user_follows WHERE follower_id = ", ""),
            Kind::Tag => ("SELECT tag AS k FROM tag_follows WHERE user_id = ", ""),
        }
    }
}

/// Writes one lane's newest entries before `before` that the viewer may see: the lane's
/// key is bound, or with none it is PostgreSQL's outer row `o.k`.
fn newest<'b, DB: Backend>(
    (viewer_id, admin): (&'b i64, bool),
    kind: Kind,
    key: Option<&'b Key>,
    (before, limit): (&'b i64, &'b i64),
    out: &mut AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    i64: ToSql<BigInt, DB>,
    String: ToSql<Text, DB>,
{
    let (from, key_column, newest_first) = kind.tables();
    out.push_sql("SELECT y.id FROM ");
    out.push_sql(from);
    out.push_sql(" WHERE ");
    out.push_sql(key_column);
    match key {
        Some(Key::Id(id)) => out.push_bind_param::<BigInt, _>(id)?,
        Some(Key::Tag(tag)) => out.push_bind_param::<Text, _>(tag)?,
        None => out.push_sql("o.k"),
    }
    // FEED_VERBS, as the partial indexes list them.
    out.push_sql(
        " AND y.withdrawn_at IS NULL \
         AND y.verb IN ('post.created', 'comment.created', 'answer.accepted', 'community.created') \
         AND y.id < ",
    );
    out.push_bind_param::<BigInt, _>(before)?;
    // The policy's visibility rule, as in `read`; in the viewer's own communities it is
    // simply "not for admins only", which spares a lookup per entry. Elsewhere it looks up
    // the entry's community, and the viewer's membership only when it is private (a list
    // of the viewer's communities was built anew for every lane).
    match (admin, kind) {
        (true, _) => {}
        (false, Kind::Community) => out.push_sql(" AND y.visibility IN ('public', 'community')"),
        (false, _) => {
            out.push_sql(
                " AND (y.visibility = 'public' OR (y.visibility = 'community' AND EXISTS (\
                 SELECT 1 FROM communities c WHERE c.id = y.community_id AND (c.visibility <> 'private' \
                 OR EXISTS (SELECT 1 FROM memberships m WHERE m.community_id = c.id AND m.user_id = ",
            );
            out.push_bind_param::<BigInt, _>(viewer_id)?;
            out.push_sql(" AND m.state = 'active')))))");
        }
    }
    out.push_sql(" ORDER BY ");
    out.push_sql(newest_first);
    out.push_sql(" LIMIT ");
    out.push_bind_param::<BigInt, _>(limit)
}

/// SQLite's home feed: the lanes merged newest first, each read in batches only as deep
/// as the page needs. The statements are separate reads, not one snapshot: an entry
/// withdrawn meanwhile can show once, as it would on a page loaded a moment earlier.
fn merge(conn: &mut DbConn, viewer: &Viewer, before: i64, limit: i64) -> QueryResult<Vec<i64>> {
    let communities = memberships::table
        .filter(memberships::user_id.eq(viewer.id))
        .filter(memberships::state.eq(MemberState::Active.as_str()))
        .select(memberships::community_id)
        .load::<i64>(conn)?;
    let mut people = follows::followed_users(conn, viewer.id)?;
    people.push(viewer.id);
    let keys = (communities.into_iter().map(|id| (Kind::Community, Key::Id(id))))
        .chain(people.into_iter().map(|id| (Kind::Person, Key::Id(id))))
        .chain(follows::followed_tags(conn, viewer.id)?.into_iter().map(|tag| (Kind::Tag, Key::Tag(tag))));
    // A first batch that covers the page if the lanes share it evenly; a lane that runs
    // out while still among the newest reads twice as many the next time.
    let lanes: Vec<_> = keys.collect();
    let first = (2 * limit / lanes.len().max(1) as i64).clamp(4, limit.max(4));
    let mut lanes: Vec<Lane> = lanes
        .into_iter()
        .map(|(kind, key)| Lane { kind, key, ids: Vec::new(), batch: first, before, more: true })
        .collect();
    let mut page = Vec::with_capacity(limit as usize);
    while page.len() < limit as usize {
        let mut newest = None;
        for lane in &mut lanes {
            if let Some(id) = lane.head(conn, viewer)? {
                newest = newest.max(Some(id));
            }
        }
        let Some(newest) = newest else { break };
        // The same entry can come from several lanes (a followed person's post in one of
        // the viewer's communities): it shows once.
        for lane in &mut lanes {
            if lane.ids.last() == Some(&newest) {
                lane.ids.pop();
            }
        }
        page.push(newest);
    }
    Ok(page)
}

/// One lane of SQLite's merge.
struct Lane {
    kind: Kind,
    key: Key,
    /// The entries read and not yet taken, oldest first (taken from the end).
    ids: Vec<i64>,
    /// How many entries the next read asks for.
    batch: i64,
    /// Where the next read starts (exclusive).
    before: i64,
    /// Whether the lane may hold more entries than it has read.
    more: bool,
}

impl Lane {
    /// The lane's newest entry not yet taken, reading the next batch when it needs one.
    fn head(&mut self, conn: &mut DbConn, viewer: &Viewer) -> QueryResult<Option<i64>> {
        if self.ids.is_empty() && self.more {
            let mut ids = match (self.kind, viewer.admin) {
                (Kind::Community, false) => LanePage::<COMMUNITY, false>::load(conn, viewer, self)?,
                (Kind::Community, true) => LanePage::<COMMUNITY, true>::load(conn, viewer, self)?,
                (Kind::Person, false) => LanePage::<PERSON, false>::load(conn, viewer, self)?,
                (Kind::Person, true) => LanePage::<PERSON, true>::load(conn, viewer, self)?,
                (Kind::Tag, false) => LanePage::<TAG, false>::load(conn, viewer, self)?,
                (Kind::Tag, true) => LanePage::<TAG, true>::load(conn, viewer, self)?,
            };
            self.more = ids.len() as i64 == self.batch;
            self.before = ids.last().copied().unwrap_or(self.before);
            self.batch *= 2;
            ids.reverse();
            self.ids = ids;
        }
        Ok(self.ids.last().copied())
    }
}

/// A lane's next batch, as one statement prepared once per connection for each shape
/// (its key and start are bound values). The text depends only on the lane's kind and on
/// whether the viewer is an admin, and both are in the type: diesel finds the prepared
/// statement by type, where a text-keyed statement is written out and hashed on every
/// read (3% of the home feed's CPU, with a read per lane).
struct LanePage<'a, const KIND: u8, const ADMIN: bool> {
    viewer_id: &'a i64,
    lane: &'a Lane,
}

/// [`Kind`]s as const parameters of [`LanePage`].
const COMMUNITY: u8 = 0;
const PERSON: u8 = 1;
const TAG: u8 = 2;

impl<const KIND: u8, const ADMIN: bool> LanePage<'_, KIND, ADMIN> {
    const KIND: Kind = match KIND {
        COMMUNITY => Kind::Community,
        PERSON => Kind::Person,
        _ => Kind::Tag,
    };

    fn load(conn: &mut DbConn, viewer: &Viewer, lane: &Lane) -> QueryResult<Vec<i64>> {
        debug_assert!(
            Self::KIND == lane.kind && ADMIN == viewer.admin,
            "a lane read under another shape's statement"
        );
        let read = LanePage::<KIND, ADMIN> { viewer_id: &viewer.id, lane };
        crate::on_backend!(conn, |c| read.load(c))
    }
}

impl<const KIND: u8, const ADMIN: bool> QueryId for LanePage<'_, KIND, ADMIN> {
    type QueryId = LanePage<'static, KIND, ADMIN>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const KIND: u8, const ADMIN: bool> Query for LanePage<'_, KIND, ADMIN> {
    type SqlType = BigInt;
}

impl<Conn, const KIND: u8, const ADMIN: bool> RunQueryDsl<Conn> for LanePage<'_, KIND, ADMIN> {}

impl<DB: Backend, const KIND: u8, const ADMIN: bool> QueryFragment<DB> for LanePage<'_, KIND, ADMIN>
where
    i64: ToSql<BigInt, DB>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        // The text comes from the type's parameters alone, so it cannot differ from the
        // statement prepared under the same type.
        let lane = self.lane;
        newest((self.viewer_id, ADMIN), Self::KIND, Some(&lane.key), (&lane.before, &lane.batch), &mut out)
    }
}

/// PostgreSQL's home feed as one statement whose values are bound, so each connection
/// prepares it once: for each kind of lane, the viewer's keys joined LATERAL to each key's
/// newest `limit` entries; the page is the newest `limit` of those.
struct HomeFeed<'a> {
    viewer: &'a Viewer,
    before: i64,
    limit: i64,
}

// Its text depends on whether the viewer is an admin, so the statement cache keys it by
// its text (one statement per page, unlike SQLite's read per lane).
impl QueryId for HomeFeed<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for HomeFeed<'_> {
    type SqlType = BigInt;
}

impl<Conn> RunQueryDsl<Conn> for HomeFeed<'_> {}

impl<DB: Backend> QueryFragment<DB> for HomeFeed<'_>
where
    i64: ToSql<BigInt, DB>,
    String: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT DISTINCT id FROM (");
        for (i, kind) in [Kind::Community, Kind::Person, Kind::Tag].into_iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            let (before_viewer, after_viewer) = kind.keys();
            out.push_sql("SELECT s.id FROM (");
            out.push_sql(before_viewer);
            out.push_bind_param::<BigInt, _>(&self.viewer.id)?;
            out.push_sql(after_viewer);
            if kind == Kind::Person {
                // The viewer's own entries.
                out.push_sql(" UNION ALL SELECT ");
                out.push_bind_param::<BigInt, _>(&self.viewer.id)?;
            }
            out.push_sql(") o CROSS JOIN LATERAL (");
            newest((&self.viewer.id, self.viewer.admin), kind, None, (&self.before, &self.limit), &mut out)?;
            out.push_sql(") s");
        }
        out.push_sql(") candidates ORDER BY id DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)
    }
}
