//! A real SMTP server on loopback for the mail tests: Debian's `python3-aiosmtpd`, run as
//! `python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR`, which keeps each
//! message it accepts as a file in the maildir `DIR/new/`. The server can be stopped and started
//! again on the same port (the "server down" tests); it is stopped when dropped.
//!
//! Where aiosmtpd is not installed, [`SmtpServer::start`] gives None with a notice; under
//! `CI=true` that is a failure (`.ci/run` installs it).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PYTHON: &str = "/usr/bin/python3";

/// A running (or stopped) aiosmtpd and the maildir it delivers to.
pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope's recipients (`X-RcptTo`, which aiosmtpd adds).
    pub recipients: Vec<String>,
    /// The To header as written.
    pub to: String,
    pub subject: String,
    pub message_id: String,
    /// The text/plain part, decoded.
    pub text: String,
    /// The whole file.
    pub raw: String,
}

/// Whether aiosmtpd can be run here.
fn installed() -> bool {
    Path::new(PYTHON).exists()
        && Command::new(PYTHON)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

impl SmtpServer {
    /// A server on a free loopback port, accepting; None (with a notice) where aiosmtpd is missing.
    pub fn start() -> Option<Self> {
        if !installed() {
            assert!(
                !std::env::var("CI").is_ok_and(|v| v == "true"),
                "Debian's python3-aiosmtpd is needed for the mail tests under CI"
            );
            super::skip_notice("mail tests against a real SMTP server skipped: install Debian's python3-aiosmtpd");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let mut server = SmtpServer { port, dir: tempfile::tempdir().expect("maildir folder"), child: None };
        server.start_again();
        Some(server)
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, allowed on loopback.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on its port, and waits until it accepts connections.
    pub fn start_again(&mut self) {
        if self.child.is_some() {
            return;
        }
        let maildir = self.dir.path().join("maildir");
        let child = Command::new(PYTHON)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not accept on port {} within 15 s", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server; connections to its port are refused until [`SmtpServer::start_again`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The maildir's folder of delivered messages.
    pub fn new_dir(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    /// Every message received so far, in no particular order.
    pub fn received(&self) -> Vec<Received> {
        let Ok(entries) = std::fs::read_dir(self.new_dir()) else { return Vec::new() };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read(e.path()).ok())
            .map(|bytes| parse(&String::from_utf8_lossy(&bytes)))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The headers (unfolded, names lower-cased) and the body of one message or part.
fn split(text: &str) -> (Vec<(String, String)>, String) {
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((text.as_str(), ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    (headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
    headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Reads one delivered message.
pub fn parse(raw: &str) -> Received {
    let (headers, body) = split(raw);
    let content_type = header(&headers, "content-type");
    let text = match boundary(content_type) {
        Some(boundary) => body
            .split(&format!("--{boundary}"))
            .map(split)
            .find(|(h, _)| header(h, "content-type").starts_with("text/plain"))
            .map(|(h, b)| decode(header(&h, "content-transfer-encoding"), &b))
            .unwrap_or_default(),
        None => decode(header(&headers, "content-transfer-encoding"), &body),
    };
    Received {
        recipients: header(&headers, "x-rcptto")
            .split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
        to: header(&headers, "to").to_string(),
        subject: header(&headers, "subject").to_string(),
        message_id: header(&headers, "message-id").to_string(),
        text,
        raw: raw.to_string(),
    }
}

fn boundary(content_type: &str) -> Option<String> {
    let at = content_type.find("boundary=")? + 9;
    Some(content_type[at..].split(';').next()?.trim().trim_matches('"').to_string())
}

/// A part's body as text: quoted-printable and base64 decoded, 7bit and 8bit as they are.
fn decode(encoding: &str, body: &str) -> String {
    match encoding.to_ascii_lowercase().as_str() {
        "quoted-printable" => {
            let joined = body.replace("=\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' && i + 2 < bytes.len() + 1 {
                    if let Some(byte) = joined.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                }
                out.push(bytes[i]);
                i += 1;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        "base64" => {
            const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
            for c in body.bytes() {
                let Some(value) = ALPHABET.iter().position(|a| *a == c) else { continue };
                buffer = (buffer << 6) | value as u32;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push((buffer >> bits) as u8);
                    buffer &= (1 << bits) - 1;
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        _ => body.to_string(),
    }
}
