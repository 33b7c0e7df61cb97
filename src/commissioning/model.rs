//! The commissioning area's closed lists, its forms, and the facts about one provider that the
//! comparison and the key questions are judged from.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::accounts::access::Capability;
use crate::assessment::model::AccreditationStatus;
use crate::audits::model::PlanState;
use crate::db::ProviderId;
use crate::form::{optional_text, required_date, required_text, FieldErrors};
use crate::workforce::rules::Issue;

crate::vocabulary! {
    /// Which side of the contract recorded a customer review; someone of the other side confirms it.
    pub enum ReviewSide {
        Provider => ("provider", "The provider"),
        Commissioner => ("commissioner", "The commissioner"),
    }
    name = "side", stored_in = [customer_reviews.recorded_side];
}

crate::vocabulary! {
    /// How the provider's OH information system exchanges data with the Electronic Staff Record,
    /// as the provider declares it.
    pub enum EsrInterface {
        Bidirectional => ("bidirectional", "Interfaced both ways with ESR"),
        OneWay => ("one_way", "Receives staff data from ESR, sends nothing back"),
        NotInterfaced => ("none", "Not interfaced with ESR"),
    }
    name = "ESR interface", stored_in = [esr_declarations(provider_id).interface];
}

crate::vocabulary! {
    /// A key question's answer. `NotEvidenced` is said whenever the records cannot answer: the
    /// answer never guesses.
    pub enum AnswerValue {
        Yes => ("yes", "Yes"),
        Partly => ("partly", "Partly"),
        No => ("no", "No"),
        NotEvidenced => ("not_evidenced", "Not evidenced"),
    }
    name = "answer", stored_in = [];
}

/// The longest a customer review's free text may be, each field.
pub const REVIEW_TEXT_LIMIT: usize = 10_000;

/// A customer review as the form sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewInput {
    /// The commissioner's organisation id; blank when the recorder belongs to only one.
    pub commissioner_id: String,
    pub held_on: String,
    pub attendees: String,
    pub topics: String,
    pub outcomes: String,
    pub agreed_actions: String,
}

/// A checked customer review; the commissioner is checked by the store against the contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub commissioner_id: Option<i32>,
    pub held_on: NaiveDate,
    pub attendees: String,
    pub topics: String,
    pub outcomes: String,
    pub agreed_actions: String,
}

impl ReviewInput {
    /// Every bad field at once. A review is recorded after it is held, so not in the future.
    pub fn parse(&self, today: NaiveDate) -> Result<Review, FieldErrors> {
        let mut errors = FieldErrors::default();
        let commissioner_id = match self.commissioner_id.trim() {
            "" => None,
            id => {
                id.parse::<i32>().map_err(|_| errors.add("commissioner_id", "Choose a commissioner from the list")).ok()
            }
        };
        let held_on = required_date(&mut errors, "held_on", &self.held_on, "Enter the day the review was held");
        if held_on.is_some_and(|day| day > today) {
            errors.add("held_on", "The review must have been held: the day cannot be in the future");
        }
        let limit = REVIEW_TEXT_LIMIT;
        let attendees = required_text(&mut errors, "attendees", &self.attendees, limit, "Name who attended");
        let topics = required_text(&mut errors, "topics", &self.topics, limit, "Enter the topics discussed");
        let outcomes = required_text(&mut errors, "outcomes", &self.outcomes, limit, "Enter the outcomes");
        let agreed_actions =
            optional_text(&mut errors, "agreed_actions", &self.agreed_actions, limit).unwrap_or_default();
        match held_on {
            Some(held_on) if errors.is_empty() => {
                Ok(Review { commissioner_id, held_on, attendees, topics, outcomes, agreed_actions })
            }
            _ => Err(errors),
        }
    }
}

/// The ESR declaration as the form sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EsrInput {
    pub interface: String,
    pub declared_on: String,
    /// The id of one of the provider's current evidence items, or blank.
    pub evidence_id: String,
}

/// A checked ESR declaration; the evidence item is checked by the store against the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsrDeclaration {
    pub interface: EsrInterface,
    pub declared_on: NaiveDate,
    pub evidence_id: Option<i32>,
}

