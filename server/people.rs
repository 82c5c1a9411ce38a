//! People (SPEC §5): profiles, skills and colleagues' endorsements of them. Expert search
//! reads the skills; `/people/<handle>` shows it all.

use serde_json::json;

use crate::db::models::ideas::{self, Idea, IdeaQuery, Sort};
use crate::db::models::users::User;
use crate::db::models::{activities, follows, now, skills, users};
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

/// Resolves the manager a person typed (a handle, `@` optional, empty for none); refuses
/// unknown or deactivated people, oneself, and anyone who already reports to the person.
pub fn resolve_manager(c: &mut DbConn, user_id: i64, typed: &str) -> AppResult<Option<i64>> {
    let handle = typed.trim().trim_start_matches('@').to_lowercase();
    if handle.is_empty() {
        return Ok(None);
    }
    users::lock_org_chart(c)?;
    let found = users::by_handle(c, &handle)?;
    let current = users::find(c, user_id)?.and_then(|u| u.manager_id);
    if let Some(same) = found.as_ref().filter(|m| Some(m.id) == current) {
        // Unchanged (even if that manager has left since): saving the rest must work.
        return Ok(Some(same.id));
    }
    let manager = found
        .filter(|u| u.is_active)
        .ok_or_else(|| AppError::field("manager", format!("nobody here has the handle @{handle}")))?;
    if manager.id == user_id {
        return Err(AppError::field("manager", "you cannot be your own manager"));
    }
    // Walk up from the new manager; meeting the person means a cycle. The chart was
    // acyclic before, so the walk ends; the bound is only a guard.
    let mut above = manager.manager_id;
    for _ in 0..10_000 {
        let Some(id) = above else { break };
        if id == user_id {
            return Err(AppError::field(
                "manager",
                format!("@{handle} already reports to you, directly or through others"),
            ));
        }
        above = users::find(c, id)?.and_then(|u| u.manager_id);
    }
    Ok(Some(manager.id))
}

/// The name a (normalised) skill is stored under: what an admin's alias points to, or
/// itself.
pub fn canonical(aliases: &std::collections::HashMap<String, String>, skill: String) -> String {
    aliases.get(&skill).cloned().unwrap_or(skill)
}

/// Replaces a person's skills inside the caller's transaction, aliases resolved.
pub fn set_skills(c: &mut DbConn, user_id: i64, list: &[String]) -> AppResult<()> {
    let aliases = skills::aliases(c)?;
    let mut resolved: Vec<String> = Vec::new();
    for skill in list {
        let skill = canonical(&aliases, skill.clone());
        if !resolved.contains(&skill) {
            resolved.push(skill);
        }
    }
    Ok(skills::replace(c, user_id, &resolved, now())?)
}

/// Makes `alias` stand for `skill` (admins): people who declared the alias now hold the
/// skill, their endorsements with it. Chains are refused, so one lookup always suffices.
pub async fn set_alias(db: &Db, admin: &User, alias: &str, skill: &str) -> AppResult<(String, String)> {
    let (alias, skill) = (normalize_skill(alias), normalize_skill(skill));
    for (field, value) in [("alias", &alias), ("skill", &skill)] {
        if value.is_empty() || value.chars().count() > MAX_SKILL_CHARS {
            return Err(AppError::field(field, format!("give 1–{MAX_SKILL_CHARS} characters")));
        }
    }
    if alias == skill {
        return Err(AppError::field("skill", "an alias must name a different skill"));
    }
    let admin_id = admin.id;
    db.write(move |c| {
        let aliases = skills::aliases(c)?;
        if let Some(target) = aliases.get(&skill) {
            return Err(AppError::field(
                "skill",
                format!("“{skill}” is itself an alias of “{target}”; use that"),
            ));
        }
        if aliases.values().any(|target| *target == alias) {
            return Err(AppError::field(
                "alias",
                format!("other aliases point to “{alias}”; remove them first"),
            ));
        }
        skills::set_alias(c, &alias, &skill, now())?;
        // Each renamed profile goes through the log, so search re-reads it.
        for person in skills::rename_everywhere(c, &alias, &skill, now())? {
            if let Some(person) = users::find(c, person)? {
                activities::record(c, &profile_activity(admin_id, "user.updated", &person, json!({})))?;
            }
        }
        Ok((alias, skill))
    })
    .await
}

/// Removes an alias (admins); skills already renamed keep their new name.
pub async fn remove_alias(db: &Db, alias: &str) -> AppResult<()> {
    let alias = normalize_skill(alias);
    match db.write(move |c| Ok(skills::remove_alias(c, &alias)?)).await? {
        true => Ok(()),
        false => Err(AppError::NotFound),
    }
}

/// Every alias, sorted.
pub async fn aliases(db: &Db) -> AppResult<Vec<(String, String)>> {
    let mut all: Vec<(String, String)> = db.read(|c| Ok(skills::aliases(c)?)).await?.into_iter().collect();
    all.sort();
    Ok(all)
}

