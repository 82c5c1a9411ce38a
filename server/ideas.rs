//! Idea actions: submit, read, vote, follow, comment, move through the pipeline, merge. An
//! idea in a community inherits its visibility; drafts are the author's alone. Every change
//! writes its trail event and activity in the same transaction.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use crate::communities::{Located, locate, locate_id};
use crate::db::models::challenges::{self, Challenge};
use crate::db::models::ideas::{self, Idea, IdeaComment, IdeaEvent, IdeaQuery, NewEvent, NewIdea, Sort};
use crate::db::models::posts::Author;
use crate::db::models::users::User;
use crate::db::models::{activities, now, reviews};
use crate::db::{Db, DbConn};
use crate::domain::account::Role;
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::content::{self, MAX_TITLE};
use crate::domain::idea::{self as rules, IdeaState, Standing};
use crate::domain::markdown;
use crate::domain::policy::{Action, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::{Attach, FileView, Target as FileTarget};
use crate::search::Search;

/// Longest problem, proposal or benefit, in characters.
const MAX_SECTION: usize = 10_000;

/// An idea as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct IdeaInput {
    pub title: String,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub proposal: String,
    #[serde(default)]
    pub benefit: String,
    /// Space- or comma-separated tags (with or without `#`).
    #[serde(default)]
    pub tags: String,
    /// The community's slug, if the idea belongs to one.
    #[serde(default)]
    pub community: Option<String>,
    /// The challenge the idea answers, if any (while it is open).
    #[serde(default)]
    pub challenge: Option<i64>,
    /// Submit now (default) or keep as a draft.
    #[serde(default = "yes")]
    pub submit: bool,
    /// Uploads to attach (`POST /api/v1/uploads` gives their ids); a comma-separated string
    /// in HTML forms.
    #[serde(default, deserialize_with = "crate::files::ids")]
    pub uploads: Vec<i64>,
}

fn yes() -> bool {
    true
}

fn parse_tags(raw: &str) -> Vec<String> {
    let text: String = raw
        .split([' ', ','])
        .filter(|t| !t.is_empty())
        .map(|t| format!("#{} ", t.trim_start_matches('#')))
        .collect();
    content::tags(&text)
}

fn validate(input: &IdeaInput) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    if let Err(e) = content::check_text(&input.title, MAX_TITLE, "title") {
        errors.insert("title".into(), e);
    }
    for (field, text, name) in [
        ("problem", &input.problem, "problem"),
        ("proposal", &input.proposal, "proposal"),
        ("benefit", &input.benefit, "benefit"),
    ] {
        let count = text.chars().count();
        if count > MAX_SECTION {
            errors.insert(
                field.into(),
                format!("the {name} has {count} characters; the limit is {MAX_SECTION}"),
            );
        } else if input.submit && field != "benefit" && text.trim().is_empty() {
            errors.insert(field.into(), format!("describe the {name} before submitting (or save a draft)"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::invalid(errors)) }
}

fn render(input: &IdeaInput) -> String {
    [("Problem", &input.problem), ("Proposal", &input.proposal), ("Expected benefit", &input.benefit)]
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(heading, text)| format!("<h2>{heading}</h2>\n{}", markdown::render(text)))
        .collect()
}

/// The asker's standing towards an idea; `sponsor` is the one named by the board's latest
/// decision (the transition table lets a sponsor move only funded ideas).
fn standing(user_id: i64, role: Role, idea: &Idea, sponsor: Option<i64>) -> Standing {
    Standing {
        author: idea.author_id == Some(user_id),
        executive: role == Role::Executive,
        admin: role == Role::Admin,
        sponsor: sponsor == Some(user_id),
    }
}

/// Who may see an idea's activities: its community's readers, or everyone.
pub(crate) fn audience(idea: &Idea) -> Visibility {
    if idea.community_id.is_some() { Visibility::Community } else { Visibility::Public }
}

/// An activity about an idea, seen by the idea's audience.
pub(crate) fn activity(actor: i64, verb: &'static str, idea: &Idea, data: serde_json::Value) -> NewActivity {
    NewActivity {
        actor_id: Some(actor),
        verb,
        object_type: "idea",
        object_id: idea.id,
        community_id: idea.community_id,
        visibility: audience(idea),
        data,
    }
}

