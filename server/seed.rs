//! Demo data: a believable small organisation so a newcomer sees a living product.

use std::collections::HashMap;

use crate::accounts::{self, NewAccount};
use crate::communities::{self, CommunityInput};
use crate::config::Settings;
use crate::db::Db;
use crate::db::models::{now, users};
use crate::domain::account::{DisplayName, Email, Handle, Password, Role};
use crate::domain::content::ReactionKind;
use crate::error::{AppError, AppResult};
use crate::posts::{self, PostInput, Target};

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

/// A skill and the handles of colleagues who endorsed it.
type Endorsed = (&'static str, &'static [&'static str]);

/// Declared skills, and who endorsed them (expert search has something to rank).
#[rustfmt::skip]
const SKILLS: &[(&str, &[Endorsed])] = &[
    ("marie", &[("catalysis", &["katherine", "rosalind", "fritz"]), ("spectroscopy", &["rosalind"])]),
    ("rosalind", &[("x-ray crystallography", &["marie"]), ("materials testing", &[])]),
    ("carl", &[("steam systems", &["fritz"]), ("plant operations", &["grace", "fritz"])]),
    ("fritz", &[("steam systems", &["carl", "stephanie"]), ("energy efficiency", &["carl"])]),
    ("stephanie", &[("quality management", &["carl"]), ("polymers", &[])]),
    ("alan", &[("data platform", &["ada", "margaret"]), ("machine learning", &["margaret"])]),
    ("margaret", &[("software architecture", &["ada"]), ("kubernetes", &["alan"])]),
    ("ada", &[("digital workplace", &["grace"]), ("python", &[])]),
    ("linus", &[("key accounts", &["hedy"])]),
    ("hedy", &[("product marketing", &["linus"])]),
    ("dorothy", &[("recruiting", &[])]),
    ("chien-shiung", &[("process safety", &["carl", "stephanie"]), ("statistics", &[])]),
];

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

/// Creates the demo organisation and its communities unless they exist (re-running changes
/// nothing).
pub async fn demo(db: &Db, settings: &Settings) -> anyhow::Result<Outcome> {
    let people_db = db.clone();
    let outcome = tokio::task::spawn_blocking(move || people(&people_db)).await??;
    if let Outcome::Created(_) = outcome {
        communities(db, settings).await.map_err(to_anyhow)?;
    }
    Ok(outcome)
}

fn people(db: &Db) -> anyhow::Result<Outcome> {
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
        for (handle, skills) in SKILLS {
            let names: Vec<String> = skills.iter().map(|(name, _)| (*name).to_owned()).collect();
            crate::people::set_skills(c, ids[handle], &names)?;
            for (skill, endorsers) in *skills {
                for endorser in *endorsers {
                    crate::db::models::skills::endorse(c, ids[handle], skill, ids[endorser], true, now())?;
                }
            }
        }
        // One profile entry per person, so the search index reads the finished profiles.
        for p in PEOPLE {
            let user = users::find(c, ids[p.handle])?.ok_or(AppError::NotFound)?;
            let entry =
                crate::people::profile_activity(user.id, "user.updated", &user, serde_json::json!({}));
            crate::db::models::activities::record(c, &entry)?;
        }
        Ok(())
    })
    .map_err(to_anyhow)?;
    Ok(Outcome::Created(PEOPLE.len()))
}

/// One community of the demo organisation.
struct DemoCommunity {
    slug: &'static str,
    name: &'static str,
    visibility: &'static str,
    owner: &'static str,
    members: &'static [&'static str],
    description: &'static str,
}

