//! The websocket protocol of SPEC §4: what clients send, what the server answers.

use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Utf8Bytes;

use crate::domain::quarter::Quarter;

/// Most topics one connection may hold; more is refused, not silently dropped.
pub const MAX_TOPICS: usize = 100;

/// A topic as a client names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TopicName {
    /// The viewer's home feed.
    Home,
    /// `community:<slug>`.
    Community(String),
    /// `post:<id>`.
    Post(i64),
    /// `idea:<id>`.
    Idea(i64),
    /// `board:<quarter>`: scores and decisions on a closed quarter's review board.
    Board(Quarter),
    /// `notifications`: the viewer's unread count, whenever a notification arrives.
    Notifications,
}

impl TopicName {
    /// Parses `home`, `notifications`, `community:<slug>`, `post:<id>`, `idea:<id>` or
    /// `board:<quarter>`; anything else is unknown.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.split_once(':') {
            None if raw == "home" => Some(Self::Home),
            None if raw == "notifications" => Some(Self::Notifications),
            Some(("community", slug)) if !slug.is_empty() && slug.len() <= 64 => {
                Some(Self::Community(slug.to_lowercase()))
            }
            Some(("post", id)) => id.parse().ok().filter(|id| *id > 0).map(Self::Post),
            Some(("idea", id)) => id.parse().ok().filter(|id| *id > 0).map(Self::Idea),
            Some(("board", quarter)) => Quarter::parse(quarter).ok().map(Self::Board),
            _ => None,
        }
    }

    /// The name clients use.
    pub fn name(&self) -> String {
        match self {
            Self::Home => "home".into(),
            Self::Community(slug) => format!("community:{slug}"),
            Self::Post(id) => format!("post:{id}"),
            Self::Idea(id) => format!("idea:{id}"),
            Self::Board(quarter) => format!("board:{quarter}"),
            Self::Notifications => "notifications".into(),
        }
    }
}

/// A message from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum ClientMessage {
    /// Start receiving events for topics, optionally replaying everything after `since`.
    Subscribe { topics: Vec<String>, since: Option<i64> },
    /// Stop receiving events for topics.
    Unsubscribe { topics: Vec<String> },
}

/// A message to the client.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum ServerMessage {
    /// These topics are now subscribed.
    Subscribed { topics: Vec<String> },
    /// These topics are no longer subscribed.
    Unsubscribed { topics: Vec<String> },
    /// Something went wrong with one topic or message.
    Error {
        code: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        topic: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// An activity on a subscribed topic.
    Event {
        topic: String,
        id: i64,
        verb: String,
        data: serde_json::Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        html: Option<String>,
    },
}

impl ServerMessage {
    /// An error about one topic.
    pub fn topic_error(code: &'static str, topic: &str) -> Self {
        Self::Error { code, topic: Some(topic.to_owned()), message: None }
    }

    /// An error about a message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::Error { code, topic: None, message: Some(message.into()) }
    }

    /// The message as a text frame's JSON; cheap to clone for every socket it goes to.
    pub fn text(&self) -> Utf8Bytes {
        // Serializing these plain structures cannot fail.
        Utf8Bytes::from(serde_json::to_string(self).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_parse_strictly() {
        assert_eq!(TopicName::parse("home"), Some(TopicName::Home));
        assert_eq!(
            TopicName::parse("community:Plant-Safety"),
            Some(TopicName::Community("plant-safety".into()))
        );
        assert_eq!(TopicName::parse("post:12"), Some(TopicName::Post(12)));
        assert_eq!(TopicName::parse("idea:7"), Some(TopicName::Idea(7)));
        assert_eq!(TopicName::parse("board:2026-Q4").map(|t| t.name()), Some("board:2026-Q4".into()));
        for bad in
            ["", "homes", "post:x", "post:-1", "community:", "idea:", "challenge:1", "post", "board:2026-Q5"]
        {
            assert_eq!(TopicName::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn messages_have_the_spec_shape() {
        let parsed: ClientMessage =
            serde_json::from_str(r#"{"op":"subscribe","topics":["home"],"since":4}"#).unwrap();
        assert!(matches!(parsed, ClientMessage::Subscribe { since: Some(4), .. }));
        let error = serde_json::to_value(ServerMessage::topic_error("not_found", "post:9")).unwrap();
        assert_eq!(error, serde_json::json!({"op": "error", "code": "not_found", "topic": "post:9"}));
    }
}
