//! `ohgov user add`.

use std::io::IsTerminal;

use crate::accounts::links::{self, Invited, NewInvitation};
use crate::accounts::model::UserInput;
use crate::accounts::store::Grant;
use crate::accounts::{secrets, Role};
use crate::form::parse_date;

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Add a user and print their id. The password is read from standard input when it is not a
    /// terminal; otherwise one is generated and printed once. With --invite, no password is read:
    /// the person is emailed a link to set their own (it works once, for 72 hours).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisation to give the user a role in (with --role).
        #[arg(long, requires = "role")]
        org: Option<i32>,
        /// manager, clinical_director, clinician, viewer, commissioner or assessor.
        #[arg(long, requires = "org")]
        role: Option<String>,
        /// For assessors: the last day their access lasts (23/11/2026 or 2026-11-23).
        #[arg(long, requires = "role")]
        expires: Option<String>,
        /// A system administrator: organisations, users and contracts.
        #[arg(long)]
        admin: bool,
        /// Queue an invitation to set a password instead of reading one (the link is sent from
        /// OHGOV_BASE_URL's address).
        #[arg(long)]
        invite: bool,
    },
}

pub fn run(database_url: Option<String>, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add { email, name, org, role, expires, admin, invite } = command;
    let grant = match (org, role) {
        (Some(organisation_id), Some(role)) => {
            let role = Role::parse(&role).ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                anyhow::anyhow!("role: {role:?} is not a role; use one of {}", names.join(", "))
            })?;
            let expires_on = expires.as_deref().map(|e| parse_date("expires", e)).transpose()?;
            Some(Grant { organisation_id, role, expires_on })
        }
        _ => None,
    };
    if invite {
        // Checked as a new user is; a generated password stands in for the one they will choose,
        // and is never stored.
        let user = UserInput { email, name, password: secrets::generate_password(), is_admin: admin }.parse()?;
        let invitation = NewInvitation { email: user.email, name: user.name, is_admin: user.is_admin, grant };
        let mut conn = super::ready_connection(database_url)?;
        let now = chrono::Utc::now().naive_utc();
        let invited = links::invite(&mut conn, None, "Your ohgov administrator", &invitation, now)?;
        match invited {
            Invited::Sent { user_id, .. } => {
                println!("{user_id}");
                println!("invitation queued for {}", invitation.email);
            }
            Invited::RoleAdded { user_id, .. } => {
                println!("{user_id}");
                println!("{} already had an account: the role was added and no invitation sent", invitation.email);
            }
        }
        return Ok(());
    }
    let (password, generated) = if std::io::stdin().is_terminal() {
        (secrets::generate_password(), true)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        (line.trim_end_matches(['\n', '\r']).to_string(), false)
    };
    let user = UserInput { email, name, password: password.clone(), is_admin: admin }.parse()?;
    let mut conn = super::ready_connection(database_url)?;
    let id = crate::accounts::store::create_user(&mut conn, None, &user, grant)?;
    println!("{id}");
    if generated {
        println!("password: {password}");
    }
    Ok(())
}