/// Finds an idea the actor may act on: 404 for others' drafts, for ideas of communities
/// the actor may not read, and for hidden ideas unless the actor moderates them.
pub(crate) fn locate_idea(
    c: &mut DbConn,
    actor: Actor,
    id: i64,
) -> AppResult<(Idea, Option<Author>, Option<Located>)> {
    let found = locate_idea_shown(c, actor, id)?;
    if found.0.hidden_at.is_some() && !crate::moderation::moderates(c, actor, found.0.community_id)? {
        return Err(AppError::NotFound);
    }
    Ok(found)
}

/// Finds an idea the actor may read, hidden or not (its page shows a notice instead).
pub(crate) fn locate_idea_shown(
    c: &mut DbConn,
    actor: Actor,
    id: i64,
) -> AppResult<(Idea, Option<Author>, Option<Located>)> {
    let (idea, author) = ideas::find(c, id)?.ok_or(AppError::NotFound)?;
    if idea.state() == IdeaState::Draft && idea.author_id != Some(actor.user_id) {
        return Err(AppError::NotFound);
    }
    let located = match idea.community_id {
        Some(community) => {
            let located = locate_id(c, actor, community)?;
            located.allow(Action::Read)?;
            Some(located)
        }
        None => None,
    };
    Ok((idea, author, located))
}

/// The community of an idea the actor may see (websocket topics ask this).
pub fn community_of_idea(c: &mut DbConn, actor: Actor, id: i64) -> AppResult<Option<i64>> {
    locate_idea(c, actor, id).map(|(idea, ..)| idea.community_id)
}

fn transition_in(c: &mut DbConn, actor_id: i64, idea: &Idea, to: IdeaState, note: &str) -> AppResult<()> {
    let at = now();
    let from = idea.state();
    ideas::set_state(c, idea.id, to, at)?;
    let event = NewEvent {
        idea_id: idea.id,
        actor_id: Some(actor_id),
        kind: "transition",
        from: from.as_str(),
        to: to.as_str(),
        note,
    };
    ideas::append_event(c, &event, at)?;
    let data = json!({ "title": idea.title, "from": from.as_str(), "to": to.as_str(), "note": note });
    activities::record(c, &activity(actor_id, "idea.transitioned", idea, data))?;
    Ok(())
}

/// Submits (or drafts) an idea with its files; returns its id. Submitting the same idea
/// twice in a row (a double click) gives the first one back instead of a duplicate.
pub async fn create(db: &Db, user: &User, input: IdeaInput, files: Attach) -> AppResult<i64> {
    validate(&input)?;
    let (actor, html, tags) = (user.actor(), render(&input), parse_tags(&input.tags));
    db.write(move |c| {
        crate::db::models::ideas::lock_author(c, actor.user_id)?;
        if let Some(existing) =
            ideas::recent_twin(c, actor.user_id, input.title.trim(), input.problem.trim())?
        {
            return Ok(existing);
        }
        let community = match input.community.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => {
                let located = locate(c, actor, slug)?;
                located.allow(Action::Write)?;
                Some(located.community.id)
            }
            None => None,
        };
        let at = now();
        let tag_text = if tags.is_empty() { String::new() } else { format!(" {} ", tags.join(" ")) };
        let new = NewIdea {
            author_id: actor.user_id,
            community_id: community,
            challenge_id: None,
            title: input.title.trim(),
            problem: input.problem.trim(),
            proposal: input.proposal.trim(),
            benefit: input.benefit.trim(),
            html: &html,
            tags: &tag_text,
            state: IdeaState::Draft.as_str(),
            created_at: at,
            updated_at: at,
        };
        let id = ideas::insert(c, &new)?;
        files.apply(c, actor.user_id, FileTarget::Idea(id))?;
        if let Some(challenge) = input.challenge {
            let found = challenges::find(c, challenge)?
                .ok_or_else(|| AppError::field("challenge", "there is no such challenge"))?;
            if found.deadline < at {
                return Err(AppError::Conflict(format!(
                    "the challenge closed on {}",
                    found.deadline.format("%Y-%m-%d")
                )));
            }
            challenges::attach(c, id, challenge)?;
        }
        let created = NewEvent {
            idea_id: id,
            actor_id: Some(actor.user_id),
            kind: "created",
            from: "",
            to: "draft",
            note: "",
        };
        ideas::append_event(c, &created, at)?;
        ideas::follow(c, id, actor.user_id, at)?;
        if input.submit {
            let (idea, _) = ideas::find(c, id)?.ok_or(AppError::NotFound)?;
            transition_in(c, actor.user_id, &idea, IdeaState::Submitted, "")?;
        }
        Ok(id)
    })
    .await
}

