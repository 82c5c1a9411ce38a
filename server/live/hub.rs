//! The websocket hub: one task owns every connection's subscriptions and what each viewer
//! may see. Activities arrive in log order from the follower; each is checked against the
//! policy per connection before it is queued. Queues are bounded: a connection whose queue
//! is full is dropped rather than slowing anyone else.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Utf8Bytes;

use super::fragments::{self, Published};
use super::protocol::{MAX_TOPICS, ServerMessage, TopicName};
use super::sockets::Sockets;
use crate::accounts::SignIn;
use crate::db::Db;
use crate::db::models::activities::{self, Activity};
use crate::db::models::feed::FEED_VERBS;
use crate::db::models::{communities, follows, notifications};
use crate::domain::community::Visibility;
use crate::domain::policy::{Action, Actor};
use crate::domain::quarter::Quarter;
use crate::error::AppResult;

/// A connection's id.
pub type ConnId = u64;
/// A connection's bounded queue of what its socket is to send.
pub type Outbox = mpsc::Sender<Outgoing>;

/// What the hub hands a connection's socket.
#[derive(Debug)]
pub enum Outgoing {
    /// A message, serialized once and shared by every socket it goes to.
    Text(Utf8Bytes),
    /// The sign-in the socket was opened with has ended (signed out, password changed,
    /// account deactivated): the socket closes with a code that tells the page so, rather
    /// than the code for a slow client, which asks it to reconnect.
    SignedOut,
}

/// Most events replayed for `since`; a client further behind reloads the page instead.
const REPLAY_LIMIT: i64 = 500;

enum Command {
    Register { conn: ConnId, actor: Actor, sign_in: SignIn, outbox: Outbox },
    Subscribe { conn: ConnId, topics: Vec<String>, since: Option<i64> },
    Unsubscribe { conn: ConnId, topics: Vec<String> },
    Unregister { conn: ConnId },
    Publish(Vec<Published>),
    Ring(Vec<i64>),
    Leave,
}

/// A handle to the hub, cheap to clone.
#[derive(Clone)]
pub struct Hub {
    tx: mpsc::UnboundedSender<Command>,
    next_id: Arc<AtomicU64>,
    /// The sockets open on this node.
    pub sockets: Sockets,
}

/// Unregisters its connection when dropped, however the connection's task ends.
pub struct Registration {
    conn: ConnId,
    hub: Hub,
}

impl Registration {
    /// The connection's id.
    pub fn id(&self) -> ConnId {
        self.conn
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = self.hub.tx.send(Command::Unregister { conn: self.conn });
    }
}

impl Hub {
    /// A hub and the task that runs it; `start_after` is the newest activity id already
    /// in the log, which the follower also starts from.
    pub fn new(db: Db, start_after: i64) -> (Hub, HubTask) {
        let (tx, rx) = mpsc::unbounded_channel();
        let sockets = Sockets::default();
        let hub = Hub { tx, next_id: Arc::new(AtomicU64::new(1)), sockets: sockets.clone() };
        let task = HubTask {
            rx,
            db,
            conns: HashMap::new(),
            private: HashMap::new(),
            last_id: start_after,
            dockets: HashMap::new(),
            sockets,
        };
        (hub, task)
    }

    /// Registers a connection; keep the returned guard for the connection's lifetime.
    pub fn register(&self, actor: Actor, sign_in: SignIn, outbox: Outbox) -> Registration {
        let conn = self.next_id.fetch_add(1, Ordering::Relaxed);
        let _ = self.tx.send(Command::Register { conn, actor, sign_in, outbox });
        Registration { conn, hub: self.clone() }
    }

    /// Subscribes a connection to topics, replaying what came after `since`.
    pub fn subscribe(&self, conn: ConnId, topics: Vec<String>, since: Option<i64>) {
        let _ = self.tx.send(Command::Subscribe { conn, topics, since });
    }

    /// Unsubscribes a connection from topics.
    pub fn unsubscribe(&self, conn: ConnId, topics: Vec<String>) {
        let _ = self.tx.send(Command::Unsubscribe { conn, topics });
    }

