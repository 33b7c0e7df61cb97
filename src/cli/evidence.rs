//! `ohgov evidence add`: a file into a provider's library, checked as an upload is.

use std::path::PathBuf;

use crate::config::Settings;
use crate::db::ProviderId;
use crate::evidence::model::{check_upload, EvidenceInput};

#[derive(clap::Subcommand)]
pub enum EvidenceCommand {
    /// Add a file to a provider's library; prints the new item's id, alone, on stdout.
    Add {
        #[arg(long)]
        provider: ProviderId,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Standards, core services or sub-specialisms it is evidence for, separated by commas.
        #[arg(long, value_delimiter = ',')]
        standards: Vec<String>,
        /// The document's effective date (23/11/2026 or 2026-11-23).
        #[arg(long, default_value = "")]
        effective: String,
        /// When the document is due for review.
        #[arg(long, default_value = "")]
        review_due: String,
        /// The file holds patient-identifiable data.
        #[arg(long)]
        patient_data: bool,
        file: PathBuf,
    },
}

pub fn run(database_url: Option<String>, command: EvidenceCommand) -> anyhow::Result<()> {
    let EvidenceCommand::Add { provider, title, description, standards, effective, review_due, patient_data, file } =
        command;
    let details = EvidenceInput {
        kind: "file".into(),
        title,
        description,
        effective_on: effective,
        review_due,
        contains_patient_data: patient_data,
        standards,
        ..Default::default()
    }
    .parse()?;
    let settings = Settings::for_database(super::database_url(database_url.clone()));
    let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let limit = settings.max_upload_mb * 1024 * 1024;
    let upload = check_upload(content, &name, limit).map_err(|message| anyhow::anyhow!("file: {message}"))?;
    let mut conn = super::ready_connection(database_url)?;
    super::provider(&mut conn, provider)?;
    let framework = crate::assessment::store::framework_id(&mut conn, provider)?;
    let id = crate::evidence::store::add(&mut conn, None, provider, framework, &details, Some(&upload))?;
    println!("{id}");
    Ok(())
}
