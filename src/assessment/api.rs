//! The readiness document `GET /api/v1/providers/{id}/readiness` serves and `ohgov readiness
//! --json` prints, as types: its shape is a contract with other systems, so it is written down
//! here once. Fields are in alphabetical order, as the document has always been printed.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{AssessmentResult, Verdict, Workflow};
use super::store::ReadinessReport;
use crate::db::ProviderId;

#[derive(Debug, Serialize)]
pub struct ReadinessDocument<'a> {
    pub accreditation: AccreditationDocument<'a>,
    pub cycle: Option<CycleDocument<'a>>,
    pub domains: Vec<DomainDocument<'a>>,
    pub provider_id: ProviderId,
    pub totals: Totals,
}

#[derive(Debug, Serialize)]
pub struct AccreditationDocument<'a> {
    pub accredited_on: Option<NaiveDate>,
    pub deferred_due: Option<NaiveDate>,
    pub evidence_submitted_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub months_working_towards: Option<u32>,
    pub next_renewal_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub self_assessment_completed_on: Option<NaiveDate>,
    pub status: &'a str,
    pub status_on: Option<NaiveDate>,
    pub visit_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize)]
pub struct CycleDocument<'a> {
    /// The framework's code, such as `seqohs-2023`.
    pub framework: &'a str,
    pub kind: &'a str,
    pub started_on: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub evidence_due_soon: usize,
    pub evidence_overdue: usize,
    /// Standards marked met that a live check contradicts.
    pub contradicted_by_records: usize,
    pub met_without_current_evidence: usize,
    pub must_not_met: usize,
    pub open_findings: usize,
    pub open_requests: usize,
    pub standards: usize,
    pub without_evidence: usize,
}

#[derive(Debug, Serialize)]
pub struct DomainDocument<'a> {
    /// False: the optional domain does not apply to this service; its standards are not counted.
    pub applies: bool,
    pub reference: &'a str,
    pub standards: Vec<StandardDocument<'a>>,
    pub title: &'a str,
}

#[derive(Debug, Serialize)]
pub struct StandardDocument<'a> {
    pub carried_over: bool,
    /// Marked met while a live check fails with no exception in force.
    pub contradicted_by_records: bool,
    pub current_evidence_count: usize,
    pub evidence_count: usize,
    pub level: &'a str,
    pub live_checks: Vec<LiveCheckDocument<'a>>,
    pub overdue_evidence_count: usize,
    pub reference: &'a str,
    pub result: AssessmentResult,
    pub workflow_state: Workflow,
}

/// One live check's verdict on a standard.
#[derive(Debug, Serialize)]
pub struct LiveCheckDocument<'a> {
    /// The catalogue's name for the check, such as `workforce.registrations_current`.
    pub code: &'a str,
    /// Exceptions recorded against it on this standard that are in force today.
    pub exception_in_force: bool,
    pub facts: Vec<&'a str>,
    pub question: &'a str,
    pub since: NaiveDate,
    pub summary: &'a str,
    pub verdict: Verdict,
}

impl ReadinessReport {
    /// The readiness document: the accreditation record, the cycle, totals, and each domain's
    /// standards with their evidence counts.
    pub fn to_json(&self, provider_id: ProviderId, today: NaiveDate) -> ReadinessDocument<'_> {
        let record = &self.accreditation;
        let r = &self.readiness;
        ReadinessDocument {
            accreditation: AccreditationDocument {
                accredited_on: record.accredited_on,
                deferred_due: record.deferred_due,
                evidence_submitted_on: record.evidence_submitted_on,
                expires_on: record.expires_on,
                months_working_towards: record.months_working_towards,
                next_renewal_on: record.next_renewal_on,
                registered_on: record.registered_on,
                self_assessment_completed_on: record.self_assessment_completed_on,
                status: record.status.as_ref(),
                status_on: record.status_on,
                visit_on: record.visit_on,
            },
            cycle: self.cycle.as_ref().map(|c| CycleDocument {
                framework: &c.framework_code,
                kind: c.kind.as_ref(),
                started_on: c.started_on,
            }),
            domains: r
                .domains
                .iter()
                .map(|d| DomainDocument {
                    applies: d.applies,
                    reference: &d.reference,
                    title: &d.title,
                    standards: d
                        .standards
                        .iter()
                        .map(|s| StandardDocument {
                            carried_over: s.carried_over,
                            contradicted_by_records: s.contradicted,
                            current_evidence_count: s.current_evidence_count,
                            evidence_count: s.evidence_count,
                            level: s.level.as_ref(),
                            live_checks: s
                                .live_checks
                                .iter()
                                .map(|v| LiveCheckDocument {
                                    code: v.check.as_str(),
                                    exception_in_force: v.exceptions.iter().any(|e| e.in_force(today)),
                                    facts: v.facts.iter().map(|f| f.text.as_str()).collect(),
                                    question: v.question,
                                    since: v.since,
                                    summary: &v.summary,
                                    verdict: v.verdict,
                                })
                                .collect(),
                            overdue_evidence_count: s.overdue_evidence_count,
                            reference: &s.reference,
                            result: s.result,
                            workflow_state: s.workflow,
                        })
                        .collect(),
                })
                .collect(),
            provider_id,
            totals: Totals {
                evidence_due_soon: r.evidence_due_soon,
                evidence_overdue: r.evidence_overdue,
                contradicted_by_records: r.contradicted,
                met_without_current_evidence: r.met_without_current_evidence,
                must_not_met: r.must_not_met,
                open_findings: r.open_findings,
                open_requests: r.open_requests,
                standards: r.standard_count,
                without_evidence: r.without_evidence,
            },
        }
    }
}