impl EsrInput {
    /// Every bad field at once. A declaration is made on a day that has come.
    pub fn parse(&self, today: NaiveDate) -> Result<EsrDeclaration, FieldErrors> {
        let mut errors = FieldErrors::default();
        let interface = EsrInterface::parse(self.interface.trim());
        if interface.is_none() {
            errors.add("interface", "Choose how the information system exchanges data with ESR");
        }
        let declared_on =
            required_date(&mut errors, "declared_on", &self.declared_on, "Enter the day of the declaration");
        if declared_on.is_some_and(|day| day > today) {
            errors.add("declared_on", "The declaration's day cannot be in the future");
        }
        let evidence_id = match self.evidence_id.trim() {
            "" => None,
            id => {
                id.parse::<i32>().map_err(|_| errors.add("evidence_id", "Choose an evidence item from the list")).ok()
            }
        };
        match (interface, declared_on) {
            (Some(interface), Some(declared_on)) if errors.is_empty() => {
                Ok(EsrDeclaration { interface, declared_on, evidence_id })
            }
            _ => Err(errors),
        }
    }
}

/// One key question answered for one provider: its stable code (`seqohs_accreditation`), the
/// value, the facts in words ("2 of 10 sub-specialisms have no arrangement: radiation, GMOs"), and
/// the records or documents behind it, as (label, address) pairs relative to the provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub number: u8,
    pub code: &'static str,
    pub question: &'static str,
    pub value: AnswerValue,
    pub facts: String,
    pub sources: Vec<Source>,
}

/// A record or document an answer rests on: what it is, and where to read it (a path on this site).
/// `needs` is the capability the page's handler authorises, so a page links a source only for a
/// user who may open it (the workforce figures are not the assessors' to read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub label: String,
    pub href: String,
    #[serde(skip)]
    pub needs: Capability,
}

/// Everything the comparison and the key questions need to know about one provider on one day.
/// Gathered for many providers at once by `store::facts` (set-based queries), judged by `rules`,
/// and kept as JSON in `provider_figures`, so every field reads back as it was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderFacts {
    pub provider_id: ProviderId,
    pub name: String,
    /// The day the facts were judged on.
    pub as_of: NaiveDate,
    /// None: the provider has never recorded where it stands with SEQOHS.
    pub accreditation: Option<AccreditationFacts>,
    /// The self-assessment against the framework in use, by domain in catalogue order.
    pub domains: Vec<DomainFacts>,
    /// The references of the applicable "must" standards not met ("GF1.2").
    pub must_not_met: Vec<String>,
    /// Open findings (not closed, not withdrawn), and how many are major nonconformities.
    pub open_findings: usize,
    pub open_major_findings: usize,
    /// Someone holds a current clinical director's membership of the provider.
    pub has_clinical_director: bool,
    /// This financial year's audit plan: its state, whether it changed since it was signed off,
    /// and whether it includes a national benchmarking audit (MoHaWK) not deferred or cancelled.
    pub audit_plan: Option<AuditPlanFacts>,
    /// Audit actions open past their due date.
    pub overdue_actions: usize,
    /// The evidence items that carry a document kind, current or not.
    pub documents: Vec<DocumentFacts>,
    pub workforce: WorkforceFacts,
    pub coverage: CoverageFacts,
    /// None: no declaration.
    pub esr: Option<EsrFacts>,
    /// The day of the last staff import (the history's import of staff rows), if any.
    pub last_staff_import: Option<NaiveDate>,
    pub reviews: ReviewFacts,
    pub kpis: KpiFacts,
}

impl ProviderFacts {
    /// A provider of whom nothing is recorded yet: the start the gathering fills in.
    pub fn new(provider_id: ProviderId, name: String, as_of: NaiveDate) -> Self {
        ProviderFacts {
            provider_id,
            name,
            as_of,
            accreditation: None,
            domains: Vec::new(),
            must_not_met: Vec::new(),
            open_findings: 0,
            open_major_findings: 0,
            has_clinical_director: false,
            audit_plan: None,
            overdue_actions: 0,
            documents: Vec::new(),
            workforce: WorkforceFacts::default(),
            coverage: CoverageFacts::default(),
            esr: None,
            last_staff_import: None,
            reviews: ReviewFacts::default(),
            kpis: KpiFacts::default(),
        }
    }
}

/// The references of the catalogue's document kinds (standards/document-kinds.toml) that the key
/// questions ask for by name.
pub mod document_kinds {
    pub const AUDIT_PLAN: &str = "audit_plan";
    pub const STAFF_DEVELOPMENT_PLAN: &str = "staff_development_plan";
    pub const SPECIALIST_TRAINING_PLAN: &str = "specialist_training_plan";
    pub const SERVICE_DEVELOPMENT_PLAN: &str = "service_development_plan";
    pub const EARLY_RETURN_TO_WORK_PROCESS: &str = "early_return_to_work_process";
    pub const RESEARCH_DEVELOPMENT_PLAN: &str = "research_development_plan";
    pub const CONTINGENCY_PLAN: &str = "contingency_plan";
    pub const INFORMATION_SHARING_AGREEMENT: &str = "information_sharing_agreement";
}

