//! Accounts.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::id_list::any_of;
use crate::db::schema::users;

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub handle: String,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub title: String,
    pub department: String,
    pub location: String,
    pub manager_id: Option<i64>,
    pub bio: String,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
}

/// What a new account starts with.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub handle: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
    pub title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub manager_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Profile fields a user edits on `/settings` (or an admin for them).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = users)]
pub struct ProfileChanges<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub department: &'a str,
    pub location: &'a str,
    pub bio: &'a str,
}

/// Inserts a user and returns its id.
pub fn insert(conn: &mut DbConn, new: &NewUser<'_>) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(users::table)
        .values(new)
        .returning(users::id)
        .get_result(c))
}

/// Finds a user by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).select(User::as_select()).first(conn).optional()
}

/// Finds an active user by id (what sessions and tokens resolve to).
pub fn find_active(conn: &mut DbConn, id: i64) -> QueryResult<Option<User>> {
    users::table.find(id).filter(users::is_active.eq(true)).select(User::as_select()).first(conn).optional()
}

/// The active ones among several users.
pub fn find_active_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<User>> {
    users::table
        .filter(any_of(users::id, ids))
        .filter(users::is_active.eq(true))
        .select(User::as_select())
        .load(conn)
}

/// Finds a user by (already lower-cased) email.
pub fn by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::email.eq(email)).select(User::as_select()).first(conn).optional()
}

/// Finds a user by (already lower-cased) handle.
pub fn by_handle(conn: &mut DbConn, handle: &str) -> QueryResult<Option<User>> {
    users::table.filter(users::handle.eq(handle)).select(User::as_select()).first(conn).optional()
}

/// Whether the email or the handle is already taken: `(email_taken, handle_taken)`.
pub fn taken(conn: &mut DbConn, email: &str, handle: &str) -> QueryResult<(bool, bool)> {
    let rows: Vec<(String, String)> = users::table
        .filter(users::email.eq(email).or(users::handle.eq(handle)))
        .select((users::email, users::handle))
        .load(conn)?;
    Ok((rows.iter().any(|(e, _)| e == email), rows.iter().any(|(_, h)| h == handle)))
}

/// Counts all accounts.
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

/// Active users with a role (e.g. how many executives sit on the board).
pub fn count_with_role(conn: &mut DbConn, role: &str) -> QueryResult<i64> {
    users::table.filter(users::role.eq(role)).filter(users::is_active.eq(true)).count().get_result(conn)
}

/// The most recently created active accounts, newest first.
pub fn newest(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::is_active.eq(true))
        .order(users::id.desc())
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

/// Replaces the password hash.
pub fn set_password_hash(conn: &mut DbConn, id: i64, hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::password_hash.eq(hash)).execute(conn).map(drop)
}

/// Saves profile fields.
pub fn update_profile(conn: &mut DbConn, id: i64, changes: &ProfileChanges<'_>) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(changes).execute(conn).map(drop)
}

/// Sets the site role.
pub fn set_role(conn: &mut DbConn, id: i64, role: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::role.eq(role)).execute(conn).map(drop)
}

/// Activates or deactivates an account.
pub fn set_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::is_active.eq(active)).execute(conn).map(drop)
}

/// Sets or clears the manager.
pub fn set_manager(conn: &mut DbConn, id: i64, manager_id: Option<i64>) -> QueryResult<()> {
    diesel::update(users::table.find(id)).set(users::manager_id.eq(manager_id)).execute(conn).map(drop)
}

impl User {
    /// The user as the authorization policy sees them.
    pub fn actor(&self) -> crate::domain::policy::Actor {
        crate::domain::policy::Actor {
            user_id: self.id,
            admin: self.role() == crate::domain::account::Role::Admin,
            board: self.role() != crate::domain::account::Role::Employee,
        }
    }

    /// The site role (the column's CHECK constraint guarantees a known value).
    pub fn role(&self) -> crate::domain::account::Role {
        crate::domain::account::Role::parse(&self.role).unwrap_or(crate::domain::account::Role::Employee)
    }
}

/// The active people who report to `manager_id`, by name.
pub fn reports_of(conn: &mut DbConn, manager_id: i64) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::manager_id.eq(manager_id))
        .filter(users::is_active.eq(true))
        .order(users::name.asc())
        .select(User::as_select())
        .load(conn)
}

