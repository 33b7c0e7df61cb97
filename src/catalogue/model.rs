//! Catalogue files: reading the TOML, and the checks that decide whether a set of files may load.
//!
//! Pure: no database. A set of files is accepted whole or refused whole with every problem found,
//! each naming the file, the line and the reference.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::db::codes::Vocabulary;

/// One catalogue file's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

crate::vocabulary! {
    /// What a file describes; decides which node kinds it may hold.
    pub enum CatalogueKind {
        Framework => ("framework", "Framework of standards"),
        CoreServices => ("core_services", "NHS core services"),
        Subspecialisms => ("subspecialisms", "Sub-specialisms"),
        Professions => ("professions", "Professional rules"),
        Kpis => ("kpis", "Key performance indicators"),
        DocumentKinds => ("document_kinds", "Document kinds"),
    }
    name = "catalogue kind", stored_in = [catalogues.kind];
}

impl CatalogueKind {
    /// The node kinds this file may hold, each with the kind its parent must be (None: top level).
    fn node_kinds(self) -> &'static [(NodeKind, &'static [Option<NodeKind>])] {
        use NodeKind::*;
        match self {
            CatalogueKind::Framework => {
                &[(Domain, &[None]), (Standard, &[Some(Domain)]), (Criterion, &[Some(Standard)])]
            }
            CatalogueKind::CoreServices => &[(CoreService, &[None])],
            CatalogueKind::Subspecialisms => &[(Subspecialism, &[None])],
            CatalogueKind::Professions => &[(Profession, &[None])],
            CatalogueKind::Kpis => &[(KpiGroup, &[None]), (Kpi, &[None, Some(KpiGroup)])],
            CatalogueKind::DocumentKinds => &[(DocumentKind, &[None])],
        }
    }
}

crate::vocabulary! {
    /// A live check a standard may name (`checks = [...]`): a question the provider's own records
    /// answer on a given day. The catalogue knows the names, so a file naming another is refused;
    /// the `live` area judges each one. The code's prefix is the area whose records it reads.
    pub enum LiveCheck {
        RegistrationsCurrent => ("workforce.registrations_current", "Every registered clinician's registration is current"),
        DoctorsAppraised => ("workforce.doctors_appraised", "Every doctor has a Responsible Officer and an appraisal within 15 months"),
        CpdOnTrack => ("workforce.cpd_on_track", "CPD is on track for every clinician whose cycle ends within 90 days"),
        SupervisionCurrent => ("workforce.supervision_current", "Everyone who needs clinical supervision had it within their interval"),
        CoreServicesAvailable => ("coverage.core_services_available", "All six core services are available, wholly or by arrangement"),
        SubspecialismsArranged => ("coverage.subspecialisms_arranged", "Every sub-specialism has an arrangement, and none ends within 30 days"),
        PlanSignedOff => ("audits.plan_signed_off", "This year's audit plan is signed off and unchanged since"),
        AuditsPlanned => ("audits.audits_planned", "At least two local clinical audits and one national audit are planned this year"),
        ActionsNotOverdue => ("audits.actions_not_overdue", "No audit action is more than 90 days overdue"),
        KpisReported => ("quality.kpis_reported", "KPIs have been reported for the last complete quarter"),
        CustomerReviewsHeld => ("commissioning.customer_reviews_held", "A customer review has been held with each commissioner within six months"),
        MetEvidenceCurrent => ("evidence.met_evidence_current", "Every evidence item linked to a standard marked met is within its review date"),
    }
    name = "live check", stored_in = [live_verdicts.check_code, live_exceptions.check_code, live_snapshots(provider_id).check_code];
}

crate::vocabulary! {
    /// A node's place in its catalogue.
    pub enum NodeKind {
        Domain => ("domain", "Domain"),
        Standard => ("standard", "Standard"),
        Criterion => ("criterion", "Criterion"),
        CoreService => ("core_service", "Core service"),
        Subspecialism => ("subspecialism", "Sub-specialism"),
        Profession => ("profession", "Profession"),
        KpiGroup => ("kpi_group", "KPI group"),
        Kpi => ("kpi", "KPI"),
        DocumentKind => ("document_kind", "Document kind"),
    }
    name = "node kind", stored_in = [catalogue_nodes.kind];
}

impl NodeKind {
    /// Groupings may list no expected evidence; everything an assessor judges must list some.
    fn is_grouping(self) -> bool {
        matches!(self, NodeKind::Domain | NodeKind::KpiGroup)
    }
}

crate::vocabulary! {
    /// SEQOHS 2023 marks legal requirements "must" and the rest "should".
    pub enum Level {
        Must => ("must", "Must"),
        Should => ("should", "Should"),
    }
    name = "level", stored_in = [catalogue_nodes.level];
}

crate::vocabulary! {
    /// The regulators as the catalogue names them (`regulator = "GMC"` in professions.toml); "none"
    /// for professions without one.
    #[derive(Default)]
    pub enum Regulator {
        Gmc => ("GMC", "General Medical Council"),
        Nmc => ("NMC", "Nursing and Midwifery Council"),
        Hcpc => ("HCPC", "Health and Care Professions Council"),
        #[default]
        None => ("none", "No regulator"),
    }
    name = "catalogue regulator", stored_in = [profession_rules(node_id).regulator];
}