/// A comment on an idea with its reactions and (for top-level comments) its replies.
#[derive(Debug, Clone)]
pub struct IdeaCommentView {
    pub comment: IdeaComment,
    pub author: Option<Author>,
    pub reactions: Vec<crate::posts::Reaction>,
    pub replies: Vec<IdeaCommentView>,
    /// Whether the viewer may delete it.
    pub can_delete: bool,
    pub files: Vec<FileView>,
}

fn thread_comments(
    rows: Vec<(IdeaComment, Option<Author>)>,
    summary: &crate::db::models::posts::ReactionSummary,
    mut files: HashMap<i64, Vec<FileView>>,
    may_delete: impl Fn(&IdeaComment) -> bool,
) -> Vec<IdeaCommentView> {
    let mut top: Vec<IdeaCommentView> = Vec::new();
    for (comment, author) in rows {
        let view = IdeaCommentView {
            reactions: crate::posts::reactions_for(summary, comment.id),
            can_delete: may_delete(&comment),
            files: files.remove(&comment.id).unwrap_or_default(),
            comment,
            author,
            replies: Vec::new(),
        };
        match view.comment.reply_to.and_then(|parent| top.iter_mut().find(|t| t.comment.id == parent)) {
            Some(parent) => parent.replies.push(view),
            None => top.push(view),
        }
    }
    top
}

/// Everything an idea page shows.
pub struct IdeaPage {
    pub idea: Idea,
    pub author: Option<Author>,
    pub community: Option<Located>,
    /// The challenge the idea answers.
    pub challenge: Option<Challenge>,
    pub merged_into: Option<Idea>,
    pub voted: bool,
    pub following: bool,
    pub followers: usize,
    pub supporters: Vec<Author>,
    pub comments: Vec<IdeaCommentView>,
    /// Whether the viewer may comment and react.
    pub can_comment: bool,
    pub events: Vec<(IdeaEvent, Option<Author>)>,
    /// Transitions the viewer may make from here.
    pub moves: Vec<(IdeaState, bool)>,
    pub can_vote: bool,
    pub can_merge: bool,
    /// Whether the viewer wrote the idea.
    pub is_author: bool,
    /// The review board's latest decision, which everyone who sees the idea may read.
    pub decision: Option<reviews::DecisionView>,
    /// Whether the viewer moderates where the idea lives (and so sees it hidden).
    pub moderates: bool,
    /// Attached files, in the author's order.
    pub files: Vec<FileView>,
}

impl IdeaPage {
    /// Whether the page shows the idea itself (it is not hidden, or the viewer moderates).
    pub fn shown(&self) -> bool {
        self.idea.hidden_at.is_none() || self.moderates
    }

    /// What a hidden idea's page shows someone who does not moderate it: the notice alone.
    fn notice_only(idea: Idea, community: Option<Located>) -> Self {
        let idea = Idea {
            title: String::new(),
            problem: String::new(),
            proposal: String::new(),
            benefit: String::new(),
            html: String::new(),
            tags: String::new(),
            ..idea
        };
        IdeaPage {
            idea,
            author: None,
            community,
            challenge: None,
            merged_into: None,
            voted: false,
            following: false,
            followers: 0,
            supporters: Vec::new(),
            comments: Vec::new(),
            can_comment: false,
            events: Vec::new(),
            moves: Vec::new(),
            can_vote: false,
            can_merge: false,
            is_author: false,
            decision: None,
            moderates: false,
            files: Vec::new(),
        }
    }
}

