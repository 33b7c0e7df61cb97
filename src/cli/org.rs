//! `ohgov org add`.

use crate::accounts::model::OrganisationInput;

#[derive(clap::Subcommand)]
pub enum OrgCommand {
    /// Add an organisation; prints its id, alone, on stdout.
    Add {
        /// provider or commissioner.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// ODS code or company number.
        #[arg(long)]
        code: Option<String>,
        /// Providers: nhs_in_house, nhs_hosting or independent. Commissioners: nhs_trust, icb or
        /// other_employer.
        #[arg(long = "type")]
        organisation_type: Option<String>,
        /// Number of sites.
        #[arg(long)]
        sites: Option<i32>,
    },
}

pub fn run(database_url: Option<String>, command: OrgCommand) -> anyhow::Result<()> {
    let OrgCommand::Add { kind, name, code, organisation_type, sites } = command;
    let org = OrganisationInput {
        kind,
        name,
        code: code.unwrap_or_default(),
        organisation_type: organisation_type.unwrap_or_default(),
        sites,
    }
    .parse()?;
    let mut conn = super::ready_connection(database_url)?;
    let id = crate::accounts::store::create_organisation(&mut conn, None, &org)?;
    println!("{id}");
    Ok(())
}
