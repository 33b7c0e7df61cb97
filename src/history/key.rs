//! The history key: the secret that seals the audit trail's rows with HMAC-SHA256, kept in a file
//! outside the database (`OHGOV_HISTORY_KEY_FILE`), and the first row it seals. Anyone who can write
//! the database can rewrite a row and recompute every plain hash after it; without this file they
//! cannot make the seals, so a copy of the database alone cannot forge the trail.
//!
//! The file is two `name = value` lines, made on first start with mode 0600:
//!
//! ```text
//! key = <64 hex digits>
//! keyed_from = 1
//! ```
//!
//! `keyed_from` is fixed when the file is made: the row after the newest one then. Rows below it were
//! written before the trail was keyed and stay plain SHA-256; every row from it on must carry the
//! seal. Because the number lives outside the database, rewriting the whole trail as old-style rows
//! does not pass either.
//!
//! A process serves one database, so the key is installed once at start ([`install_key`]) and
//! every `history::store::record` seals with it; recording without one is an error, never an
//! unsealed row.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use diesel::prelude::*;

use crate::db::schema::history;
use crate::db::DbConnection;

/// The key's length: 256 bits, SHA-256's own size.
pub const SECRET_BYTES: usize = 32;

/// The secret that seals the trail, and the first row it seals.
#[derive(Clone, PartialEq, Eq)]
pub struct HistoryKey {
    secret: [u8; SECRET_BYTES],
    keyed_from: i32,
}

/// Never prints the secret.
impl std::fmt::Debug for HistoryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistoryKey").field("keyed_from", &self.keyed_from).finish_non_exhaustive()
    }
}

impl HistoryKey {
    /// A key with this secret, sealing rows from `keyed_from` (at least 1) on.
    pub fn new(secret: [u8; SECRET_BYTES], keyed_from: i32) -> Self {
        Self { secret, keyed_from: keyed_from.max(1) }
    }

    /// A new random key sealing rows from `keyed_from` on.
    pub fn generate(keyed_from: i32) -> Self {
        let mut secret = [0u8; SECRET_BYTES];
        OsRng.fill_bytes(&mut secret);
        Self::new(secret, keyed_from)
    }

    pub fn secret(&self) -> &[u8; SECRET_BYTES] {
        &self.secret
    }

    /// The first row sealed with the key; rows below it are plain SHA-256.
    pub fn keyed_from(&self) -> i32 {
        self.keyed_from
    }

    /// The key file's text.
    pub fn file_text(&self) -> String {
        format!(
            "# The key that seals ohgov's audit trail (HMAC-SHA256), and the first row it seals.\n\
             # Keep it outside the database host's backups; without it the trail cannot be proved.\n\
             key = {}\nkeyed_from = {}\n",
            hex::encode(self.secret),
            self.keyed_from
        )
    }

    /// Reads a key file's text: `key` and `keyed_from`, once each; blank lines and `#` comments
    /// are allowed. The error says what is wrong, by line, without the file's name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut secret = None;
        let mut keyed_from = None;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(format!("line {number} is not `name = value`"));
            };
            let (name, value) = (name.trim(), value.trim());
            match name {
                "key" if secret.is_none() => {
                    let bytes = hex::decode(value).map_err(|_| format!("line {number}: the key is not hex"))?;
                    let bytes: [u8; SECRET_BYTES] = bytes.try_into().map_err(|_| {
                        format!("line {number}: the key must be {} hex digits ({SECRET_BYTES} bytes)", SECRET_BYTES * 2)
                    })?;
                    secret = Some(bytes);
                }
                "keyed_from" if keyed_from.is_none() => {
                    let row: i32 = value
                        .parse()
                        .ok()
                        .filter(|row| *row >= 1)
                        .ok_or_else(|| format!("line {number}: keyed_from must be a row number, 1 or more"))?;
                    keyed_from = Some(row);
                }
                "key" | "keyed_from" => return Err(format!("line {number}: {name} is given twice")),
                other => return Err(format!("line {number}: {other:?} is not a setting of the key file")),
            }
        }
        match (secret, keyed_from) {
            (Some(secret), Some(keyed_from)) => Ok(Self::new(secret, keyed_from)),
            (None, _) => Err("it has no `key = ...` line".into()),
            (_, None) => Err("it has no `keyed_from = ...` line".into()),
        }
    }
}