/// Loads an idea page.
pub async fn view(db: &Db, user: &User, id: i64) -> AppResult<IdeaPage> {
    let (actor, role) = (user.actor(), user.role());
    db.read(move |c| {
        let (idea, author, community) = locate_idea_shown(c, actor, id)?;
        let moderates = crate::moderation::moderates(c, actor, idea.community_id)?;
        if idea.hidden_at.is_some() && !moderates {
            return Ok(IdeaPage::notice_only(idea, community));
        }
        let followers = ideas::follower_ids(c, id)?;
        let merged_into = match idea.merged_into {
            Some(target) => locate_idea(c, actor, target).ok().map(|(i, ..)| i),
            None => None,
        };
        let decision = reviews::latest_view(c, id)?;
        let sponsor = decision.as_ref().and_then(|d| d.decision.sponsor_id);
        let standing = standing(actor.user_id, role, &idea, sponsor);
        let moves = rules::TRANSITIONS
            .iter()
            .filter(|r| r.from == idea.state() && rules::check(r.from, r.to, standing, "x").is_ok())
            .map(|r| (r.to, r.note_required))
            .collect();
        let rows = ideas::comments(c, id)?;
        let comment_ids: Vec<i64> = rows.iter().map(|(comment, _)| comment.id).collect();
        let summary =
            crate::db::models::posts::reaction_summary(c, "idea_comment", &comment_ids, actor.user_id)?;
        let moderator = may_merge(actor, community.as_ref());
        let files = crate::files::views_of(c, "idea_comment", &comment_ids)?;
        let comments = thread_comments(rows, &summary, files, |comment| {
            moderator || comment.author_id == Some(actor.user_id)
        });
        let can_comment = community.as_ref().is_none_or(|l| l.may(Action::Write));
        let challenge = match idea.challenge_id {
            Some(challenge) => challenges::find(c, challenge)?,
            None => None,
        };
        Ok(IdeaPage {
            challenge,
            voted: ideas::has_voted(c, id, actor.user_id)?,
            following: followers.contains(&actor.user_id),
            followers: followers.len(),
            supporters: ideas::supporters(c, id, 50)?,
            comments,
            can_comment,
            events: ideas::events(c, id)?,
            can_vote: idea.state() == IdeaState::Submitted && !standing.author,
            is_author: standing.author,
            can_merge: idea.state().mergeable() && may_merge(actor, community.as_ref()),
            decision,
            moves,
            merged_into,
            files: crate::files::views_of(c, "idea", &[id])?.remove(&id).unwrap_or_default(),
            community,
            author,
            idea,
            moderates,
        })
    })
    .await
}

impl IdeaPage {
    /// Whether the viewer may edit the idea's text (its author, while it can still change).
    pub fn can_edit(&self) -> bool {
        self.is_author
            && matches!(self.idea.state(), IdeaState::Draft | IdeaState::Submitted | IdeaState::NeedsWork)
    }
}

fn may_merge(actor: Actor, community: Option<&Located>) -> bool {
    actor.admin || community.is_some_and(|l| l.may(Action::Moderate))
}

/// The author edits an idea's text while it is a draft, submitted or needs work.
pub async fn edit(db: &Db, user: &User, id: i64, input: IdeaInput) -> AppResult<()> {
    validate(&IdeaInput { submit: false, ..input.clone() })?;
    let (actor, html, tags) = (user.actor(), render(&input), parse_tags(&input.tags));
    db.write(move |c| {
        let (idea, ..) = locate_idea(c, actor, id)?;
        if idea.author_id != Some(actor.user_id) {
            return Err(AppError::Forbidden("only the author edits an idea"));
        }
        if !matches!(idea.state(), IdeaState::Draft | IdeaState::Submitted | IdeaState::NeedsWork) {
            return Err(AppError::Conflict(format!(
                "an idea that is {} can no longer be edited",
                idea.state().as_str()
            )));
        }
        let tag_text = if tags.is_empty() { String::new() } else { format!(" {} ", tags.join(" ")) };
        let text = ideas::IdeaText {
            title: input.title.trim(),
            problem: input.problem.trim(),
            proposal: input.proposal.trim(),
            benefit: input.benefit.trim(),
            html: &html,
            tags: &tag_text,
        };
        ideas::update_text(c, id, &text, now())?;
        let event = NewEvent {
            idea_id: id,
            actor_id: Some(actor.user_id),
            kind: "edited",
            from: idea.state().as_str(),
            to: idea.state().as_str(),
            note: "",
        };
        ideas::append_event(c, &event, now())?;
        let data = json!({ "title": input.title.trim() });
        activities::record(c, &activity(actor.user_id, "idea.edited", &idea, data))?;
        Ok(())
    })
    .await
}

