//! Analytics for admins (SPEC §8): weekly active people, posts, comments, votes and idea
//! submissions; ideas per state per quarter; top communities and contributors; the time
//! from submission to the board's decision. A job keeps weekly counters as the activity log
//! grows, so a report reads a few hundred rows however much content there is.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::db::models::activities::Activity;
use crate::db::models::{analytics, communities, log_cursors, now, users};
use crate::db::{Db, DbConn};
use crate::domain::idea::IdeaState;
use crate::error::AppResult;

/// Weeks the charts cover.
pub const WEEKS: usize = 26;
/// Entries in the top lists.
const TOP: i64 = 10;
const CURSOR: &str = "analytics";

/// The Monday of an instant's week, as the counters name weeks.
pub fn week_of(at: NaiveDateTime) -> NaiveDate {
    let day = at.date();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn name(week: NaiveDate) -> String {
    week.format("%Y-%m-%d").to_string()
}

/// Counts one activity into the weekly counters.
fn count(c: &mut DbConn, activity: &Activity) -> AppResult<()> {
    let week = name(week_of(activity.created_at));
    let Some(actor) = activity.actor_id else { return Ok(()) };
    analytics::active(c, &week, actor)?;
    let data: Value = serde_json::from_str(&activity.data).unwrap_or(Value::Null);
    let metric = match activity.verb.as_str() {
        "post.created" => "posts",
        "comment.created" | "idea.commented" => "comments",
        "idea.voted" => "votes",
        "idea.transitioned" if data.get("to").and_then(Value::as_str) == Some("submitted") => "ideas",
        _ => return Ok(()),
    };
    analytics::bump(c, &week, metric, 0, 1)?;
    if metric != "votes" {
        analytics::bump(c, &week, "person", actor, 1)?;
        if let Some(community) = activity.community_id {
            analytics::bump(c, &week, "community", community, 1)?;
        }
    }
    Ok(())
}

/// Runs for the life of the process: from the start of the log the first time, then from
/// its saved position.
pub async fn run(db: Db) {
    match db.read(|c| Ok(log_cursors::get(c, CURSOR)?)).await {
        Ok(saved) => crate::jobs::consume_log(db, CURSOR, saved.unwrap_or(0), count).await,
        Err(e) => e.log(),
    }
}

/// One week's numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Week {
    /// Its Monday.
    pub week: String,
    pub active: i64,
    pub posts: i64,
    pub comments: i64,
    pub votes: i64,
    pub ideas: i64,
}

/// Ideas of a quarter per state (stored names), in the pipeline's order.
#[derive(Debug, Clone)]
pub struct Quarter {
    pub quarter: String,
    pub states: Vec<(String, i64)>,
    pub total: i64,
}

/// How long the board took in a quarter.
#[derive(Debug, Clone)]
pub struct Decisions {
    pub quarter: String,
    pub decided: usize,
    pub median_days: f64,
}

/// Everything `/admin/analytics` shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub weeks: Vec<Week>,
    pub funnel: Vec<Quarter>,
    /// (slug, name, posts and comments) over the weeks shown.
    pub communities: Vec<(String, String, i64)>,
    /// (handle, name, posts, comments and ideas) over the weeks shown.
    pub people: Vec<(String, String, i64)>,
    pub decisions: Vec<Decisions>,
}

/// Reads the report for the `WEEKS` weeks up to `at`.
pub async fn report(db: &Db, at: NaiveDateTime) -> AppResult<Report> {
    db.read(move |c| {
        let last = week_of(at);
        let first = last - Duration::weeks(i64::try_from(WEEKS).unwrap_or(26) - 1);
        let since = name(first);
        let mut weeks: Vec<Week> = (0..WEEKS)
            .map(|i| Week {
                week: name(first + Duration::weeks(i64::try_from(i).unwrap_or(0))),
                ..Week::default()
            })
            .collect();
        let mut fill = |rows: Vec<(String, i64)>, field: fn(&mut Week) -> &mut i64| {
            for (week, n) in rows {
                if let Some(w) = weeks.iter_mut().find(|w| w.week == week) {
                    *field(w) = n;
                }
            }
        };
        fill(analytics::actives(c, &since)?, |w| &mut w.active);
        fill(analytics::series(c, "posts", &since)?, |w| &mut w.posts);
        fill(analytics::series(c, "comments", &since)?, |w| &mut w.comments);
        fill(analytics::series(c, "votes", &since)?, |w| &mut w.votes);
        fill(analytics::series(c, "ideas", &since)?, |w| &mut w.ideas);
        let mut top_communities = Vec::new();
        for (id, n) in analytics::top(c, "community", &since, TOP)? {
            if let Some(community) = communities::find(c, id)? {
                top_communities.push((community.slug, community.name, n));
            }
        }
        let mut people = Vec::new();
        for (id, n) in analytics::top(c, "person", &since, TOP)? {
            if let Some(person) = users::find(c, id)? {
                people.push((person.handle, person.name, n));
            }
        }
        Ok(Report {
            weeks,
            funnel: funnel(analytics::funnel(c)?),
            communities: top_communities,
            people,
            decisions: decisions(analytics::decisions(c)?),
        })
    })
    .await
}