const COMMUNITIES: &[DemoCommunity] = &[
    DemoCommunity {
        slug: "plant-safety",
        name: "Plant Safety Ludwigshafen",
        visibility: "open",
        owner: "carl",
        members: &["fritz", "stephanie", "chien-shiung", "marie", "ada"],
        description: "Near misses, lessons learned and good practice from the Ludwigshafen site. \
                      **Report hazards first, discuss second.**",
    },
    DemoCommunity {
        slug: "catalysis-research",
        name: "Catalysis Research",
        visibility: "restricted",
        owner: "katherine",
        members: &["marie", "rosalind", "fritz"],
        description: "Working group for catalyst development. Members share unpublished results, \
                      so joining needs approval.",
    },
    DemoCommunity {
        slug: "digital-workplace",
        name: "Digital Workplace",
        visibility: "open",
        owner: "ada",
        members: &["alan", "margaret", "hedy", "dorothy", "linus"],
        description: "Tools, tips and rollouts for how we work: collaboration, automation, data literacy.",
    },
    DemoCommunity {
        slug: "exec-board",
        name: "Executive Board",
        visibility: "private",
        owner: "grace",
        members: &["katherine"],
        description: "Agenda and pre-reads for the executive board.",
    },
    DemoCommunity {
        slug: "sales-latam",
        name: "Sales Latin America",
        visibility: "open",
        owner: "linus",
        members: &["hedy"],
        description: "Customer wins, market news and pricing questions for the LatAm team.",
    },
];

async fn communities(db: &Db, settings: &Settings) -> AppResult<()> {
    let user = |handle: &'static str| {
        let db = db.clone();
        async move { db.read(move |c| users::by_handle(c, handle)?.ok_or(AppError::NotFound)).await }
    };
    for community in COMMUNITIES {
        let input = CommunityInput {
            slug: community.slug.into(),
            name: community.name.into(),
            description: community.description.into(),
            visibility: community.visibility.into(),
        };
        let owner = user(community.owner).await?;
        communities::create(db, settings, &owner, input).await?;
        for &member in community.members {
            communities::invite(db, &owner, community.slug, member).await?;
            communities::join(db, &user(member).await?, community.slug).await?;
        }
    }
    let post = |kind: &str, title: &str, body: &str| PostInput {
        kind: kind.into(),
        title: title.into(),
        body: body.into(),
        uploads: Vec::new(),
    };
    let (carl, fritz, marie, stephanie, ada, alan) = (
        user("carl").await?,
        user("fritz").await?,
        user("marie").await?,
        user("stephanie").await?,
        user("ada").await?,
        user("alan").await?,
    );
    posts::create(db, &carl, "plant-safety", post("announcement", "Safety week starts Monday",
        "All shifts: the **#safety-week** programme is on the intranet. Toolbox talks at 07:00 in every unit; @fritz runs the ammonia drill on Wednesday."), crate::files::Attach::default()).await?;
    let question = posts::create(db, &fritz, "plant-safety", post("question", "Which gloves for handling the new solvent blend?",
        "We switched to the new cleaning blend in unit C4. The SDS lists butyl or Viton gloves. Has anyone compared them for **dexterity** during valve work? #ppe #safety"), crate::files::Attach::default()).await?;
    let answer = posts::comment(db, &stephanie, question, "We tested both in QA: butyl held up for a full shift, Viton was stiffer below 10 °C. Butyl, size up one. Details in the QA wiki.".into(), None, crate::files::Attach::default()).await?;
    posts::comment(
        db,
        &marie,
        question,
        "Agree with butyl. Also check the breakthrough time: the blend has 30 % MEK.".into(),
        Some(answer),
        crate::files::Attach::default(),
    )
    .await?;
    posts::accept(db, &fritz, question, answer).await?;
    let near_miss = posts::create(db, &stephanie, "plant-safety", post("discussion", "Near miss: forklift and pedestrian at gate 7",
        "Yesterday a forklift reversed out of bay 3 while a visitor walked the marked path. Nobody was hurt.\n\nProposals:\n\n1. Convex mirror at the bay exit\n2. Blue spot lights on all reversing forklifts\n\nWhat has worked on your site? #near-miss #logistics"), crate::files::Attach::default()).await?;
    posts::comment(
        db,
        &carl,
        near_miss,
        "Blue spots worked well in Antwerp. I will order a trial set for gate 7.".into(),
        None,
        crate::files::Attach::default(),
    )
    .await?;
    for (who, kind) in
        [(&carl, ReactionKind::Insightful), (&fritz, ReactionKind::Like), (&marie, ReactionKind::Like)]
    {
        posts::react(db, who, Target::Post(near_miss), kind, true).await?;
    }
    posts::react(db, &fritz, Target::Post(question), ReactionKind::Celebrate, true).await?;
    posts::create(
        db,
        &ada,
        "digital-workplace",
        post(
            "update",
            "",
            "Agora is live for Northwind 🎉 Tell us what you miss from the old intranet. #agora",
        ),
        crate::files::Attach::default(),
    )
    .await?;
    posts::create(db, &alan, "digital-workplace", post("discussion", "Office hours: data literacy",
        "Every Thursday at 15:00 CET I run an open session on the data platform: bring a spreadsheet, leave with a dashboard. #data"), crate::files::Attach::default()).await?;
    communities::join(db, &alan, "catalysis-research").await?;
    ideas(db, &user).await
}