    /// Tells these users' `notifications` subscribers their unread count.
    pub fn ring(&self, users: Vec<i64>) {
        let _ = self.tx.send(Command::Ring(users));
    }

    /// Ends every connection for a shutdown: each socket closes with 1001 ("going away")
    /// and its client reconnects with `since`. Returns once they have closed, or after
    /// `within`.
    pub async fn close_all(&self, within: Duration) {
        self.sockets.leave();
        let _ = self.tx.send(Command::Leave);
        self.sockets.ended(within).await;
    }

    /// Hands committed activities, in log order, to the hub.
    pub fn publish(&self, batch: Vec<Published>) {
        let _ = self.tx.send(Command::Publish(batch));
    }
}

/// Where a subscribed topic points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Home,
    Community(i64),
    Post { post: i64, community: i64 },
    Idea { idea: i64, community: Option<i64> },
    Board(Quarter),
    Notifications,
}

impl Target {
    fn community(self) -> Option<i64> {
        match self {
            Target::Home => None,
            Target::Community(id) | Target::Post { community: id, .. } => Some(id),
            Target::Idea { community, .. } => community,
            Target::Board(_) | Target::Notifications => None,
        }
    }
}

/// What a viewer's `home` topic follows.
#[derive(Debug, Clone, Default)]
struct Interests {
    people: HashSet<i64>,
    tags: HashSet<String>,
}

struct Conn {
    actor: Actor,
    /// What the socket was opened with (a browser's sign-in or a token): it ends with it.
    sign_in: SignIn,
    /// Communities the viewer is an active member of.
    joined: HashSet<i64>,
    interests: Interests,
    outbox: Outbox,
    /// Each topic's target and floor: events at or below the floor (the `since` the client
    /// subscribed with) are never sent live, as the client already has them.
    topics: HashMap<TopicName, (Target, i64)>,
}

impl Conn {
    fn send(&self, message: &ServerMessage) -> bool {
        self.outbox.try_send(Outgoing::Text(message.text())).is_ok()
    }

    fn may_see(&self, target: Target, activity: &Activity, private: bool) -> bool {
        // The review board reads everything about its docket's ideas (scores included),
        // wherever the ideas were posted; `wants` keeps the topic to those ideas.
        if matches!(target, Target::Board(_)) {
            return self.actor.board;
        }
        match activity.visibility.as_str() {
            "public" => true,
            "community" => {
                self.actor.admin
                    || !private
                    || activity.community_id.is_some_and(|c| self.joined.contains(&c))
            }
            _ => self.actor.admin,
        }
    }

    fn wants(&self, target: Target, activity: &Activity, facts: &Facts<'_>) -> bool {
        match target {
            // The same lines as the home feed page, no chores (follows, reactions, edits).
            Target::Home if !FEED_VERBS.contains(&activity.verb.as_str()) => false,
            Target::Home => {
                activity.community_id.is_some_and(|c| self.joined.contains(&c))
                    || activity
                        .actor_id
                        .is_some_and(|a| a == self.actor.user_id || self.interests.people.contains(&a))
                    || facts.tags.iter().any(|t| self.interests.tags.contains(*t))
            }
            Target::Community(id) => activity.community_id == Some(id),
            Target::Post { post: id, .. } => facts.post == Some(id),
            Target::Idea { idea, .. } => activity.object_type == "idea" && activity.object_id == idea,
            Target::Board(quarter) => {
                BOARD_VERBS.contains(&activity.verb.as_str()) && facts.docket == Some(quarter)
            }
            // Notifications arrive through `ring`, not as activities.
            Target::Notifications => false,
        }
    }
}

/// What review boards hear of: scores, decisions and ideas moving or merging.
const BOARD_VERBS: [&str; 4] = ["idea.scored", "idea.decided", "idea.transitioned", "idea.merged"];

/// What topics match an activity on, worked out once per activity.
struct Facts<'a> {
    post: Option<i64>,
    tags: Vec<&'a str>,
    /// The closed quarter whose docket holds the idea the activity is about.
    docket: Option<Quarter>,
}

