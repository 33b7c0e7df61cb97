//! `ohgov verify-log`: walks the hash-chained audit trail under its history key, prints its head, and
//! checks a head recorded earlier (`--expect-head N:HASH`).

use crate::config;
use crate::history::{self, ChainBreak};

pub fn run(database_url: Option<String>, expect_head: Option<String>) -> anyhow::Result<()> {
    let expected = expect_head.as_deref().map(parse_head).transpose()?;
    let url = super::database_url(database_url);
    // Read, never made: a key made now would pass any trail rewritten as old, unkeyed rows.
    let key_file = config::history_key_file(&url);
    let key = history::key::load(&key_file)?;
    let mut conn = super::connection(Some(url))?;
    let verified = match history::store::verify(&mut conn, &key)? {
        Ok(verified) => verified,
        Err(chain_break @ ChainBreak::KeyMismatch { .. }) => {
            anyhow::bail!("the history key file {} does not match this trail: {chain_break}", key_file.display())
        }
        Err(chain_break) => anyhow::bail!("history broken: {chain_break}"),
    };
    println!("history intact: {} rows, last hash {}", verified.rows, verified.last_hash);
    match verified.keyed_from {
        1 => println!("keyed: every row is sealed with the history key in {}", key_file.display()),
        from => println!(
            "keyed: rows from {from} on are sealed with the history key in {}; rows 1 to {} predate the key \
             (plain SHA-256)",
            key_file.display(),
            from - 1
        ),
    }
    println!("head: {}:{}", verified.rows, verified.last_hash);
    if let Some((id, hash)) = expected {
        if let Err(mismatch) = history::store::check_head(&mut conn, id, &hash)? {
            anyhow::bail!("history broken: {mismatch}");
        }
        println!("expected head {id}:{hash} is present");
    }
    Ok(())
}

/// `N:HASH`, as printed on the `head:` line.
fn parse_head(text: &str) -> anyhow::Result<(i32, String)> {
    let (id, hash) =
        text.split_once(':').ok_or_else(|| anyhow::anyhow!("--expect-head takes N:HASH, such as 42:ab12..."))?;
    let id: i32 = id.trim().parse().map_err(|_| anyhow::anyhow!("--expect-head: {id:?} is not a row number"))?;
    let hash = hash.trim();
    if id < 1 || hash.is_empty() || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        anyhow::bail!("--expect-head takes N:HASH with N at least 1 and HASH in hex");
    }
    Ok((id, hash.to_string()))
}