/// Serializes changes to who reports to whom (PostgreSQL; SQLite has one writer anyway), so
/// two people naming each other as manager at once cannot make a cycle.
pub fn lock_org_chart(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(9, 0)").execute(c)?;
    }
    Ok(())
}

/// A page of the people directory: active people, by name.
pub struct PeopleQuery<'a> {
    /// Words to find in the name, handle or job title.
    pub search: Option<&'a str>,
    pub department: Option<&'a str>,
    pub location: Option<&'a str>,
    /// Only people who declare this (normalised) skill.
    pub skill: Option<&'a str>,
    /// Continue after this `(name, id)`.
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

/// Lists people for the directory.
pub fn directory(conn: &mut DbConn, q: &PeopleQuery<'_>) -> QueryResult<Vec<User>> {
    use crate::db::models::{escape_like, lower};
    use crate::db::schema::user_skills;
    let mut query = users::table
        .filter(users::is_active.eq(true))
        .order((users::name.asc(), users::id.asc()))
        .limit(q.limit)
        .select(User::as_select())
        .into_boxed();
    if let Some(search) = q.search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", escape_like(&search.trim_start_matches('@').to_lowercase()));
        query = query.filter(
            lower(users::name)
                .like(pattern.clone())
                .escape('\\')
                .or(users::handle.like(pattern.clone()).escape('\\'))
                .or(lower(users::title).like(pattern).escape('\\')),
        );
    }
    if let Some(department) = q.department.filter(|s| !s.is_empty()) {
        query = query.filter(users::department.eq(department));
    }
    if let Some(location) = q.location.filter(|s| !s.is_empty()) {
        query = query.filter(users::location.eq(location));
    }
    if let Some(skill) = q.skill.filter(|s| !s.is_empty()) {
        let holders = user_skills::table.filter(user_skills::skill.eq(skill)).select(user_skills::user_id);
        query = query.filter(users::id.eq_any(holders));
    }
    if let Some((name, id)) = &q.after {
        query = query.filter(users::name.gt(name).or(users::name.eq(name).and(users::id.gt(id))));
    }
    query.load(conn)
}

/// The departments and locations people give, each sorted (the directory's filters).
pub fn departments_and_locations(conn: &mut DbConn) -> QueryResult<(Vec<String>, Vec<String>)> {
    let active = users::table.filter(users::is_active.eq(true));
    let departments = active
        .filter(users::department.ne(""))
        .select(users::department)
        .distinct()
        .order(users::department)
        .load(conn)?;
    let locations = active
        .filter(users::location.ne(""))
        .select(users::location)
        .distinct()
        .order(users::location)
        .load(conn)?;
    Ok((departments, locations))
}

/// Active people with no manager on record: the tops of the org chart.
pub fn without_manager(conn: &mut DbConn) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::is_active.eq(true))
        .filter(users::manager_id.is_null())
        .order(users::name.asc())
        .select(User::as_select())
        .load(conn)
}

/// An account's `(id, email, handle, manager)`.
pub type OrgLink = (i64, String, String, Option<i64>);

/// Every account's [`OrgLink`]: what an import checks rows against.
pub fn org_links(conn: &mut DbConn) -> QueryResult<Vec<OrgLink>> {
    users::table.select((users::id, users::email, users::handle, users::manager_id)).load(conn)
}

/// Every active admin.
pub fn admin_ids(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::is_active.eq(true))
        .select(users::id)
        .load(conn)
}

/// Accounts for the admin's list, newest first: everyone (deactivated too) whose name,
/// handle or email contains `search`.
pub fn admin_list(
    conn: &mut DbConn,
    search: &str,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    use crate::db::models::{escape_like, lower};
    let mut query = users::table.order(users::id.desc()).limit(limit).select(User::as_select()).into_boxed();
    let search = search.trim().trim_start_matches('@').to_lowercase();
    if !search.is_empty() {
        let pattern = format!("%{}%", escape_like(&search));
        query = query.filter(
            lower(users::name)
                .like(pattern.clone())
                .escape('\\')
                .or(users::handle.like(pattern.clone()).escape('\\'))
                .or(users::email.like(pattern).escape('\\')),
        );
    }
    if let Some(id) = before {
        query = query.filter(users::id.lt(id));
    }
    query.load(conn)
}
