//! Database rows → search documents. Which rows exist decides what is indexed: a row the
//! queries in [`crate::db::models::search`] do not return (deleted, a draft, a deactivated
//! person) is removed from the index.

use search_index::{Doc, Kind};

use crate::db::DbConn;
use crate::db::models::search::{self as rows, Table};
use crate::db::models::skills;
use crate::domain::markdown::plain_text;

/// The key of the document for row `id` of a table.
pub fn key(table: Table, id: i64) -> String {
    let prefix = match table {
        Table::Posts => "post",
        Table::Comments => "comment",
        Table::Ideas => "idea",
        Table::IdeaComments => "idea-comment",
        Table::Communities => "community",
        Table::People => "person",
    };
    format!("{prefix}:{id}")
}

fn seconds(at: chrono::NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}

fn tags_of(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Reads the selected rows of a table and turns them into documents; items with files are
/// found by the files' names and text too.
pub fn load(c: &mut DbConn, table: Table, ids: &[i64]) -> diesel::QueryResult<Vec<Doc>> {
    let mut docs = rows_of(c, table, ids)?;
    let kind = match table {
        Table::Posts => "post",
        Table::Comments => "comment",
        Table::Ideas => "idea",
        Table::IdeaComments => "idea_comment",
        Table::Communities | Table::People => return Ok(docs),
    };
    let found: Vec<i64> = docs.iter().map(|d| d.id).collect();
    let mut words = crate::files::words_of(c, kind, &found)?;
    for doc in &mut docs {
        if let Some(words) = words.remove(&doc.id) {
            doc.body.push_str(&words);
        }
    }
    Ok(docs)
}

fn rows_of(c: &mut DbConn, table: Table, ids: &[i64]) -> diesel::QueryResult<Vec<Doc>> {
    Ok(match table {
        Table::Posts => rows::posts(c, ids)?
            .into_iter()
            .map(|(p, tags)| {
                let body = plain_text(&p.body);
                let label =
                    if p.title.is_empty() { body.chars().take(80).collect() } else { p.title.clone() };
                Doc {
                    kind: Kind::Post,
                    key: key(table, p.id),
                    parent: None,
                    id: p.id,
                    title: p.title,
                    label,
                    body,
                    tags,
                    url: format!("/posts/{}", p.id),
                    community: Some(p.community_id),
                    author: p.author_id,
                    department: p.department.unwrap_or_default(),
                    created: seconds(p.created_at),
                    accepted: false,
                }
            })
            .collect(),
        Table::Comments => rows::comments(c, ids)?
            .into_iter()
            .map(|r| Doc {
                kind: Kind::Comment,
                key: key(table, r.id),
                parent: Some(key(Table::Posts, r.post_id)),
                id: r.id,
                title: String::new(),
                label: if r.post_title.is_empty() { "a post".into() } else { r.post_title },
                body: plain_text(&r.body),
                tags: Vec::new(),
                url: format!("/posts/{}#comment-{}", r.post_id, r.id),
                community: Some(r.community_id),
                author: r.author_id,
                department: r.department.unwrap_or_default(),
                created: seconds(r.created_at),
                accepted: r.accepted_comment_id == Some(r.id),
            })
            .collect(),
        Table::Ideas => rows::ideas(c, ids)?
            .into_iter()
            .map(|i| Doc {
                kind: Kind::Idea,
                key: key(table, i.id),
                parent: None,
                id: i.id,
                body: [&i.problem, &i.proposal, &i.benefit].map(|t| plain_text(t)).join(" "),
                label: i.title.clone(),
                title: i.title,
                tags: tags_of(&i.tags),
                url: format!("/ideas/{}", i.id),
                community: i.community_id,
                author: i.author_id,
                department: i.department.unwrap_or_default(),
                created: seconds(i.created_at),
                accepted: false,
            })
            .collect(),
        Table::IdeaComments => rows::idea_comments(c, ids)?
            .into_iter()
            .map(|r| Doc {
                kind: Kind::Comment,
                key: key(table, r.id),
                parent: Some(key(Table::Ideas, r.idea_id)),
                id: r.id,
                title: String::new(),
                label: r.idea_title,
                body: plain_text(&r.body),
                tags: Vec::new(),
                url: format!("/ideas/{}#comment-{}", r.idea_id, r.id),
                community: r.community_id,
                author: r.author_id,
                department: r.department.unwrap_or_default(),
                created: seconds(r.created_at),
                accepted: false,
            })
            .collect(),
        Table::Communities => rows::communities(c, ids)?
            .into_iter()
            .map(|m| Doc {
                kind: Kind::Community,
                key: key(table, m.id),
                parent: None,
                id: m.id,
                label: m.name.clone(),
                title: m.name,
                body: plain_text(&m.description),
                tags: Vec::new(),
                url: format!("/c/{}", m.slug),
                // A community is found by whoever may read it, like its content.
                community: Some(m.id),
                author: None,
                department: String::new(),
                created: seconds(m.created_at),
                accepted: false,
            })
            .collect(),
        Table::People => {
            let people = rows::people(c, ids)?;
            let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
            let mut skills = skills::of_users(c, &ids)?;
            people
                .into_iter()
                .map(|p| {
                    let skills: Vec<String> =
                        skills.remove(&p.id).unwrap_or_default().into_iter().map(|(s, _)| s).collect();
                    let body = [
                        p.title.as_str(),
                        &p.department,
                        &p.location,
                        &skills.join(", "),
                        &plain_text(&p.bio),
                    ]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                    Doc {
                        kind: Kind::Person,
                        key: key(table, p.id),
                        parent: None,
                        id: p.id,
                        title: format!("{} {}", p.name, p.handle),
                        label: p.name,
                        body,
                        tags: skills,
                        url: format!("/people/{}", p.handle),
                        community: None,
                        author: Some(p.id),
                        department: p.department,
                        created: seconds(p.created_at),
                        accepted: false,
                    }
                })
                .collect()
        }
    })
}