impl<'a> Facts<'a> {
    fn of(published: &'a Published, dockets: &HashMap<i64, Quarter>) -> Self {
        let activity = &published.activity;
        let docket = match activity.object_type.as_str() {
            "idea" => dockets.get(&activity.object_id).copied(),
            _ => None,
        };
        Facts { post: post_of(published), tags: tags_of(published), docket }
    }
}

/// The tags of a post activity.
fn tags_of(published: &Published) -> Vec<&str> {
    match published.data.get("tags").and_then(serde_json::Value::as_array) {
        Some(tags) if published.activity.object_type == "post" => {
            tags.iter().filter_map(serde_json::Value::as_str).collect()
        }
        _ => Vec::new(),
    }
}

/// The post an activity is about, if any.
fn post_of(published: &Published) -> Option<i64> {
    match published.activity.object_type.as_str() {
        "post" => Some(published.activity.object_id),
        _ => published.data.get("post").and_then(serde_json::Value::as_i64),
    }
}

/// The hub's state; runs until every [`Hub`] handle is dropped.
pub struct HubTask {
    rx: mpsc::UnboundedReceiver<Command>,
    db: Db,
    conns: HashMap<ConnId, Conn>,
    /// community id → whether it is private (forgotten when an owner changes it).
    private: HashMap<i64, bool>,
    /// The newest activity handed out: replay covers up to here, live events come after.
    last_id: i64,
    /// idea id → the closed quarter whose docket holds it, for the dockets of subscribed
    /// boards (a docket never changes once closed).
    dockets: HashMap<i64, Quarter>,
    /// The node's sockets, shared with the handles: once they are leaving (the server is
    /// stopping), connections registering are ended at once.
    sockets: Sockets,
}

impl HubTask {
    /// Processes commands one at a time, which keeps replay and live delivery in order.
    pub async fn run(mut self) {
        while let Some(command) = self.rx.recv().await {
            match command {
                Command::Register { conn, actor, sign_in, outbox } => {
                    self.register(conn, actor, sign_in, outbox).await
                }
                Command::Subscribe { conn, topics, since } => self.subscribe(conn, topics, since).await,
                Command::Unsubscribe { conn, topics } => self.unsubscribe(conn, topics),
                Command::Unregister { conn } => {
                    self.conns.remove(&conn);
                }
                // Dropping a connection's outbox ends its socket; the socket sees the
                // server leaving and closes with 1001.
                Command::Leave => self.conns.clear(),
                Command::Ring(users) => self.ring(users).await,
                Command::Publish(batch) => {
                    for published in batch {
                        self.last_id = self.last_id.max(published.activity.id);
                        self.dispatch(&published).await;
                    }
                }
            }
            metrics::gauge!("ws_connections").set(self.conns.len() as f64);
        }
    }

    async fn joined(&self, user_id: i64) -> AppResult<HashSet<i64>> {
        self.db
            .read(move |c| Ok(communities::joined_by(c, user_id)?.into_iter().map(|c| c.id).collect()))
            .await
    }

    async fn interests(&self, user_id: i64) -> AppResult<Interests> {
        self.db
            .read(move |c| {
                let people = follows::followed_users(c, user_id)?.into_iter().collect();
                let tags = follows::followed_tags(c, user_id)?.into_iter().collect();
                Ok(Interests { people, tags })
            })
            .await
    }

    async fn register(&mut self, conn: ConnId, actor: Actor, sign_in: SignIn, outbox: Outbox) {
        // A socket accepted just before the server began to stop ends like the others.
        if self.sockets.leaving() {
            return;
        }
        let state = match self.joined(actor.user_id).await {
            Ok(joined) => self.interests(actor.user_id).await.map(|interests| (joined, interests)),
            Err(e) => Err(e),
        };
        match state {
            Ok((joined, interests)) => {
                self.conns
                    .insert(conn, Conn { actor, sign_in, joined, interests, outbox, topics: HashMap::new() });
            }
            // Without its access set the connection cannot be served safely: drop it.
            Err(e) => e.log(),
        }
    }

    async fn is_private(&mut self, community_id: i64) -> bool {
        if let Some(private) = self.private.get(&community_id) {
            return *private;
        }
        let found = self.db.read(move |c| Ok(communities::find(c, community_id)?)).await;
        // Unknown or unreadable: treat as private, the safe answer.
        let private = found.ok().flatten().is_none_or(|c| c.visibility() == Visibility::Private);
        self.private.insert(community_id, private);
        private
    }