crate::vocabulary! {
    /// How a regulator's CPD cycle runs.
    pub enum CpdCycle {
        /// The GMC's CPD year, 1 April to 31 March.
        CpdYear => ("cpd_year", "CPD year, April to March"),
        /// The NMC's three years up to the revalidation date.
        Revalidation => ("revalidation", "The revalidation cycle"),
        /// The HCPC's consecutive periods ending today.
        RollingPeriods => ("rolling_periods", "Rolling periods"),
    }
    name = "CPD cycle", stored_in = [profession_rules(node_id).cpd_cycle];
}

crate::vocabulary! {
    /// What a regulator counts CPD in.
    pub enum CpdUnit {
        Credits => ("credits", "credits"),
        Hours => ("hours", "hours"),
        Activities => ("activities", "activities"),
    }
    name = "CPD unit", stored_in = [profession_rules(node_id).cpd_unit];
}

crate::vocabulary! {
    /// What a KPI is measured in.
    pub enum KpiUnit {
        WorkingDays => ("working_days", "working days"),
        Days => ("days", "days"),
        Minutes => ("minutes", "minutes"),
        Percent => ("percent", "percent"),
        Score => ("score", "score"),
    }
    name = "KPI unit", stored_in = [kpi_definitions(node_id).unit];
}

crate::vocabulary! {
    /// Where a KPI's definition comes from: MoHaWK's benchmark, or the service's own.
    pub enum KpiSource {
        Mohawk => ("MoHaWK", "MoHaWK"),
        Service => ("service", "The service's own"),
    }
    name = "KPI source", stored_in = [kpi_definitions(node_id).source];
}

crate::vocabulary! {
    /// Whether a KPI leads or lags: Growing OH (seeds/001) asks for a balanced set, with leading
    /// indicators (prevention, timeliness, quality of advice) beside outcomes, so that a board is
    /// not steered by sickness absence alone.
    pub enum KpiIndicator {
        /// Moves before harm is done, or while it can still be prevented.
        Leading => ("leading", "Leading"),
        /// Records an outcome afterwards.
        Lagging => ("lagging", "Lagging (outcome)"),
    }
    name = "KPI indicator", stored_in = [kpi_definitions(node_id).indicator];
}

/// Registration, revalidation, appraisal and CPD rules of one regulator, as data: read from
/// professions.toml, stored, and read back for the workforce rules, which judge people by it. None
/// = the rule does not apply, so a profession without a regulator is judged on supervision alone.
/// Whole numbers are positive (the loader refuses anything else).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfessionRule {
    pub regulator: Regulator,
    /// The disciplines (workforce codes) the regulator registers.
    pub disciplines: Vec<String>,
    /// Those of `disciplines` that must attend clinical supervision (the tiered model: case
    /// workers and technicians, and any non-specialist clinician the service chooses).
    pub supervised_disciplines: Vec<String>,
    pub registration_number_pattern: Option<String>,
    pub registration_number_example: Option<String>,
    pub registration_renewal_months: Option<u32>,
    /// Registration due for renewal within this many days is flagged.
    pub registration_warning_days: Option<u32>,
    /// The length of the revalidation cycle, which is also the NMC's CPD cycle.
    pub revalidation_months: Option<u32>,
    /// Revalidation due within this many days is flagged.
    pub revalidation_warning_days: Option<u32>,
    /// More than this many months since the last appraisal is overdue (GMC only).
    pub appraisal_overdue_months: Option<u32>,
    /// Which window CPD is counted over.
    pub cpd_cycle: Option<CpdCycle>,
    pub cpd_unit: Option<CpdUnit>,
    /// Credits (GMC), hours (NMC) or activities per period (HCPC).
    pub cpd_required: Option<f64>,
    /// Participatory hours within the cycle (NMC).
    pub cpd_participatory_required: Option<f64>,
    /// Reflective accounts within the cycle (NMC).
    pub reflective_accounts_required: Option<u32>,
    pub practice_hours_required: Option<u32>,
    pub feedback_required: Option<u32>,
    /// How many rolling periods must each hold the required activity (HCPC).
    pub cpd_periods: Option<u32>,
    /// The length of each rolling period (HCPC).
    pub cpd_period_months: Option<u32>,
    /// A CPD cycle ending within this many days is judged; earlier, a shortfall is only progress.
    pub cpd_warning_days: Option<u32>,
    pub cpd_audit_sample_percent: Option<f64>,
    /// The CPD a whole revalidation cycle must hold (GMC: 250 credits over five years), judged
    /// like an NMC cycle, from `cpd_warning_days` before the revalidation date.
    pub revalidation_cpd_required: Option<f64>,
}

/// How a KPI is measured and judged.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiDefinition {
    pub unit: KpiUnit,
    pub higher_is_better: bool,
    pub default_target: f64,
    pub source: KpiSource,
    pub indicator: KpiIndicator,
}

