//! The moderation queue, the audit log and a community's moderation log.

use askama::Template;

use super::PageCtx;
use crate::db::models::audit::Entry;
use crate::domain::moderation::ModAction;
use crate::moderation::queue;

/// `/admin/moderation`.
#[derive(Template)]
#[template(path = "moderation/queue.html")]
pub struct QueuePage {
    pub ctx: PageCtx,
    pub entries: Vec<queue::Entry>,
}

impl QueuePage {
    /// The actions offered on an entry: only those that apply to it as it stands.
    pub fn actions(&self, entry: &queue::Entry) -> Vec<(&'static str, &'static str)> {
        ModAction::ALL
            .into_iter()
            .filter(|a| match a {
                ModAction::Hide => !entry.item.hidden(),
                ModAction::Restore => entry.item.hidden(),
                ModAction::Lock => entry.item.post_id.is_some(),
                ModAction::Ban => entry.item.community_id.is_some(),
                ModAction::Suspend => self.ctx.admin(),
                ModAction::Dismiss => true,
            })
            .map(|a| (a.as_str(), label(a)))
            .collect()
    }
}

fn label(action: ModAction) -> &'static str {
    match action {
        ModAction::Dismiss => "Dismiss the reports",
        ModAction::Hide => "Hide it (the author is told why)",
        ModAction::Restore => "Restore it",
        ModAction::Lock => "Lock the thread",
        ModAction::Ban => "Ban the author from the community",
        ModAction::Suspend => "Suspend the author's account",
    }
}

/// One line of a log as pages show it.
pub struct LogLine {
    pub entry: Entry,
    /// The reason recorded, if any.
    pub reason: String,
}

impl LogLine {
    /// Lines from entries.
    pub fn all(entries: Vec<Entry>) -> Vec<Self> {
        entries
            .into_iter()
            .map(|entry| {
                let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap_or_default();
                let reason = details.get("reason").and_then(|r| r.as_str()).unwrap_or_default().to_owned();
                LogLine { entry, reason }
            })
            .collect()
    }

    /// Where the target can be seen, when it has a page.
    pub fn link(&self) -> Option<String> {
        let id = self.entry.target_id?;
        match self.entry.target_type.as_str() {
            "post" => Some(format!("/posts/{id}")),
            "idea" => Some(format!("/ideas/{id}")),
            _ => None,
        }
    }
}

/// `/admin/audit`.
#[derive(Template)]
#[template(path = "moderation/audit.html")]
pub struct AuditPage {
    pub ctx: PageCtx,
    pub lines: Vec<LogLine>,
    /// The filters as given, to keep in the form and the next page's link.
    pub action: String,
    pub actor: String,
    pub next: Option<i64>,
}

/// `/c/<slug>/moderation`.
#[derive(Template)]
#[template(path = "moderation/community.html")]
pub struct CommunityLogPage {
    pub ctx: PageCtx,
    pub slug: String,
    pub name: String,
    pub lines: Vec<LogLine>,
}
