//! Settings from command-line flags and the environment (`DATABASE_URL`, `OHGOV_*`).

/// Where the embedded default keeps its data when nothing else is said.
pub const DEFAULT_DATABASE_URL: &str = "ohgov.db";
/// Loopback only by default: exposing the service is a deliberate act.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// The demo's own file, kept apart from any real data.
pub const DEFAULT_DEMO_DATABASE: &str = "ohgov-demo.db";

/// Everything the running application needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    /// Connections held open by the pool for reading (`OHGOV_DB_POOL`; default one more than the
    /// machine's cores). A page's figures are drawn on a thread holding one, so more than the cores
    /// can run only makes every page wait on the others: in 20-second runs of `benches/load.sh` on
    /// 2 cores, SQLite served 1,058 requests a second of the mixed load with 3 and 755 with 8, the
    /// writes' p99 76 ms against 145.
    pub pool_size: u32,
    /// Connections kept for requests that change something (`OHGOV_DB_WRITE_POOL`, default 3), so
    /// a crowd of readers never makes a save wait for a connection (`web::writers_lane`).
    pub write_pool_size: u32,
    /// Mark the session cookie Secure (`OHGOV_SECURE_COOKIES=1`): set it whenever the service is
    /// reached over HTTPS.
    pub secure_cookies: bool,
    /// The reverse proxies whose `X-Forwarded-For` is believed (`OHGOV_TRUSTED_PROXIES`, IP
    /// addresses separated by commas; none by default): the sign-in throttle then keys on the
    /// client's address, not the proxy's (`web::client::address`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A session unused for this long is over: 12 hours. Tests shorten it.
    pub session_idle_seconds: i64,
    /// A session is over this many days after sign-in, however much it is used
    /// (`OHGOV_SESSION_DAYS`, default 7).
    pub session_days: i64,
    /// The largest evidence file accepted, in megabytes (`OHGOV_MAX_UPLOAD_MB`, default 25).
    pub max_upload_mb: usize,
    /// Days without clinical supervision after which a case worker is overdue
    /// (`OHGOV_SUPERVISION_DAYS`, default 30).
    pub supervision_days: i64,
    /// The time the product goes by: the system's, unless a test sets it.
    pub clock: crate::clock::Clock,
    /// The file holding the key that signs session cookies, outside the database
    /// (`OHGOV_SESSION_KEY_FILE`; default beside the SQLite file, or `./ohgov-session.key`).
    /// Made on first start, mode 0600; every instance of one service must have the same file.
    pub session_key_file: std::path::PathBuf,
    /// The file holding the key that seals the audit trail's rows (HMAC-SHA256), outside the
    /// database so that a copy of the database cannot rewrite the trail unseen
    /// (`OHGOV_HISTORY_KEY_FILE`; default beside the SQLite file, or `./ohgov-history.key`). Made on
    /// first start, mode 0600; every instance and command on one database must use the same file.
    pub history_key_file: std::path::PathBuf,
    /// Where email goes: an SMTP server, or `.eml` files in a folder when none is configured.
    pub mail: MailSettings,
    /// Whether the running server drains the outbox itself, every 15 seconds (`mail::sender::spawn`).
    /// Always, except in tests that drain by hand at moments of their choosing.
    pub send_mail: bool,
}

/// Email settings, from `OHGOV_SMTP_URL`, `OHGOV_SMTP_USER`, `OHGOV_SMTP_PASSWORD`,
/// `OHGOV_MAIL_FROM` and `OHGOV_MAIL_DIR`. The password is never printed (see `Debug`).
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:587` (STARTTLS required) or `smtps://host:465`, credentials in the URL or in
    /// `user` and `password`. None: the embedded default, which writes files to `mail_dir`.
    pub smtp_url: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The From address (`OHGOV_MAIL_FROM`, default `ohgov <ohgov@localhost>`).
    pub from: String,
    /// Where each message is written as an `.eml` file when no SMTP server is configured
    /// (`OHGOV_MAIL_DIR`, default `./mail-outbox`).
    pub mail_dir: std::path::PathBuf,
}

/// The From address when `OHGOV_MAIL_FROM` is unset.
pub const DEFAULT_MAIL_FROM: &str = "ohgov <ohgov@localhost>";
/// The folder messages are written to when no SMTP server is configured.
pub const DEFAULT_MAIL_DIR: &str = "mail-outbox";

impl MailSettings {
    /// The settings the environment gives.
    pub fn from_env() -> Self {
        let set = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        MailSettings {
            smtp_url: set("OHGOV_SMTP_URL"),
            user: set("OHGOV_SMTP_USER"),
            password: std::env::var("OHGOV_SMTP_PASSWORD").ok().filter(|v| !v.is_empty()),
            from: env_or("OHGOV_MAIL_FROM", DEFAULT_MAIL_FROM),
            mail_dir: std::path::PathBuf::from(env_or("OHGOV_MAIL_DIR", DEFAULT_MAIL_DIR)),
        }
    }
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "(set)"))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .field("from", &self.from)
            .field("mail_dir", &self.mail_dir)
            .finish()
    }
}

/// A session unused for this long is over: 12 hours.
pub const DEFAULT_SESSION_IDLE_SECONDS: i64 = 12 * 3600;