/// Moves an idea along the pipeline; 409 with the reason when the table does not allow it.
pub async fn transition(db: &Db, user: &User, id: i64, to: &str, note: String) -> AppResult<IdeaState> {
    let to = IdeaState::parse(to).map_err(|e| AppError::field("to", e))?;
    let (actor, role) = (user.actor(), user.role());
    db.write(move |c| {
        let (idea, ..) = locate_idea(c, actor, id)?;
        let sponsor = reviews::latest_decision(c, id)?.and_then(|d| d.sponsor_id);
        rules::check(idea.state(), to, standing(actor.user_id, role, &idea, sponsor), &note)
            .map_err(AppError::Conflict)?;
        transition_in(c, actor.user_id, &idea, to, note.trim())?;
        Ok(to)
    })
    .await
}

/// Votes (`on`) or takes a vote back; idempotent. Returns the count and whether the user
/// now supports the idea.
pub async fn vote(db: &Db, user: &User, id: i64, on: bool) -> AppResult<(i32, bool)> {
    let actor = user.actor();
    db.write(move |c| {
        let (idea, ..) = locate_idea(c, actor, id)?;
        if idea.author_id == Some(actor.user_id) {
            return Err(AppError::Conflict("you cannot vote for your own idea".into()));
        }
        if idea.state() != IdeaState::Submitted {
            return Err(AppError::Conflict(format!(
                "voting is open while an idea is submitted; this one is {}",
                idea.state().as_str()
            )));
        }
        let at = now();
        let counted = if on {
            ideas::vote(c, id, actor.user_id, at)?
        } else {
            ideas::unvote(c, id, actor.user_id, at)?
        };
        let Some(votes) = counted else {
            // Nothing changed (a second vote, or an unvote without a vote).
            return Ok((idea.vote_count, on));
        };
        if on {
            ideas::follow(c, id, actor.user_id, at)?;
        }
        let verb = if on { "idea.voted" } else { "idea.unvoted" };
        activities::record(c, &activity(actor.user_id, verb, &idea, json!({ "votes": votes })))?;
        Ok((votes, on))
    })
    .await
}

/// Follows (`on`) or unfollows an idea; idempotent.
pub async fn follow(db: &Db, user: &User, id: i64, on: bool) -> AppResult<()> {
    let actor = user.actor();
    db.write(move |c| {
        locate_idea(c, actor, id)?;
        if on {
            ideas::follow(c, id, actor.user_id, now())?
        } else {
            ideas::unfollow(c, id, actor.user_id)?
        };
        Ok(())
    })
    .await
}

/// Comments on an idea, with files; a reply to a reply joins its parent's thread (one level
/// deep). Returns the comment's id.
pub async fn comment(
    db: &Db,
    user: &User,
    id: i64,
    body: String,
    reply_to: Option<i64>,
    files: Attach,
) -> AppResult<i64> {
    content::check_text(&body, content::MAX_COMMENT, "comment").map_err(|e| AppError::field("body", e))?;
    let (actor, html) = (user.actor(), markdown::render(&body));
    db.write(move |c| {
        let (idea, _, community) = locate_idea(c, actor, id)?;
        if let Some(located) = &community {
            located.allow(Action::Write)?;
        }
        let parent = match reply_to {
            Some(parent) => {
                let parent =
                    ideas::find_comment(c, parent)?.filter(|p| p.idea_id == id).ok_or(AppError::NotFound)?;
                Some(parent.reply_to.unwrap_or(parent.id))
            }
            None => None,
        };
        let comment = ideas::add_comment(c, id, actor.user_id, parent, &body, &html, now())?;
        files.apply(c, actor.user_id, FileTarget::IdeaComment(comment))?;
        ideas::follow(c, id, actor.user_id, now())?;
        let data = json!({ "idea": id, "title": idea.title, "mentions": content::mentions(&body) });
        activities::record(c, &activity(actor.user_id, "idea.commented", &idea, data))?;
        Ok(comment)
    })
    .await
}

