//! The architecture, checked: modules depend in one direction (ARCHITECTURE.md), and each area's
//! tables are read and written by that area alone. The test reads `src/` as text, the way
//! `tests/access.rs` reads the routes, so a new import that breaks the layering fails here before
//! a reviewer has to spot it.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, from the bottom. A module may import from its own layer or the ones below; within a
/// layer, the imports must not form a circle.
const LAYERS: &[(&str, &[&str])] = &[
    ("plumbing", &["form", "clock", "config", "db", "web", "words"]),
    ("history", &["history", "outbox"]),
    ("catalogue", &["catalogue"]),
    ("identity and access", &["accounts"]),
    (
        "areas",
        &["evidence", "workforce", "coverage", "assessment", "providers", "audits", "quality", "commissioning", "live"],
    ),
    ("outputs", &["pdf", "documents", "mail"]),
    ("command line", &["cli"]),
];

/// Tables every area may join for display: the catalogue's reference data (loaded, then read only)
/// and people's names. Writing them is still their owner's alone.
const SHARED_READS: &[&str] =
    &["catalogues", "catalogue_nodes", "catalogue_replaces", "profession_rules", "kpi_definitions", "users"];

/// Which module owns each table.
const OWNERS: &[(&str, &[&str])] = &[
    ("web", &["instance_secrets"]),
    ("history", &["history"]),
    ("outbox", &["outbox_messages", "outbox_attempts"]),
    ("catalogue", &["catalogues", "catalogue_nodes", "catalogue_replaces", "profession_rules", "kpi_definitions"]),
    (
        "accounts",
        &[
            "organisations",
            "contracts",
            "users",
            "memberships",
            "api_tokens",
            "sign_in_failures",
            "sessions",
            "account_links",
            "reset_requests",
            "reminder_opt_outs",
        ],
    ),
    ("evidence", &["blobs", "evidence_items", "evidence_links"]),
    (
        "assessment",
        &[
            "accreditations",
            "assessment_cycles",
            "standard_assessments",
            "findings",
            "assessor_requests",
            "assessor_request_evidence",
        ],
    ),
    ("coverage", &["service_coverage"]),
    ("commissioning", &["customer_reviews", "esr_declarations", "provider_figures"]),
    ("live", &["live_verdicts", "live_exceptions", "live_snapshots"]),
    (
        "workforce",
        &[
            "staff",
            "cpd_records",
            "supervision_sessions",
            "supervision_attendees",
            "nmc_revalidations",
            "pending_imports",
            "import_mappings",
        ],
    ),
    (
        "audits",
        &[
            "audit_plans",
            "audits",
            "audit_standards",
            "audit_criteria",
            "audit_actions",
            "audit_progress_reports",
            "audit_plan_sign_offs",
            "audit_settings",
        ],
    ),
    ("quality", &["kpi_values", "kpi_targets"]),
    ("documents", &["quality_reports", "quality_report_versions", "document_settings"]),
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The source with comments removed, so a doc comment naming a module is not an import.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Source {
    /// `src/assessment/store.rs` is ["assessment", "store"].
    path: Vec<String>,
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(&root).ok()?.with_extension("");
            let path: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            let path: Vec<String> = path.into_iter().filter(|p| p != "mod").collect();
            let text = std::fs::read_to_string(&file).ok()?;
            Some(Source { path, code: code_of(&text) })
        })
        .collect()
}

/// The node a file belongs to: its top-level module. An area is one node, pages and demo
/// included, so two areas that import each other anywhere form a circle.
fn node_of(path: &[String]) -> Option<String> {
    let top = path.first()?;
    if top == "lib" || top == "main" {
        return None;
    }
    Some(top.clone())
}

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|(_, modules)| modules.contains(&top))
}

