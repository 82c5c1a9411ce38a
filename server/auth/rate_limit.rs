//! Per-person rate limits on what a flood would hurt: writing posts and ideas, commenting,
//! voting and reacting, reporting, searching, uploading and opening websockets. Counted by
//! the route the request matched, once the caller is known (from a session or a token, so
//! pages and the API share one limit per action). Answers 429 with `Retry-After`.
//!
//! The counters are in memory (governor's GCRA, per node): with N nodes a person gets up to
//! N times the limit, which still stops a runaway script. What strangers do, where abuse
//! across nodes matters (sign-in guesses, password-reset requests, registrations per client
//! address), is counted in the database instead ([`crate::auth::throttle`]).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::http::Method;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many of each action one person may take (settings `[rate_limits]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    pub posts_per_minute: u32,
    pub comments_per_minute: u32,
    /// Votes and reactions.
    pub votes_per_minute: u32,
    pub reports_per_hour: u32,
    /// Searches, suggestions and expert searches.
    pub searches_per_minute: u32,
    pub uploads_per_minute: u32,
    pub connects_per_minute: u32,
    /// Per client address, counted in the database across nodes.
    pub registrations_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            posts_per_minute: 10,
            comments_per_minute: 30,
            votes_per_minute: 120,
            reports_per_hour: 30,
            searches_per_minute: 120,
            uploads_per_minute: 60,
            connects_per_minute: 30,
            registrations_per_hour: 20,
        }
    }
}

/// What a request does, for the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Post,
    Comment,
    Vote,
    Report,
    Search,
    Upload,
    Connect,
}

impl Action {
    /// The action of a request, from its method and the route pattern it matched.
    pub fn of(method: &Method, pattern: &str) -> Option<Self> {
        let write = *method != Method::GET;
        Some(match pattern {
            "/c/{slug}/posts" | "/api/v1/communities/{slug}/posts" | "/ideas" | "/api/v1/ideas" if write => {
                Self::Post
            }
            "/posts/{id}/comments"
            | "/ideas/{id}/comments"
            | "/api/v1/posts/{id}/comments"
            | "/api/v1/ideas/{id}/comments"
                if write =>
            {
                Self::Comment
            }
            "/ideas/{id}/vote"
            | "/api/v1/ideas/{id}/vote"
            | "/posts/{id}/react/{kind}"
            | "/comments/{id}/react/{kind}"
            | "/idea-comments/{id}/react/{kind}"
            | "/api/v1/posts/{id}/reactions/{kind}"
            | "/api/v1/comments/{id}/reactions/{kind}"
            | "/api/v1/idea-comments/{id}/reactions/{kind}"
                if write =>
            {
                Self::Vote
            }
            "/report" | "/api/v1/reports" if write => Self::Report,
            "/search" | "/experts" | "/api/v1/search" | "/api/v1/search/suggest" | "/api/v1/experts" => {
                Self::Search
            }
            "/api/v1/uploads" if write => Self::Upload,
            "/ws" => Self::Connect,
            _ => return None,
        })
    }
}

/// The limiters of this node.
#[derive(Clone)]
pub struct Limiter {
    limiters: Arc<HashMap<Action, DefaultKeyedRateLimiter<String>>>,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
}

impl Limiter {
    /// Limiters for the configured limits.
    pub fn new(limits: &RateLimits) -> Self {
        let hourly = |n: u32| {
            let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
            Quota::per_hour(n)
        };
        let quotas = [
            (Action::Post, quota(limits.posts_per_minute)),
            (Action::Comment, quota(limits.comments_per_minute)),
            (Action::Vote, quota(limits.votes_per_minute)),
            (Action::Report, hourly(limits.reports_per_hour)),
            (Action::Search, quota(limits.searches_per_minute)),
            (Action::Upload, quota(limits.uploads_per_minute)),
            (Action::Connect, quota(limits.connects_per_minute)),
        ];
        let limiters =
            quotas.into_iter().map(|(action, quota)| (action, RateLimiter::keyed(quota))).collect();
        Self { limiters: Arc::new(limiters), clock: DefaultClock::default() }
    }

    /// Counts a signed-in person's request against its action's limit; 429 when over it.
    /// Called where the person is known (the API's and the pages' sign-in extractors), so a
    /// token and a browser session of one person share the limit.
    pub fn check_user(&self, req: &HttpRequest, user_id: i64) -> Result<(), AppError> {
        match self.action(req) {
            Some(action) => self.count(action, format!("user:{user_id}")),
            None => Ok(()),
        }
    }

    fn action(&self, req: &HttpRequest) -> Option<Action> {
        req.match_pattern().and_then(|pattern| Action::of(req.method(), &pattern))
    }

    fn count(&self, action: Action, key: String) -> Result<(), AppError> {
        let Some(limiter) = self.limiters.get(&action) else {
            return Ok(());
        };
        limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            AppError::RateLimited { retry_after: wait.as_secs().max(1) }
        })
    }

    /// Forgets callers who have not been limited lately (keeps memory bounded); every minute.
    pub fn spawn_cleaner(&self) {
        let limiters = self.limiters.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                for limiter in limiters.values() {
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_the_api_count_against_the_same_action() {
        assert_eq!(Action::of(&Method::POST, "/c/{slug}/posts"), Some(Action::Post));
        assert_eq!(Action::of(&Method::POST, "/api/v1/communities/{slug}/posts"), Some(Action::Post));
        assert_eq!(Action::of(&Method::DELETE, "/api/v1/ideas/{id}/vote"), Some(Action::Vote));
        assert_eq!(Action::of(&Method::GET, "/api/v1/search/suggest"), Some(Action::Search));
        // Reading a community is not writing a post.
        assert_eq!(Action::of(&Method::GET, "/c/{slug}/posts"), None);
        assert_eq!(Action::of(&Method::GET, "/ideas"), None);
    }
}
