//! A real SMTP listener (`tests/smtp_sink.py`, aiosmtpd) the tests point the server at, and
//! stop and restart on the same port to play an outage.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A message the listener accepted.
pub struct Received {
    /// The envelope recipients.
    pub to: Vec<String>,
    /// The message as sent.
    pub raw: Vec<u8>,
}

impl Received {
    /// The message parsed as MIME.
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.raw).expect("the mail parses as MIME")
    }
}

/// The running listener.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

fn python() -> String {
    std::env::var("AGORA_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

impl SmtpSink {
    /// Starts a listener in `mode` (`ok`, `refuse`, `hang`) on a free port.
    pub fn start(mode: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut sink = Self { port, dir: tempfile::tempdir().unwrap(), child: None };
        sink.restart(mode);
        sink
    }

    /// Stops the listener (a relay outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port in `mode`.
    pub fn restart(&mut self, mode: &str) {
        self.stop();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .args([&self.port.to_string(), self.dir.path().to_str().unwrap(), mode])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP listener (python3)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(
            line.trim(),
            "ready",
            "the SMTP listener did not start: is aiosmtpd installed? scripts/test installs it (set AGORA_TEST_PYTHON)"
        );
        self.child = Some(child);
    }

    /// Every message accepted so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|eml| Received {
                to: std::fs::read_to_string(eml.with_extension("rcpt"))
                    .unwrap_or_default()
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                raw: std::fs::read(&eml).unwrap(),
            })
            .collect()
    }

    /// Waits (up to 30 s) until at least `n` messages arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..300 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} mails, the listener has {}", self.received().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