fn funnel(rows: Vec<(String, String, i64)>) -> Vec<Quarter> {
    let mut quarters: Vec<Quarter> = Vec::new();
    for (quarter, state, n) in rows {
        let at = quarters.iter().position(|q| q.quarter == quarter).unwrap_or_else(|| {
            // Every state but drafts, in the pipeline's order, so quarters line up.
            let states = IdeaState::ALL
                .into_iter()
                .filter(|s| *s != IdeaState::Draft)
                .map(|s| (s.as_str().to_owned(), 0))
                .collect();
            quarters.push(Quarter { quarter: quarter.clone(), states, total: 0 });
            quarters.len() - 1
        });
        let entry = &mut quarters[at];
        entry.total += n;
        match entry.states.iter_mut().find(|(s, _)| *s == state) {
            Some((_, count)) => *count += n,
            None => entry.states.push((state, n)),
        }
    }
    quarters
}

fn decisions(rows: Vec<(String, NaiveDateTime, NaiveDateTime)>) -> Vec<Decisions> {
    let mut by_quarter: Vec<(String, Vec<f64>)> = Vec::new();
    for (quarter, submitted, decided) in rows {
        let days = (decided - submitted).num_minutes() as f64 / (24.0 * 60.0);
        match by_quarter.iter_mut().find(|(q, _)| *q == quarter) {
            Some((_, all)) => all.push(days),
            None => by_quarter.push((quarter, vec![days])),
        }
    }
    by_quarter.sort_by(|a, b| a.0.cmp(&b.0));
    by_quarter
        .into_iter()
        .map(|(quarter, mut days)| {
            days.sort_by(f64::total_cmp);
            let mid = days.len() / 2;
            let median = if days.len() % 2 == 1 { days[mid] } else { (days[mid - 1] + days[mid]) / 2.0 };
            Decisions { quarter, decided: days.len(), median_days: (median * 10.0).round() / 10.0 }
        })
        .collect()
}

/// The report's weekly numbers as CSV.
pub fn weekly_csv(report: &Report) -> AppResult<String> {
    let header = ["week", "active_people", "posts", "comments", "votes", "ideas_submitted"];
    let rows = report.weeks.iter().map(|w| {
        let numbers = [w.active, w.posts, w.comments, w.votes, w.ideas].map(|n| n.to_string());
        std::iter::once(w.week.clone()).chain(numbers)
    });
    crate::export::csv(&header, rows)
}

/// The report's funnel as CSV: one row per quarter and state.
pub fn funnel_csv(report: &Report) -> AppResult<String> {
    let rows = report
        .funnel
        .iter()
        .flat_map(|q| q.states.iter().map(|(state, n)| [q.quarter.clone(), state.clone(), n.to_string()]));
    crate::export::csv(&["quarter", "state", "ideas"], rows)
}

/// The current report (for the page and downloads).
pub async fn current(db: &Db) -> AppResult<Report> {
    report(db, now()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let at = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(name(week_of(at(22))), "2026-11-16", "a Sunday belongs to the week before");
        assert_eq!(name(week_of(at(23))), "2026-11-23");
        assert_eq!(name(week_of(at(25))), "2026-11-23");
    }

    #[test]
    fn decision_times_are_medians_per_quarter() {
        let at = |d, h| NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let rows = vec![
            ("2026-Q4".to_owned(), at(1, 0), at(3, 0)),
            ("2026-Q4".to_owned(), at(1, 0), at(11, 0)),
            ("2026-Q3".to_owned(), at(1, 0), at(1, 12)),
        ];
        let found = decisions(rows);
        assert_eq!(found[0].quarter, "2026-Q3");
        assert_eq!((found[0].decided, found[0].median_days), (1, 0.5));
        assert_eq!((found[1].decided, found[1].median_days), (2, 6.0));
    }
}