    async fn authorize(&mut self, actor: Actor, topic: &TopicName) -> Option<Target> {
        let topic = topic.clone();
        let found = self
            .db
            .read(move |c| match topic {
                TopicName::Home => Ok((Target::Home, Vec::new())),
                TopicName::Community(slug) => {
                    let located = crate::communities::locate(c, actor, &slug)?;
                    located.allow(Action::Read)?;
                    Ok((Target::Community(located.community.id), Vec::new()))
                }
                TopicName::Post(id) => {
                    let located = crate::posts::community_of_post(c, actor, id)?;
                    Ok((Target::Post { post: id, community: located.community.id }, Vec::new()))
                }
                TopicName::Idea(id) => {
                    let community = crate::ideas::community_of_idea(c, actor, id)?;
                    Ok((Target::Idea { idea: id, community }, Vec::new()))
                }
                TopicName::Notifications => Ok((Target::Notifications, Vec::new())),
                TopicName::Board(quarter) => {
                    let ideas = crate::quarters::docket_ideas(c, actor, quarter)?;
                    Ok((Target::Board(quarter), ideas))
                }
            })
            .await;
        let (target, docket) = found.ok()?;
        if let Target::Board(quarter) = target {
            self.dockets.extend(docket.into_iter().map(|idea| (idea, quarter)));
        }
        Some(target)
    }

    async fn subscribe(&mut self, conn_id: ConnId, topics: Vec<String>, since: Option<i64>) {
        let Some(actor) = self.conns.get(&conn_id).map(|c| c.actor) else {
            return;
        };
        let mut accepted = Vec::new();
        let mut replies = Vec::new();
        let held = self.conns.get(&conn_id).map_or(0, |c| c.topics.len());
        for raw in topics.iter().take(MAX_TOPICS * 2) {
            if held + accepted.len() >= MAX_TOPICS {
                replies.push(ServerMessage::topic_error("too_many_topics", raw));
                continue;
            }
            // Unknown, malformed, missing and forbidden topics all answer the same.
            let target = match TopicName::parse(raw) {
                Some(name) => self.authorize(actor, &name).await.map(|t| (name, t)),
                None => None,
            };
            match target {
                Some(found) if !accepted.contains(&found) => accepted.push(found),
                Some(_) => {}
                None => replies.push(ServerMessage::topic_error("not_found", raw)),
            }
        }
        let Some(conn) = self.conns.get_mut(&conn_id) else {
            return;
        };
        let names: Vec<String> = accepted.iter().map(|(name, _)| name.name()).collect();
        let floor = since.unwrap_or(0);
        conn.topics.extend(accepted.iter().map(|(name, target)| (name.clone(), (*target, floor))));
        replies.push(ServerMessage::Subscribed { topics: names });
        if !replies.iter().all(|m| conn.send(m)) {
            self.conns.remove(&conn_id);
            return;
        }
        if let Some(since) = since {
            self.replay(conn_id, &accepted, since).await;
        }
    }

    fn unsubscribe(&mut self, conn_id: ConnId, topics: Vec<String>) {
        if let Some(conn) = self.conns.get_mut(&conn_id) {
            let names: Vec<String> = topics
                .iter()
                .filter_map(|raw| TopicName::parse(raw))
                .filter(|name| conn.topics.remove(name).is_some())
                .map(|name| name.name())
                .collect();
            conn.send(&ServerMessage::Unsubscribed { topics: names });
        }
    }

