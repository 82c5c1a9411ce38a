//! Demo data: a believable small organisation so a newcomer sees a living product.

use crate::accounts::{self, NewAccount};
use crate::db::Db;
use crate::db::models::users;
use crate::domain::account::{DisplayName, Email, Handle, Password, Role};
use crate::error::AppError;

/// The demo organisation's email domain (allowed to register under `serve --demo`).
pub const DEMO_DOMAIN: &str = "northwind.example";
/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "agora-demo-2026";

/// handle, name, role, title, department, location, manager's handle.
const PEOPLE: &[(&str, &str, Role, &str, &str, &str, Option<&str>)] = &[
    (
        "ada",
        "Ada Lovelace",
        Role::Admin,
        "Head of Digital Workplace",
        "IT",
        "Ludwigshafen",
        Some("grace"),
    ),
    (
        "grace",
        "Grace Hopper",
        Role::Executive,
        "Chief Technology Officer",
        "Executive Board",
        "Florham Park",
        None,
    ),
    (
        "katherine",
        "Katherine Johnson",
        Role::Executive,
        "VP Research & Development",
        "R&D",
        "Ludwigshafen",
        Some("grace"),
    ),
    (
        "marie",
        "Marie Curie",
        Role::Employee,
        "Principal Scientist, Catalysis",
        "R&D",
        "Ludwigshafen",
        Some("katherine"),
    ),
    (
        "rosalind",
        "Rosalind Franklin",
        Role::Employee,
        "Materials Scientist",
        "R&D",
        "Shanghai",
        Some("katherine"),
    ),
    (
        "carl",
        "Carl Bosch",
        Role::Employee,
        "Plant Manager",
        "Manufacturing",
        "Ludwigshafen",
        Some("grace"),
    ),
    (
        "fritz",
        "Fritz Haber",
        Role::Employee,
        "Process Engineer",
        "Manufacturing",
        "Ludwigshafen",
        Some("carl"),
    ),
    (
        "stephanie",
        "Stephanie Kwolek",
        Role::Employee,
        "Quality Lead",
        "Manufacturing",
        "Freeport",
        Some("carl"),
    ),
    (
        "alan",
        "Alan Turing",
        Role::Employee,
        "Data Platform Architect",
        "IT",
        "Manchester",
        Some("ada"),
    ),
    (
        "margaret",
        "Margaret Hamilton",
        Role::Employee,
        "Software Engineering Manager",
        "IT",
        "Florham Park",
        Some("ada"),
    ),
    (
        "linus",
        "Linus Pauling",
        Role::Employee,
        "Key Account Manager",
        "Sales",
        "São Paulo",
        Some("grace"),
    ),
    (
        "hedy",
        "Hedy Lamarr",
        Role::Employee,
        "Product Marketing Manager",
        "Sales",
        "Florham Park",
        Some("linus"),
    ),
    (
        "dorothy",
        "Dorothy Vaughan",
        Role::Employee,
        "HR Business Partner",
        "People & Culture",
        "Ludwigshafen",
        Some("grace"),
    ),
    (
        "chien-shiung",
        "Chien-Shiung Wu",
        Role::Employee,
        "Safety & Compliance Officer",
        "Manufacturing",
        "Shanghai",
        Some("carl"),
    ),
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
    let first = format!("{}@{DEMO_DOMAIN}", PEOPLE[0].0);
    if db
        .read_sync(move |c| Ok(users::by_email(c, &first)?))
        .map_err(to_anyhow)?
        .is_some()
    {
        return Ok(Outcome::AlreadyPresent);
    }
    let password = Password::parse(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
    let mut ids = std::collections::HashMap::new();
    for &(handle, name, role, ..) in PEOPLE {
        let account = NewAccount {
            email: Email::parse(&format!("{handle}@{DEMO_DOMAIN}"))
                .map_err(|e| anyhow::anyhow!(e))?,
            handle: Handle::parse(handle).map_err(|e| anyhow::anyhow!(e))?,
            name: DisplayName::parse(name).map_err(|e| anyhow::anyhow!(e))?,
            role,
        };
        let hash = accounts::hash_password_sync(&password).map_err(to_anyhow)?;
        let user =
            accounts::create_account_sync(db, &account, Some(&hash), None).map_err(to_anyhow)?;
        ids.insert(handle, user.id);
    }
    db.write_sync(|c| {
        for &(handle, name, _, title, department, location, manager) in PEOPLE {
            let id = ids[handle];
            let profile = users::ProfileChanges {
                name,
                title,
                department,
                location,
                bio: "",
            };
            users::update_profile(c, id, &profile)?;
            users::set_manager(c, id, manager.map(|m| ids[m]))?;
        }
        Ok(())
    })
    .map_err(to_anyhow)?;
    Ok(Outcome::Created(PEOPLE.len()))
}

fn to_anyhow(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

/// Prints the demo logins.
pub fn print(outcome: &Outcome) {
    match outcome {
        Outcome::Created(n) => {
            println!("Demo organisation created: {n} people at Northwind Chemicals.")
        }
        Outcome::AlreadyPresent => println!("Demo organisation already present."),
    }
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    for &(handle, name, role, title, ..) in PEOPLE.iter().take(4) {
        println!(
            "  {:<28} {:<10} {name}, {title}",
            format!("{handle}@{DEMO_DOMAIN}"),
            role.as_str()
        );
    }
    println!(
        "  … and {} more colleagues @{DEMO_DOMAIN}",
        PEOPLE.len() - 4
    );
}
