//! Declared skills and endorsements.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{skill_aliases, skill_endorsements, user_skills, users};

/// Replaces a person's skills with `skills` (already normalised); endorsements of skills
/// kept stay, those of removed skills go with them.
pub fn replace(conn: &mut DbConn, user_id: i64, skills: &[String], at: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        user_skills::table.filter(user_skills::user_id.eq(user_id)).filter(user_skills::skill.ne_all(skills)),
    )
    .execute(conn)?;
    // Explicitly, since SQLite's cascade needs foreign keys on and PostgreSQL's does not.
    diesel::delete(
        skill_endorsements::table
            .filter(skill_endorsements::user_id.eq(user_id))
            .filter(skill_endorsements::skill.ne_all(skills)),
    )
    .execute(conn)?;
    for skill in skills {
        let row =
            (user_skills::user_id.eq(user_id), user_skills::skill.eq(skill), user_skills::created_at.eq(at));
        crate::on_backend!(conn, |c| diesel::insert_into(user_skills::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}

/// Whether the person declares the skill.
pub fn has(conn: &mut DbConn, user_id: i64, skill: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        user_skills::table.filter(user_skills::user_id.eq(user_id)).filter(user_skills::skill.eq(skill)),
    ))
    .get_result(conn)
}

/// Adds or removes one endorsement; returns whether anything changed.
pub fn endorse(
    conn: &mut DbConn,
    user_id: i64,
    skill: &str,
    endorser_id: i64,
    on: bool,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = if on {
        let row = (
            skill_endorsements::user_id.eq(user_id),
            skill_endorsements::skill.eq(skill),
            skill_endorsements::endorser_id.eq(endorser_id),
            skill_endorsements::created_at.eq(at),
        );
        crate::on_backend!(conn, |c| diesel::insert_into(skill_endorsements::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?
    } else {
        diesel::delete(
            skill_endorsements::table
                .filter(skill_endorsements::user_id.eq(user_id))
                .filter(skill_endorsements::skill.eq(skill))
                .filter(skill_endorsements::endorser_id.eq(endorser_id)),
        )
        .execute(conn)?
    };
    Ok(changed > 0)
}

/// Each person's skills with endorsement counts, most endorsed first.
pub fn of_users(conn: &mut DbConn, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<(String, i64)>>> {
    let declared: Vec<(i64, String)> = user_skills::table
        .filter(user_skills::user_id.eq_any(ids))
        .select((user_skills::user_id, user_skills::skill))
        .load(conn)?;
    let counts: Vec<(i64, String, i64)> = skill_endorsements::table
        .filter(skill_endorsements::user_id.eq_any(ids))
        .group_by((skill_endorsements::user_id, skill_endorsements::skill))
        .select((skill_endorsements::user_id, skill_endorsements::skill, diesel::dsl::count_star()))
        .load(conn)?;
    let counts: HashMap<(i64, String), i64> = counts.into_iter().map(|(u, s, n)| ((u, s), n)).collect();
    let mut out: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for (user, skill) in declared {
        let n = counts.get(&(user, skill.clone())).copied().unwrap_or(0);
        out.entry(user).or_default().push((skill, n));
    }
    for skills in out.values_mut() {
        skills.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(out)
}

/// Active people who declare any of these skills: `(user, skill, endorsements)`.
pub fn holders(conn: &mut DbConn, skills: &[String]) -> QueryResult<Vec<(i64, String, i64)>> {
    let holders: Vec<(i64, String)> = user_skills::table
        .inner_join(users::table)
        .filter(user_skills::skill.eq_any(skills))
        .filter(users::is_active.eq(true))
        .select((user_skills::user_id, user_skills::skill))
        .load(conn)?;
    let ids: Vec<i64> = holders.iter().map(|(u, _)| *u).collect();
    let counts = of_users(conn, &ids)?;
    Ok(holders
        .into_iter()
        .map(|(user, skill)| {
            let n =
                counts.get(&user).and_then(|s| s.iter().find(|(k, _)| *k == skill)).map_or(0, |(_, n)| *n);
            (user, skill, n)
        })
        .collect())
}

/// Who endorsed each of a person's skills: `(skill, endorser id, handle, name)`, by name.
pub fn endorsers(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(String, i64, String, String)>> {
    skill_endorsements::table
        .inner_join(users::table.on(users::id.eq(skill_endorsements::endorser_id)))
        .filter(skill_endorsements::user_id.eq(user_id))
        .filter(users::is_active.eq(true))
        .order(users::name.asc())
        .select((skill_endorsements::skill, users::id, users::handle, users::name))
        .load(conn)
}

/// Every alias and the skill it stands for.
pub fn aliases(conn: &mut DbConn) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> =
        skill_aliases::table.select((skill_aliases::alias, skill_aliases::skill)).load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Makes `alias` stand for `skill` (replacing what it stood for).
pub fn set_alias(conn: &mut DbConn, alias: &str, skill: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(skill_aliases::table.find(alias)).execute(conn)?;
    diesel::insert_into(skill_aliases::table)
        .values((
            skill_aliases::alias.eq(alias),
            skill_aliases::skill.eq(skill),
            skill_aliases::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes an alias; returns whether there was one.
pub fn remove_alias(conn: &mut DbConn, alias: &str) -> QueryResult<bool> {
    diesel::delete(skill_aliases::table.find(alias)).execute(conn).map(|n| n > 0)
}

/// Moves every declaration and endorsement of skill `from` to skill `to` (merging with
/// any already there); returns the people whose skills changed.
pub fn rename_everywhere(
    conn: &mut DbConn,
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let holders: Vec<i64> =
        user_skills::table.filter(user_skills::skill.eq(from)).select(user_skills::user_id).load(conn)?;
    let endorsed: Vec<(i64, i64)> = skill_endorsements::table
        .filter(skill_endorsements::skill.eq(from))
        .select((skill_endorsements::user_id, skill_endorsements::endorser_id))
        .load(conn)?;
    for &user in &holders {
        let row = (user_skills::user_id.eq(user), user_skills::skill.eq(to), user_skills::created_at.eq(at));
        crate::on_backend!(conn, |c| diesel::insert_into(user_skills::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    for (user, endorser) in endorsed {
        endorse(conn, user, to, endorser, true, at)?;
    }
    diesel::delete(skill_endorsements::table.filter(skill_endorsements::skill.eq(from))).execute(conn)?;
    diesel::delete(user_skills::table.filter(user_skills::skill.eq(from))).execute(conn)?;
    Ok(holders)
}