    /// Sends what the client missed: activities after `since` up to the last one handed
    /// out live. Later activities arrive live, so there is no gap and no duplicate.
    async fn replay(&mut self, conn_id: ConnId, topics: &[(TopicName, Target)], since: i64) {
        let upto = self.last_id;
        if since >= upto || topics.is_empty() {
            return;
        }
        let missed = self
            .db
            .read(move |c| {
                let rows = activities::after(c, since, REPLAY_LIMIT + 1)?;
                Ok(rows
                    .into_iter()
                    // What was hidden or deleted since is not replayed; its withdrawal
                    // event is, for pages that showed it.
                    .filter(|a| a.id <= upto && a.withdrawn_at.is_none())
                    .map(|a| fragments::publishable(c, a))
                    .collect::<Vec<_>>())
            })
            .await;
        let missed = match missed {
            Ok(missed) => missed,
            Err(e) => return e.log(),
        };
        if missed.len() as i64 > REPLAY_LIMIT {
            if let Some(conn) = self.conns.get(&conn_id) {
                conn.send(&ServerMessage::error("replay_too_long", "too much was missed; reload the page"));
            }
            return;
        }
        for published in &missed {
            let private = match published.activity.community_id {
                Some(c) => self.is_private(c).await,
                None => false,
            };
            let Some(conn) = self.conns.get(&conn_id) else {
                return;
            };
            for (name, target) in topics {
                if conn.may_see(*target, &published.activity, private)
                    && conn.wants(*target, &published.activity, &Facts::of(published, &self.dockets))
                    && !conn.send(&event(name, published, conn))
                {
                    self.evict(conn_id);
                    return;
                }
            }
        }
    }

    async fn ring(&mut self, users: Vec<i64>) {
        let listens = |c: &Conn| c.topics.contains_key(&TopicName::Notifications);
        let listening: HashSet<i64> =
            self.conns.values().filter(|c| listens(c)).map(|c| c.actor.user_id).collect();
        let rung: HashSet<i64> = users.into_iter().filter(|u| listening.contains(u)).collect();
        if rung.is_empty() {
            return;
        }
        // One grouped query for everyone whose bell changed; absent means nothing unread.
        let ids: Vec<i64> = rung.iter().copied().collect();
        let counts: HashMap<i64, i64> =
            match self.db.read(move |c| Ok(notifications::unread_of(c, &ids)?)).await {
                Ok(counts) => counts.into_iter().collect(),
                Err(e) => return e.log(),
            };
        let mut slow = Vec::new();
        for (id, conn) in &self.conns {
            let user = conn.actor.user_id;
            if !rung.contains(&user) || !listens(conn) {
                continue;
            }
            let message = ServerMessage::Event {
                topic: TopicName::Notifications.name(),
                id: 0,
                verb: "notification.created".into(),
                data: serde_json::json!({ "unread": counts.get(&user).copied().unwrap_or(0) }),
                html: None,
            };
            if !conn.send(&message) {
                slow.push(*id);
            }
        }
        for id in slow {
            self.evict(id);
        }
    }

    async fn dispatch(&mut self, published: &Published) {
        self.apply_access_changes(&published.activity).await;
        let activity = &published.activity;
        let private = match activity.community_id {
            Some(c) => self.is_private(c).await,
            None => false,
        };
        let facts = Facts::of(published, &self.dockets);
        // Serialize once per topic and fragment variant, not once per connection.
        let mut serialized: HashMap<(&TopicName, bool), Utf8Bytes> = HashMap::new();
        let mut slow = Vec::new();
        for (id, conn) in &self.conns {
            for (name, (target, floor)) in &conn.topics {
                if activity.id <= *floor
                    || !conn.may_see(*target, activity, private)
                    || !conn.wants(*target, activity, &facts)
                {
                    continue;
                }
                let key = (name, writer(conn, activity));
                let text = serialized.entry(key).or_insert_with(|| event(name, published, conn).text());
                if conn.outbox.try_send(Outgoing::Text(text.clone())).is_err() {
                    slow.push(*id);
                    break;
                }
            }
        }
        for id in slow {
            self.evict(id);
        }
    }

    /// Ends the connections whose sign-in has ended, telling each why. (A queue too full
    /// for the word still ends its socket, as a slow client's.)
    fn sign_out(&mut self, ended: impl Fn(&Conn) -> bool) {
        self.conns.retain(|_, c| {
            if !ended(c) {
                return true;
            }
            let _ = c.outbox.try_send(Outgoing::SignedOut);
            false
        });
    }

    fn evict(&mut self, conn_id: ConnId) {
        // Dropping the queue's sender tells the connection's task to close the socket.
        if self.conns.remove(&conn_id).is_some() {
            metrics::counter!("ws_slow_consumers_dropped_total").increment(1);
        }
    }