/// One checked entry of a catalogue file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub reference: String,
    pub parent: Option<String>,
    pub kind: NodeKind,
    pub level: Level,
    pub position: i32,
    pub title: String,
    pub guidance: String,
    pub expected_evidence: Vec<String>,
    pub replaces: Vec<String>,
    /// The live checks whose verdict bears on this standard, in the file's order, each once.
    pub checks: Vec<LiveCheck>,
    pub line: usize,
    pub profession: Option<ProfessionRule>,
    pub kpi: Option<KpiDefinition>,
}

/// One checked catalogue file, ready to load.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueFile {
    pub source_name: String,
    pub code: String,
    pub kind: CatalogueKind,
    pub title: String,
    pub version: String,
    pub note: Option<String>,
    pub replaces_code: Option<String>,
    pub content_sha256: String,
    pub nodes: Vec<Node>,
}

/// What is wrong with a catalogue file. Each case has its own name, so a reviewer (and a test) can
/// tell them apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Syntax(String),
    MissingField(&'static str),
    InvalidValue { field: &'static str, message: String },
    DuplicateCode { other_file: String },
    DuplicateReference { first_line: usize },
    UnknownParent { parent: String },
    Cycle { chain: Vec<String> },
    UnknownLevel { level: String },
    MissingTitle,
    UnknownReplaces { framework: String, target: String },
    UnknownCheck { name: String },
}

impl Problem {
    /// A stable name for the kind of problem.
    pub fn name(&self) -> &'static str {
        match self {
            Problem::Syntax(_) => "syntax",
            Problem::MissingField(_) => "missing-field",
            Problem::InvalidValue { .. } => "invalid-value",
            Problem::DuplicateCode { .. } => "duplicate-code",
            Problem::DuplicateReference { .. } => "duplicate-reference",
            Problem::UnknownParent { .. } => "unknown-parent",
            Problem::Cycle { .. } => "cycle",
            Problem::UnknownLevel { .. } => "unknown-level",
            Problem::MissingTitle => "missing-title",
            Problem::UnknownReplaces { .. } => "unknown-replaces",
            Problem::UnknownCheck { .. } => "unknown-check",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax(message) => write!(f, "not valid TOML: {message}"),
            Problem::MissingField(field) => write!(f, "missing required field `{field}`"),
            Problem::InvalidValue { field, message } => write!(f, "`{field}` {message}"),
            Problem::DuplicateCode { other_file } => {
                write!(f, "duplicate catalogue code: {other_file} uses it too")
            }
            Problem::DuplicateReference { first_line } => {
                write!(f, "duplicate reference: first defined at line {first_line}")
            }
            Problem::UnknownParent { parent } => write!(f, "unknown parent {parent:?}"),
            Problem::Cycle { chain } => write!(f, "parent cycle: {}", chain.join(" -> ")),
            Problem::UnknownLevel { level } => {
                write!(f, "unknown level {level:?}: use \"must\" or \"should\"")
            }
            Problem::MissingTitle => write!(f, "missing title"),
            Problem::UnknownReplaces { framework, target } => {
                write!(f, "replaces {target:?}, which is not a reference in {framework:?}")
            }
            Problem::UnknownCheck { name } => {
                write!(f, "unknown live check {name:?}: the checks are {}", LiveCheck::CODES.join(", "))
            }
        }
    }
}

/// A problem placed in its file, at its line, on its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueError {
    pub file: String,
    pub line: Option<usize>,
    pub reference: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(reference) = &self.reference {
            write!(f, ": {reference}")?;
        }
        write!(f, ": {} [{}]", self.problem, self.problem.name())
    }
}

/// All problems found in a refused set of files.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogueErrors(pub Vec<CatalogueError>);

impl fmt::Display for CatalogueErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the catalogue was refused; nothing was loaded:")?;
        for error in &self.0 {
            writeln!(f, "  {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueErrors {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    code: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    title: Option<String>,
    version: Option<String>,
    note: Option<String>,
    replaces_framework: Option<Spanned<String>>,
    #[serde(default)]
    node: Vec<Spanned<RawNode>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    #[serde(rename = "ref")]
    reference: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
    kind: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    order: Option<Spanned<i64>>,
    title: Option<String>,
    guidance: Option<String>,
    expected_evidence: Option<Vec<String>>,
    #[serde(default)]
    replaces: Vec<Spanned<String>>,
    #[serde(default)]
    checks: Vec<Spanned<String>>,
    // profession
    regulator: Option<String>,
    disciplines: Option<Vec<String>>,
    supervised_disciplines: Option<Vec<String>>,
    registration_number_pattern: Option<String>,
    registration_number_example: Option<String>,
    registration_renewal_months: Option<i64>,
    registration_warning_days: Option<i64>,
    revalidation_months: Option<i64>,
    revalidation_warning_days: Option<i64>,
    appraisal_overdue_months: Option<i64>,
    cpd_cycle: Option<String>,
    cpd_unit: Option<String>,
    cpd_required: Option<f64>,
    cpd_participatory_required: Option<f64>,
    reflective_accounts_required: Option<i64>,
    practice_hours_required: Option<i64>,
    feedback_required: Option<i64>,
    cpd_periods: Option<i64>,
    cpd_period_months: Option<i64>,
    cpd_warning_days: Option<i64>,
    cpd_audit_sample_percent: Option<f64>,
    revalidation_cpd_required: Option<f64>,
    // kpi
    unit: Option<String>,
    higher_is_better: Option<bool>,
    default_target: Option<f64>,
    source: Option<String>,
    indicator: Option<String>,
}

impl RawNode {
    fn has_profession_fields(&self) -> bool {
        self.regulator.is_some()
            || self.disciplines.is_some()
            || self.registration_number_pattern.is_some()
            || self.cpd_cycle.is_some()
            || self.cpd_required.is_some()
            || self.revalidation_months.is_some()
    }

    fn has_kpi_fields(&self) -> bool {
        self.unit.is_some()
            || self.higher_is_better.is_some()
            || self.default_target.is_some()
            || self.source.is_some()
            || self.indicator.is_some()
    }
}

/// Turns byte offsets into 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

/// Collects the problems of one file.
struct FileCheck<'a> {
    file: &'a str,
    lines: LineIndex,
    errors: Vec<CatalogueError>,
}

