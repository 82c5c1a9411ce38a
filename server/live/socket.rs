//! `/ws`: authenticates the handshake (session cookie or bearer token, same-origin only),
//! then relays between the socket and the hub. Each connection has a bounded queue, frame
//! size limits, a message budget against floods, and pings; a half-open socket is closed.

use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseCode, CloseReason, Session};
use bytestring::ByteString;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::hub::{ConnId, Hub};
use super::protocol::{ClientMessage, MAX_TOPICS, ServerMessage};
use crate::auth::csrf;
use crate::auth::identity::ApiUser;
use crate::domain::policy::Actor;
use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// Largest message a client may send (room for a subscribe to far too many topics, which
/// gets a clear refusal instead of a dropped connection).
const MAX_MESSAGE: usize = 256 * 1024;
/// How long one write to the socket may wait for a client that does not read.
const SEND_DEADLINE: Duration = Duration::from_secs(5);
/// How often the server pings.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Silence after which a socket is taken for dead.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
/// Messages a client may send per [`BUDGET_WINDOW`].
const BUDGET: u32 = 60;
const BUDGET_WINDOW: Duration = Duration::from_secs(10);

/// GET /ws
pub async fn connect(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> Result<HttpResponse, actix_web::Error> {
    // A page on another site must not open a socket with the visitor's cookie.
    if csrf::foreign_origin(&req) {
        return Err(ApiError(AppError::Forbidden("websocket connections must come from this site")).into());
    }
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream =
        stream.max_frame_size(MAX_MESSAGE).aggregate_continuations().max_continuation_size(MAX_MESSAGE);
    let queue = state.settings.ws_queue.max(1);
    let sid = crate::auth::identity::session_sid(&req);
    actix_web::rt::spawn(relay(session, stream, state.hub.clone(), (user.actor(), sid), queue));
    Ok(response)
}

async fn relay(
    mut session: Session,
    mut stream: AggregatedMessageStream,
    hub: Hub,
    (actor, sid): (Actor, Option<String>),
    queue: usize,
) {
    let (outbox, mut queue) = mpsc::channel::<ByteString>(queue);
    // Dropping the registration (however this task ends) unregisters the connection.
    let registration = hub.register(actor, sid, outbox);
    let mut heartbeat = tokio::time::interval(PING_EVERY);
    heartbeat.tick().await;
    let mut last_heard = Instant::now();
    let (mut window_start, mut spent) = (Instant::now(), 0u32);
    let reason = loop {
        tokio::select! {
            message = stream.next() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(AggregatedMessage::Text(text))) => {
                        if window_start.elapsed() > BUDGET_WINDOW {
                            (window_start, spent) = (Instant::now(), 0);
                        }
                        spent += 1;
                        if spent > BUDGET {
                            break close(CloseCode::Policy, "too many messages");
                        }
                        if let Some(reply) = handle(&hub, registration.id(), &text)
                            && send(&mut session, &reply).await.is_err()
                        {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Binary(_))) => {
                        if send(&mut session, &ServerMessage::error("bad_request", "send JSON text frames")).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(AggregatedMessage::Pong(_))) => {}
                    Some(Ok(AggregatedMessage::Close(reason))) => break reason,
                    // Oversized or malformed frames end the connection.
                    Some(Err(_)) => break close(CloseCode::Size, "message too large or malformed"),
                    None => break None,
                }
            }
            outgoing = queue.recv() => match outgoing {
                // A client that stops reading stalls the write; the deadline ends it.
                Some(text) => match tokio::time::timeout(SEND_DEADLINE, session.text(text)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => break None,
                    Err(_) => break close(CloseCode::Again, "too slow: reconnect with since"),
                },
                // The hub dropped us: the queue overflowed.
                None => break close(CloseCode::Again, "too slow: reconnect with since"),
            },
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > IDLE_LIMIT {
                    break close(CloseCode::Away, "no answer to pings");
                }
                if session.ping(b"").await.is_err() {
                    break None;
                }
            }
        }
    };
    drop(registration);
    // The close frame may not fit either; dropping the session then ends the connection.
    let _ = tokio::time::timeout(SEND_DEADLINE, session.close(reason)).await;
}

fn close(code: CloseCode, description: &str) -> Option<CloseReason> {
    Some(CloseReason { code, description: Some(description.to_owned()) })
}

async fn send(session: &mut Session, message: &ServerMessage) -> Result<(), actix_ws::Closed> {
    let text = serde_json::to_string(message).unwrap_or_default();
    tokio::time::timeout(SEND_DEADLINE, session.text(text)).await.unwrap_or(Err(actix_ws::Closed))
}

/// Acts on one client message; returns an immediate reply for bad ones.
fn handle(hub: &Hub, conn: ConnId, text: &str) -> Option<ServerMessage> {
    match serde_json::from_str::<ClientMessage>(text) {
        Ok(ClientMessage::Subscribe { topics, .. }) if topics.len() > MAX_TOPICS => {
            Some(ServerMessage::error("too_many_topics", format!("subscribe to at most {MAX_TOPICS} topics")))
        }
        Ok(ClientMessage::Subscribe { topics, since }) => {
            hub.subscribe(conn, topics, since);
            None
        }
        Ok(ClientMessage::Unsubscribe { topics }) => {
            hub.unsubscribe(conn, topics);
            None
        }
        Err(e) => {
            Some(ServerMessage::error("bad_request", format!("not a message this server understands: {e}")))
        }
    }
}
