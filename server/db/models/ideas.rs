//! Ideas, votes, followers, comments and the decision trail.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::posts::Author;
use crate::db::schema::{
    communities, idea_comments, idea_events, idea_follows, idea_votes, ideas, memberships, users,
};
use crate::domain::community::{MemberState, Visibility};
use crate::domain::idea::{self, IdeaState};

/// A row of `ideas`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ideas)]
pub struct Idea {
    pub id: i64,
    pub author_id: Option<i64>,
    pub community_id: Option<i64>,
    pub challenge_id: Option<i64>,
    pub title: String,
    pub problem: String,
    pub proposal: String,
    pub benefit: String,
    pub html: String,
    pub tags: String,
    pub state: String,
    pub quarter: String,
    pub merged_into: Option<i64>,
    pub vote_count: i32,
    pub trend_value: f64,
    pub trend_at: Option<NaiveDateTime>,
    pub trend_key: f64,
    pub submitted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Hidden by a moderator: a notice replaces it for everyone but moderators.
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
}

impl Idea {
    /// The state (the column's CHECK constraint guarantees a known value).
    pub fn state(&self) -> IdeaState {
        IdeaState::parse(&self.state).unwrap_or(IdeaState::Draft)
    }

    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<&str> {
        self.tags.split_whitespace().collect()
    }
}

/// A new idea.
#[derive(Debug, Insertable)]
#[diesel(table_name = ideas)]
pub struct NewIdea<'a> {
    pub author_id: i64,
    pub community_id: Option<i64>,
    pub challenge_id: Option<i64>,
    pub title: &'a str,
    pub problem: &'a str,
    pub proposal: &'a str,
    pub benefit: &'a str,
    pub html: &'a str,
    pub tags: &'a str,
    pub state: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Inserts an idea; returns its id.
pub fn insert(conn: &mut DbConn, new: &NewIdea<'_>) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(ideas::table)
        .values(new)
        .returning(ideas::id)
        .get_result(c))
}

/// Serialises idea creation per author for this transaction (PostgreSQL; SQLite writers
/// are serialised already), so a double submit cannot create two ideas.
pub fn lock_author(conn: &mut DbConn, author_id: i64) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(8, $1::integer)")
            .bind::<diesel::sql_types::Integer, _>(
                i32::try_from(author_id % i64::from(i32::MAX)).unwrap_or_default(),
            )
            .execute(c)?;
    }
    Ok(())
}

/// The author's idea with the same title and problem created in the last ten minutes.
pub fn recent_twin(
    conn: &mut DbConn,
    author_id: i64,
    title: &str,
    problem: &str,
) -> QueryResult<Option<i64>> {
    let since = crate::db::models::now() - chrono::Duration::minutes(10);
    ideas::table
        .filter(ideas::author_id.eq(author_id))
        .filter(ideas::title.eq(title))
        .filter(ideas::problem.eq(problem))
        .filter(ideas::created_at.gt(since))
        .select(ideas::id)
        .first(conn)
        .optional()
}

/// An idea with its author.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Idea, Option<Author>)>> {
    ideas::table
        .left_join(users::table.on(users::id.nullable().eq(ideas::author_id)))
        .filter(ideas::id.eq(id))
        .select((Idea::as_select(), (users::handle, users::name).nullable()))
        .first(conn)
        .optional()
}

/// The text fields of an idea, as edited.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = ideas)]
pub struct IdeaText<'a> {
    pub title: &'a str,
    pub problem: &'a str,
    pub proposal: &'a str,
    pub benefit: &'a str,
    pub html: &'a str,
    pub tags: &'a str,
}

/// Saves edited text.
pub fn update_text(conn: &mut DbConn, id: i64, text: &IdeaText<'_>, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ideas::table.find(id)).set((text, ideas::updated_at.eq(at))).execute(conn).map(drop)
}