/// A session's absolute lifetime, in days, unless `OHGOV_SESSION_DAYS` says otherwise.
pub const DEFAULT_SESSION_DAYS: i64 = 7;

/// A non-clinical case worker unsupervised for longer than this many days is overdue.
pub const DEFAULT_SUPERVISION_DAYS: i64 = 30;

/// Evidence files above this many megabytes are refused unless `OHGOV_MAX_UPLOAD_MB` says otherwise.
pub const DEFAULT_MAX_UPLOAD_MB: usize = 25;

impl Settings {
    /// Settings for a database URL, with every other value from the environment or its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        let database_url: String = database_url.into();
        Self {
            database_url: database_url.clone(),
            bind: env_or("OHGOV_BIND", DEFAULT_BIND),
            session_idle_seconds: DEFAULT_SESSION_IDLE_SECONDS,
            session_days: std::env::var("OHGOV_SESSION_DAYS")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|d| *d > 0)
                .unwrap_or(DEFAULT_SESSION_DAYS),
            secure_cookies: std::env::var("OHGOV_SECURE_COOKIES").is_ok_and(|v| v.trim() == "1"),
            trusted_proxies: parse_trusted_proxies(&env_or("OHGOV_TRUSTED_PROXIES", "")),
            max_upload_mb: std::env::var("OHGOV_MAX_UPLOAD_MB")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(DEFAULT_MAX_UPLOAD_MB),
            supervision_days: configured_supervision_days(),
            clock: crate::clock::Clock::system(),
            session_key_file: std::env::var("OHGOV_SESSION_KEY_FILE")
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| beside_database(&database_url, "session.key")),
            history_key_file: history_key_file(&database_url),
            mail: MailSettings::from_env(),
            send_mail: true,
            pool_size: std::env::var("OHGOV_DB_POOL")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(3, |cores| cores.get() as u32 + 1)),
            write_pool_size: std::env::var("OHGOV_DB_WRITE_POOL")
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or(3),
        }
    }
}

/// The supervision interval the service is configured with (`OHGOV_SUPERVISION_DAYS`, default
/// 30), for what judges supervision without the settings at hand (the live checks' judge, handed
/// to readiness as a plain function).
pub fn configured_supervision_days() -> i64 {
    std::env::var("OHGOV_SUPERVISION_DAYS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|d| *d > 0)
        .unwrap_or(DEFAULT_SUPERVISION_DAYS)
}

/// Where the history key of a database is kept: `OHGOV_HISTORY_KEY_FILE`, or beside the database.
pub fn history_key_file(database_url: &str) -> std::path::PathBuf {
    std::env::var("OHGOV_HISTORY_KEY_FILE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| beside_database(database_url, "history.key"))
}

/// `OHGOV_TRUSTED_PROXIES`: addresses separated by commas. An entry that is not an address is left
/// out with a warning (the throttle then keys on that proxy, which fails safe: never on the
/// client's own word).
pub fn parse_trusted_proxies(list: &str) -> Vec<std::net::IpAddr> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .filter_map(|entry| match entry.parse::<std::net::IpAddr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                tracing::warn!(entry, "OHGOV_TRUSTED_PROXIES: not an IP address, left out");
                None
            }
        })
        .collect()
}

/// An environment variable's value, or the default when it is unset or blank.
pub fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_string())
}

/// A key file's default place: beside the SQLite file (`<file>.<suffix>`), or `./ohgov-<suffix>`
/// for a PostgreSQL URL.
pub fn beside_database(database_url: &str, suffix: &str) -> std::path::PathBuf {
    match crate::db::DatabaseTarget::parse(database_url) {
        Ok(crate::db::DatabaseTarget::Sqlite(path)) => {
            let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
            name.push(format!(".{suffix}"));
            path.with_file_name(name)
        }
        _ => std::path::PathBuf::from(format!("ohgov-{suffix}")),
    }
}

/// The secret in a key file, hex-encoded; made from `fresh()` with mode 0600 when the file does not
/// exist (see [`read_or_create_file`]).
pub fn read_or_create_secret(path: &std::path::Path, fresh: impl FnOnce() -> Vec<u8>) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    let text = read_or_create_file(path, || Ok(hex::encode(fresh())))?;
    hex::decode(text.trim()).with_context(|| format!("key file {} is not hex", path.display()))
}

/// A private file's text; made from `fresh()` with mode 0600 when the file does not exist (`fresh`
/// is not called when it does). Written to a private temporary file and linked into place, so two
/// instances starting together agree on one file and none reads a half-written one.
pub fn read_or_create_file(
    path: &std::path::Path,
    fresh: impl FnOnce() -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    use anyhow::Context;
    use std::io::Write;
    if !path.exists() {
        let text = fresh()?;
        let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).with_context(|| format!("creating key file {}", tmp.display()))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => tracing::info!(path = %path.display(), "key file created"),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating key file {}", path.display())),
        }
    }
    std::fs::read_to_string(path).with_context(|| format!("reading key file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_reads_addresses_and_leaves_out_the_rest() {
        assert_eq!(
            parse_trusted_proxies(" 10.0.0.5, ::1,,not-an-ip "),
            vec!["10.0.0.5".parse::<std::net::IpAddr>().unwrap(), "::1".parse::<std::net::IpAddr>().unwrap()]
        );
        assert!(parse_trusted_proxies("").is_empty());
    }
}
