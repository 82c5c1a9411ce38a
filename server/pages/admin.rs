//! Admin pages: the overview and user administration.

use askama::Template;

use super::PageCtx;
use crate::db::models::users::User;
use crate::domain::account::Role;

/// `/admin`.
#[derive(Template)]
#[template(path = "admin/home.html")]
pub struct AdminHome {
    pub ctx: PageCtx,
    /// Items waiting in the moderation queue.
    pub waiting: usize,
}

/// `/admin/users`.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub q: String,
    pub users: Vec<User>,
    pub next: Option<i64>,
}

impl UsersPage {
    /// Every role, for the role selects.
    pub fn roles(&self) -> [Role; 3] {
        [Role::Employee, Role::Executive, Role::Admin]
    }
}

/// A bar of a chart, in SVG units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// The week (its Monday) and the value, for the bar's tooltip and the axis.
    pub week: String,
    pub value: i64,
}

/// A weekly bar chart drawn on the server as SVG.
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub bars: Vec<Bar>,
    pub max: i64,
    pub total: i64,
}

/// Drawing area of a chart.
pub const CHART_W: i64 = 560;
pub const CHART_H: i64 = 140;

impl Chart {
    /// A chart of one weekly number.
    pub fn weekly(
        id: &'static str,
        title: &'static str,
        weeks: &[crate::analytics::Week],
        pick: fn(&crate::analytics::Week) -> i64,
    ) -> Self {
        let max = weeks.iter().map(pick).max().unwrap_or(0).max(1);
        let slot = CHART_W / i64::try_from(weeks.len().max(1)).unwrap_or(1);
        let bars = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let value = pick(w);
                let h = value * (CHART_H - 20) / max;
                Bar {
                    x: i64::try_from(i).unwrap_or(0) * slot + 1,
                    y: CHART_H - 20 - h,
                    w: slot - 2,
                    h,
                    week: w.week.clone(),
                    value,
                }
            })
            .collect();
        Chart { id, title, bars, max, total: weeks.iter().map(pick).sum() }
    }

    /// Whether a bar gets an axis label (every fourth week).
    pub fn labelled(&self, index: &usize) -> bool {
        index.is_multiple_of(4)
    }
}

/// `/admin/analytics`.
#[derive(Template)]
#[template(path = "admin/analytics.html")]
pub struct AnalyticsPage {
    pub ctx: PageCtx,
    pub charts: Vec<Chart>,
    pub report: crate::analytics::Report,
}

impl AnalyticsPage {
    /// A quarter's states with ideas in them, as (state, label, count, x, width) on a bar
    /// 100 units wide.
    pub fn segments(
        &self,
        quarter: &crate::analytics::Quarter,
    ) -> Vec<(String, &'static str, i64, f64, f64)> {
        let total = quarter.total.max(1) as f64;
        let mut x = 0.0;
        quarter
            .states
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(state, n)| {
                let width = *n as f64 * 100.0 / total;
                let segment = (state.clone(), state_label(state), *n, x, width);
                x += width;
                segment
            })
            .collect()
    }

    /// "In review 1 · Funded 1": the states with ideas in them.
    pub fn summary(&self, quarter: &crate::analytics::Quarter) -> String {
        let parts: Vec<String> =
            self.segments(quarter).into_iter().map(|(_, label, n, ..)| format!("{label} {n}")).collect();
        parts.join(" · ")
    }
}

fn state_label(state: &str) -> &'static str {
    crate::domain::idea::IdeaState::parse(state).map_or("Other", |s| s.label())
}
