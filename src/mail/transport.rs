//! Where a message goes: an SMTP server through lettre (rustls, the system's certificate store), or,
//! when no server is configured (the embedded default), an `.eml` file in a folder, so nothing is
//! silently dropped and the demo shows what would be sent.
//!
//! `OHGOV_SMTP_URL` says how to reach the server:
//! - `smtps://host[:465]`: TLS from the first byte (implicit TLS).
//! - `smtp://host[:587]`: STARTTLS, required: a server that does not offer it is refused before
//!   any credential or message is sent. The one exception is a relay on this machine (host
//!   `127.0.0.1`, `::1` or `localhost`), which may speak plain SMTP (STARTTLS is still used if it
//!   offers it): nothing leaves the machine unencrypted, and a local relay often has no
//!   certificate for "localhost".
//!
//! Credentials come from the URL's user information (`smtp://user:password@host`, percent-encoded),
//! else from `OHGOV_SMTP_USER` and `OHGOV_SMTP_PASSWORD`. Each conversation with the server times
//! out after 10 seconds, so a sender never hangs on a dead server.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport};
use sha2::{Digest, Sha256};

use crate::config::MailSettings;
use crate::outbox::store::OutboxMessage;

/// How long one step of an SMTP conversation may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The way out for messages.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP server; `describe` says which, without the credentials.
    Smtp { transport: SmtpTransport, describe: String },
    /// A folder each message is written to as an `.eml` file.
    Directory(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp { describe, .. } => write!(f, "Transport::Smtp({describe})"),
            Transport::Directory(dir) => write!(f, "Transport::Directory({})", dir.display()),
        }
    }
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// It never can as it is (an address that is not one): mark it failed at once.
    Permanent(String),
    /// It may next time (the server is down, busy, or refused it for now): try again later.
    Transient(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Permanent(reason) | SendError::Transient(reason) => f.write_str(reason),
        }
    }
}

/// An `OHGOV_SMTP_URL`, read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SmtpUrl {
    implicit_tls: bool,
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
}

/// Whether `host` is this machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// `%40` as `@` and so on, for credentials in a URL.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Reads `smtp://[user[:password]@]host[:port][/]` or `smtps://…`; the error says what is wrong
/// (never the password).
fn parse_url(url: &str) -> anyhow::Result<SmtpUrl> {
    let (scheme, rest) =
        url.trim().split_once("://").ok_or_else(|| anyhow!("it has no scheme: use smtp:// or smtps://"))?;
    let implicit_tls = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => false,
        "smtps" => true,
        other => bail!("unknown scheme {other:?}: use smtp:// (STARTTLS) or smtps:// (implicit TLS)"),
    };
    let authority = rest.trim_end_matches('/');
    if authority.contains(['/', '?', '#']) {
        bail!("it has a path or query after the host; give only smtp://[user:password@]host[:port]");
    }
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(|| anyhow!("an IPv6 address is missing its ']'"))?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        bail!("it names no host");
    }
    let port = match port {
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| anyhow!("the port {port:?} is not a port number"))?,
        None if implicit_tls => 465,
        None => 587,
    };
    let (user, password) = match userinfo {
        None => (None, None),
        Some(info) => {
            let (user, password) = match info.split_once(':') {
                Some((user, password)) => (user, Some(password)),
                None => (info, None),
            };
            let user = percent_decoded(user).ok_or_else(|| anyhow!("the user name is not percent-encoded text"))?;
            let password = password
                .map(|p| percent_decoded(p).ok_or_else(|| anyhow!("the password is not percent-encoded text")))
                .transpose()?;
            (Some(user).filter(|u| !u.is_empty()), password)
        }
    };
    Ok(SmtpUrl { implicit_tls, host: host.to_string(), port, user, password })
}

