//! `ohgov verify-log`: walks the hash-chained audit trail.

pub fn run(database_url: Option<String>) -> anyhow::Result<()> {
    let mut conn = super::connection(database_url)?;
    match crate::history::store::verify(&mut conn)? {
        Ok(verified) => {
            println!("history intact: {} rows, last hash {}", verified.rows, verified.last_hash);
            Ok(())
        }
        Err(chain_break) => anyhow::bail!("history broken: {chain_break}"),
    }
}
