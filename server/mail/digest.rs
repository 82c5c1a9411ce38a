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

/// Runs for the life of the process, checking once a minute (at the hour in effect).
pub async fn run(db: Db, composer: Composer, site: crate::site::Site) {
    loop {
        let hour = site.current().digest_hour;
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
    let (since, due) = (at - TimeDelta::days(OLDEST_DAYS), due_since(at, hour));
    let people = db.read(move |c| Ok(notifications::people_with_unmailed(c, since, due)?)).await?;
    let mut sent = 0;
    for user_id in people {
        let composer = composer.clone();
        if db.write(move |c| digest_for(c, &composer, user_id, due, since)).await? {
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

/// A digest line being gathered: an object's latest notification and how many there are.
struct Gathered<'a> {
    latest: &'a Pending,
    count: usize,
}

/// The lines gathered for one community (`None`: ideas and the rest of the site).
struct Place<'a> {
    community: Option<&'a str>,
    lines: Vec<Gathered<'a>>,
}

/// One section per community (ideas and the rest of the site last), one line per object
/// with the latest thing that happened to it and how many more.
fn sections(composer: &Composer, items: &[Pending]) -> Vec<DigestSection> {
    let mut places: Vec<Place<'_>> = Vec::new();
    for item in items {
        let community = item.community.as_deref();
        let at = places.iter().position(|p| p.community == community).unwrap_or_else(|| {
            places.push(Place { community, lines: Vec::new() });
            places.len() - 1
        });
        let lines = &mut places[at].lines;
        match lines.iter_mut().find(|line| line.latest.group_key == item.group_key) {
            // Items come oldest first: each later one becomes the line's latest.
            Some(line) => {
                line.latest = item;
                line.count += 1;
            }
            None => lines.push(Gathered { latest: item, count: 1 }),
        }
    }
    places.sort_by_key(|p| p.community.is_none());
    places
        .into_iter()
        .map(|place| DigestSection {
            title: place.community.map_or_else(|| "Ideas and across Agora".to_owned(), |c| format!("In {c}")),
            lines: place.lines.iter().map(|line| digest_line(composer, line)).collect(),
        })
        .collect()
}

fn digest_line(composer: &Composer, line: &Gathered<'_>) -> DigestLine {
    let item = line.latest;
    let who = item.actor.as_deref().unwrap_or("Agora");
    let more = if line.count > 1 { format!(" (and {} more)", line.count - 1) } else { String::new() };
    DigestLine { sentence: format!("{who} {}{more}", item.title), link: composer.link(&item.url) }
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