/// A challenge and ideas at different stages, with votes and discussion.
async fn ideas<F, Fut>(db: &Db, user: &F) -> AppResult<()>
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = AppResult<crate::db::models::users::User>>,
{
    let grace = user("grace").await?;
    let challenge = crate::ideas::create_challenge(db, &grace, crate::ideas::ChallengeInput {
        title: "How could we halve steam losses in Ludwigshafen by 2028?".into(),
        description: "Steam is a fifth of the site's energy bill. We fund the best ideas every quarter: **insulation, \
                      traps, recovery, controls**, anything that measurably cuts losses."
            .into(),
        deadline: format!("{}-12-31", chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap_or(2026) + 1),
    })
    .await?;
    let idea =
        |title: &str, problem: &str, proposal: &str, benefit: &str, tags: &str| crate::ideas::IdeaInput {
            title: title.into(),
            problem: problem.into(),
            proposal: proposal.into(),
            benefit: benefit.into(),
            tags: tags.into(),
            community: None,
            challenge: None,
            submit: true,
            uploads: Vec::new(),
        };
    let jackets = crate::ideas::create(db, &user("fritz").await?, crate::ideas::IdeaInput {
        challenge: Some(challenge),
        ..idea(
            "Removable thermal jackets for steam flanges and valves",
            "Uninsulated flanges and valves on the steam headers lose heat around the clock; thermal imaging in unit C4 found 140 of them.",
            "Fit removable, reusable insulation jackets, starting with the 40 hottest fittings, so maintenance can still open them.",
            "About 1.2 GWh a year in C4 alone; payback under one year.",
            "energy steam",
        )
    }, crate::files::Attach::default())
    .await?;
    let dashboards = crate::ideas::create(db, &user("alan").await?, idea(
        "Self-service dashboards for plant KPIs",
        "Shift leads wait days for Excel reports on yield and downtime.",
        "Publish the plant KPIs from the data platform as self-service dashboards, with a one-hour training per team.",
        "Faster decisions on the shift; fewer ad-hoc report requests.",
        "data",
    ), crate::files::Attach::default())
    .await?;
    let portal = crate::ideas::create(
        db,
        &user("hedy").await?,
        idea(
            "Order-tracking portal for key accounts",
            "Customers call sales to ask where their delivery is.",
            "Let key accounts track orders and certificates of analysis online.",
            "Fewer calls; happier customers.",
            "customers",
        ),
        crate::files::Attach::default(),
    )
    .await?;
    for (idea_id, voters) in [
        (jackets, &["carl", "marie", "stephanie", "chien-shiung", "katherine"][..]),
        (dashboards, &["ada", "margaret", "carl"][..]),
        (portal, &["linus"][..]),
    ] {
        for &voter in voters {
            crate::ideas::vote(db, &user(voter).await?, idea_id, true).await?;
        }
    }
    crate::ideas::comment(db, &user("carl").await?, jackets, "We trialled two jackets on header 3 last winter: surface temperature dropped from 180 °C to 45 °C. Happy to share the data.".into(), None, crate::files::Attach::default()).await?;
    crate::ideas::create(
        db,
        &user("stephanie").await?,
        crate::ideas::IdeaInput {
            submit: false,
            ..idea("Digital permit-to-work", "Paper permits get lost between shifts.", "", "", "safety")
        },
        crate::files::Attach::default(),
    )
    .await?;
    last_quarter(db, user, idea).await
}

