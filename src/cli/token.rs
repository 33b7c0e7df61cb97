//! `ohgov token create|revoke`.

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// Issue a token for a user; prints it, alone, on stdout. It is shown this once only.
    Create {
        #[arg(long)]
        user: String,
    },
    /// Revoke a token, given in full.
    Revoke { token: String },
}

pub fn run(database_url: Option<String>, command: TokenCommand) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url)?;
    match command {
        TokenCommand::Create { user } => println!("{}", crate::accounts::store::create_token(&mut conn, None, &user)?),
        TokenCommand::Revoke { token } => {
            let id = crate::accounts::store::revoke_token(&mut conn, None, &token)?;
            println!("revoked token {id}");
        }
    }
    Ok(())
}