/// Moves an idea to a state (and stamps the quarter on first submission).
pub fn set_state(conn: &mut DbConn, id: i64, state: IdeaState, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ideas::table.find(id))
        .set((ideas::state.eq(state.as_str()), ideas::updated_at.eq(at)))
        .execute(conn)?;
    if state == IdeaState::Submitted {
        diesel::update(ideas::table.find(id).filter(ideas::submitted_at.is_null()))
            .set((ideas::submitted_at.eq(at), ideas::quarter.eq(idea::quarter_of(at))))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks an idea merged into another.
pub fn set_merged(conn: &mut DbConn, id: i64, into: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ideas::table.find(id))
        .set((
            ideas::state.eq(IdeaState::Merged.as_str()),
            ideas::merged_into.eq(into),
            ideas::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

fn hours(at: NaiveDateTime) -> f64 {
    at.and_utc().timestamp() as f64 / 3600.0
}

/// Applies a vote (+1) or unvote (-1) to the count and the trending key, in the caller's
/// transaction, and returns the new count. Reading the row locks it on PostgreSQL as the
/// update will (`FOR NO KEY UPDATE`: `FOR UPDATE` would wait on the key-share lock each
/// vote's row takes on its idea, and two votes deadlock), and SQLite writes one transaction
/// at a time, so concurrent votes on one idea take turns and none decays a stale value.
/// Both statements stay prepared; diesel prepares an `UPDATE … RETURNING` anew each time,
/// which was 14% of the SQLite writer's time under votes.
fn bump(conn: &mut DbConn, id: i64, delta: i32, at: NaiveDateTime) -> QueryResult<i32> {
    let row = ideas::table.find(id).select((ideas::vote_count, ideas::trend_value, ideas::trend_at));
    let (count, value, trend_at): (i32, f64, Option<NaiveDateTime>) = match conn {
        DbConn::Pg(c) => row.for_no_key_update().first(c)?,
        DbConn::Sqlite(c) => row.first(c)?,
    };
    let (value, key) = idea::trend_after(value, trend_at.map(hours), hours(at), f64::from(delta));
    diesel::update(ideas::table.find(id))
        .set((
            ideas::vote_count.eq(ideas::vote_count + delta),
            ideas::trend_value.eq(value),
            ideas::trend_at.eq(at),
            ideas::trend_key.eq(key),
        ))
        .execute(conn)?;
    Ok(count + delta)
}

/// Adds a vote and returns the idea's new count; `None` when the user had already voted
/// (the primary key decides).
pub fn vote(conn: &mut DbConn, idea_id: i64, user_id: i64, at: NaiveDateTime) -> QueryResult<Option<i32>> {
    let row =
        (idea_votes::idea_id.eq(idea_id), idea_votes::user_id.eq(user_id), idea_votes::created_at.eq(at));
    let added = crate::on_backend!(conn, |c| diesel::insert_into(idea_votes::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?
        == 1;
    added.then(|| bump(conn, idea_id, 1, at)).transpose()
}

/// Removes a vote and returns the idea's new count; `None` when there was none.
pub fn unvote(conn: &mut DbConn, idea_id: i64, user_id: i64, at: NaiveDateTime) -> QueryResult<Option<i32>> {
    let removed = diesel::delete(idea_votes::table.find((idea_id, user_id))).execute(conn)? == 1;
    removed.then(|| bump(conn, idea_id, -1, at)).transpose()
}

/// Whether a user voted for an idea.
pub fn has_voted(conn: &mut DbConn, idea_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(idea_votes::table.find((idea_id, user_id)))).get_result(conn)
}

/// The ids of an idea's voters.
pub fn voter_ids(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<i64>> {
    idea_votes::table.filter(idea_votes::idea_id.eq(idea_id)).select(idea_votes::user_id).load(conn)
}

/// Who voted for the most ideas of a quarter (everyone tied for first), with that count.
pub fn top_voters(conn: &mut DbConn, quarter: &str) -> QueryResult<Vec<(i64, i64)>> {
    let counts: Vec<(i64, i64)> = idea_votes::table
        .inner_join(ideas::table)
        .filter(ideas::quarter.eq(quarter))
        .group_by(idea_votes::user_id)
        .select((idea_votes::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    let best = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
    Ok(counts.into_iter().filter(|(_, n)| *n == best && best > 0).collect())
}

/// An idea's supporters, earliest first.
pub fn supporters(conn: &mut DbConn, idea_id: i64, limit: i64) -> QueryResult<Vec<Author>> {
    idea_votes::table
        .inner_join(users::table)
        .filter(idea_votes::idea_id.eq(idea_id))
        .order(idea_votes::created_at.asc())
        .limit(limit)
        .select((users::handle, users::name))
        .load(conn)
}

/// Files an idea under another quarter, as if submitted at `at` (demo data of past quarters).
pub fn move_to_quarter(conn: &mut DbConn, id: i64, quarter: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(ideas::table.find(id))
        .set((ideas::quarter.eq(quarter), ideas::submitted_at.eq(at)))
        .execute(conn)
        .map(drop)
}

/// How many ideas of a quarter are in a state.
pub fn count_in_quarter(conn: &mut DbConn, quarter: &str, state: &str) -> QueryResult<i64> {
    ideas::table.filter(ideas::quarter.eq(quarter)).filter(ideas::state.eq(state)).count().get_result(conn)
}

/// How many supporters of an idea come from each department, largest first.
pub fn supporters_by_department(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<(String, i64)>> {
    let mut rows: Vec<(String, i64)> = idea_votes::table
        .inner_join(users::table)
        .filter(idea_votes::idea_id.eq(idea_id))
        .group_by(users::department)
        .select((users::department, diesel::dsl::count_star()))
        .load(conn)?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(rows)
}

/// Follows an idea; false when already following.
pub fn follow(conn: &mut DbConn, idea_id: i64, user_id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let row = (
        idea_follows::idea_id.eq(idea_id),
        idea_follows::user_id.eq(user_id),
        idea_follows::created_at.eq(at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(idea_follows::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// Stops following an idea.
pub fn unfollow(conn: &mut DbConn, idea_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::delete(idea_follows::table.find((idea_id, user_id))).execute(conn).map(|n| n == 1)
}

/// The ids of an idea's followers.
pub fn follower_ids(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<i64>> {
    idea_follows::table.filter(idea_follows::idea_id.eq(idea_id)).select(idea_follows::user_id).load(conn)
}

/// The ids of those who followed an idea by `at` and follow it still.
pub fn follower_ids_by(conn: &mut DbConn, idea_id: i64, at: NaiveDateTime) -> QueryResult<Vec<i64>> {
    idea_follows::table
        .filter(idea_follows::idea_id.eq(idea_id).and(idea_follows::created_at.le(at)))
        .select(idea_follows::user_id)
        .load(conn)
}

/// A comment on an idea.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idea_comments)]
pub struct IdeaComment {
    pub id: i64,
    pub idea_id: i64,
    pub author_id: Option<i64>,
    pub reply_to: Option<i64>,
    pub body: String,
    pub html: String,
    pub created_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
}

/// Inserts a comment (a reply when `reply_to` is set); returns its id.
pub fn add_comment(
    conn: &mut DbConn,
    idea_id: i64,
    author_id: i64,
    reply_to: Option<i64>,
    body: &str,
    html: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(idea_comments::table)
        .values((
            idea_comments::idea_id.eq(idea_id),
            idea_comments::author_id.eq(author_id),
            idea_comments::reply_to.eq(reply_to),
            idea_comments::body.eq(body),
            idea_comments::html.eq(html),
            idea_comments::created_at.eq(at),
        ))
        .returning(idea_comments::id)
        .get_result(c))
}

/// A comment that is not deleted.
pub fn find_comment(conn: &mut DbConn, id: i64) -> QueryResult<Option<IdeaComment>> {
    idea_comments::table
        .find(id)
        .filter(idea_comments::deleted_at.is_null())
        .select(IdeaComment::as_select())
        .first(conn)
        .optional()
}

/// Soft-deletes a comment (the row stays for the moderation trail).
pub fn soft_delete_comment(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(idea_comments::table.find(id))
        .set(idea_comments::deleted_at.eq(at))
        .execute(conn)
        .map(drop)
}

/// An idea's comments with authors, oldest first.
pub fn comments(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<(IdeaComment, Option<Author>)>> {
    idea_comments::table
        .left_join(users::table)
        .filter(idea_comments::idea_id.eq(idea_id))
        .filter(idea_comments::deleted_at.is_null())
        .order(idea_comments::id.asc())
        .select((IdeaComment::as_select(), (users::handle, users::name).nullable()))
        .load(conn)
}

/// Moves every comment of one idea to another (merging).
pub fn move_comments(conn: &mut DbConn, from: i64, to: i64) -> QueryResult<usize> {
    diesel::update(idea_comments::table.filter(idea_comments::idea_id.eq(from)))
        .set(idea_comments::idea_id.eq(to))
        .execute(conn)
}

/// One entry of the decision trail.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idea_events)]
pub struct IdeaEvent {
    pub id: i64,
    pub idea_id: i64,
    pub actor_id: Option<i64>,
    pub kind: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub prev_hash: String,
    pub hash: String,
}

impl IdeaEvent {
    /// The state the event led from, for people.
    pub fn from_label(&self) -> String {
        label(&self.from_state)
    }

    /// The state the event led to, for people.
    pub fn to_label(&self) -> String {
        label(&self.to_state)
    }
}

fn label(state: &str) -> String {
    IdeaState::parse(state).map_or_else(|_| state.to_owned(), |s| s.label().to_lowercase())
}

/// What an event records.
pub struct NewEvent<'a> {
    pub idea_id: i64,
    pub actor_id: Option<i64>,
    pub kind: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub note: &'a str,
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// Appends an event to the idea's trail, chained to the one before it.
pub fn append_event(conn: &mut DbConn, event: &NewEvent<'_>, at: NaiveDateTime) -> QueryResult<()> {
    let prev: Option<String> = idea_events::table
        .filter(idea_events::idea_id.eq(event.idea_id))
        .order(idea_events::id.desc())
        .select(idea_events::hash)
        .first(conn)
        .optional()?;
    let prev = prev.unwrap_or_default();
    let at_text = stamp(at);
    let entry = idea::TrailEntry {
        idea_id: event.idea_id,
        kind: event.kind,
        from: event.from,
        to: event.to,
        actor: event.actor_id,
        note: event.note,
        at: &at_text,
    };
    let hash = idea::event_hash(&prev, &entry);
    diesel::insert_into(idea_events::table)
        .values((
            idea_events::idea_id.eq(event.idea_id),
            idea_events::actor_id.eq(event.actor_id),
            idea_events::kind.eq(event.kind),
            idea_events::from_state.eq(event.from),
            idea_events::to_state.eq(event.to),
            idea_events::note.eq(event.note),
            idea_events::created_at.eq(at),
            idea_events::prev_hash.eq(&prev),
            idea_events::hash.eq(&hash),
        ))
        .execute(conn)
        .map(drop)
}

/// An idea's trail with actors, oldest first.
pub fn events(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<(IdeaEvent, Option<Author>)>> {
    idea_events::table
        .left_join(users::table)
        .filter(idea_events::idea_id.eq(idea_id))
        .order(idea_events::id.asc())
        .select((IdeaEvent::as_select(), (users::handle, users::name).nullable()))
        .load(conn)
}

/// Checks every idea's chain; returns the ids of events whose hash does not match.
pub fn broken_links(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    let all: Vec<IdeaEvent> = idea_events::table
        .order((idea_events::idea_id, idea_events::id))
        .select(IdeaEvent::as_select())
        .load(conn)?;
    let mut broken = Vec::new();
    let mut prev: (i64, String) = (0, String::new());
    for e in all {
        if e.idea_id != prev.0 {
            prev = (e.idea_id, String::new());
        }
        let at = stamp(e.created_at);
        let entry = idea::TrailEntry {
            idea_id: e.idea_id,
            kind: &e.kind,
            from: &e.from_state,
            to: &e.to_state,
            actor: e.actor_id,
            note: &e.note,
            at: &at,
        };
        let expected = idea::event_hash(&prev.1, &entry);
        if e.prev_hash != prev.1 || e.hash != expected {
            broken.push(e.id);
        }
        prev.1 = e.hash;
    }
    Ok(broken)
}

/// How lists of ideas are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Top,
    New,
    Trending,
}

/// Where a page of a sorted list continues: the last row's sort key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    Top { votes: i32, submitted: NaiveDateTime, id: i64 },
    Trending { key: f64, id: i64 },
    New { id: i64 },
}

impl After {
    /// The cursor continuing after `idea` in `sort` order.
    pub fn of(sort: Sort, idea: &Idea) -> Self {
        match sort {
            Sort::Top => Self::Top {
                votes: idea.vote_count,
                submitted: idea.submitted_at.unwrap_or(idea.created_at),
                id: idea.id,
            },
            Sort::Trending => Self::Trending { key: idea.trend_key, id: idea.id },
            Sort::New => Self::New { id: idea.id },
        }
    }

    /// The opaque text form clients pass back.
    pub fn encode(self) -> String {
        match self {
            Self::Top { votes, submitted, id } => {
                format!("top.{votes}.{}.{id}", submitted.and_utc().timestamp_micros())
            }
            Self::Trending { key, id } => format!("trending.{}.{id}", key.to_bits()),
            Self::New { id } => format!("new.{id}"),
        }
    }

    /// Parses a cursor made by [`After::encode`] for `sort`.
    pub fn decode(sort: Sort, raw: &str) -> Option<Self> {
        let parts: Vec<&str> = raw.split('.').collect();
        match (sort, parts.as_slice()) {
            (Sort::Top, ["top", votes, micros, id]) => Some(Self::Top {
                votes: votes.parse().ok()?,
                submitted: chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc(),
                id: id.parse().ok()?,
            }),
            (Sort::Trending, ["trending", bits, id]) => {
                Some(Self::Trending { key: f64::from_bits(bits.parse().ok()?), id: id.parse().ok()? })
            }
            (Sort::New, ["new", id]) => Some(Self::New { id: id.parse().ok()? }),
            _ => None,
        }
    }
}

/// What a list of ideas shows.
pub struct IdeaQuery<'a> {
    pub viewer_id: i64,
    pub admin: bool,
    pub quarter: Option<&'a str>,
    pub state: Option<&'a str>,
    pub community_id: Option<i64>,
    pub challenge_id: Option<i64>,
    pub tag: Option<&'a str>,
    /// Only this person's ideas.
    pub author_id: Option<i64>,
    pub sort: Sort,
    /// Continue after this row (keyset pagination, never OFFSET).
    pub after: Option<After>,
    pub limit: i64,
}

/// Lists ideas the viewer may see: never others' drafts, never ideas of private
/// communities the viewer is not in.
pub fn list(conn: &mut DbConn, q: &IdeaQuery<'_>) -> QueryResult<Vec<(Idea, Option<Author>)>> {
    let mut query = ideas::table
        .left_join(users::table.on(users::id.nullable().eq(ideas::author_id)))
        .left_join(communities::table.on(communities::id.nullable().eq(ideas::community_id)))
        .left_join(
            memberships::table.on(memberships::community_id
                .nullable()
                .eq(ideas::community_id)
                .and(memberships::user_id.eq(q.viewer_id))),
        )
        .select((Idea::as_select(), (users::handle, users::name).nullable()))
        // Hidden ideas leave every list; moderators find them through the queue and log.
        .filter(ideas::hidden_at.is_null())
        .limit(q.limit)
        .into_boxed();
    // Drafts show only when asked for, and only the viewer's own: sorted lists hold
    // submitted ideas, which all have a submission time to sort and page by.
    query = match q.state {
        Some(state) if state == IdeaState::Draft.as_str() => query.filter(ideas::author_id.eq(q.viewer_id)),
        _ => query.filter(ideas::state.ne(IdeaState::Draft.as_str())),
    };
    if !q.admin {
        query = query.filter(
            ideas::community_id
                .is_null()
                .or(communities::visibility.ne(Visibility::Private.as_str()))
                .or(memberships::state.eq(MemberState::Active.as_str())),
        );
    }
    if let Some(quarter) = q.quarter {
        query = query.filter(ideas::quarter.eq(quarter));
    }
    if let Some(state) = q.state {
        query = query.filter(ideas::state.eq(state));
    }
    if let Some(id) = q.community_id {
        query = query.filter(ideas::community_id.eq(id));
    }
    if let Some(id) = q.challenge_id {
        query = query.filter(ideas::challenge_id.eq(id));
    }
    if let Some(id) = q.author_id {
        query = query.filter(ideas::author_id.eq(id));
    }
    if let Some(tag) = q.tag {
        // Tags are stored space-separated with spaces around, so ` tag ` matches whole tags.
        query = query.filter(ideas::tags.like(format!("% {tag} %")));
    }
    query = match q.after {
        Some(After::Top { votes, submitted, id }) => {
            query.filter(ideas::vote_count.lt(votes).or(ideas::vote_count.eq(votes).and(
                ideas::submitted_at.gt(submitted).or(ideas::submitted_at.eq(submitted).and(ideas::id.gt(id))),
            )))
        }
        Some(After::Trending { key, id }) => {
            query.filter(ideas::trend_key.lt(key).or(ideas::trend_key.eq(key).and(ideas::id.lt(id))))
        }
        Some(After::New { id }) => query.filter(ideas::id.lt(id)),
        None => query,
    };
    query = match q.sort {
        Sort::Top => query.order((ideas::vote_count.desc(), ideas::submitted_at.asc(), ideas::id.asc())),
        Sort::New => query.order(ideas::id.desc()),
        Sort::Trending => query.order((ideas::trend_key.desc(), ideas::id.desc())),
    };
    query.load(conn)
}