/// Every `crate::a::b` a file names, as the node it points at (`a`).
fn imports(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        // `crate::{a, b::c}` names several.
        let names: Vec<String> = if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(|p| p.trim().to_string()).collect()
        } else {
            let end = after.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(after.len());
            vec![after[..end].to_string()]
        };
        for name in names {
            let parts: Vec<String> = name.split("::").filter(|p| !p.is_empty()).map(str::to_string).collect::<Vec<_>>();
            if let Some(node) = node_of(&parts) {
                found.insert(node);
            }
        }
        rest = &after[1.min(after.len())..];
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources() {
        let Some(from) = node_of(&source.path) else { continue };
        let entry = graph.entry(from.clone()).or_default();
        for to in imports(&source.code) {
            // `vocabulary!` is the crate root's macro, not a module.
            if to != from && to != "vocabulary" {
                entry.insert(to);
            }
        }
    }
    graph
}

#[test]
fn every_module_is_in_a_layer() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let unplaced: Vec<String> = graph().keys().filter(|m| layer_of(m).is_none()).cloned().collect();
    assert!(unplaced.is_empty(), "modules in no layer of tests/layers.rs and ARCHITECTURE.md: {unplaced:?}");
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let mut upward = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            if let (Some(low), Some(high)) = (layer_of(&from), layer_of(&to)) {
                if high > low {
                    upward.push(format!("{from} ({}) imports {to} ({})", LAYERS[low].0, LAYERS[high].0));
                }
            }
        }
    }
    assert!(upward.is_empty(), "imports against the layers:\n{}", upward.join("\n"));
}

#[test]
fn the_imports_form_no_circle() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let graph = graph();
    // Depth-first search with colours; a grey node met again closes a circle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(node) {
            Some(2) => return None,
            Some(1) => {
                let start = trail.iter().position(|n| n == node).unwrap_or(0);
                let mut circle = trail[start..].to_vec();
                circle.push(node.to_string());
                return Some(circle);
            }
            _ => {}
        }
        state.insert(node.to_string(), 1);
        trail.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, state, trail) {
                return Some(circle);
            }
        }
        trail.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        let mut trail = Vec::new();
        if let Some(circle) = visit(node, &graph, &mut state, &mut trail) {
            panic!("the imports form a circle: {}", circle.join(" -> "));
        }
    }
}

#[test]
fn a_circle_and_an_upward_import_would_be_seen() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    // The reader itself: a file naming `crate::accounts::store` in a `use` group and in a path.
    let found = imports("use crate::{accounts::store, db};\nfn f() { crate::evidence::routes::x(); }");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        vec!["accounts".to_string(), "db".to_string(), "evidence".to_string()]
    );
    assert!(layer_of("web") < layer_of("accounts"), "so web importing accounts is upward");
    assert!(imports(&code_of("// crate::accounts::store in a comment")).is_empty());
}

/// The tables a file names through `schema::`.
fn tables_named(code: &str) -> BTreeSet<String> {
    let known: BTreeSet<&str> = OWNERS.iter().flat_map(|(_, tables)| tables.iter().copied()).collect();
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("schema::") {
        let after = &rest[at + "schema::".len()..];
        let names: Vec<&str> = if let Some(group) = after.strip_prefix('{') {
            group[..group.find('}').unwrap_or(group.len())].split(',').map(str::trim).collect()
        } else {
            vec![&after[..after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(after.len())]]
        };
        found.extend(names.into_iter().filter(|n| known.contains(n)).map(str::to_string));
        rest = &after[1.min(after.len())..];
    }
    found
}

#[test]
fn each_area_reads_and_writes_only_its_own_tables() {
    if !support::selected(support::Backend::Sqlite) {
        return;
    }
    let owner_of: BTreeMap<&str, &str> =
        OWNERS.iter().flat_map(|(owner, tables)| tables.iter().map(move |t| (*t, *owner))).collect();
    let mut trespass = Vec::new();
    for source in sources() {
        let Some(top) = source.path.first() else { continue };
        // The schema's own file, and the catalogue's loader of every reference table, are exempt.
        if top == "db" || top == "lib" || top == "main" {
            continue;
        }
        for table in tables_named(&source.code) {
            let owner = owner_of.get(table.as_str()).copied().unwrap_or("?");
            if owner != top && !SHARED_READS.contains(&table.as_str()) {
                trespass.push(format!("src/{}.rs uses {table}, which is {owner}'s", source.path.join("/")));
            }
        }
    }
    assert!(trespass.is_empty(), "tables used outside their area:\n{}", trespass.join("\n"));
}