/// Where a provider stands with SEQOHS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccreditationFacts {
    pub status: AccreditationStatus,
    /// The day the status took effect, as recorded.
    pub status_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
}

/// One domain's standards in the current self-assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFacts {
    /// "GF", as the catalogue gives it.
    pub reference: String,
    pub title: String,
    /// Standards that apply (not "not applicable"), and how many of those are met.
    pub applicable: usize,
    pub met: usize,
    /// Applicable standards not assessed yet.
    pub not_assessed: usize,
}

/// This financial year's audit plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPlanFacts {
    /// "2026-27", as the plan's address has it.
    pub year: String,
    pub state: PlanState,
    pub changed_since_sign_off: bool,
    pub national_audit: bool,
    pub local_clinical_audits: usize,
}

/// An evidence item that is a kind of document commissioners ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFacts {
    /// The reference in standards/document-kinds.toml ("staff_development_plan").
    pub kind: String,
    pub title: String,
    /// The evidence item's id, for its page.
    pub evidence_id: i32,
    pub review_due: Option<NaiveDate>,
    /// Not superseded, not withdrawn, and not past its review date on `as_of`: only these count.
    pub current: bool,
}

/// The people in post on `as_of`, judged by the workforce rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorkforceFacts {
    pub in_post: usize,
    /// People in the specialist and intermediate clinical tiers.
    pub specialist_tier: usize,
    pub intermediate_tier: usize,
    pub non_clinical_tier: usize,
    pub consultants: usize,
    /// Consultants with neither CCT nor CESR recorded.
    pub consultants_without_route: usize,
    /// Doctors (GMC registrants) in post, how many have no Responsible Officer recorded, and the
    /// Responsible Officers named, each once, in order.
    pub doctors: usize,
    pub doctors_without_ro: usize,
    pub responsible_officers: Vec<String>,
    pub nurses: usize,
    pub practice_teachers: usize,
    pub specialty_registrars: usize,
    /// People who hold a professional registration, and how many have a registration issue
    /// (expired or due), a CPD issue (any of the CPD codes), or any issue at all.
    pub registrants: usize,
    pub registration_issues: usize,
    pub cpd_issues: usize,
    pub people_with_issues: usize,
    /// Each issue code's count, every code present (zero included), in `Issue::ALL` order.
    pub issues: Vec<(Issue, usize)>,
    /// The non-clinical tier's people who must attend clinical supervision, and how many of them
    /// are not overdue for it.
    pub non_clinical_needing_supervision: usize,
    pub non_clinical_supervised: usize,
}

/// The core services and sub-specialisms, as the provider records how each is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CoverageFacts {
    pub core_services: usize,
    /// Titles of the core services with no delivery in place on `as_of` (not recorded, not
    /// available, or an arrangement not running that day).
    pub core_gaps: Vec<String>,
    pub subspecialisms: usize,
    /// How many sub-specialisms have a delivery recorded at all; with none, the records cannot say.
    pub subspecialisms_recorded: usize,
    pub subspecialism_gaps: Vec<String>,
    /// Arrangements ending within 90 days of `as_of`: the service's title and the last day.
    pub arrangements_ending: Vec<(String, NaiveDate)>,
}

/// The provider's ESR declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EsrFacts {
    pub interface: EsrInterface,
    pub declared_on: NaiveDate,
    /// The evidence item that shows it (the current version of the series named), if any.
    pub evidence_id: Option<i32>,
}

/// The customer reviews the provider has held with any of its commissioners.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReviewFacts {
    /// The day of the latest confirmed review.
    pub last_confirmed: Option<NaiveDate>,
    /// Reviews recorded by one side and not yet confirmed by the other.
    pub awaiting_confirmation: usize,
    /// The earliest start of a current contract: six months after it, a first review is due.
    pub contracted_since: Option<NaiveDate>,
}

/// The quality indicators the provider reports.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct KpiFacts {
    /// The last period with any value reported: its first and last day.
    pub last_period: Option<(NaiveDate, NaiveDate)>,
    /// The KPIs of that period missing their target, by title.
    pub missing_target: Vec<String>,
    pub reported: usize,
}
