//! Review board pages: the front page with the archive, and a quarter's board.

use askama::Template;

use super::PageCtx;
use crate::board::{Board, Brief, Overview};
use crate::error::FieldErrors;

/// `/review`.
#[derive(Template)]
#[template(path = "review/index.html")]
pub struct ReviewIndexPage {
    pub ctx: PageCtx,
    pub overview: Overview,
    /// Admins close quarters.
    pub admin: bool,
    pub errors: FieldErrors,
}

/// A board form that was refused, shown again at its brief with what was typed.
#[derive(Debug, Clone, Default)]
pub struct Refused {
    pub idea: i64,
    pub errors: FieldErrors,
    /// The submitted fields, by name.
    pub typed: std::collections::HashMap<String, String>,
}

/// `/review/<quarter>`.
#[derive(Template)]
#[template(path = "review/board.html")]
pub struct BoardPage {
    pub ctx: PageCtx,
    pub board: Board,
    pub live_since: i64,
    pub refused: Option<Refused>,
}

impl BoardPage {
    /// The refused form's errors when they belong to this brief.
    pub fn errors_for(&self, brief: &Brief) -> FieldErrors {
        self.refused
            .as_ref()
            .filter(|r| r.idea == brief.idea.id)
            .map(|r| r.errors.clone())
            .unwrap_or_default()
    }

    /// Refusals not shown beside a field of their own (conflicts, the decision's kind).
    pub fn general_errors(&self, brief: &Brief) -> Vec<String> {
        const INLINE: [&str; 6] = ["impact", "feasibility", "fit", "budget", "sponsor", "rationale"];
        let errors = self.errors_for(brief);
        errors.into_iter().filter(|(field, _)| !INLINE.contains(&field.as_str())).map(|(_, m)| m).collect()
    }

    /// The rubric: field names and labels.
    pub fn rubric(&self) -> &'static [(&'static str, &'static str)] {
        &[("impact", "Impact"), ("feasibility", "Feasibility"), ("fit", "Strategic fit")]
    }

    /// Whether rating `n` of `field` starts checked: as typed into a refused form, else the
    /// viewer's saved score.
    pub fn rated(&self, brief: &Brief, field: &str, n: &i32) -> bool {
        let typed = self.typed(brief, field);
        if !typed.is_empty() {
            return typed == n.to_string();
        }
        brief.scores.mine.as_ref().is_some_and(|r| match field {
            "impact" => r.impact == *n,
            "feasibility" => r.feasibility == *n,
            _ => r.fit == *n,
        })
    }

    /// The score comment box's text: as typed, else the viewer's saved comment.
    pub fn score_comment(&self, brief: &Brief) -> String {
        match self.refused.as_ref().filter(|r| r.idea == brief.idea.id) {
            Some(_) => self.typed(brief, "comment"),
            None => brief.scores.mine.as_ref().map(|r| r.comment.clone()).unwrap_or_default(),
        }
    }

    /// What was typed into a refused form at this brief.
    pub fn typed(&self, brief: &Brief, field: &str) -> String {
        self.refused
            .as_ref()
            .filter(|r| r.idea == brief.idea.id)
            .and_then(|r| r.typed.get(field).cloned())
            .unwrap_or_default()
    }
}