    /// Membership changes and deactivations re-decide what the affected user's
    /// connections may see, at once.
    async fn apply_access_changes(&mut self, activity: &Activity) {
        let user = match (activity.verb.as_str(), activity.object_type.as_str()) {
            ("user.followed" | "user.unfollowed" | "tag.followed" | "tag.unfollowed", _) => {
                if let Some(follower) = activity.actor_id
                    && self.conns.values().any(|c| c.actor.user_id == follower)
                {
                    match self.interests(follower).await {
                        Ok(interests) => {
                            for conn in self.conns.values_mut().filter(|c| c.actor.user_id == follower) {
                                conn.interests = interests.clone();
                            }
                        }
                        Err(e) => e.log(),
                    }
                }
                return;
            }
            ("user.deactivated", _) => {
                self.sign_out(|c| c.actor.user_id == activity.object_id);
                return;
            }
            ("sessions.ended", _) => {
                let ended = crate::accounts::EndedSessions::of(activity);
                self.sign_out(|c| c.actor.user_id == activity.object_id && ended.covers(&c.sign_in));
                return;
            }
            ("community.visibility_changed", _) => {
                self.private.remove(&activity.object_id);
                if self.is_private(activity.object_id).await {
                    self.drop_outsiders(activity.object_id);
                }
                return;
            }
            (
                "member.joined" | "member.left" | "member.approved" | "member.denied" | "member.banned"
                | "member.removed",
                "user",
            ) => activity.object_id,
            ("community.created", _) => match activity.actor_id {
                Some(id) => id,
                None => return,
            },
            _ => return,
        };
        if !self.conns.values().any(|c| c.actor.user_id == user) {
            return;
        }
        let joined = match self.joined(user).await {
            Ok(joined) => joined,
            Err(e) => return e.log(),
        };
        let mut lost_communities = HashSet::new();
        let held = self.conns.values().filter(|c| c.actor.user_id == user).flat_map(|c| c.topics.values());
        for community in held.filter_map(|(t, _)| t.community()) {
            if !joined.contains(&community) && self.private.get(&community).copied().unwrap_or(true) {
                lost_communities.insert(community);
            }
        }
        for community in lost_communities.clone() {
            if !self.is_private(community).await {
                lost_communities.remove(&community);
            }
        }
        for conn in self.conns.values_mut().filter(|c| c.actor.user_id == user) {
            conn.joined = joined.clone();
            if conn.actor.admin {
                continue;
            }
            let lost: Vec<TopicName> = conn
                .topics
                .iter()
                .filter(|(_, (t, _))| t.community().is_some_and(|c| lost_communities.contains(&c)))
                .map(|(name, _)| name.clone())
                .collect();
            for name in lost {
                conn.topics.remove(&name);
                conn.send(&ServerMessage::topic_error("not_found", &name.name()));
            }
        }
    }
}

impl HubTask {
    /// A community turned private: connections of people outside it lose its topics.
    fn drop_outsiders(&mut self, community: i64) {
        for conn in self.conns.values_mut().filter(|c| !c.actor.admin && !c.joined.contains(&community)) {
            let lost: Vec<TopicName> = conn
                .topics
                .iter()
                .filter(|(_, (t, _))| t.community() == Some(community))
                .map(|(name, _)| name.clone())
                .collect();
            for name in lost {
                conn.topics.remove(&name);
                conn.send(&ServerMessage::topic_error("not_found", &name.name()));
            }
        }
    }
}

/// Whether the viewer may react and comment where the activity happened (which variant of
/// the HTML fragment they get).
fn writer(conn: &Conn, activity: &Activity) -> bool {
    conn.actor.admin || activity.community_id.is_some_and(|c| conn.joined.contains(&c))
}

fn event(name: &TopicName, published: &Published, conn: &Conn) -> ServerMessage {
    let html =
        if writer(conn, &published.activity) { &published.html.writer } else { &published.html.reader };
    ServerMessage::Event {
        topic: name.name(),
        id: published.activity.id,
        verb: published.activity.verb.clone(),
        data: published.data.clone(),
        html: html.clone(),
    }
}