impl Transport {
    /// The transport the settings describe. A URL that cannot be read is an error naming
    /// `OHGOV_SMTP_URL`, and a From address that is not one an error naming `OHGOV_MAIL_FROM`, for
    /// start-up to refuse.
    pub fn from_settings(settings: &MailSettings) -> anyhow::Result<Transport> {
        settings
            .from
            .parse::<Mailbox>()
            .map_err(|error| anyhow!("OHGOV_MAIL_FROM {:?} is not an email address: {error}", settings.from))?;
        let Some(url) = &settings.smtp_url else {
            return Ok(Transport::Directory(settings.mail_dir.clone()));
        };
        let parsed = parse_url(url).with_context(|| "OHGOV_SMTP_URL is not a usable SMTP address")?;
        let tls_parameters = || {
            TlsParameters::new(parsed.host.clone())
                .with_context(|| format!("OHGOV_SMTP_URL: TLS cannot be set up for {}", parsed.host))
        };
        let tls = if parsed.implicit_tls {
            Tls::Wrapper(tls_parameters()?)
        } else if is_loopback(&parsed.host) {
            Tls::Opportunistic(tls_parameters()?)
        } else {
            Tls::Required(tls_parameters()?)
        };
        let mut builder = SmtpTransport::builder_dangerous(parsed.host.clone())
            .port(parsed.port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT));
        let user = parsed.user.clone().or_else(|| settings.user.clone());
        let password = parsed.password.clone().or_else(|| settings.password.clone());
        if let Some(user) = user {
            builder = builder.credentials(Credentials::new(user, password.unwrap_or_default()));
        }
        let mode = match (parsed.implicit_tls, is_loopback(&parsed.host)) {
            (true, _) => "implicit TLS",
            (false, true) => "STARTTLS if offered (loopback)",
            (false, false) => "STARTTLS required",
        };
        let describe = format!("{}:{} ({mode})", parsed.host, parsed.port);
        Ok(Transport::Smtp { transport: builder.build(), describe })
    }

    /// Where messages go, in words for the log and the command line.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { describe, .. } => format!("SMTP server {describe}"),
            Transport::Directory(dir) => format!(".eml files in {}", dir.display()),
        }
    }

    /// Sends one message from `from`.
    pub fn send(&self, message: &OutboxMessage, from: &str) -> Result<(), SendError> {
        let email = letter(message, from)?;
        match self {
            Transport::Smtp { transport, describe } => {
                lettre::Transport::send(transport, &email).map(|_| ()).map_err(|error| {
                    // lettre's text carries its cause already; deeper causes are added once each.
                    let server = describe.split(" (").next().unwrap_or(describe);
                    let mut text = format!("{server}: {error}");
                    let mut source = std::error::Error::source(&error);
                    while let Some(cause) = source {
                        let cause_text = cause.to_string();
                        if !text.contains(&cause_text) {
                            text.push_str(&format!(": {cause_text}"));
                        }
                        source = cause.source();
                    }
                    SendError::Transient(text)
                })
            }
            Transport::Directory(dir) => write_eml(dir, message, &email.formatted())
                .map_err(|error| SendError::Transient(format!("{}: {error:#}", dir.display()))),
        }
    }
}

/// The file a message is written to: its outbox id first, so a listing reads in queue order.
pub fn eml_name(message: &OutboxMessage) -> String {
    format!("{:06}-{}.eml", message.id, message.kind.as_str())
}

/// Writes `bytes` as the message's `.eml` file in `dir` (made if missing), through a temporary
/// file renamed into place, so a reader never sees half a message.
fn write_eml(dir: &Path, message: &OutboxMessage, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).context("the mail folder cannot be made")?;
    let name = eml_name(message);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).context("the message cannot be written")?;
    std::fs::rename(&tmp, dir.join(&name)).context("the message cannot be put in place")?;
    Ok(())
}

/// The Message-ID of an outbox message: made from its id and key, so a message sent again after a
/// crash carries the same one and the receiving side can tell it is the same message.
pub fn message_id(message: &OutboxMessage, from: &Mailbox) -> String {
    let digest = Sha256::digest(message.message_key.as_bytes());
    let domain = from.email.domain();
    format!("<ohgov.{}.{}@{domain}>", message.id, &hex::encode(digest)[..24])
}

