//! `ohgov contract add`.

use crate::accounts::NewContract;
use crate::db::ProviderId;
use crate::form::parse_date;

#[derive(clap::Subcommand)]
pub enum ContractCommand {
    /// Link a commissioner to a provider; prints the contract's id, alone, on stdout.
    Add {
        #[arg(long)]
        commissioner: i32,
        #[arg(long)]
        provider: ProviderId,
        /// First day covered (23/11/2026 or 2026-11-23).
        #[arg(long)]
        start: String,
        /// Last day covered (23/11/2026 or 2026-11-23); open-ended when left out.
        #[arg(long)]
        end: Option<String>,
        /// Core services bought, as catalogue references separated by commas (PREV,TIME,...).
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
    },
}

pub fn run(database_url: Option<String>, command: ContractCommand) -> anyhow::Result<()> {
    let ContractCommand::Add { commissioner, provider, start, end, services } = command;
    let contract = NewContract {
        commissioner_id: commissioner,
        provider_id: provider,
        starts_on: parse_date("start", &start)?,
        ends_on: end.as_deref().map(|e| parse_date("end", e)).transpose()?,
        services: services.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
    };
    let mut conn = super::ready_connection(database_url)?;
    let id = crate::accounts::store::create_contract(&mut conn, None, &contract)?;
    println!("{id}");
    Ok(())
}
