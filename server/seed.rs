//! Demo data: a believable small organisation so a newcomer sees a living product.

use std::collections::HashMap;

use crate::accounts::{self, NewAccount};
use crate::db::Db;
use crate::db::models::users;
use crate::domain::account::{DisplayName, Email, Handle, Password, Role};
use crate::error::AppError;

/// The demo organisation's email domain (allowed to register under `serve --demo`).
pub const DEMO_DOMAIN: &str = "northwind.example";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "agora-demo-2026";

/// One person of the demo organisation.
struct Person {
    handle: &'static str,
    name: &'static str,
    role: Role,
    title: &'static str,
    department: &'static str,
    location: &'static str,
    manager: Option<&'static str>,
}

const fn person(
    handle: &'static str,
    name: &'static str,
    role: Role,
    title: &'static str,
    (department, location): (&'static str, &'static str),
    manager: Option<&'static str>,
) -> Person {
    Person { handle, name, role, title, department, location, manager }
}

use Role::{Admin, Employee, Executive};

// Managers come before their reports, so every manager exists when a report is linked.
#[rustfmt::skip]
const PEOPLE: &[Person] = &[
    person("ada", "Ada Lovelace", Admin, "Head of Digital Workplace", ("IT", "Ludwigshafen"), Some("grace")),
    person("grace", "Grace Hopper", Executive, "Chief Technology Officer", ("Executive Board", "Florham Park"), None),
    person("katherine", "Katherine Johnson", Executive, "VP Research & Development", ("R&D", "Ludwigshafen"), Some("grace")),
    person("marie", "Marie Curie", Employee, "Principal Scientist, Catalysis", ("R&D", "Ludwigshafen"), Some("katherine")),
    person("rosalind", "Rosalind Franklin", Employee, "Materials Scientist", ("R&D", "Shanghai"), Some("katherine")),
    person("carl", "Carl Bosch", Employee, "Plant Manager", ("Manufacturing", "Ludwigshafen"), Some("grace")),
    person("fritz", "Fritz Haber", Employee, "Process Engineer", ("Manufacturing", "Ludwigshafen"), Some("carl")),
    person("stephanie", "Stephanie Kwolek", Employee, "Quality Lead", ("Manufacturing", "Freeport"), Some("carl")),
    person("alan", "Alan Turing", Employee, "Data Platform Architect", ("IT", "Manchester"), Some("ada")),
    person("margaret", "Margaret Hamilton", Employee, "Software Engineering Manager", ("IT", "Florham Park"), Some("ada")),
    person("linus", "Linus Pauling", Employee, "Key Account Manager", ("Sales", "São Paulo"), Some("grace")),
    person("hedy", "Hedy Lamarr", Employee, "Product Marketing Manager", ("Sales", "Florham Park"), Some("linus")),
    person("dorothy", "Dorothy Vaughan", Employee, "HR Business Partner", ("People & Culture", "Ludwigshafen"), Some("grace")),
    person("chien-shiung", "Chien-Shiung Wu", Employee, "Safety & Compliance Officer", ("Manufacturing", "Shanghai"), Some("carl")),
];

/// What seeding did.
pub enum Outcome {
    /// The demo accounts were created.
    Created(usize),
    /// The demo organisation was already there; nothing changed.
    AlreadyPresent,
}

/// Creates the demo organisation unless it exists (re-running changes nothing).
pub fn demo(db: &Db) -> anyhow::Result<Outcome> {
    let first = format!("{}@{DEMO_DOMAIN}", PEOPLE[0].handle);
    if db.read_sync(move |c| Ok(users::by_email(c, &first)?)).map_err(to_anyhow)?.is_some() {
        return Ok(Outcome::AlreadyPresent);
    }
    let password = Password::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?;
    let mut ids = HashMap::new();
    for p in PEOPLE {
        let account = NewAccount {
            email: Email::parse(&format!("{}@{DEMO_DOMAIN}", p.handle)).map_err(anyhow::Error::msg)?,
            handle: Handle::parse(p.handle).map_err(anyhow::Error::msg)?,
            name: DisplayName::parse(p.name).map_err(anyhow::Error::msg)?,
            role: p.role,
        };
        let hash = accounts::hash_password_sync(&password).map_err(to_anyhow)?;
        let user = accounts::create_account_sync(db, &account, Some(&hash), None).map_err(to_anyhow)?;
        ids.insert(p.handle, user.id);
    }
    db.write_sync(|c| {
        for p in PEOPLE {
            let profile = users::ProfileChanges {
                name: p.name,
                title: p.title,
                department: p.department,
                location: p.location,
                bio: "",
            };
            users::update_profile(c, ids[p.handle], &profile)?;
            users::set_manager(c, ids[p.handle], p.manager.map(|m| ids[m]))?;
        }
        Ok(())
    })
    .map_err(to_anyhow)?;
    Ok(Outcome::Created(PEOPLE.len()))
}

fn to_anyhow(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Prints the demo logins.
pub fn print(outcome: &Outcome) {
    match outcome {
        Outcome::Created(n) => println!("Demo organisation created: {n} people at Northwind Chemicals."),
        Outcome::AlreadyPresent => println!("Demo organisation already present."),
    }
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    for p in PEOPLE.iter().take(4) {
        let email = format!("{}@{DEMO_DOMAIN}", p.handle);
        println!("  {email:<28} {:<10} {}, {}", p.role.as_str(), p.name, p.title);
    }
    println!("  … and {} more colleagues @{DEMO_DOMAIN}", PEOPLE.len() - 4);
}
