//! Communities and memberships.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::fixed::fixed;
use crate::db::models::users::User;
use crate::db::models::{escape_like, lower};
use crate::db::schema::{communities, memberships, users};
use crate::domain::community::{MemberRole, MemberState, Membership, Visibility};

/// A row of `communities`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct Community {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub description_html: String,
    pub visibility: String,
    pub created_by: Option<i64>,
    pub member_count: i32,
    pub archived_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Community {
    /// The visibility (the column's CHECK constraint guarantees a known value).
    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.visibility).unwrap_or(Visibility::Private)
    }

    /// The description as plain text, for the directory.
    pub fn summary(&self) -> String {
        crate::domain::markdown::plain_text(&self.description)
    }

    /// Whether the community is read-only.
    pub fn archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// A new community.
#[derive(Debug, Insertable)]
#[diesel(table_name = communities)]
pub struct NewCommunity<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub description_html: &'a str,
    pub visibility: &'a str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Inserts a community and returns its id.
pub fn insert(conn: &mut DbConn, new: &NewCommunity<'_>) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(communities::table)
        .values(new)
        .returning(communities::id)
        .get_result(c))
}

/// Finds a community by slug.
pub fn by_slug(conn: &mut DbConn, slug: &str) -> QueryResult<Option<Community>> {
    communities::table
        .filter(communities::slug.eq(slug))
        .select(Community::as_select())
        .first(conn)
        .optional()
}

/// Finds a community by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Community>> {
    communities::table.find(id).select(Community::as_select()).first(conn).optional()
}

/// A community as a list of links shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = communities)]
pub struct CommunityLink {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub member_count: i32,
}

impl CommunityLink {
    /// "member" or "members", for the count it follows.
    pub fn members_noun(&self) -> &'static str {
        if self.member_count == 1 { "member" } else { "members" }
    }
}

/// The communities where the user is an active member, by name. Only what links show:
/// the whole rows, descriptions and all, were 5% of the home page's CPU.
pub fn joined_by(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<CommunityLink>> {
    communities::table
        .inner_join(memberships::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::state.eq(MemberState::Active.as_str()))
        .order(communities::name.asc())
        .select(CommunityLink::as_select())
        .load(conn)
}

/// Changes who may see a community.
pub fn set_visibility(conn: &mut DbConn, id: i64, visibility: Visibility) -> QueryResult<()> {
    diesel::update(communities::table.find(id))
        .set(communities::visibility.eq(visibility.as_str()))
        .execute(conn)
        .map(drop)
}

/// Archives a community (read-only from now on).
pub fn archive(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(communities::table.find(id)).set(communities::archived_at.eq(at)).execute(conn).map(drop)
}

/// Changes the cached member count by `delta`.
pub fn adjust_member_count(conn: &mut DbConn, id: i64, delta: i32) -> QueryResult<()> {
    diesel::update(communities::table.find(id))
        .set(communities::member_count.eq(communities::member_count + delta))
        .execute(conn)
        .map(drop)
}

/// A page of the directory: what the viewer may discover, most members first.
pub struct DirectoryQuery<'a> {
    pub viewer_id: i64,
    pub admin: bool,
    /// Words to find in the name, slug or description.
    pub search: Option<&'a str>,
    /// Continue after this `(member_count, id)`.
    pub after: Option<(i32, i64)>,
    pub limit: i64,
}

/// One directory entry with the viewer's membership.
pub type DirectoryRow = (Community, Option<Membership>);

/// Lists communities for the directory. Private communities appear only to their members,
/// to people invited, and to admins.
pub fn directory(conn: &mut DbConn, q: &DirectoryQuery<'_>) -> QueryResult<Vec<DirectoryRow>> {
    let mut query = communities::table
        .left_join(
            memberships::table
                .on(memberships::community_id.eq(communities::id).and(memberships::user_id.eq(q.viewer_id))),
        )
        .select((Community::as_select(), (memberships::role, memberships::state).nullable()))
        .order((communities::member_count.desc(), communities::id.asc()))
        .limit(q.limit)
        .into_boxed();
    if !q.admin {
        query =
            query.filter(communities::visibility.ne(Visibility::Private.as_str()).or(
                memberships::state.eq_any([MemberState::Active.as_str(), MemberState::Invited.as_str()]),
            ));
    }
    if let Some(search) = q.search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        query = query.filter(
            lower(communities::name)
                .like(pattern.clone())
                .escape('\\')
                .or(communities::slug.like(pattern.clone()).escape('\\'))
                .or(lower(communities::description).like(pattern).escape('\\')),
        );
    }
    if let Some((count, id)) = q.after {
        query = query.filter(
            communities::member_count
                .lt(count)
                .or(communities::member_count.eq(count).and(communities::id.gt(id))),
        );
    }
    let rows: Vec<(Community, Option<(String, String)>)> = query.load(conn)?;
    Ok(rows.into_iter().map(|(c, m)| (c, m.and_then(parse_membership))).collect())
}

