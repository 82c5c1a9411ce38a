//! How mail leaves the server (setting `mail_transport`): `.eml` files in the outbox folder
//! (the default, for a single machine and for looking at what would be sent), an SMTP relay,
//! or a stub that discards everything.

use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::config::Settings;

/// Which transport to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransportKind {
    /// `.eml` files in `<data_dir>/outbox`.
    #[default]
    File,
    /// An SMTP relay (`smtp_host`, `smtp_port`, `smtp_security`, `smtp_username`/`_password`).
    Smtp,
    /// Accept and discard (tests of everything but delivery).
    Stub,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a test listener.
    None,
}

/// Why a delivery failed, and whether trying again could help.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

/// A configured transport.
pub enum Transport {
    File(PathBuf),
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    Stub,
}

impl Transport {
    /// The transport the settings ask for.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        Ok(match settings.mail_transport {
            TransportKind::File => Self::File(settings.data_dir.join("outbox")),
            TransportKind::Stub => Self::Stub,
            TransportKind::Smtp => Self::Smtp(Box::new(smtp(settings)?)),
        })
    }

    /// Delivers one message. `name` is the outbox row's stable file name: writing the same
    /// mail twice (a retry after a crash) replaces the file instead of adding a second.
    pub async fn send(&self, name: &str, message: Message) -> Result<(), SendError> {
        match self {
            Self::File(dir) => {
                let io = |e: std::io::Error| SendError { permanent: false, message: e.to_string() };
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
                let partial = dir.join(format!(".{name}.part"));
                tokio::fs::write(&partial, message.formatted()).await.map_err(io)?;
                tokio::fs::rename(&partial, dir.join(format!("{name}.eml"))).await.map_err(io)
            }
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|e| SendError { permanent: e.is_permanent(), message: e.to_string() }),
            Self::Stub => Ok(()),
        }
    }
}

fn smtp(settings: &Settings) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let host = settings
        .smtp_host
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("mail_transport = \"smtp\" needs smtp_host"))?;
    let mut builder = match settings.smtp_security {
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
    };
    if let Some(port) = settings.smtp_port {
        builder = builder.port(port);
    }
    if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    // A relay that accepts the connection and then says nothing must not hold the sender.
    Ok(builder.timeout(Some(Duration::from_secs(settings.smtp_timeout_secs))).build())
}