/// The whole email: From, To ("Name <address>"), Subject, Date, Message-ID, and the plain and HTML
/// bodies as alternatives. An address lettre cannot read is a permanent failure.
pub fn letter(message: &OutboxMessage, from: &str) -> Result<Message, SendError> {
    let from: Mailbox = from
        .parse()
        .map_err(|error| SendError::Transient(format!("OHGOV_MAIL_FROM {from:?} is not an address: {error}")))?;
    let address = message.recipient_email.trim().parse().map_err(|error| {
        SendError::Permanent(format!("the address {:?} is not an email address: {error}", message.recipient_email))
    })?;
    let name = Some(message.recipient_name.trim().to_string()).filter(|n| !n.is_empty());
    let to = Mailbox::new(name, address);
    let id = message_id(message, &from);
    Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .date_now()
        .message_id(Some(id))
        .multipart(MultiPart::alternative_plain_html(message.body_text.clone(), message.body_html.clone()))
        .map_err(|error| SendError::Permanent(format!("the message cannot be made: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{MessageKind, MessageStatus};

    fn settings(url: Option<&str>) -> MailSettings {
        MailSettings {
            smtp_url: url.map(str::to_string),
            user: Some("env-user".into()),
            password: Some("env-password".into()),
            from: "ohgov <ohgov@example.nhs.uk>".into(),
            mail_dir: PathBuf::from("mail-outbox"),
        }
    }

    fn message(email: &str) -> OutboxMessage {
        OutboxMessage {
            id: 42,
            message_key: "registration_due:staff-17:60:2027-01-30:user-5".into(),
            kind: MessageKind::RegistrationDue,
            provider_id: None,
            recipient_email: email.into(),
            recipient_name: "Dr Asha Patel".into(),
            subject: "Your registration is due".into(),
            body_text: "Plain".into(),
            body_html: "<p>HTML</p>".into(),
            status: MessageStatus::Queued,
            attempts: 0,
            queued_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("date"),
        }
    }

    #[test]
    fn urls_are_read_with_their_defaults_and_credentials() {
        let url = parse_url("smtps://mail.example.nhs.uk").expect("reads");
        assert_eq!((url.implicit_tls, url.host.as_str(), url.port, url.user), (true, "mail.example.nhs.uk", 465, None));
        let url = parse_url("smtp://relay%40trust:p%3Ass@relay.example:2525/").expect("reads");
        assert_eq!((url.implicit_tls, url.port), (false, 2525));
        assert_eq!((url.user.as_deref(), url.password.as_deref()), (Some("relay@trust"), Some("p:ss")));
        assert_eq!(parse_url("smtp://relay.example").expect("reads").port, 587);
        assert_eq!(parse_url("smtp://[::1]:2525").expect("reads").host, "::1");
    }

    #[test]
    fn a_bad_url_is_an_error_naming_the_variable() {
        for bad in ["mail.example", "http://mail.example", "smtp://", "smtp://host:99999", "smtp://host/path"] {
            let error = Transport::from_settings(&settings(Some(bad))).expect_err(bad);
            assert!(format!("{error:#}").contains("OHGOV_SMTP_URL"), "{bad}: {error:#}");
        }
        assert!(matches!(Transport::from_settings(&settings(None)), Ok(Transport::Directory(_))));
        let mut bad_from = settings(None);
        bad_from.from = "ohgov at the trust".into();
        let error = Transport::from_settings(&bad_from).expect_err("a From that is not an address");
        assert!(error.to_string().contains("OHGOV_MAIL_FROM"), "{error}");
        let mut default_from = settings(None);
        default_from.from = crate::config::DEFAULT_MAIL_FROM.into();
        assert!(Transport::from_settings(&default_from).is_ok(), "the default From is an address");
    }

    #[test]
    fn only_loopback_may_speak_plain() {
        assert!(is_loopback("127.0.0.1") && is_loopback("::1") && is_loopback("LOCALHOST"));
        assert!(!is_loopback("relay.example") && !is_loopback("10.0.0.1"));
        let describe = |url| Transport::from_settings(&settings(Some(url))).expect("builds").describe();
        assert!(describe("smtp://127.0.0.1:2525").contains("if offered"));
        assert!(describe("smtp://relay.example").contains("STARTTLS required"));
        assert!(describe("smtps://relay.example").contains("implicit TLS"));
    }

    #[test]
    fn the_message_id_is_the_same_each_time_and_names_no_one() {
        let from: Mailbox = "ohgov <ohgov@example.nhs.uk>".parse().expect("address");
        let id = message_id(&message("asha@example.nhs.uk"), &from);
        assert_eq!(id, message_id(&message("asha@example.nhs.uk"), &from));
        assert!(id.starts_with("<ohgov.42.") && id.ends_with("@example.nhs.uk>"), "{id}");
        assert!(!id.contains("staff"));
        let text =
            String::from_utf8(letter(&message("asha@example.nhs.uk"), &settings(None).from).expect("made").formatted())
                .expect("text");
        assert!(text.contains(&format!("Message-ID: {id}")), "{text}");
        assert!(
            text.contains("To: \"Dr Asha Patel\" <asha@example.nhs.uk>")
                || text.contains("To: Dr Asha Patel <asha@example.nhs.uk>"),
            "{text}"
        );
    }

    #[test]
    fn an_address_that_is_not_one_fails_for_good() {
        assert!(matches!(letter(&message("not an address"), "ohgov <ohgov@localhost>"), Err(SendError::Permanent(_))));
    }
}
