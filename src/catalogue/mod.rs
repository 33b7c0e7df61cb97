//! The reference catalogue: SEQOHS frameworks, NHS core services, sub-specialisms, professional
//! rules and KPI definitions, kept as reviewable TOML in `standards/` and loaded into the database.

pub mod model;
pub mod routes;
pub mod store;

use std::path::Path;

use rust_embed::RustEmbed;

pub use model::{CatalogueError, CatalogueErrors, Problem, Source};

#[derive(RustEmbed)]
#[folder = "standards/"]
struct BuiltinFiles;

/// Files in `standards/` that are not catalogue files: the import's header and value synonyms
/// (`import-columns.toml`), read and checked by `workforce::mapping`.
pub const NOT_CATALOGUE: [&str; 1] = ["import-columns.toml"];

/// The catalogue shipped inside the binary: the `standards/` folder as it was at build time.
pub fn builtin_sources() -> Vec<Source> {
    let mut names: Vec<String> = BuiltinFiles::iter()
        .map(|n| n.to_string())
        .filter(|n| n.ends_with(".toml") && !NOT_CATALOGUE.contains(&n.as_str()))
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let file = BuiltinFiles::get(&name)?;
            let text = String::from_utf8(file.data.into_owned()).ok()?;
            Some(Source { name: format!("standards/{name}"), text })
        })
        .collect()
}

/// Why a folder of catalogue files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
    #[error("{path} holds no .toml files")]
    Empty { path: String },
}

/// Every `*.toml` file directly inside `dir`, sorted by name.
pub fn dir_sources(dir: &Path) -> Result<Vec<Source>, ReadError> {
    let io = |source| ReadError::Io { path: dir.display().to_string(), source };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| NOT_CATALOGUE.contains(&n)))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(ReadError::Empty { path: dir.display().to_string() });
    }
    paths
        .into_iter()
        .map(|path| {
            let shown = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
            let text = String::from_utf8(bytes).map_err(|_| ReadError::NotText { path: shown.clone() })?;
            Ok(Source { name: shown, text })
        })
        .collect()
}
