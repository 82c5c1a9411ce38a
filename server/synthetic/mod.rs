//! `agora seed --synthetic` (SPEC §11): a realistic organisation for benchmarks, fast and
//! the same for the same seed. People in departments and locations under a management
//! tree; communities whose sizes follow a long tail (a tenth private); posts, comments,
//! tags, reactions; ideas over eight quarters with votes; skills and endorsements; the
//! activity log that feeds read; the weekly analytics counters.
//!
//! Rows are written with multi-row INSERTs in large transactions, bypassing the domain
//! layer (which checks and logs one action at a time): the data is generated valid.

mod text;

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime};
use diesel::RunQueryDsl;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use text::Words;

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub users: usize,
    pub communities: usize,
    pub posts: usize,
    pub comments: usize,
    pub ideas: usize,
    pub votes: usize,
    pub reactions: usize,
}

impl Sizes {
    /// `small` (a CI smoke test) or `large` (the benchmark organisation).
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            "small" => Some(Self {
                users: 2_000,
                communities: 150,
                posts: 20_000,
                comments: 60_000,
                ideas: 400,
                votes: 10_000,
                reactions: 4_000,
            }),
            "large" => Some(Self {
                users: 50_000,
                communities: 4_500,
                posts: 1_000_000,
                comments: 3_000_000,
                ideas: 20_000,
                votes: 500_000,
                reactions: 200_000,
            }),
            _ => None,
        }
    }
}

/// The password of every synthetic account (one hash for all: hashing 50,000 passwords
/// would take longer than the rest).
pub const PASSWORD: &str = "synthetic-2026";
/// Rows per INSERT statement.
const ROWS: usize = 400;
/// Rows per transaction.
const CHUNK: usize = 40_000;
const ACTIVITIES: &str = "INSERT INTO activities (id, actor_id, verb, object_type, object_id, community_id, visibility, data, created_at)";

const DEPARTMENTS: &[&str] = &[
    "Manufacturing",
    "Research",
    "Engineering",
    "Sales",
    "Finance",
    "Logistics",
    "IT",
    "Legal",
    "Human Resources",
    "Procurement",
    "Quality",
    "Safety",
];
const LOCATIONS: &[&str] =
    &["Ludwigshafen", "Antwerp", "Houston", "Shanghai", "Freeport", "Kuantan", "São Paulo", "Mumbai"];
const SKILLS: &[&str] = &[
    "rust",
    "python",
    "kubernetes",
    "process safety",
    "catalysis",
    "polymer chemistry",
    "sap",
    "negotiation",
    "lean",
    "six sigma",
    "data analysis",
    "machine learning",
    "logistics",
    "project management",
    "corrosion",
    "hazop",
    "supply chain",
    "accounting",
    "public speaking",
];

