//! People's skills and colleagues' endorsements of them (SPEC §5). Expert search reads
//! both; the profile page that shows them arrives with the people work.

use serde_json::json;

use crate::db::models::users::User;
use crate::db::models::{activities, now, skills, users};
use crate::db::{Db, DbConn};
use crate::domain::activity::{NewActivity, Visibility};
use crate::error::{AppError, AppResult};
use crate::search::experts::normalize_skill;

/// At most this many skills per person (a profile is not a keyword dump).
pub const MAX_SKILLS: usize = 50;
/// At most this many characters per skill.
pub const MAX_SKILL_CHARS: usize = 50;

/// Parses skills as typed, comma-separated or listed: normalised, duplicates dropped.
pub fn parse_skills<'a>(typed: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in typed.into_iter().flat_map(|s| s.split(',')) {
        let skill = normalize_skill(raw);
        if skill.is_empty() || out.contains(&skill) {
            continue;
        }
        if skill.chars().count() > MAX_SKILL_CHARS {
            return Err(format!(
                "keep each skill under {MAX_SKILL_CHARS} characters (“{}…”)",
                skill.chars().take(20).collect::<String>()
            ));
        }
        out.push(skill);
    }
    if out.len() > MAX_SKILLS {
        return Err(format!("list at most {MAX_SKILLS} skills"));
    }
    Ok(out)
}

/// An activity about a person's profile (the search index re-reads it).
pub fn profile_activity(
    actor: i64,
    verb: &'static str,
    person: &User,
    data: serde_json::Value,
) -> NewActivity {
    NewActivity {
        actor_id: Some(actor),
        verb,
        object_type: "user",
        object_id: person.id,
        community_id: None,
        visibility: Visibility::Public,
        data: json!({ "handle": person.handle, "name": person.name, "more": data }),
    }
}

/// Replaces a person's skills inside the caller's transaction.
pub fn set_skills(c: &mut DbConn, user_id: i64, list: &[String]) -> AppResult<()> {
    Ok(skills::replace(c, user_id, list, now())?)
}

/// A colleague endorses (`on`) or withdraws an endorsement of one of a person's declared
/// skills. Repeating either changes nothing; nobody endorses themself.
pub async fn endorse(db: &Db, endorser: &User, handle: &str, skill: &str, on: bool) -> AppResult<()> {
    let (endorser_id, handle, skill) = (endorser.id, handle.to_lowercase(), normalize_skill(skill));
    db.write(move |c| {
        let person = users::by_handle(c, &handle)?.filter(|u| u.is_active).ok_or(AppError::NotFound)?;
        if !skills::has(c, person.id, &skill)? {
            return Err(AppError::NotFound);
        }
        if person.id == endorser_id {
            return Err(AppError::Conflict("you cannot endorse your own skills".into()));
        }
        if skills::endorse(c, person.id, &skill, endorser_id, on, now())? {
            let verb = if on { "skill.endorsed" } else { "skill.unendorsed" };
            activities::record(c, &profile_activity(endorser_id, verb, &person, json!({ "skill": skill })))?;
        }
        Ok(())
    })
    .await
}

/// A person's skills with endorsement counts, most endorsed first.
pub async fn skills_of(db: &Db, user_id: i64) -> AppResult<Vec<(String, i64)>> {
    db.read(move |c| Ok(skills::of_users(c, &[user_id])?.remove(&user_id).unwrap_or_default())).await
}
