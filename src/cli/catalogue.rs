//! `ohgov catalogue load`.

use std::path::PathBuf;

use crate::catalogue;

#[derive(clap::Subcommand)]
pub enum CatalogueCommand {
    /// Load catalogue files; loading the same files again changes nothing.
    Load {
        /// Folder of .toml files (default: the catalogue built into this program).
        dir: Option<PathBuf>,
    },
}

pub fn run(database_url: Option<String>, command: CatalogueCommand) -> anyhow::Result<()> {
    let CatalogueCommand::Load { dir } = command;
    let sources = match &dir {
        Some(dir) => catalogue::dir_sources(dir)?,
        None => catalogue::builtin_sources(),
    };
    let mut conn = super::migrated_connection(database_url)?;
    let report = catalogue::store::load(&mut conn, &sources)?;
    print!("{report}");
    Ok(())
}
