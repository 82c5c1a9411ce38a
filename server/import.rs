//! Importing people from a CSV file (an HR export): `agora import people FILE [--dry-run]`.
//!
//! Every row is checked first — encoding, required columns, formats, duplicates within the
//! file, handles taken by someone else, managers that exist, reporting cycles — and every
//! problem is reported with its line. Only a file without problems is imported, in one
//! transaction: all rows or none. A dry run stops after the checks.
//!
//! Columns (header names, any order, case-insensitive): `email`, `handle`, `name` required;
//! `title`, `department`, `location`, `manager` (a handle, in the file or already here),
//! `skills` (separated by `;`) optional. A row whose email exists updates that person.

use std::collections::HashMap;

use crate::accounts::{self, NewAccount};
use crate::db::models::users::{self, ProfileChanges};
use crate::db::{Db, DbConn};
use crate::domain::account::{DisplayName, Email, Handle, Role};
use crate::error::{AppError, AppResult};

/// One checked row.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub email: Email,
    pub handle: Handle,
    pub name: DisplayName,
    pub title: String,
    pub department: String,
    pub location: String,
    pub manager: String,
    pub skills: Vec<String>,
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub message: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    /// Nothing was written when this is not empty.
    pub problems: Vec<Problem>,
}

const REQUIRED: [&str; 3] = ["email", "handle", "name"];