/// Finds a comment on an idea the actor may see, with the idea and its community.
fn locate_comment(
    c: &mut DbConn,
    actor: Actor,
    comment_id: i64,
) -> AppResult<(IdeaComment, Idea, Option<Located>)> {
    let comment = ideas::find_comment(c, comment_id)?.ok_or(AppError::NotFound)?;
    let (idea, _, community) = locate_idea(c, actor, comment.idea_id)?;
    Ok((comment, idea, community))
}

/// Deletes a comment (its author, a moderator of the idea's community, or an admin);
/// returns the idea's id.
pub async fn delete_comment(db: &Db, user: &User, comment_id: i64) -> AppResult<i64> {
    let actor = user.actor();
    db.write(move |c| {
        let (comment, idea, community) = locate_comment(c, actor, comment_id)?;
        if comment.author_id != Some(actor.user_id) && !may_merge(actor, community.as_ref()) {
            return Err(AppError::Forbidden("only the author or a moderator can delete this"));
        }
        ideas::soft_delete_comment(c, comment_id, now())?;
        activities::record(
            c,
            &activity(actor.user_id, "idea.comment_deleted", &idea, json!({ "comment": comment_id })),
        )?;
        Ok(idea.id)
    })
    .await
}

/// Adds (`on`) or removes a reaction on an idea comment; idempotent. Returns the idea's id.
pub async fn react_comment(
    db: &Db,
    user: &User,
    comment_id: i64,
    kind: content::ReactionKind,
    on: bool,
) -> AppResult<i64> {
    let actor = user.actor();
    db.write(move |c| {
        let (_, idea, community) = locate_comment(c, actor, comment_id)?;
        if let Some(located) = &community {
            located.allow(Action::Write)?;
        }
        let posts = crate::db::models::posts::ReactionTarget::IdeaComment;
        if on {
            crate::db::models::posts::add_reaction(
                c,
                posts.as_str(),
                comment_id,
                actor.user_id,
                kind.as_str(),
                now(),
            )?;
        } else {
            crate::db::models::posts::remove_reaction(
                c,
                posts.as_str(),
                comment_id,
                actor.user_id,
                kind.as_str(),
            )?;
        }
        Ok(idea.id)
    })
    .await
}

/// A moderator or admin merges an idea into another: its voters become the target's
/// (nobody counted twice; the target's author cannot vote for their own idea), its
/// followers and comments move, and both trails record it.
pub async fn merge(db: &Db, user: &User, id: i64, into: i64) -> AppResult<()> {
    let actor = user.actor();
    db.write(move |c| {
        if id == into {
            return Err(AppError::Conflict("an idea cannot be merged into itself".into()));
        }
        let (source, _, community) = locate_idea(c, actor, id)?;
        if !may_merge(actor, community.as_ref()) {
            return Err(AppError::Forbidden("only moderators and admins merge ideas"));
        }
        if !source.state().mergeable() {
            return Err(AppError::Conflict(format!(
                "an idea that is {} cannot be merged",
                source.state().as_str()
            )));
        }
        let (target, ..) = locate_idea(c, actor, into)?;
        if matches!(target.state(), IdeaState::Merged | IdeaState::Draft | IdeaState::Withdrawn) {
            return Err(AppError::Conflict(format!(
                "cannot merge into an idea that is {}",
                target.state().as_str()
            )));
        }
        let at = now();
        let existing: HashSet<i64> = ideas::voter_ids(c, into)?.into_iter().collect();
        for voter in ideas::voter_ids(c, id)? {
            ideas::unvote(c, id, voter, at)?;
            if !existing.contains(&voter) && target.author_id != Some(voter) {
                ideas::vote(c, into, voter, at)?;
            }
        }
        for follower in ideas::follower_ids(c, id)? {
            ideas::follow(c, into, follower, at)?;
        }
        ideas::move_comments(c, id, into)?;
        ideas::set_merged(c, id, into, at)?;
        let note_from = format!("merged into #{into} {}", target.title);
        let from = NewEvent {
            idea_id: id,
            actor_id: Some(actor.user_id),
            kind: "merged",
            from: source.state().as_str(),
            to: "merged",
            note: &note_from,
        };
        ideas::append_event(c, &from, at)?;
        let note_into = format!("#{id} {} merged into this idea", source.title);
        let state = target.state();
        let into_event = NewEvent {
            idea_id: into,
            actor_id: Some(actor.user_id),
            kind: "merged_in",
            from: state.as_str(),
            to: state.as_str(),
            note: &note_into,
        };
        ideas::append_event(c, &into_event, at)?;
        activities::record(
            c,
            &activity(actor.user_id, "idea.merged", &source, json!({ "into": into, "title": source.title })),
        )?;
        Ok(())
    })
    .await
}

