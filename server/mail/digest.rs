//! The daily digest: from the `digest_hour` (UTC) on, each person with notifications they
//! have neither read nor been mailed gets one mail, grouped by community and by object.
//! Notifications of kinds they turned off are left out; instant ones held back (a busy
//! thread mails once an hour) are included. Marking them mailed in the digest's own
//! transaction means no notification is mailed twice, however many nodes run this.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta, Timelike};

use super::Composer;
use super::compose::{DigestLine, DigestSection};
use super::preferences::{self, Mode};
use crate::db::models::notifications::{self, Pending};
use crate::db::models::{activities, now, outbox, users};
use crate::db::{Db, DbConn};
use crate::error::AppResult;

/// The most notifications one digest lists; more wait for the next one.
const MOST: usize = 200;
/// Notifications older than this are history, not news.
const OLDEST_DAYS: i64 = 14;

/// Runs for the life of the process, checking once a minute.
pub async fn run(db: Db, composer: Composer, hour: u32) {
    loop {
        if let Err(e) = send_due(&db, &composer, hour, now()).await {
            e.log();
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// The latest digest moment at or before `at`: today's digest hour, or yesterday's.
fn due_since(at: NaiveDateTime, hour: u32) -> NaiveDateTime {
    let today = at.date().and_hms_opt(hour.min(23), 0, 0).unwrap_or(at);
    if at.hour() >= hour { today } else { today - TimeDelta::days(1) }
}

/// Queues every digest due at `at`; returns how many.
pub async fn send_due(db: &Db, composer: &Composer, hour: u32, at: NaiveDateTime) -> AppResult<usize> {
    let since = at - TimeDelta::days(OLDEST_DAYS);
    let people = db.read(move |c| Ok(notifications::people_with_unmailed(c, since)?)).await?;
    let mut sent = 0;
    for user_id in people {
        let composer = composer.clone();
        if db.write(move |c| digest_for(c, &composer, user_id, due_since(at, hour), since)).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Queues one person's digest unless they had one since `due`; returns whether it did.
fn digest_for(
    c: &mut DbConn,
    composer: &Composer,
    user_id: i64,
    due: NaiveDateTime,
    since: NaiveDateTime,
) -> AppResult<bool> {
    if outbox::last_digest(c, user_id)?.is_some_and(|last| last >= due) {
        return Ok(false);
    }
    let Some(user) = users::find_active(c, user_id)? else { return Ok(false) };
    let kinds: Vec<&str> = preferences::modes_in(c, user_id)?
        .into_iter()
        .filter(|(_, mode)| *mode != Mode::Off)
        .map(|(kind, _)| kind.as_str())
        .collect();
    let mut visible = Vec::new();
    let mut gone = Vec::new();
    for item in notifications::unmailed(c, user_id, &kinds)? {
        if item.created_at <= since || visible.len() == MOST {
            continue;
        }
        match activities::find(c, item.activity_id)? {
            Some(a) if crate::notify::may_see(c, user_id, &a)? => visible.push(item),
            _ => gone.push(item.id),
        }
    }
    notifications::delete(c, &gone)?;
    let ids: Vec<i64> = visible.iter().map(|n| n.id).collect();
    let claimed = notifications::mark_mailed(c, &ids, now())?;
    visible.retain(|n| claimed.contains(&n.id));
    if visible.is_empty() {
        return Ok(false);
    }
    let sections = sections(composer, &visible);
    let mut mail = composer.digest(&user, &sections, visible.len())?;
    mail.items = i32::try_from(claimed.len()).unwrap_or(i32::MAX);
    outbox::insert(c, &mail, &claimed)?;
    Ok(true)
}

/// One section per community (ideas and the rest of the site last), one line per object
/// with the latest thing that happened to it and how many more.
fn sections(composer: &Composer, items: &[Pending]) -> Vec<DigestSection> {
    let mut sections: Vec<(Option<&str>, Vec<(&str, &Pending, usize)>)> = Vec::new();
    for item in items {
        let place = item.community.as_deref();
        let at = match sections.iter().position(|(p, _)| *p == place) {
            Some(at) => at,
            None => {
                sections.push((place, Vec::new()));
                sections.len() - 1
            }
        };
        let lines = &mut sections[at].1;
        match lines.iter_mut().find(|(group, _, _)| *group == item.group_key) {
            // Items come oldest first: the later one is the line's latest.
            Some(line) => {
                line.1 = item;
                line.2 += 1;
            }
            None => lines.push((&item.group_key, item, 1)),
        }
    }
    sections.sort_by_key(|(place, _)| place.is_none());
    sections
        .into_iter()
        .map(|(place, lines)| DigestSection {
            title: place.map_or_else(|| "Ideas and across Agora".to_owned(), |p| format!("In {p}")),
            lines: lines
                .into_iter()
                .map(|(_, item, count)| {
                    let who = item.actor.as_deref().unwrap_or("Agora");
                    let more = if count > 1 { format!(" (and {} more)", count - 1) } else { String::new() };
                    DigestLine { sentence: format!("{who} {}{more}", item.title), link: composer.link(&item.url) }
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_due_from_the_hour_on() {
        let at = |h, m| chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap().and_hms_opt(h, m, 0).unwrap();
        assert_eq!(due_since(at(7, 0), 7), at(7, 0));
        assert_eq!(due_since(at(23, 59), 7), at(7, 0));
        assert_eq!(due_since(at(6, 59), 7), at(7, 0) - TimeDelta::days(1));
        assert_eq!(due_since(at(0, 0), 0), at(0, 0));
    }
}
