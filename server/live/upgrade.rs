//! Takes websocket connections out of actix-http once their handshake is answered.
//!
//! actix-http keeps a connection's dispatcher, with an 8 KiB read buffer and an 8 KiB write
//! buffer, for the connection's whole life: with actix-ws an idle socket cost 14 KiB before
//! Agora held anything for it (see docs/PERFORMANCE.md). The server's upgrade hook receives
//! every `Upgrade: websocket` request with its bare connection instead. The request still
//! runs through the whole app (sessions, origin checks, rate limits, the `/ws` handler);
//! when the handler accepts, the 101 is written and tokio-tungstenite serves the socket
//! with buffers sized for the small messages Agora exchanges. Any other answer is written
//! in full and the connection closed.

use std::rc::Rc;

use actix_codec::{Framed, FramedParts};
use actix_http::body::{BodySize, MessageBody};
use actix_http::h1::{Codec, Message as Frame};
use actix_http::{ConnectionType, Request, Response, StatusCode};
use actix_service::{IntoServiceFactory, Service, ServiceFactory, fn_factory, fn_service};
use actix_web::HttpMessage;
use actix_web::dev::{AppConfig, ServiceResponse};
use actix_web::rt::net::TcpStream;
use futures_util::SinkExt;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use super::hub::Hub;
use super::socket::{MAX_MESSAGE, relay};
use super::sockets::Held;
use crate::accounts::SignIn;
use crate::domain::policy::Actor;

/// Marks a request that arrived through the upgrade hook, so has a connection to hand over.
pub struct Upgrading;

/// What the `/ws` handler puts on its 101 for the socket that follows.
pub struct Accepted {
    /// The socket's place in its owner's quota.
    pub held: Held,
    pub actor: Actor,
    /// What the socket was opened with.
    pub sign_in: SignIn,
    pub hub: Hub,
    /// How many events may wait for a slow client.
    pub queue: usize,
}

/// Client messages are mostly under 256 bytes (subscriptions, pongs) and server messages are
/// written at once, so neither buffer needs tungstenite's 128 KiB defaults: an idle socket
/// holds 256 bytes. A larger message grows the read buffer, up to [`MAX_MESSAGE`].
fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(256)
        .write_buffer_size(0)
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE))
}

/// The upgrade hook: one app per worker, like the HTTP service's own.
pub fn hook<F, A, S, B>(
    app: F,
) -> impl ServiceFactory<
    (Request, Framed<TcpStream, Codec>),
    Config = (),
    Response = (),
    Error = actix_web::Error,
    InitError = (),
>
where
    F: Fn() -> A,
    A: IntoServiceFactory<S, Request>,
    S: ServiceFactory<
            Request,
            Config = AppConfig,
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        >,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    fn_factory(move || {
        let app = app().into_factory().new_service(AppConfig::default());
        async move {
            let app = Rc::new(app.await?);
            Ok(fn_service(move |(req, framed)| take_over(app.clone(), req, framed)))
        }
    })
}

async fn take_over<S, B>(
    app: Rc<S>,
    req: Request,
    mut framed: Framed<TcpStream, Codec>,
) -> Result<(), actix_web::Error>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    req.extensions_mut().insert(Upgrading);
    let response = match app.call(req).await {
        Ok(response) => response.into_parts().1.map_into_boxed_body(),
        Err(e) => e.error_response(),
    };
    let (response, body) = response.into_parts();
    let mut response: Response<()> = response.into();
    let accepted = response.extensions_mut().remove::<Accepted>();
    match accepted {
        Some(accepted) if response.status() == StatusCode::SWITCHING_PROTOCOLS => {
            framed.send(Frame::Item((response, BodySize::None))).await?;
            // Bytes the client sent right after its handshake are the socket's first.
            let FramedParts { io, read_buf, .. } = framed.into_parts();
            let socket =
                WebSocketStream::from_partially_read(io, read_buf.to_vec(), Role::Server, Some(config()))
                    .await;
            actix_web::rt::spawn(relay(socket, accepted));
        }
        _ => {
            response.head_mut().set_connection_type(ConnectionType::Close);
            let body =
                actix_web::body::to_bytes(body).await.map_err(|e| std::io::Error::other(e.to_string()))?;
            framed.send(Frame::Item((response, BodySize::Sized(body.len() as u64)))).await?;
            framed.send(Frame::Chunk(Some(body))).await?;
            framed.send(Frame::Chunk(None)).await?;
        }
    }
    Ok(())
}