/// Last quarter's board: three ideas that were on the docket, scored, one funded and one
/// declined in the open, one still waiting for the board.
async fn last_quarter<F, Fut>(
    db: &Db,
    user: &F,
    idea: impl Fn(&str, &str, &str, &str, &str) -> crate::ideas::IdeaInput,
) -> AppResult<()>
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = AppResult<crate::db::models::users::User>>,
{
    let quarter =
        crate::domain::quarter::Quarter::parse(&crate::domain::idea::quarter_of(crate::db::models::now()))
            .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?
            .previous();
    let ideas = [
        (
            "margaret",
            idea(
                "Predictive maintenance for the cracker compressors",
                "Unplanned compressor trips cost us 9 days of production last year.",
                "Stream vibration and temperature data to a model that flags bearings weeks before they fail.",
                "Two fewer trips a year would pay for the project four times over.",
                "maintenance data",
            ),
            &["ada", "linus", "carl", "fritz", "hedy", "stephanie"][..],
        ),
        (
            "stephanie",
            idea(
                "Shared shuttle between the Ludwigshafen gates",
                "The site is 10 km²; people drive between gates for meetings.",
                "Run an electric shuttle loop every 10 minutes during office hours.",
                "Fewer car trips on site, safer roads, less parking pressure.",
                "mobility",
            ),
            &["marie", "alan", "rosalind"][..],
        ),
        (
            "rosalind",
            idea(
                "Open lab notebooks across research sites",
                "Teams in Ludwigshafen and Florham Park repeat each other's failed experiments.",
                "Move lab notebooks to one searchable system with site-wide read access by default.",
                "Fewer repeated experiments; faster onboarding of new chemists.",
                "research",
            ),
            &["chien-shiung", "marie"][..],
        ),
    ];
    let mut ids = Vec::new();
    for (author, input, voters) in ideas {
        let id =
            crate::ideas::create(db, &user(author).await?, input, crate::files::Attach::default()).await?;
        for &voter in voters {
            crate::ideas::vote(db, &user(voter).await?, id, true).await?;
        }
        let name = quarter.to_string();
        db.write(move |c| {
            Ok(crate::db::models::ideas::move_to_quarter(
                c,
                id,
                &name,
                quarter.end() - chrono::Duration::days(30),
            )?)
        })
        .await?;
        ids.push(id);
    }
    crate::quarters::close(db, &Settings::default(), None, &quarter.to_string(), false).await?;
    let (grace, katherine) = (user("grace").await?, user("katherine").await?);
    let scores = [
        (&grace, ids[0], (5, 4, 5), "Strong case; start with the two oldest compressors."),
        (&katherine, ids[0], (4, 4, 4), ""),
        (&grace, ids[1], (2, 3, 2), "Nice to have; the bus contract covers most of it."),
        (&katherine, ids[1], (3, 2, 2), ""),
    ];
    for (executive, idea, (impact, feasibility, fit), comment) in scores {
        let input = crate::quarters::ScoreInput { impact, feasibility, fit, comment: comment.into() };
        crate::quarters::score(db, executive, idea, input).await?;
    }
    crate::quarters::decide(
        db,
        &katherine,
        ids[0],
        crate::quarters::DecisionInput {
            decision: "funded".into(),
            rationale: "Clear payback and a team ready to start.".into(),
            budget: Some(180_000),
            sponsor: Some("grace".into()),
            revises: None,
        },
    )
    .await?;
    crate::quarters::decide(db, &grace, ids[1], crate::quarters::DecisionInput {
        decision: "declined".into(),
        rationale: "The new site bus contract from March covers the busiest routes; we will revisit with its ridership data.".into(),
        ..Default::default()
    })
    .await?;
    Ok(())
}

fn to_anyhow(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Prints the demo logins.
pub fn print(outcome: &Outcome) {
    match outcome {
        Outcome::Created(n) => println!(
            "Demo organisation created: {n} people and {} communities at Northwind Chemicals.",
            COMMUNITIES.len()
        ),
        Outcome::AlreadyPresent => println!("Demo organisation already present."),
    }
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    for p in PEOPLE.iter().take(4) {
        let email = format!("{}@{DEMO_DOMAIN}", p.handle);
        println!("  {email:<28} {:<10} {}, {}", p.role.as_str(), p.name, p.title);
    }
    println!("  … and {} more colleagues @{DEMO_DOMAIN}", PEOPLE.len() - 4);
}