/// Filters and sort of an idea list.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
pub struct ListFilter {
    pub quarter: Option<String>,
    pub state: Option<String>,
    /// A community's slug.
    pub community: Option<String>,
    pub challenge: Option<i64>,
    pub tag: Option<String>,
    /// `top` (default), `new` or `trending`.
    pub sort: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// A page of ideas and the cursor of the next page (if it may have more).
pub type IdeaList = (Vec<(Idea, Option<Author>)>, Option<String>);

/// Lists ideas the user may see, a page at a time.
pub async fn list(db: &Db, user: &User, filter: ListFilter) -> AppResult<IdeaList> {
    let actor = user.actor();
    let sort = match filter.sort.as_deref() {
        None | Some("") | Some("top") => Sort::Top,
        Some("new") => Sort::New,
        Some("trending") => Sort::Trending,
        Some(other) => {
            return Err(AppError::field("sort", format!("unknown sort '{other}': use top, new or trending")));
        }
    };
    if let Some(state) = filter.state.as_deref().filter(|s| !s.is_empty()) {
        IdeaState::parse(state).map_err(|e| AppError::field("state", e))?;
    }
    let after = match filter.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(raw) => Some(
            ideas::After::decode(sort, raw).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?,
        ),
        None => None,
    };
    let limit = filter.limit.unwrap_or(50).clamp(1, 100);
    db.read(move |c| {
        let community_id = match filter.community.as_deref().filter(|s| !s.is_empty()) {
            Some(slug) => Some(locate(c, actor, slug)?.community.id),
            None => None,
        };
        let tag = filter.tag.as_deref().map(|t| t.trim_start_matches('#').to_lowercase());
        let q = IdeaQuery {
            viewer_id: actor.user_id,
            admin: actor.admin,
            quarter: filter.quarter.as_deref().filter(|s| !s.is_empty()),
            state: filter.state.as_deref().filter(|s| !s.is_empty()),
            community_id,
            challenge_id: filter.challenge,
            tag: tag.as_deref().filter(|t| !t.is_empty()),
            author_id: None,
            sort,
            after,
            limit,
        };
        let rows = ideas::list(c, &q)?;
        let next = (rows.len() as i64 == limit)
            .then(|| rows.last().map(|(i, _)| ideas::After::of(sort, i).encode()))
            .flatten();
        Ok((rows, next))
    })
    .await
}

/// Ideas that look like the one being typed (duplicate detection): more-like-this over
/// title and problem in the search index, only what the viewer may see.
pub async fn similar(
    db: &Db,
    search: &Search,
    user: &User,
    (title, problem): (&str, &str),
    except: Option<i64>,
) -> AppResult<Vec<Idea>> {
    let actor = user.actor();
    let ids = crate::search::similar_ideas(db, search, actor, title.into(), problem.into(), except).await?;
    db.read(move |c| {
        let mut found = Vec::new();
        for id in ids {
            // The index may trail a deletion by a moment; the database has the last word.
            if let Ok((idea, ..)) = locate_idea(c, actor, id) {
                found.push(idea);
            }
        }
        Ok(found)
    })
    .await
}