/// A SQL string literal (generated text only; quotes doubled all the same).
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn at(time: NaiveDateTime) -> String {
    lit(&time.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Collects rows for a few related tables and writes them in multi-row INSERTs, all
/// tables together and parents first, so every foreign key finds its row.
struct Batch<'a> {
    db: &'a Db,
    /// Per table, in the order to write: the INSERT head and the rows waiting.
    tables: Vec<(String, Vec<String>)>,
    waiting: usize,
    bar: &'a ProgressBar,
}

impl<'a> Batch<'a> {
    fn new(db: &'a Db, bar: &'a ProgressBar, heads: &[&str]) -> Self {
        Self { db, tables: heads.iter().map(|h| ((*h).to_owned(), Vec::new())).collect(), waiting: 0, bar }
    }

    /// Adds a row to the `table`th table.
    fn push(&mut self, table: usize, row: String) -> AppResult<()> {
        self.tables[table].1.push(row);
        self.waiting += 1;
        if self.waiting >= CHUNK { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> AppResult<()> {
        let tables: Vec<(String, Vec<String>)> =
            self.tables.iter_mut().map(|(head, rows)| (head.clone(), std::mem::take(rows))).collect();
        let n = std::mem::take(&mut self.waiting) as u64;
        self.db.write_sync(move |c| {
            for (head, rows) in &tables {
                for chunk in rows.chunks(ROWS) {
                    diesel::sql_query(format!("{head} VALUES {}", chunk.join(","))).execute(c)?;
                }
            }
            Ok(())
        })?;
        self.bar.inc(n);
        Ok(())
    }
}

/// What was made, and how fast.
pub struct Summary {
    pub rows: u64,
    pub seconds: f64,
}

/// Generates the organisation into an empty database.
pub fn generate(db: &Db, sizes: Sizes, seed: u64) -> AppResult<Summary> {
    let started = Instant::now();
    let empty = db.read_sync(|c| Ok(crate::db::models::users::count(c)? == 0))?;
    if !empty {
        return Err(AppError::Conflict(
            "seed --synthetic needs an empty database (it numbers rows itself)".into(),
        ));
    }
    let total = (sizes.users * 2
        + sizes.communities
        + sizes.posts * 3
        + sizes.comments * 2
        + sizes.ideas * 2
        + sizes.votes
        + sizes.reactions) as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows · {per_sec} · {eta} left")
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    let mut world = World::new(db, sizes, seed, &bar)?;
    without_indexes(db, &bar, || {
        world.people()?;
        world.communities()?;
        world.posts_and_comments()?;
        world.ideas()?;
        world.skills()?;
        world.finish()
    })?;
    bar.finish_and_clear();
    Ok(Summary { rows: bar.position(), seconds: started.elapsed().as_secs_f64() })
}

/// The generator's state: what exists so far, to relate new rows to.
struct World<'a> {
    db: &'a Db,
    sizes: Sizes,
    rng: StdRng,
    words: Words,
    bar: &'a ProgressBar,
    now: NaiveDateTime,
    /// Each community's members (the owner first).
    members: Vec<Vec<i64>>,
    /// Weekly analytics counters: (week, metric, subject) → count; and who was active when.
    counts: HashMap<(String, &'static str, i64), i64>,
    actives: std::collections::HashSet<(String, i64)>,
    activity_id: i64,
}

impl<'a> World<'a> {
    fn new(db: &'a Db, sizes: Sizes, seed: u64, bar: &'a ProgressBar) -> AppResult<Self> {
        Ok(Self {
            db,
            sizes,
            rng: StdRng::seed_from_u64(seed),
            words: Words::new(6_000),
            bar,
            now: crate::db::models::now(),
            members: Vec::new(),
            counts: HashMap::new(),
            actives: Default::default(),
            activity_id: 0,
        })
    }

    /// A moment in the two years before now (eight quarters of history).
    fn past(&mut self) -> NaiveDateTime {
        self.now - Duration::seconds(self.rng.random_range(60..2 * 365 * 24 * 3600))
    }

    fn count(&mut self, when: NaiveDateTime, metric: &'static str, subject: i64, actor: i64) {
        let week = crate::analytics::week_of(when).format("%Y-%m-%d").to_string();
        self.actives.insert((week.clone(), actor));
        *self.counts.entry((week, metric, subject)).or_default() += 1;
    }

    fn people(&mut self) -> AppResult<()> {
        let hash = crate::accounts::hash_password_sync(
            &crate::domain::account::Password::parse(PASSWORD).map_err(|e| AppError::field("password", e))?,
        )?;
        let mut users = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO users (id, handle, email, name, password_hash, role, title, department, location, manager_id, bio, is_active, created_at)",
            ],
        );
        for id in 1..=self.sizes.users as i64 {
            // A management tree eight wide: person n reports to person n / 8.
            let manager = if id == 1 { "NULL".to_owned() } else { (id / 8).max(1).to_string() };
            let role = match id {
                1 => "admin",
                2..=12 => "executive",
                _ => "employee",
            };
            let department = DEPARTMENTS[self.rng.random_range(0..DEPARTMENTS.len())];
            let location = LOCATIONS[self.rng.random_range(0..LOCATIONS.len())];
            let name = format!(
                "{} {}",
                capitalised(self.words.word(&mut self.rng)),
                capitalised(self.words.word(&mut self.rng))
            );
            let created = self.past();
            users.push(0, format!(
                "({id}, 'user{id}', 'user{id}@synthetic.example', {}, {}, '{role}', {}, {}, {}, {manager}, '', TRUE, {})",
                lit(&name),
                lit(&hash),
                lit(&format!("{} specialist", capitalised(self.words.word(&mut self.rng)))),
                lit(department),
                lit(location),
                at(created),
            ))?;
        }
        users.flush()
    }

    fn communities(&mut self) -> AppResult<()> {
        let mut batch = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO communities (id, slug, name, description, description_html, visibility, created_by, member_count, created_at)",
                "INSERT INTO memberships (community_id, user_id, role, state, created_at)",
            ],
        );
        let users = self.sizes.users as i64;
        for id in 1..=self.sizes.communities as i64 {
            // Long tail: a few communities with thousands of members, most with a few dozen.
            let size =
                ((users as f64 * 0.05) / (id as f64).powf(0.8)).clamp(5.0, users as f64 * 0.3) as usize;
            let visibility = if id % 10 == 3 {
                "private"
            } else if id % 7 == 0 {
                "restricted"
            } else {
                "open"
            };
            let owner = self.rng.random_range(1..=users);
            let mut members = vec![owner];
            while members.len() < size {
                let candidate = self.rng.random_range(1..=users);
                if !members.contains(&candidate) || members.len() > 200 {
                    members.push(candidate);
                }
            }
            members.sort_unstable();
            members.dedup();
            let created = self.past();
            let name = format!(
                "{} {}",
                capitalised(self.words.word(&mut self.rng)),
                capitalised(self.words.word(&mut self.rng))
            );
            let description = self.words.sentence(&mut self.rng, 12);
            batch.push(
                0,
                format!(
                    "({id}, 'c{id}', {}, {}, {}, '{visibility}', {owner}, {}, {})",
                    lit(&name),
                    lit(&description),
                    lit(&format!("<p>{description}</p>")),
                    members.len(),
                    at(created)
                ),
            )?;
            for &member in &members {
                let role = if member == owner { "owner" } else { "member" };
                batch.push(1, format!("({id}, {member}, '{role}', 'active', {})", at(created)))?;
            }
            self.members.push(members);
        }
        batch.flush()
    }

    fn posts_and_comments(&mut self) -> AppResult<()> {
        const POSTS: usize = 0;
        const TAGS: usize = 1;
        const COMMENTS: usize = 2;
        const REACTIONS: usize = 3;
        const LOG: usize = 4;
        let mut batch = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO posts (id, community_id, author_id, kind, title, body, html, pinned, comment_count, created_at)",
                "INSERT INTO post_tags (post_id, tag)",
                "INSERT INTO comments (id, post_id, author_id, body, html, created_at)",
                "INSERT INTO reactions (target_type, target_id, user_id, kind, created_at)",
                ACTIVITIES,
            ],
        );
        // Posts land in communities in proportion to their size.
        let weights: Vec<f64> = self.members.iter().map(|m| m.len() as f64).collect();
        let total: f64 = weights.iter().sum();
        let per_post = self.sizes.comments as f64 / self.sizes.posts.max(1) as f64;
        let reactions_per_post = self.sizes.reactions as f64 / self.sizes.posts.max(1) as f64;
        let mut comment_id = 0i64;
        for id in 1..=self.sizes.posts as i64 {
            let mut pick = self.rng.random::<f64>() * total;
            let mut community = 0;
            while community + 1 < weights.len() && pick > weights[community] {
                pick -= weights[community];
                community += 1;
            }
            let members = &self.members[community];
            let author = members[self.rng.random_range(0..members.len())];
            let created = self.past();
            let title = self.words.title(&mut self.rng);
            let tag = self.words.word(&mut self.rng).to_owned();
            let body = format!("{} #{tag}", self.words.paragraph(&mut self.rng, 1..4));
            let comment_count = (per_post * self.rng.random_range(0.0..2.0)).round() as i64;
            let community_id = community as i64 + 1;
            batch.push(
                POSTS,
                format!(
                    "({id}, {community_id}, {author}, 'discussion', {}, {}, {}, FALSE, {comment_count}, {})",
                    lit(&title),
                    lit(&body),
                    lit(&format!("<p>{body}</p>")),
                    at(created)
                ),
            )?;
            batch.push(TAGS, format!("({id}, {})", lit(&tag)))?;
            self.activity_id += 1;
            let excerpt: String = body.chars().take(160).collect();
            let data = serde_json::json!({ "title": title, "excerpt": excerpt, "mentions": [] }).to_string();
            batch.push(
                LOG,
                format!(
                    "({}, {author}, 'post.created', 'post', {id}, {community_id}, 'community', {}, {})",
                    self.activity_id,
                    lit(&data),
                    at(created)
                ),
            )?;
            self.count(created, "posts", 0, author);
            self.count(created, "community", community_id, author);
            self.count(created, "person", author, author);
            for _ in 0..comment_count {
                comment_id += 1;
                let members = &self.members[community];
                let commenter = members[self.rng.random_range(0..members.len())];
                let when = (created + Duration::minutes(self.rng.random_range(1..10_000))).min(self.now);
                let text = self.words.paragraph(&mut self.rng, 1..3);
                batch.push(
                    COMMENTS,
                    format!(
                        "({comment_id}, {id}, {commenter}, {}, {}, {})",
                        lit(&text),
                        lit(&format!("<p>{text}</p>")),
                        at(when)
                    ),
                )?;
                self.activity_id += 1;
                let data =
                    serde_json::json!({ "post": id, "post_title": title, "reply_to": null, "mentions": [] })
                        .to_string();
                batch.push(LOG, format!(
                    "({}, {commenter}, 'comment.created', 'comment', {comment_id}, {community_id}, 'community', {}, {})",
                    self.activity_id,
                    lit(&data),
                    at(when)
                ))?;
                self.count(when, "comments", 0, commenter);
                self.count(when, "community", community_id, commenter);
                self.count(when, "person", commenter, commenter);
            }
            let reacting = (reactions_per_post * self.rng.random_range(0.0..2.0)).round() as usize;
            let members = self.members[community].clone();
            for reactor in members.iter().take(reacting) {
                batch.push(REACTIONS, format!("('post', {id}, {reactor}, 'like', {})", at(created)))?;
            }
        }
        batch.flush()
    }

    fn ideas(&mut self) -> AppResult<()> {
        const IDEAS: usize = 0;
        const VOTES: usize = 1;
        const LOG: usize = 2;
        let mut batch = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO ideas (id, author_id, community_id, title, problem, proposal, benefit, html, tags, state, quarter, vote_count, trend_value, trend_key, submitted_at, created_at, updated_at)",
                "INSERT INTO idea_votes (idea_id, user_id, created_at)",
                ACTIVITIES,
            ],
        );
        let users = self.sizes.users as i64;
        let per_idea = self.sizes.votes / self.sizes.ideas.max(1);
        for id in 1..=self.sizes.ideas as i64 {
            let author = self.rng.random_range(1..=users);
            let submitted = self.past();
            let quarter = crate::domain::idea::quarter_of(submitted);
            let current = quarter == crate::domain::idea::quarter_of(self.now);
            let state = if current {
                "submitted"
            } else {
                ["declined", "funded", "needs_work", "in_development", "launched", "submitted"]
                    [self.rng.random_range(0..6)]
            };
            // Vote counts follow a long tail too: a few ideas draw most votes. Stepping by a
            // prime through everyone gives distinct voters.
            let wanted = (((per_idea as f64) * 3.0 / (1.0 + (id % 50) as f64)).round() as i64).min(users - 1);
            let start = self.rng.random_range(1..=users);
            let voters: Vec<i64> =
                (0..wanted).map(|k| (start + k * 7919) % users + 1).filter(|v| *v != author).collect();
            let count = voters.len();
            let title = self.words.title(&mut self.rng);
            let problem = self.words.paragraph(&mut self.rng, 1..3);
            let proposal = self.words.paragraph(&mut self.rng, 1..3);
            batch.push(IDEAS, format!(
                "({id}, {author}, NULL, {}, {}, {}, '', {}, '', '{state}', '{quarter}', {count}, {count}, {}, {}, {}, {})",
                lit(&title),
                lit(&problem),
                lit(&proposal),
                lit(&format!("<p>{problem}</p><p>{proposal}</p>")),
                (count as f64).ln_1p(),
                at(submitted),
                at(submitted),
                at(submitted)
            ))?;
            self.activity_id += 1;
            let data = serde_json::json!({ "title": title, "from": "draft", "to": "submitted", "note": "" })
                .to_string();
            batch.push(
                LOG,
                format!(
                    "({}, {author}, 'idea.transitioned', 'idea', {id}, NULL, 'public', {}, {})",
                    self.activity_id,
                    lit(&data),
                    at(submitted)
                ),
            )?;
            self.count(submitted, "ideas", 0, author);
            self.count(submitted, "person", author, author);
            for voter in voters {
                batch.push(VOTES, format!("({id}, {voter}, {})", at(submitted)))?;
                self.count(submitted, "votes", 0, voter);
            }
        }
        batch.flush()
    }

    fn skills(&mut self) -> AppResult<()> {
        let mut batch = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO user_skills (user_id, skill, created_at)",
                "INSERT INTO skill_endorsements (user_id, skill, endorser_id, created_at)",
            ],
        );
        let users = self.sizes.users as i64;
        for id in 1..=users {
            let first = self.rng.random_range(0..SKILLS.len());
            for skill in [SKILLS[first], SKILLS[(first + 7) % SKILLS.len()]] {
                batch.push(0, format!("({id}, {}, {})", lit(skill), at(self.now)))?;
                // Their manager vouches for the first one.
                if skill == SKILLS[first] && id > 1 {
                    batch
                        .push(1, format!("({id}, {}, {}, {})", lit(skill), (id / 8).max(1), at(self.now)))?;
                }
            }
        }
        batch.flush()
    }

    /// Analytics counters, the log consumers' positions, and (PostgreSQL) the sequences.
    fn finish(&mut self) -> AppResult<()> {
        let mut batch = Batch::new(
            self.db,
            self.bar,
            &[
                "INSERT INTO weekly_counts (week, metric, subject, count)",
                "INSERT INTO weekly_actives (week, user_id)",
            ],
        );
        for ((week, metric, subject), n) in std::mem::take(&mut self.counts) {
            batch.push(0, format!("({}, '{metric}', {subject}, {n})", lit(&week)))?;
        }
        for (week, user) in std::mem::take(&mut self.actives) {
            batch.push(1, format!("({}, {user})", lit(&week)))?;
        }
        batch.flush()?;
        let last = self.activity_id;
        self.db.write_sync(move |c| {
            // The notifier and badge job start after the generated history (it announces
            // nothing); analytics is counted above.
            for cursor in ["notifier", "badges", "analytics"] {
                crate::db::models::log_cursors::advance(c, cursor, last)?;
            }
            sequences(c)
        })
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A secondary index, as SQLite keeps its definition.
#[derive(diesel::QueryableByName)]
struct Index {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

/// Runs `fill` on SQLite with the secondary indexes dropped, and makes them again after
/// (also when `fill` fails, so the database keeps its schema). Building an index once from
/// sorted keys is far cheaper than keeping it up to date through millions of inserts
/// ordered by another column: the activity log's indexes by community and by actor were
/// written all over their b-trees. Unique indexes stay, and check the data as it goes in.
fn without_indexes(db: &Db, bar: &ProgressBar, fill: impl FnOnce() -> AppResult<()>) -> AppResult<()> {
    let indexes = db.write_sync(|c| {
        let DbConn::Sqlite(sqlite) = c else { return Ok(Vec::new()) };
        let indexes: Vec<Index> = diesel::sql_query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND sql NOT LIKE 'CREATE UNIQUE%'",
        )
        .load(sqlite)?;
        for index in &indexes {
            diesel::sql_query(format!("DROP INDEX \"{}\"", index.name)).execute(sqlite)?;
        }
        Ok(indexes)
    })?;
    let filled = fill();
    if !indexes.is_empty() {
        bar.println(format!("building {} indexes …", indexes.len()));
    }
    // One transaction each, so the WAL is checkpointed between them.
    for index in &indexes {
        db.write_sync(|c| Ok(diesel::sql_query(&index.sql).execute(c)?))?;
    }
    filled
}

/// PostgreSQL's id sequences move past the ids written here.
fn sequences(c: &mut DbConn) -> AppResult<()> {
    if let DbConn::Pg(pg) = c {
        for table in ["users", "communities", "posts", "comments", "ideas", "activities"] {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT MAX(id) FROM {table})))"
            ))
            .execute(pg)?;
        }
    }
    Ok(())
}