/// Reads the key file, which must exist: what verifies the trail never makes a key, since a new key
/// would make every existing row look older than the key.
pub fn load(path: &Path) -> anyhow::Result<HistoryKey> {
    if !path.exists() {
        anyhow::bail!(
            "the history key file {} does not exist: the audit trail cannot be proved without the key it \
             was sealed with. Set OHGOV_HISTORY_KEY_FILE to the file the service uses (it is made on the \
             service's first start)",
            path.display()
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading the history key file {}", path.display()))?;
    parse_file(path, &text)
}

/// Reads the key file, making it first when there is none: a new key that seals the rows after the
/// newest one now. The database must be migrated.
pub fn load_or_create(path: &Path, conn: &mut DbConnection) -> anyhow::Result<HistoryKey> {
    let text = crate::config::read_or_create_file(path, || {
        let newest: Option<i32> = history::table.select(diesel::dsl::max(history::id)).get_result(conn)?;
        let key = HistoryKey::generate(newest.unwrap_or(0) + 1);
        if let Some(newest) = newest {
            tracing::warn!(
                path = %path.display(),
                keyed_from = key.keyed_from(),
                "history key made for a trail that already has {newest} rows: those stay plain SHA-256, \
                 every later row is sealed with the key"
            );
        }
        Ok(key.file_text())
    })
    .with_context(|| format!("the history key file {}", path.display()))?;
    parse_file(path, &text)
}

fn parse_file(path: &Path, text: &str) -> anyhow::Result<HistoryKey> {
    HistoryKey::parse(text).map_err(|problem| {
        anyhow::anyhow!(
            "the history key file {} is not a history key file: {problem} (it holds `key = <64 hex digits>` \
             and `keyed_from = <row>`)",
            path.display()
        )
    })
}

/// Reads or makes the key file of this database and installs its key for the process: what every
/// entry point that writes history does before its first write.
pub fn load_and_install(path: &Path, conn: &mut DbConnection) -> anyhow::Result<HistoryKey> {
    let key = load_or_create(path, conn)?;
    install_key(key.clone()).with_context(|| format!("the history key file {}", path.display()))?;
    Ok(key)
}

/// Why a history row cannot be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error(
        "no history key is installed in this process, so no history row can be written: load the history key \
         file (OHGOV_HISTORY_KEY_FILE) at start"
    )]
    NotInstalled,
    #[error("this process already seals history with another key: one process keeps one trail")]
    AnotherInstalled,
    #[error(
        "history row {id} would come before row {keyed_from}, the first the history key file was made to \
         seal: the key file belongs to another trail, or the newest rows were removed"
    )]
    BeforeKeyedFrom { id: i32, keyed_from: i32 },
}

static INSTALLED: OnceLock<HistoryKey> = OnceLock::new();

/// Makes `key` the one every history row of this process is sealed with. Installing the same key
/// again is allowed (a restart of the application within one process); another key is refused.
pub fn install_key(key: HistoryKey) -> Result<(), KeyError> {
    let installed = INSTALLED.get_or_init(|| key.clone());
    if *installed == key {
        Ok(())
    } else {
        Err(KeyError::AnotherInstalled)
    }
}

/// The key installed for this process.
pub fn installed_key() -> Result<&'static HistoryKey, KeyError> {
    INSTALLED.get().ok_or(KeyError::NotInstalled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_text_reads_back_as_the_same_key() {
        let key = HistoryKey::generate(42);
        assert_eq!(HistoryKey::parse(&key.file_text()), Ok(key.clone()));
        assert!(!format!("{key:?}").contains(&hex::encode(key.secret())), "Debug never prints the secret");
    }

    #[test]
    fn a_malformed_file_is_refused_by_line() {
        let key = "a".repeat(64);
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "no `key = ...` line"),
            (format!("key = {key}\n"), "no `keyed_from = ...` line"),
            (format!("key = {key}\nkeyed_from = 0\n"), "line 2: keyed_from must be a row number"),
            (format!("key = {key}\nkeyed_from = x\n"), "line 2: keyed_from must be a row number"),
            ("key = abcd\nkeyed_from = 1\n".into(), "line 1: the key must be 64 hex digits"),
            ("key = zz\nkeyed_from = 1\n".into(), "line 1: the key is not hex"),
            (format!("key {key}\n"), "line 1 is not `name = value`"),
            (format!("key = {key}\nkey = {key}\nkeyed_from = 1\n"), "line 2: key is given twice"),
            (format!("# comment\nsecret = {key}\n"), "line 2: \"secret\" is not a setting"),
        ];
        for (text, says) in cases {
            let problem = HistoryKey::parse(&text).expect_err(&text);
            assert!(problem.contains(says), "{text:?}: {problem}");
        }
        let parsed = HistoryKey::parse(&format!("\n# the key\n  key = {key}  \n\nkeyed_from=7\n")).unwrap();
        assert_eq!((parsed.secret(), parsed.keyed_from()), (&[0xaa; SECRET_BYTES], 7));
    }
}