/// A new challenge as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ChallengeInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The last day ideas are accepted, `YYYY-MM-DD`.
    pub deadline: String,
}

/// An executive or admin poses a challenge; returns its id.
pub async fn create_challenge(db: &Db, user: &User, input: ChallengeInput) -> AppResult<i64> {
    if !matches!(user.role(), Role::Executive | Role::Admin) {
        return Err(AppError::Forbidden("executives and admins pose challenges"));
    }
    let mut errors = FieldErrors::new();
    if let Err(e) = content::check_text(&input.title, MAX_TITLE, "title") {
        errors.insert("title".into(), e);
    }
    if input.description.chars().count() > MAX_SECTION {
        errors.insert("description".into(), format!("use at most {MAX_SECTION} characters"));
    }
    let deadline = chrono::NaiveDate::parse_from_str(input.deadline.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .filter(|d| *d > now());
    if deadline.is_none() {
        errors.insert("deadline".into(), "give a future date as YYYY-MM-DD".into());
    }
    let (Some(deadline), true) = (deadline, errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    let (author, html) = (user.id, markdown::render(&input.description));
    db.write(move |c| {
        let at = now();
        let id =
            challenges::insert(c, input.title.trim(), input.description.trim(), &html, author, deadline, at)?;
        let data =
            json!({ "title": input.title.trim(), "deadline": deadline.format("%Y-%m-%d").to_string() });
        let entry = NewActivity {
            actor_id: Some(author),
            verb: "challenge.created",
            object_type: "challenge",
            object_id: id,
            community_id: None,
            visibility: Visibility::Public,
            data,
        };
        activities::record(c, &entry)?;
        Ok(id)
    })
    .await
}

/// All challenges, newest deadline first.
pub async fn challenges(db: &Db) -> AppResult<Vec<Challenge>> {
    db.read(|c| Ok(challenges::list(c, 100)?)).await
}

/// A challenge and the ideas (visible to the user) that answer it, top first.
pub async fn challenge(db: &Db, user: &User, id: i64) -> AppResult<(Challenge, Vec<(Idea, Option<Author>)>)> {
    let found = db.read(move |c| challenges::find(c, id)?.ok_or(AppError::NotFound)).await?;
    let (ideas, _) =
        list(db, user, ListFilter { challenge: Some(id), limit: Some(100), ..ListFilter::default() }).await?;
    Ok((found, ideas))
}

/// A quarter's leaderboard: its top ideas and its top contributors.
pub struct Leaderboard {
    pub quarter: String,
    pub ideas: Vec<(Idea, Option<Author>)>,
    /// (name, handle, ideas submitted, votes received), most votes first.
    pub contributors: Vec<(String, String, usize, i64)>,
}

/// Builds the leaderboard of a quarter from the ideas the user may see.
pub async fn leaderboard(db: &Db, user: &User, quarter: String) -> AppResult<Leaderboard> {
    let filter = ListFilter { quarter: Some(quarter.clone()), limit: Some(100), ..ListFilter::default() };
    let (listed, _) = list(db, user, filter).await?;
    let ideas: Vec<(Idea, Option<Author>)> =
        listed.into_iter().filter(|(i, _)| i.state() != IdeaState::Withdrawn).collect();
    let mut totals: std::collections::BTreeMap<String, (String, usize, i64)> =
        std::collections::BTreeMap::new();
    for (idea, author) in &ideas {
        if let Some(author) = author {
            let entry = totals.entry(author.handle.clone()).or_insert((author.name.clone(), 0, 0));
            entry.1 += 1;
            entry.2 += i64::from(idea.vote_count);
        }
    }
    let mut contributors: Vec<(String, String, usize, i64)> =
        totals.into_iter().map(|(handle, (name, count, votes))| (name, handle, count, votes)).collect();
    contributors.sort_by(|a, b| b.3.cmp(&a.3).then(b.2.cmp(&a.2)));
    contributors.truncate(10);
    Ok(Leaderboard { quarter, ideas: ideas.into_iter().take(10).collect(), contributors })
}