/// Reads and checks the file on its own (no database): formats, encodings, duplicates.
pub fn parse(bytes: &[u8]) -> (Vec<Row>, Vec<Problem>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(bytes);
    let problem = |line: u64, message: String| Problem { line, message };
    let header: Vec<String> = match reader.byte_headers() {
        Ok(h) => h.iter().map(|f| String::from_utf8_lossy(f).to_lowercase()).collect(),
        Err(e) => return (Vec::new(), vec![problem(1, format!("the header cannot be read: {e}"))]),
    };
    let missing: Vec<&str> = REQUIRED.into_iter().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        return (Vec::new(), vec![problem(1, format!("missing column(s): {}", missing.join(", ")))]);
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    let mut seen_handles: HashMap<String, u64> = HashMap::new();
    for record in reader.byte_records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(problem(line, format!("cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |name: &str| -> Result<String, String> {
            let Some(raw) = column(name).and_then(|i| record.get(i)) else { return Ok(String::new()) };
            String::from_utf8(raw.to_vec())
                .map_err(|_| format!("{name} is not UTF-8 text (save the file as UTF-8)"))
        };
        match check_row(line, &field) {
            Ok(row) => {
                let email = row.email.as_str().to_owned();
                let handle = row.handle.as_str().to_owned();
                if let Some(first) = seen_emails.insert(email.clone(), line) {
                    problems.push(problem(line, format!("{email} is also on line {first}")));
                } else if let Some(first) = seen_handles.insert(handle.clone(), line) {
                    problems.push(problem(line, format!("@{handle} is also on line {first}")));
                } else {
                    rows.push(row);
                }
            }
            Err(messages) => problems.extend(messages.into_iter().map(|m| problem(line, m))),
        }
    }
    (rows, problems)
}

fn check_row(line: u64, field: &dyn Fn(&str) -> Result<String, String>) -> Result<Row, Vec<String>> {
    let mut errors = Vec::new();
    let mut text = |name: &str| field(name).map_err(|e| errors.push(e)).unwrap_or_default();
    let (email, handle, name) = (text("email"), text("handle"), text("name"));
    let (title, department, location) = (text("title"), text("department"), text("location"));
    let (manager, skills) = (text("manager"), text("skills"));
    let email = Email::parse(&email).map_err(|e| errors.push(format!("email: {e}"))).ok();
    let handle =
        Handle::parse(handle.trim_start_matches('@')).map_err(|e| errors.push(format!("handle: {e}"))).ok();
    let name = DisplayName::parse(&name).map_err(|e| errors.push(format!("name: {e}"))).ok();
    for (column, value) in [("title", &title), ("department", &department), ("location", &location)] {
        if value.chars().count() > 100 {
            errors.push(format!("{column}: use at most 100 characters"));
        }
    }
    let skills =
        crate::people::parse_skills(skills.split(';')).map_err(|e| errors.push(format!("skills: {e}")));
    match (email, handle, name, skills) {
        (Some(email), Some(handle), Some(name), Ok(skills)) if errors.is_empty() => Ok(Row {
            line,
            email,
            handle,
            name,
            title,
            department,
            location,
            manager: manager.trim_start_matches('@').to_lowercase(),
            skills,
        }),
        _ => Err(errors),
    }
}

/// Checks the rows against the people already here: handles taken by someone else,
/// managers that exist, and reporting cycles in the chart the import would make.
fn check_against(c: &mut DbConn, rows: &[Row]) -> AppResult<Vec<Problem>> {
    let links = users::org_links(c)?;
    let by_email: HashMap<&str, i64> = links.iter().map(|(id, e, ..)| (e.as_str(), *id)).collect();
    let by_handle: HashMap<&str, i64> = links.iter().map(|(id, _, h, _)| (h.as_str(), *id)).collect();
    let handle_of: HashMap<i64, &str> = links.iter().map(|(id, _, h, _)| (*id, h.as_str())).collect();
    // The chart after the import, as handle → manager handle.
    let mut manager_of: HashMap<String, String> = links
        .iter()
        .filter_map(|(_, _, h, m)| Some((h.clone(), handle_of.get(&(*m)?)?.to_string())))
        .collect();
    let mut problems = Vec::new();
    for row in rows {
        let existing = by_email.get(row.email.as_str());
        if let Some(&owner) = by_handle.get(row.handle.as_str())
            && existing != Some(&owner)
        {
            problems.push(Problem {
                line: row.line,
                message: format!("@{} belongs to someone else", row.handle.as_str()),
            });
        }
        if let Some(&id) = existing
            && handle_of.get(&id) != Some(&row.handle.as_str())
        {
            problems.push(Problem {
                line: row.line,
                message: format!("{} already has another handle", row.email.as_str()),
            });
        }
        let in_file = rows.iter().any(|r| r.handle.as_str() == row.manager);
        if !row.manager.is_empty() && !in_file && !by_handle.contains_key(row.manager.as_str()) {
            problems.push(Problem {
                line: row.line,
                message: format!("manager @{} is neither in the file nor here", row.manager),
            });
        }
        if row.manager.is_empty() {
            manager_of.remove(row.handle.as_str());
        } else {
            manager_of.insert(row.handle.as_str().to_owned(), row.manager.clone());
        }
    }
    for row in rows {
        let mut at = manager_of.get(row.handle.as_str());
        for _ in 0..=manager_of.len() {
            let Some(manager) = at else { break };
            if manager == row.handle.as_str() {
                problems.push(Problem {
                    line: row.line,
                    message: format!("@{} would report to themself through others", row.handle.as_str()),
                });
                break;
            }
            at = manager_of.get(manager);
        }
    }
    Ok(problems)
}

fn apply(c: &mut DbConn, rows: &[Row]) -> AppResult<(usize, usize)> {
    let (mut created, mut updated) = (0, 0);
    for row in rows {
        let id = match users::by_email(c, row.email.as_str())? {
            Some(existing) => {
                updated += 1;
                existing.id
            }
            None => {
                created += 1;
                let account = NewAccount {
                    email: row.email.clone(),
                    handle: row.handle.clone(),
                    name: row.name.clone(),
                    role: Role::Employee,
                };
                accounts::insert_account(c, &account, None, None)?.id
            }
        };
        let bio = users::find(c, id)?.map(|u| u.bio).unwrap_or_default();
        let changes = ProfileChanges {
            name: row.name.as_str(),
            title: &row.title,
            department: &row.department,
            location: &row.location,
            bio: &bio,
        };
        users::update_profile(c, id, &changes)?;
        crate::people::set_skills(c, id, &row.skills)?;
    }
    // Managers last: a row may name someone further down the file.
    for row in rows {
        let person = users::by_email(c, row.email.as_str())?.ok_or(AppError::NotFound)?;
        let manager = match row.manager.as_str() {
            "" => None,
            handle => Some(users::by_handle(c, handle)?.ok_or(AppError::NotFound)?.id),
        };
        users::set_manager(c, person.id, manager)?;
        let entry =
            crate::people::profile_activity(person.id, "user.updated", &person, serde_json::json!({}));
        crate::db::models::activities::record(c, &entry)?;
    }
    Ok((created, updated))
}

/// Checks a file and, unless it is a dry run or anything is wrong, imports it in one
/// transaction.
pub async fn run(db: &Db, bytes: Vec<u8>, dry_run: bool) -> AppResult<Report> {
    let (rows, mut problems) = parse(&bytes);
    db.write(move |c| {
        users::lock_org_chart(c)?;
        problems.extend(check_against(c, &rows)?);
        problems.sort_by_key(|p| p.line);
        if dry_run || !problems.is_empty() {
            return Ok(Report { problems, ..Report::default() });
        }
        let (created, updated) = apply(c, &rows)?;
        Ok(Report { created, updated, problems })
    })
    .await
}