impl FileCheck<'_> {
    fn at(&mut self, offset: Option<usize>, reference: Option<&str>, problem: Problem) {
        let line = offset.map(|o| self.lines.line(o));
        self.errors.push(CatalogueError {
            file: self.file.to_string(),
            line,
            reference: reference.map(str::to_string),
            problem,
        });
    }

    fn at_line(&mut self, line: usize, reference: &str, problem: Problem) {
        self.errors.push(CatalogueError {
            file: self.file.to_string(),
            line: Some(line),
            reference: Some(reference.to_string()),
            problem,
        });
    }

    fn line_of(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }
}

/// References already in the database, by catalogue code, so that a file may point `replaces` at a
/// framework loaded earlier.
pub type KnownReferences = HashMap<String, HashSet<String>>;

/// Reads and checks a set of files. Either every file is good and all are returned in load order
/// (a framework before the one that replaces it), or every problem is returned and nothing loads.
pub fn check_set(sources: &[Source], known: &KnownReferences) -> Result<Vec<CatalogueFile>, CatalogueErrors> {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for source in sources {
        match check_file(source) {
            Ok(file) => files.push(file),
            Err(mut file_errors) => errors.append(&mut file_errors),
        }
    }

    let mut by_code: BTreeMap<&str, &CatalogueFile> = BTreeMap::new();
    for file in &files {
        if let Some(other) = by_code.insert(&file.code, file) {
            errors.push(CatalogueError {
                file: file.source_name.clone(),
                line: None,
                reference: Some(file.code.clone()),
                problem: Problem::DuplicateCode { other_file: other.source_name.clone() },
            });
        }
    }

    for file in &files {
        check_replaces(file, &by_code, known, &mut errors);
    }

    if !errors.is_empty() {
        return Err(CatalogueErrors(errors));
    }
    // Frameworks that others replace load first, so `replaces` can be resolved to stored rows.
    files.sort_by_key(|f| (f.replaces_code.is_some(), f.source_name.clone()));
    Ok(files)
}

fn check_replaces(
    file: &CatalogueFile,
    by_code: &BTreeMap<&str, &CatalogueFile>,
    known: &KnownReferences,
    errors: &mut Vec<CatalogueError>,
) {
    let targets: Option<HashSet<&str>> = file.replaces_code.as_deref().and_then(|code| {
        by_code
            .get(code)
            .map(|f| f.nodes.iter().map(|n| n.reference.as_str()).collect())
            .or_else(|| known.get(code).map(|refs| refs.iter().map(String::as_str).collect()))
    });
    for node in &file.nodes {
        for target in &node.replaces {
            let found = targets.as_ref().is_some_and(|t| t.contains(target.as_str()));
            if !found {
                errors.push(CatalogueError {
                    file: file.source_name.clone(),
                    line: Some(node.line),
                    reference: Some(node.reference.clone()),
                    problem: Problem::UnknownReplaces {
                        framework: file.replaces_code.clone().unwrap_or_else(|| "(no replaces_framework)".into()),
                        target: target.clone(),
                    },
                });
            }
        }
    }
}

