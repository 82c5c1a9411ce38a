//! `/ws`: authenticates the handshake (session cookie or bearer token, same-origin only),
//! then relays between the socket and the hub. Each connection has a bounded queue, frame
//! size limits, a message budget against floods, and pings; a half-open socket is closed.
//! The handshake runs through the app like any request; [`super::upgrade`] then serves the
//! socket outside actix-http.

use std::time::{Duration, Instant};

use actix_web::rt::net::TcpStream;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::hub::{ConnId, Hub, Outgoing};
use super::protocol::{ClientMessage, MAX_TOPICS, ServerMessage};
use super::upgrade::{Accepted, Upgrading};
use crate::auth::csrf;
use crate::auth::identity::ApiUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// Largest message a client may send (room for a subscribe to far too many topics, which
/// gets a clear refusal instead of a dropped connection).
pub(super) const MAX_MESSAGE: usize = 256 * 1024;
/// How long one write to the socket may wait for a client that does not read.
const SEND_DEADLINE: Duration = Duration::from_secs(5);
/// How often the server pings.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Silence after which a socket is taken for dead.
const IDLE_LIMIT: Duration = Duration::from_secs(75);
/// The close code for a socket whose sign-in ended: an application code (4000–4999), 4 and
/// HTTP's 401, so `live.js` stops reconnecting and says the visitor was signed out.
const SIGNED_OUT: u16 = 4401;
/// Messages a client may send per [`BUDGET_WINDOW`].
const BUDGET: u32 = 60;
const BUDGET_WINDOW: Duration = Duration::from_secs(10);

/// GET /ws: answers the handshake. The answer carries what the socket needs, for
/// [`super::upgrade`] to take the connection over once the 101 is written.
pub async fn connect(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> Result<HttpResponse, actix_web::Error> {
    // A page on another site must not open a socket with the visitor's cookie.
    if csrf::foreign_origin(&req) {
        return Err(ApiError(AppError::Forbidden("websocket connections must come from this site")).into());
    }
    let mut handshake = actix_http::ws::handshake(req.head())?;
    // Only a request that came through the upgrade hook has a connection to hand over.
    if req.extensions().get::<Upgrading>().is_none() {
        return Err(ApiError(AppError::BadRequest(
            "a websocket handshake must upgrade the connection".into(),
        ))
        .into());
    }
    let held = state.hub.sockets.hold(user.id, state.settings.ws_per_person).map_err(ApiError)?;
    let mut response = HttpResponse::from(handshake.finish()).map_into_boxed_body();
    response.extensions_mut().insert(Accepted {
        held,
        actor: user.actor(),
        sign_in: crate::auth::identity::sign_in(&req),
        hub: state.hub.clone(),
        queue: state.settings.ws_queue.max(1),
    });
    Ok(response)
}

pub(super) async fn relay(mut socket: WebSocketStream<TcpStream>, accepted: Accepted) {
    // `_held` keeps the socket's place in its owner's quota until the relay ends.
    let Accepted { held: _held, actor, sign_in, hub, queue } = accepted;
    let (outbox, mut queue) = mpsc::channel::<Outgoing>(queue);
    // Dropping the registration (however this task ends) unregisters the connection.
    let registration = hub.register(actor, sign_in, outbox);
    let mut heartbeat = tokio::time::interval(PING_EVERY);
    heartbeat.tick().await;
    let mut last_heard = Instant::now();
    let (mut window_start, mut spent) = (Instant::now(), 0u32);
    let reason = loop {
        tokio::select! {
            message = socket.next() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => {
                        if window_start.elapsed() > BUDGET_WINDOW {
                            (window_start, spent) = (Instant::now(), 0);
                        }
                        spent += 1;
                        if spent > BUDGET {
                            break close(CloseCode::Policy, "too many messages");
                        }
                        if let Some(reply) = handle(&hub, registration.id(), &text)
                            && send(&mut socket, Message::Text(reply.text())).await.is_err()
                        {
                            break None;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let reply = ServerMessage::error("bad_request", "send JSON text frames");
                        if send(&mut socket, Message::Text(reply.text())).await.is_err() {
                            break None;
                        }
                    }
                    // tungstenite answers pings itself; a pong only proves the client is there.
                    Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                    // tungstenite has queued the echo of the client's close; closing flushes it.
                    Some(Ok(Message::Close(_))) | None => break None,
                    // Oversized or malformed frames end the connection.
                    Some(Err(_)) => break close(CloseCode::Size, "message too large or malformed"),
                }
            }
            outgoing = queue.recv() => match outgoing {
                // A client that stops reading stalls the write; the deadline ends it.
                Some(Outgoing::Text(text)) => match tokio::time::timeout(SEND_DEADLINE, socket.send(Message::Text(text))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => break None,
                    Err(_) => break close(CloseCode::Again, "too slow: reconnect with since"),
                },
                Some(Outgoing::SignedOut) => break close(CloseCode::from(SIGNED_OUT), "signed out"),
                // The hub dropped us: the server is stopping, or the queue overflowed.
                None if hub.sockets.leaving() => break close(CloseCode::Away, "server stopping: reconnect with since"),
                None => break close(CloseCode::Again, "too slow: reconnect with since"),
            },
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > IDLE_LIMIT {
                    break close(CloseCode::Away, "no answer to pings");
                }
                if send(&mut socket, Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
            }
        }
    };
    drop(registration);
    // The close frame may not fit either; dropping the socket then ends the connection.
    let _ = tokio::time::timeout(SEND_DEADLINE, socket.close(reason)).await;
}

fn close(code: CloseCode, reason: &'static str) -> Option<CloseFrame> {
    Some(CloseFrame { code, reason: Utf8Bytes::from_static(reason) })
}

/// Sends one message within the deadline.
async fn send(socket: &mut WebSocketStream<TcpStream>, message: Message) -> Result<(), ()> {
    match tokio::time::timeout(SEND_DEADLINE, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
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
