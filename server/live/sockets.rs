//! The websockets open on this node: how many one person holds, and their end when the
//! server stops.
//!
//! - A browser tab holds one socket. A script that reconnects without closing, or a client
//!   leaking sockets, would otherwise hold memory and file descriptors without bound (the
//!   connect rate limit only slows it down). Past the limit the handshake is refused with a
//!   429, so `live.js` backs off instead of pushing out another tab's socket.
//! - On shutdown every socket is closed with 1001 ("going away") before the server stops,
//!   so clients reconnect (with `since`) at once instead of finding a dropped connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio_util::task::TaskTracker;
use tokio_util::task::task_tracker::TaskTrackerToken;

use crate::error::AppError;

/// Open sockets per person, counted from an accepted handshake until its socket ends.
#[derive(Clone, Default)]
pub struct Sockets {
    open: Arc<Mutex<HashMap<i64, usize>>>,
    /// Set once the server is stopping: no socket is accepted after it.
    leaving: Arc<AtomicBool>,
    /// Counts the sockets still open, for the shutdown to wait for.
    tracker: TaskTracker,
}

/// One socket's place in its owner's quota, given back when dropped (however the socket
/// ends, or when its handshake's answer is never written).
pub struct Held {
    user: i64,
    sockets: Sockets,
    _open: TaskTrackerToken,
}

impl Sockets {
    /// A place for one more of `user`'s sockets: 429 when `most` are open already, 503
    /// once the server is stopping.
    pub fn hold(&self, user: i64, most: usize) -> Result<Held, AppError> {
        if self.leaving() {
            return Err(AppError::Unavailable("the server is stopping".into()));
        }
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user).or_default();
        if *count >= most {
            return Err(AppError::QuotaExceeded {
                message: format!(
                    "live connection limit reached ({most} open at once); close another tab first"
                ),
                retry_after: 30,
            });
        }
        *count += 1;
        Ok(Held { user, sockets: self.clone(), _open: self.tracker.token() })
    }

    /// Whether the server is stopping (a socket that ends now closes with 1001).
    pub fn leaving(&self) -> bool {
        self.leaving.load(Ordering::Acquire)
    }

    /// Refuses new sockets from now on.
    pub(super) fn leave(&self) {
        self.leaving.store(true, Ordering::Release);
        self.tracker.close();
    }

    /// Waits until every socket has ended, or `within` has passed.
    pub(super) async fn ended(&self, within: Duration) {
        let _ = tokio::time::timeout(within, self.tracker.wait()).await;
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.sockets.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_place_is_given_back_when_its_socket_ends_and_none_is_given_when_leaving() {
        let sockets = Sockets::default();
        let first = sockets.hold(7, 2).expect("first");
        let _second = sockets.hold(7, 2).expect("second");
        assert!(matches!(sockets.hold(7, 2), Err(AppError::QuotaExceeded { .. })), "a third is over");
        assert!(sockets.hold(8, 2).is_ok(), "another person has their own places");
        drop(first);
        let third = sockets.hold(7, 2).expect("the place freed is taken again");
        sockets.leave();
        assert!(matches!(sockets.hold(9, 2), Err(AppError::Unavailable(_))));
        // The shutdown waits for the sockets still open, and no longer than that.
        let waiting = tokio::spawn({
            let sockets = sockets.clone();
            async move { sockets.ended(Duration::from_secs(30)).await }
        });
        drop((_second, third));
        tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("ended").expect("task");
    }
}