/// SHA-256 of a file's text, so an unchanged file can be recognised and left alone.
pub fn content_sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Reads and checks one file on its own (everything but cross-file `replaces`).
pub fn check_file(source: &Source) -> Result<CatalogueFile, Vec<CatalogueError>> {
    let mut check = FileCheck { file: &source.name, lines: LineIndex::new(&source.text), errors: Vec::new() };
    let raw: RawFile = match toml::from_str(&source.text) {
        Ok(raw) => raw,
        Err(error) => {
            let offset = error.span().map(|s| s.start);
            check.at(offset, None, Problem::Syntax(error.message().to_string()));
            return Err(check.errors);
        }
    };

    let code = required_text(&mut check, raw.code.as_ref(), "code");
    let kind = match raw.kind.as_ref() {
        None => {
            check.at(None, None, Problem::MissingField("kind"));
            None
        }
        Some(kind) => {
            let parsed = CatalogueKind::from_code(kind.get_ref()).ok();
            if parsed.is_none() {
                let allowed: Vec<&str> = CatalogueKind::ALL.iter().map(|k| k.as_str()).collect();
                check.at(
                    Some(kind.span().start),
                    None,
                    Problem::InvalidValue {
                        field: "kind",
                        message: format!("is {:?}; use one of {}", kind.get_ref(), allowed.join(", ")),
                    },
                );
            }
            parsed
        }
    };
    let title = non_blank(raw.title.clone());
    if title.is_none() {
        check.at(None, None, Problem::MissingField("title"));
    }
    let version = non_blank(raw.version.clone());
    if version.is_none() {
        check.at(None, None, Problem::MissingField("version"));
    }
    if let Some(replaces) = &raw.replaces_framework {
        if kind != Some(CatalogueKind::Framework) {
            check.at(
                Some(replaces.span().start),
                None,
                Problem::InvalidValue { field: "replaces_framework", message: "is only for framework files".into() },
            );
        }
    }
    if raw.node.is_empty() {
        check.at(None, None, Problem::MissingField("node"));
    }

    let nodes = check_nodes(&mut check, &raw, kind);

    match (code, kind, title, version) {
        (Some(code), Some(kind), Some(title), Some(version)) if check.errors.is_empty() => Ok(CatalogueFile {
            source_name: source.name.clone(),
            code,
            kind,
            title,
            version,
            note: non_blank(raw.note),
            replaces_code: raw.replaces_framework.map(|r| r.into_inner()),
            content_sha256: content_sha256(&source.text),
            nodes,
        }),
        _ => Err(check.errors),
    }
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn required_text(check: &mut FileCheck<'_>, value: Option<&Spanned<String>>, field: &'static str) -> Option<String> {
    match value {
        Some(v) if !v.get_ref().trim().is_empty() => Some(v.get_ref().trim().to_string()),
        Some(v) => {
            check.at(Some(v.span().start), None, Problem::MissingField(field));
            None
        }
        None => {
            check.at(None, None, Problem::MissingField(field));
            None
        }
    }
}

fn check_nodes(check: &mut FileCheck<'_>, raw: &RawFile, file_kind: Option<CatalogueKind>) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();

    for spanned in &raw.node {
        let raw_node = spanned.get_ref();
        let table_offset = spanned.span().start;
        let Some(reference) = raw_node.reference.as_ref().filter(|r| !r.get_ref().trim().is_empty()) else {
            check.at(Some(table_offset), None, Problem::MissingField("ref"));
            continue;
        };
        let line = check.line_of(reference.span().start);
        let name = reference.get_ref().trim().to_string();
        if let Some(first) = first_line.get(&name) {
            check.at(Some(reference.span().start), Some(&name), Problem::DuplicateReference { first_line: *first });
            continue;
        }
        first_line.insert(name.clone(), line);
        if let Some(node) = check_node(check, raw_node, &name, line, table_offset, file_kind) {
            nodes.push(node);
        }
    }

    check_tree(check, raw, &nodes, file_kind);
    nodes
}

fn check_node(
    check: &mut FileCheck<'_>,
    raw: &RawNode,
    reference: &str,
    line: usize,
    table_offset: usize,
    file_kind: Option<CatalogueKind>,
) -> Option<Node> {
    let errors_before = check.errors.len();
    let at = Some(table_offset);
    let here = Some(reference);

    let kind = match &raw.kind {
        None => {
            check.at(at, here, Problem::MissingField("kind"));
            None
        }
        Some(kind) => {
            let parsed = NodeKind::from_code(kind.get_ref()).ok();
            let allowed = file_kind.map(|f| f.node_kinds()).unwrap_or(&[]);
            match parsed {
                Some(k) if file_kind.is_none() || allowed.iter().any(|(a, _)| *a == k) => Some(k),
                _ => {
                    let names: Vec<&str> = allowed.iter().map(|(k, _)| k.as_str()).collect();
                    check.at(
                        Some(kind.span().start),
                        here,
                        Problem::InvalidValue {
                            field: "kind",
                            message: format!("is {:?}; this file may hold {}", kind.get_ref(), names.join(", ")),
                        },
                    );
                    None
                }
            }
        }
    };

    let level = match &raw.level {
        None => {
            check.at(at, here, Problem::MissingField("level"));
            None
        }
        Some(level) => {
            let parsed = Level::from_code(level.get_ref()).ok();
            if parsed.is_none() {
                check.at(Some(level.span().start), here, Problem::UnknownLevel { level: level.get_ref().clone() });
            }
            parsed
        }
    };

    let title = non_blank(raw.title.clone());
    if title.is_none() {
        check.at(at, here, Problem::MissingTitle);
    }
    let guidance = non_blank(raw.guidance.clone());
    if guidance.is_none() {
        check.at(at, here, Problem::MissingField("guidance"));
    }

    let position = match &raw.order {
        None => {
            check.at(at, here, Problem::MissingField("order"));
            None
        }
        Some(order) => match i32::try_from(*order.get_ref()) {
            Ok(p) if p >= 1 => Some(p),
            _ => {
                check.at(
                    Some(order.span().start),
                    here,
                    Problem::InvalidValue { field: "order", message: "must be a whole number from 1".into() },
                );
                None
            }
        },
    };

    let expected_evidence: Vec<String> = raw
        .expected_evidence
        .as_ref()
        .map(|items| items.iter().map(|i| i.trim().to_string()).collect())
        .unwrap_or_default();
    match (&raw.expected_evidence, kind) {
        (None, _) => check.at(at, here, Problem::MissingField("expected_evidence")),
        (Some(_), Some(k)) if expected_evidence.is_empty() && !k.is_grouping() => check.at(
            at,
            here,
            Problem::InvalidValue {
                field: "expected_evidence",
                message: "is empty; list what an assessor expects to see".into(),
            },
        ),
        _ => {}
    }
    if expected_evidence.iter().any(String::is_empty) {
        check.at(at, here, Problem::InvalidValue { field: "expected_evidence", message: "has a blank entry".into() });
    }

    let checks = check_live_checks(check, raw, kind, reference, at);

    if !raw.replaces.is_empty() && file_kind != Some(CatalogueKind::Framework) {
        check.at(at, here, Problem::InvalidValue { field: "replaces", message: "is only for framework files".into() });
    }

    let profession = match kind {
        Some(NodeKind::Profession) => check_profession(check, raw, reference, at),
        _ => {
            if raw.has_profession_fields() {
                check.at(
                    at,
                    here,
                    Problem::InvalidValue {
                        field: "regulator",
                        message: "and the other profession fields belong on profession nodes only".into(),
                    },
                );
            }
            None
        }
    };
    let kpi = match kind {
        Some(NodeKind::Kpi) => check_kpi(check, raw, reference, at),
        _ => {
            if raw.has_kpi_fields() {
                check.at(
                    at,
                    here,
                    Problem::InvalidValue {
                        field: "unit",
                        message: "and the other KPI fields belong on kpi nodes only".into(),
                    },
                );
            }
            None
        }
    };

    if check.errors.len() > errors_before {
        return None;
    }
    Some(Node {
        reference: reference.to_string(),
        parent: raw.parent.as_ref().map(|p| p.get_ref().trim().to_string()),
        kind: kind?,
        level: level?,
        position: position?,
        title: title?,
        guidance: guidance?,
        expected_evidence,
        replaces: raw.replaces.iter().map(|r| r.get_ref().trim().to_string()).collect(),
        checks,
        line,
        profession,
        kpi,
    })
}

/// A node's `checks`: each a known live check, on a standard only, named once. Each unknown name
/// is reported at its own line.
fn check_live_checks(
    check: &mut FileCheck<'_>,
    raw: &RawNode,
    kind: Option<NodeKind>,
    reference: &str,
    at: Option<usize>,
) -> Vec<LiveCheck> {
    if !raw.checks.is_empty() && kind.is_some_and(|k| k != NodeKind::Standard) {
        check.at(
            at,
            Some(reference),
            Problem::InvalidValue { field: "checks", message: "are for standards only".into() },
        );
        return Vec::new();
    }
    let mut checks = Vec::new();
    for name in &raw.checks {
        match LiveCheck::parse(name.get_ref()) {
            Some(known) if checks.contains(&known) => check.at(
                Some(name.span().start),
                Some(reference),
                Problem::InvalidValue { field: "checks", message: format!("name {:?} twice", known.as_str()) },
            ),
            Some(known) => checks.push(known),
            None => check.at(
                Some(name.span().start),
                Some(reference),
                Problem::UnknownCheck { name: name.get_ref().clone() },
            ),
        }
    }
    checks
}

fn one_of<T: Vocabulary>(
    check: &mut FileCheck<'_>,
    value: Option<&String>,
    field: &'static str,
    reference: &str,
    at: Option<usize>,
) -> Option<T> {
    let value = value?;
    match T::from_code(value) {
        Ok(code) => Some(code),
        Err(_) => {
            check.at(
                at,
                Some(reference),
                Problem::InvalidValue { field, message: format!("is {value:?}; use one of {}", T::CODES.join(", ")) },
            );
            None
        }
    }
}

fn positive(
    check: &mut FileCheck<'_>,
    value: Option<i64>,
    field: &'static str,
    reference: &str,
    at: Option<usize>,
) -> Option<u32> {
    let value = value?;
    // Stored as a database integer: positive and within its range.
    match i32::try_from(value) {
        Ok(v) if v > 0 => u32::try_from(v).ok(),
        _ => {
            check.at(
                at,
                Some(reference),
                Problem::InvalidValue { field, message: format!("is {value}; it must be a positive whole number") },
            );
            None
        }
    }
}

fn positive_amount(
    check: &mut FileCheck<'_>,
    value: Option<f64>,
    field: &'static str,
    reference: &str,
    at: Option<usize>,
) -> Option<f64> {
    let value = value?;
    if value.is_finite() && value > 0.0 {
        Some(value)
    } else {
        check.at(
            at,
            Some(reference),
            Problem::InvalidValue { field, message: format!("is {value}; it must be a positive number") },
        );
        None
    }
}

fn check_profession(
    check: &mut FileCheck<'_>,
    raw: &RawNode,
    reference: &str,
    at: Option<usize>,
) -> Option<ProfessionRule> {
    let here = Some(reference);
    let regulator = match &raw.regulator {
        None => {
            check.at(at, here, Problem::MissingField("regulator"));
            None
        }
        Some(r) => one_of::<Regulator>(check, Some(r), "regulator", reference, at),
    };
    let disciplines: Vec<String> = raw.disciplines.clone().unwrap_or_default();
    if disciplines.is_empty() || disciplines.iter().any(|d| d.trim().is_empty()) {
        check.at(at, here, Problem::MissingField("disciplines"));
    }
    let supervised: Vec<String> =
        raw.supervised_disciplines.clone().unwrap_or_default().iter().map(|d| d.trim().to_string()).collect();
    if let Some(stray) = supervised.iter().find(|s| !disciplines.iter().any(|d| d.trim() == s.as_str())) {
        check.at(
            at,
            here,
            Problem::InvalidValue {
                field: "supervised_disciplines",
                message: format!("{stray:?} is not one of this entry's disciplines"),
            },
        );
    }
    if let Some(pattern) = &raw.registration_number_pattern {
        match regex::Regex::new(pattern) {
            Err(e) => check.at(
                at,
                here,
                Problem::InvalidValue {
                    field: "registration_number_pattern",
                    message: format!("is not a valid pattern: {e}"),
                },
            ),
            Ok(re) => match &raw.registration_number_example {
                Some(example) if !re.is_match(example) => check.at(
                    at,
                    here,
                    Problem::InvalidValue {
                        field: "registration_number_example",
                        message: format!("{example:?} does not match the pattern"),
                    },
                ),
                None => check.at(at, here, Problem::MissingField("registration_number_example")),
                _ => {}
            },
        }
    } else if regulator.is_some_and(|r| r != Regulator::None) {
        check.at(at, here, Problem::MissingField("registration_number_pattern"));
    }
    let cpd_cycle = one_of::<CpdCycle>(check, raw.cpd_cycle.as_ref(), "cpd_cycle", reference, at);
    let cpd_unit = one_of::<CpdUnit>(check, raw.cpd_unit.as_ref(), "cpd_unit", reference, at);
    if cpd_cycle.is_some() && (raw.cpd_unit.is_none() || raw.cpd_required.is_none()) {
        check.at(at, here, Problem::MissingField("cpd_required"));
    }
    if cpd_cycle == Some(CpdCycle::RollingPeriods) && (raw.cpd_periods.is_none() || raw.cpd_period_months.is_none()) {
        check.at(at, here, Problem::MissingField("cpd_periods"));
    }
    if cpd_cycle == Some(CpdCycle::Revalidation) && raw.revalidation_months.is_none() {
        check.at(at, here, Problem::MissingField("revalidation_months"));
    }
    let percent = raw.cpd_audit_sample_percent;
    if percent.is_some_and(|p| !(p > 0.0 && p <= 100.0)) {
        check.at(
            at,
            here,
            Problem::InvalidValue {
                field: "cpd_audit_sample_percent",
                message: "must be above 0 and at most 100".into(),
            },
        );
    }
    Some(ProfessionRule {
        regulator: regulator?,
        disciplines: disciplines.iter().map(|d| d.trim().to_string()).collect(),
        supervised_disciplines: supervised,
        registration_number_pattern: raw.registration_number_pattern.clone(),
        registration_number_example: raw.registration_number_example.clone(),
        registration_renewal_months: positive(
            check,
            raw.registration_renewal_months,
            "registration_renewal_months",
            reference,
            at,
        ),
        registration_warning_days: positive(
            check,
            raw.registration_warning_days,
            "registration_warning_days",
            reference,
            at,
        ),
        revalidation_months: positive(check, raw.revalidation_months, "revalidation_months", reference, at),
        revalidation_warning_days: positive(
            check,
            raw.revalidation_warning_days,
            "revalidation_warning_days",
            reference,
            at,
        ),
        appraisal_overdue_months: positive(
            check,
            raw.appraisal_overdue_months,
            "appraisal_overdue_months",
            reference,
            at,
        ),
        cpd_cycle,
        cpd_unit,
        cpd_required: positive_amount(check, raw.cpd_required, "cpd_required", reference, at),
        cpd_participatory_required: positive_amount(
            check,
            raw.cpd_participatory_required,
            "cpd_participatory_required",
            reference,
            at,
        ),
        reflective_accounts_required: positive(
            check,
            raw.reflective_accounts_required,
            "reflective_accounts_required",
            reference,
            at,
        ),
        practice_hours_required: positive(check, raw.practice_hours_required, "practice_hours_required", reference, at),
        feedback_required: positive(check, raw.feedback_required, "feedback_required", reference, at),
        cpd_periods: positive(check, raw.cpd_periods, "cpd_periods", reference, at),
        cpd_period_months: positive(check, raw.cpd_period_months, "cpd_period_months", reference, at),
        cpd_warning_days: positive(check, raw.cpd_warning_days, "cpd_warning_days", reference, at),
        cpd_audit_sample_percent: percent,
        revalidation_cpd_required: positive_amount(
            check,
            raw.revalidation_cpd_required,
            "revalidation_cpd_required",
            reference,
            at,
        ),
    })
}

fn check_kpi(check: &mut FileCheck<'_>, raw: &RawNode, reference: &str, at: Option<usize>) -> Option<KpiDefinition> {
    let here = Some(reference);
    for (present, field) in [
        (raw.unit.is_some(), "unit"),
        (raw.higher_is_better.is_some(), "higher_is_better"),
        (raw.default_target.is_some(), "default_target"),
        (raw.source.is_some(), "source"),
        (raw.indicator.is_some(), "indicator"),
    ] {
        if !present {
            check.at(at, here, Problem::MissingField(field));
        }
    }
    let unit = one_of::<KpiUnit>(check, raw.unit.as_ref(), "unit", reference, at);
    let source = one_of::<KpiSource>(check, raw.source.as_ref(), "source", reference, at);
    let indicator = one_of::<KpiIndicator>(check, raw.indicator.as_ref(), "indicator", reference, at);
    let default_target = raw.default_target.filter(|t| t.is_finite() && *t >= 0.0);
    if raw.default_target.is_some() && default_target.is_none() {
        check.at(
            at,
            here,
            Problem::InvalidValue { field: "default_target", message: "must be a number of 0 or more".into() },
        );
    }
    if unit == Some(KpiUnit::Percent) && default_target.is_some_and(|t| t > 100.0) {
        check.at(
            at,
            here,
            Problem::InvalidValue { field: "default_target", message: "is a percentage above 100".into() },
        );
    }
    Some(KpiDefinition {
        unit: unit?,
        higher_is_better: raw.higher_is_better?,
        default_target: default_target?,
        source: source?,
        indicator: indicator?,
    })
}

/// Parents must exist, be of the right kind, and never lead back to the node itself.
fn check_tree(check: &mut FileCheck<'_>, raw: &RawFile, nodes: &[Node], file_kind: Option<CatalogueKind>) {
    let by_ref: HashMap<&str, &Node> = nodes.iter().map(|n| (n.reference.as_str(), n)).collect();
    // Parents of nodes that failed their own checks still count as existing, so one mistake is not
    // reported twice.
    let all_refs: HashSet<String> = raw
        .node
        .iter()
        .filter_map(|n| n.get_ref().reference.as_ref().map(|r| r.get_ref().trim().to_string()))
        .collect();
    let parent_offset: HashMap<String, usize> = raw
        .node
        .iter()
        .filter_map(|n| {
            let n = n.get_ref();
            Some((n.reference.as_ref()?.get_ref().trim().to_string(), n.parent.as_ref()?.span().start))
        })
        .collect();

    let mut reported_cycles: HashSet<Vec<String>> = HashSet::new();
    for node in nodes {
        let offset = parent_offset.get(&node.reference).copied();
        let Some(parent) = &node.parent else {
            if let Some(kind) = file_kind {
                if !parent_allowed(kind, node.kind, None) {
                    check.at_line(node.line, &node.reference, Problem::MissingField("parent"));
                }
            }
            continue;
        };
        if !all_refs.contains(parent) {
            check.at(offset, Some(&node.reference), Problem::UnknownParent { parent: parent.clone() });
            continue;
        }
        // Walk up; a node seen twice closes a cycle.
        let mut chain = vec![node.reference.clone()];
        let mut current = parent.clone();
        loop {
            if let Some(start) = chain.iter().position(|r| *r == current) {
                let mut cycle: Vec<String> = chain[start..].to_vec();
                let smallest = cycle.iter().enumerate().min_by_key(|(_, r)| r.as_str()).map(|(i, _)| i).unwrap_or(0);
                cycle.rotate_left(smallest);
                if reported_cycles.insert(cycle.clone()) {
                    let mut shown = cycle.clone();
                    shown.push(cycle[0].clone());
                    let first = &cycle[0];
                    let at = parent_offset.get(first).copied();
                    check.at(at, Some(first), Problem::Cycle { chain: shown });
                }
                break;
            }
            chain.push(current.clone());
            match by_ref.get(current.as_str()).and_then(|n| n.parent.clone()) {
                Some(next) if all_refs.contains(&next) => current = next,
                _ => break,
            }
        }
        if let (Some(kind), Some(parent_node)) = (file_kind, by_ref.get(parent.as_str())) {
            if !parent_allowed(kind, node.kind, Some(parent_node.kind)) {
                check.at(
                    offset,
                    Some(&node.reference),
                    Problem::InvalidValue {
                        field: "parent",
                        message: format!(
                            "is {parent:?}, a {}; a {} may not sit under it",
                            parent_node.kind.as_str(),
                            node.kind.as_str()
                        ),
                    },
                );
            }
        }
    }
}

fn parent_allowed(file_kind: CatalogueKind, kind: NodeKind, parent: Option<NodeKind>) -> bool {
    file_kind.node_kinds().iter().find(|(k, _)| *k == kind).is_some_and(|(_, parents)| parents.contains(&parent))
}

#[cfg(test)]
mod tests;
