//! `ohgov serve` and `ohgov migrate`.

use std::io::Write;

use crate::config::Settings;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (OHGOV_BIND; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDRESS")]
    pub bind: Option<String>,
}

/// Serves the web application on the database the flag or DATABASE_URL names.
pub fn run(database_url: Option<String>, args: ServeArgs) -> anyhow::Result<()> {
    let mut settings = Settings::for_database(super::database_url(database_url));
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    serve(settings)
}

/// Applies pending migrations and says how many.
pub fn migrate(database_url: Option<String>) -> anyhow::Result<()> {
    let target = crate::db::DatabaseTarget::parse(&super::database_url(database_url))?;
    let mut conn = crate::db::establish(&target)?;
    let applied = crate::db::run_migrations(&mut conn)?;
    println!("{applied} migration(s) applied to the {} database", target.backend_name());
    Ok(())
}

/// Prepares and serves until stopped, printing each address it listens on.
pub fn serve(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.bind.clone();
    actix_web::rt::System::new().block_on(async move {
        let state = crate::prepare(settings)?;
        let (server, addresses) = crate::bind(state, &bind)?;
        for address in &addresses {
            println!("ohgov is serving on http://{address}/");
        }
        std::io::stdout().flush()?;
        server.await?;
        Ok(())
    })
}