/// A colleague endorses (`on`) or withdraws an endorsement of one of a person's declared
/// skills. Repeating either changes nothing; nobody endorses themself.
pub async fn endorse(db: &Db, endorser: &User, handle: &str, skill: &str, on: bool) -> AppResult<()> {
    let (endorser_id, handle, skill) = (endorser.id, handle.to_lowercase(), normalize_skill(skill));
    db.write(move |c| {
        let skill = canonical(&skills::aliases(c)?, skill);
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

/// A person's profile as the forms show it (and a patch starts from): skills joined with
/// commas, the manager as a handle.
pub async fn profile_input(db: &Db, person: &User) -> AppResult<crate::accounts::ProfileInput> {
    let (id, manager_id) = (person.id, person.manager_id);
    let (skills, manager) = db
        .read(move |c| {
            let skills = skills::of_users(c, &[id])?.remove(&id).unwrap_or_default();
            let manager = match manager_id {
                Some(m) => users::find(c, m)?.map(|u| u.handle),
                None => None,
            };
            Ok((skills, manager))
        })
        .await?;
    Ok(crate::accounts::ProfileInput {
        name: person.name.clone(),
        title: person.title.clone(),
        department: person.department.clone(),
        location: person.location.clone(),
        bio: person.bio.clone(),
        skills: skills.into_iter().map(|(s, _)| s).collect::<Vec<_>>().join(", "),
        manager: manager.unwrap_or_default(),
    })
}

/// A person's skills with endorsement counts, most endorsed first.
pub async fn skills_of(db: &Db, user_id: i64) -> AppResult<Vec<(String, i64)>> {
    db.read(move |c| Ok(skills::of_users(c, &[user_id])?.remove(&user_id).unwrap_or_default())).await
}

/// A skill on a profile, with who endorsed it.
#[derive(Debug, Clone)]
pub struct SkillView {
    pub name: String,
    /// (handle, name) of each endorser, by name.
    pub endorsers: Vec<(String, String)>,
    /// Whether the viewer is one of them.
    pub endorsed_by_viewer: bool,
}

/// Everything `/people/<handle>` shows, as one viewer may see it.
#[derive(Debug, Clone)]
pub struct Profile {
    pub person: User,
    pub manager: Option<User>,
    pub reports: Vec<User>,
    pub skills: Vec<SkillView>,
    /// Their latest posts in communities the viewer may read.
    pub posts: Vec<crate::posts::PostCard>,
    /// Their latest ideas the viewer may see (never drafts, except to their author).
    pub ideas: Vec<Idea>,
    pub following: bool,
    /// Whether the viewer is this person.
    pub is_self: bool,
}

/// The profile of an active person; 404 for unknown or deactivated ones.
pub async fn profile(db: &Db, viewer: &User, handle: &str) -> AppResult<Profile> {
    let (person, posts) = crate::posts::by_author(db, viewer, handle, 10).await?;
    let (actor, person_id, manager_id) = (viewer.actor(), person.id, person.manager_id);
    let (manager, reports, skills, ideas, following) = db
        .read(move |c| {
            let manager = match manager_id {
                Some(id) => users::find_active(c, id)?,
                None => None,
            };
            let q = IdeaQuery {
                viewer_id: actor.user_id,
                admin: actor.admin,
                quarter: None,
                state: None,
                community_id: None,
                challenge_id: None,
                tag: None,
                author_id: Some(person_id),
                sort: Sort::New,
                after: None,
                limit: 10,
            };
            let ideas = ideas::list(c, &q)?.into_iter().map(|(idea, _)| idea).collect();
            let declared = skills::of_users(c, &[person_id])?.remove(&person_id).unwrap_or_default();
            let endorsers = skills::endorsers(c, person_id)?;
            let skills = declared
                .into_iter()
                .map(|(name, _)| {
                    let of_skill: Vec<&(String, i64, String, String)> =
                        endorsers.iter().filter(|(skill, ..)| *skill == name).collect();
                    SkillView {
                        endorsed_by_viewer: of_skill.iter().any(|(_, id, ..)| *id == actor.user_id),
                        endorsers: of_skill.iter().map(|(_, _, h, n)| (h.clone(), n.clone())).collect(),
                        name,
                    }
                })
                .collect();
            let following = follows::follows_user(c, actor.user_id, person_id)?;
            Ok((manager, users::reports_of(c, person_id)?, skills, ideas, following))
        })
        .await?;
    let is_self = person.id == viewer.id;
    Ok(Profile { person, manager, reports, skills, posts, ideas, following, is_self })
}

/// The directory's filters as typed (`view=org` shows the organisation chart instead).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DirectoryParams {
    #[serde(default)]
    pub q: String,
    pub department: Option<String>,
    pub location: Option<String>,
    pub skill: Option<String>,
    pub cursor: Option<String>,
    pub view: Option<String>,
    /// The person the org chart centres on.
    pub root: Option<String>,
}

/// A page of the directory.
#[derive(Debug, Clone)]
pub struct Directory {
    pub people: Vec<User>,
    pub next_cursor: Option<String>,
    pub departments: Vec<String>,
    pub locations: Vec<String>,
}

const DIRECTORY_PAGE: i64 = 50;

fn encode_cursor(person: &User) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{}\t{}", person.id, person.name))
}

fn decode_cursor(cursor: &str) -> Option<(String, i64)> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let (id, name) =
        String::from_utf8(raw).ok()?.split_once('\t').map(|(i, n)| (i.to_owned(), n.to_owned()))?;
    Some((name, id.parse().ok()?))
}