fn parse_membership((role, state): (String, String)) -> Option<Membership> {
    Some(Membership { role: MemberRole::parse(&role).ok()?, state: MemberState::parse(&state).ok()? })
}

/// The user's membership in a community, if any.
pub fn membership(conn: &mut DbConn, community_id: i64, user_id: i64) -> QueryResult<Option<Membership>> {
    let row: Option<(String, String)> = memberships::table
        .find((community_id, user_id))
        .select((memberships::role, memberships::state))
        .first(conn)
        .optional()?;
    Ok(row.and_then(parse_membership))
}

/// The memberships of several users in one community, as (user, membership).
pub fn memberships_of(
    conn: &mut DbConn,
    community_id: i64,
    user_ids: &[i64],
) -> QueryResult<Vec<(i64, Membership)>> {
    let rows: Vec<(i64, String, String)> = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::user_id.eq_any(user_ids))
        .select((memberships::user_id, memberships::role, memberships::state))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(user, role, state)| Some((user, parse_membership((role, state))?)))
        .collect())
}

/// Adds a membership row.
pub fn add_member(
    conn: &mut DbConn,
    community_id: i64,
    user_id: i64,
    membership: Membership,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::community_id.eq(community_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(membership.role.as_str()),
            memberships::state.eq(membership.state.as_str()),
            memberships::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Changes a membership's state.
pub fn set_state(conn: &mut DbConn, community_id: i64, user_id: i64, state: MemberState) -> QueryResult<()> {
    diesel::update(memberships::table.find((community_id, user_id)))
        .set(memberships::state.eq(state.as_str()))
        .execute(conn)
        .map(drop)
}

/// Changes a member's role.
pub fn set_role(conn: &mut DbConn, community_id: i64, user_id: i64, role: MemberRole) -> QueryResult<()> {
    diesel::update(memberships::table.find((community_id, user_id)))
        .set(memberships::role.eq(role.as_str()))
        .execute(conn)
        .map(drop)
}

/// Removes a membership row.
pub fn remove_member(conn: &mut DbConn, community_id: i64, user_id: i64) -> QueryResult<()> {
    diesel::delete(memberships::table.find((community_id, user_id))).execute(conn).map(drop)
}

/// How many active owners a community has.
pub fn owner_count(conn: &mut DbConn, community_id: i64) -> QueryResult<i64> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::role.eq(MemberRole::Owner.as_str()))
        .filter(memberships::state.eq(MemberState::Active.as_str()))
        .count()
        .get_result(conn)
}

/// Members (or requests, or invitations) of a community: owners first, then by name.
pub fn members(
    conn: &mut DbConn,
    community_id: i64,
    state: MemberState,
    limit: i64,
) -> QueryResult<Vec<(User, MemberRole)>> {
    let rows: Vec<(User, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq(state.as_str()))
        .filter(users::is_active.eq(true))
        .order((memberships::role.desc(), users::name.asc()))
        .limit(limit)
        .select((User::as_select(), memberships::role))
        .load(conn)?;
    Ok(rows.into_iter().map(|(u, r)| (u, MemberRole::parse(&r).unwrap_or(MemberRole::Member))).collect())
}

/// Every private community with the user's membership in it, if any (search asks the
/// policy which of them the user may not read).
///
/// Two reads, not a join: the private communities come from their partial index alone,
/// and the user's memberships from theirs. Joining probed a membership and read the table
/// row of each of the 450 private communities of the large organisation, and parsed each
/// one's archive date, on every search and idea page.
pub fn private_with_membership(
    conn: &mut DbConn,
    user_id: i64,
) -> QueryResult<Vec<(i64, bool, Option<Membership>)>> {
    // Written into the statement, so that SQLite reads the partial index alone.
    let private = || fixed("communities.visibility = 'private'");
    let mine: HashMap<i64, Membership> = memberships::table
        .inner_join(communities::table)
        .filter(memberships::user_id.eq(user_id))
        .filter(private())
        .select((memberships::community_id, memberships::role, memberships::state))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .filter_map(|(id, role, state)| Some((id, parse_membership((role, state))?)))
        .collect();
    let communities: Vec<(i64, bool)> = communities::table
        .filter(private())
        .select((communities::id, communities::archived_at.is_not_null()))
        .load(conn)?;
    Ok(communities.into_iter().map(|(id, archived)| (id, archived, mine.get(&id).copied())).collect())
}

/// The active moderators and owners of a community (who hear of join requests).
pub fn moderator_ids(conn: &mut DbConn, community_id: i64) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq(MemberState::Active.as_str()))
        .filter(memberships::role.eq_any([MemberRole::Moderator.as_str(), MemberRole::Owner.as_str()]))
        .select(memberships::user_id)
        .load(conn)
}

/// The communities someone actively moderates or owns.
pub fn moderated_by(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .filter(memberships::state.eq(MemberState::Active.as_str()))
        .filter(memberships::role.eq_any([MemberRole::Moderator.as_str(), MemberRole::Owner.as_str()]))
        .select(memberships::community_id)
        .load(conn)
}
