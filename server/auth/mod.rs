//! Authentication: password hashing, server-side sessions, CSRF, login throttling, personal
//! access tokens, and the extractors that turn a request into "who is asking".

pub mod csrf;
pub mod identity;
pub mod password;
pub mod rate_limit;
pub mod secrets;
pub mod session_store;
pub mod throttle;