/// Active people matching the filters, by name, a page at a time. A cursor that does not
/// decode starts from the top rather than failing.
pub async fn directory(db: &Db, params: DirectoryParams) -> AppResult<Directory> {
    let after = params.cursor.as_deref().and_then(decode_cursor);
    let skill = params.skill.as_deref().map(normalize_skill);
    db.read(move |c| {
        let skill = match skill {
            Some(s) => Some(canonical(&skills::aliases(c)?, s)),
            None => None,
        };
        let q = users::PeopleQuery {
            search: Some(params.q.as_str()),
            department: params.department.as_deref(),
            location: params.location.as_deref(),
            skill: skill.as_deref(),
            after,
            limit: DIRECTORY_PAGE,
        };
        let people = users::directory(c, &q)?;
        let next_cursor =
            (people.len() as i64 == DIRECTORY_PAGE).then(|| people.last().map(encode_cursor)).flatten();
        let (departments, locations) = users::departments_and_locations(c)?;
        Ok(Directory { people, next_cursor, departments, locations })
    })
    .await
}

/// One person in the org chart with their direct reports (each with how many report to
/// them in turn).
#[derive(Debug, Clone)]
pub struct OrgNode {
    pub person: User,
    pub reports: Vec<(User, usize)>,
}

/// The org chart around one person (their managers above, their reports below), or from
/// the top when no one is chosen.
#[derive(Debug, Clone)]
pub struct OrgChart {
    /// The chosen person's managers, the top first.
    pub chain: Vec<User>,
    pub nodes: Vec<OrgNode>,
}

/// Builds the org chart; 404 for an unknown root.
pub async fn org_chart(db: &Db, root: Option<String>) -> AppResult<OrgChart> {
    db.read(move |c| {
        let node = |c: &mut DbConn, person: User| -> AppResult<OrgNode> {
            let mut reports = Vec::new();
            for report in users::reports_of(c, person.id)? {
                let below = users::reports_of(c, report.id)?.len();
                reports.push((report, below));
            }
            Ok(OrgNode { person, reports })
        };
        let Some(handle) = root.map(|h| h.trim_start_matches('@').to_lowercase()).filter(|h| !h.is_empty())
        else {
            let tops = users::without_manager(c)?;
            return Ok(OrgChart {
                chain: Vec::new(),
                nodes: tops.into_iter().map(|p| node(c, p)).collect::<AppResult<_>>()?,
            });
        };
        let person = users::by_handle(c, &handle)?.filter(|u| u.is_active).ok_or(AppError::NotFound)?;
        let mut chain = Vec::new();
        let mut above = person.manager_id;
        while let Some(id) = above.filter(|_| chain.len() < 100) {
            let Some(manager) = users::find(c, id)? else { break };
            above = manager.manager_id;
            chain.push(manager);
        }
        chain.reverse();
        Ok(OrgChart { chain, nodes: vec![node(c, person)?] })
    })
    .await
}

/// How long a node shows the same [`Newcomers`].
const NEWCOMERS_FRESH: std::time::Duration = std::time::Duration::from_secs(30);

/// The home page's welcome box: the newest colleagues, and how many people the site has.
/// Read at most once per [`NEWCOMERS_FRESH`] per node: counting every account on each home
/// view took 0.7 ms with 50,000 people, about a sixth of the page, and neither needs to be
/// exact to the second.
#[derive(Clone, Default)]
pub struct Newcomers(std::sync::Arc<std::sync::Mutex<Option<Seen>>>);

/// When the newcomers were read, and what was read.
type Seen = (std::time::Instant, Vec<User>, i64);

impl Newcomers {
    /// The newest eight active people and the number of accounts.
    pub async fn get(&self, db: &Db) -> AppResult<(Vec<User>, i64)> {
        if let Ok(held) = self.0.lock()
            && let Some((at, newest, count)) = held.as_ref()
            && at.elapsed() < NEWCOMERS_FRESH
        {
            return Ok((newest.clone(), *count));
        }
        let (newest, count) = db.read(|c| Ok((users::newest(c, 8)?, users::count(c)?))).await?;
        if let Ok(mut held) = self.0.lock() {
            *held = Some((std::time::Instant::now(), newest.clone(), count));
        }
        Ok((newest, count))
    }
}
