//! The moderation queue: open reports grouped by item, with the item in context and how
//! often each reporter's earlier reports were upheld. Moderators see their communities';
//! admins see everything.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{Item, load};
use crate::db::models::reports::{self, OpenReport};
use crate::db::models::users::User;
use crate::db::models::{communities, users};
use crate::db::{Db, DbConn};
use crate::domain::moderation::{ReportReason, TargetType};
use crate::domain::policy::Actor;
use crate::error::AppResult;

/// The most reports the queue reads at once.
const MOST: i64 = 1000;

/// One reporter of an item and their record.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Reporter {
    pub name: String,
    /// Their earlier reports that moderators upheld, and how many were decided.
    pub upheld: usize,
    pub decided: usize,
}

/// An item with open reports.
#[derive(Debug, Clone)]
pub struct Entry {
    pub item: Item,
    /// The community's slug and name (none for ideas outside communities).
    pub community: Option<(String, String)>,
    /// The author's handle and name.
    pub author: Option<(String, String)>,
    pub reports: usize,
    /// Each reason given, with how many gave it, most common first.
    pub reasons: Vec<(ReportReason, usize)>,
    /// Notes the reporters wrote.
    pub notes: Vec<String>,
    pub reporters: Vec<Reporter>,
    pub first_at: NaiveDateTime,
    pub last_at: NaiveDateTime,
}

/// Where someone moderates: everywhere (`None`, admins) or these communities.
fn scope(c: &mut DbConn, actor: Actor) -> AppResult<Option<Vec<i64>>> {
    Ok(if actor.admin { None } else { Some(communities::moderated_by(c, actor.user_id)?) })
}

/// Whether the user moderates anywhere (the queue page exists for them).
pub async fn moderates_somewhere(db: &Db, user: &User) -> AppResult<bool> {
    let actor = user.actor();
    db.read(move |c| Ok(scope(c, actor)?.is_none_or(|ids| !ids.is_empty()))).await
}

/// How many items wait in the user's queue.
pub async fn waiting(db: &Db, user: &User) -> AppResult<usize> {
    let actor = user.actor();
    db.read(move |c| match scope(c, actor)? {
        Some(ids) if ids.is_empty() => Ok(0),
        scope => Ok(reports::open_items(c, scope.as_deref())?),
    })
    .await
}

/// The queue as the user may work it, items with the most reports first.
pub async fn open(db: &Db, user: &User) -> AppResult<Vec<Entry>> {
    let actor = user.actor();
    db.read(move |c| {
        let scope = scope(c, actor)?;
        if scope.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Vec::new());
        }
        let open = reports::open(c, scope.as_deref(), MOST)?;
        let ids: Vec<i64> = open.iter().map(|r| r.reporter_id).collect();
        let mut record: HashMap<i64, (usize, usize)> = HashMap::new();
        for (reporter, outcome) in reports::accuracy(c, &ids)? {
            let entry = record.entry(reporter).or_default();
            entry.1 += 1;
            if outcome == "actioned" {
                entry.0 += 1;
            }
        }
        let mut entries: Vec<Entry> = Vec::new();
        for (key, group) in grouped(open) {
            let Some(target) = TargetType::parse(&key.0) else { continue };
            let Some(item) = load(c, target, key.1)? else { continue };
            let community = match item.community_id {
                Some(id) => communities::find(c, id)?.map(|c| (c.slug, c.name)),
                None => None,
            };
            let author = match item.author_id {
                Some(id) => users::find(c, id)?.map(|u| (u.handle, u.name)),
                None => None,
            };
            entries.push(Entry { author, ..entry(item, community, &group, &record) });
        }
        entries.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.first_at.cmp(&b.first_at)));
        Ok(entries)
    })
    .await
}

/// Reports grouped by item, in order of each item's first report.
fn grouped(open: Vec<OpenReport>) -> Vec<((String, i64), Vec<OpenReport>)> {
    let mut groups: Vec<((String, i64), Vec<OpenReport>)> = Vec::new();
    for report in open {
        let key = (report.target_type.clone(), report.target_id);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(report),
            None => groups.push((key, vec![report])),
        }
    }
    groups
}

fn entry(
    item: Item,
    community: Option<(String, String)>,
    group: &[OpenReport],
    record: &HashMap<i64, (usize, usize)>,
) -> Entry {
    let mut reasons: Vec<(ReportReason, usize)> = Vec::new();
    for reason in group.iter().filter_map(|r| ReportReason::parse(&r.reason)) {
        match reasons.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => reasons.push((reason, 1)),
        }
    }
    reasons.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let reporters = group
        .iter()
        .map(|r| {
            let (upheld, decided) = record.get(&r.reporter_id).copied().unwrap_or_default();
            Reporter { name: r.reporter.clone(), upheld, decided }
        })
        .collect();
    Entry {
        item,
        community,
        author: None,
        reports: group.len(),
        reasons,
        notes: group.iter().filter(|r| !r.note.is_empty()).map(|r| r.note.clone()).collect(),
        reporters,
        first_at: group.iter().map(|r| r.created_at).min().unwrap_or_default(),
        last_at: group.iter().map(|r| r.created_at).max().unwrap_or_default(),
    }
}
