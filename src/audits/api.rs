//! The plan's JSON document (`GET /api/v1/providers/{id}/audit-plans/{year}`), as typed structs.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{ActionStatus, AuditStatus, AuditType};
use super::store::actions::ActionRecord;
use super::store::audits::{AuditLine, CriterionRow};
use super::store::plans::Plan;
use crate::db::ProviderId;

/// A plan with its audits, their criteria, results and actions, and where it stands with the
/// clinical director.
#[derive(Debug, Clone, Serialize)]
pub struct PlanDocument {
    pub provider_id: ProviderId,
    /// "2026-27".
    pub year: String,
    pub audits: Vec<AuditDocument>,
    /// What the plan lacks against the NHS sector standard; empty when it meets it.
    pub sector_warnings: Vec<String>,
    pub sign_off: SignOffDocument,
}

/// An audit in the plan's document.
#[derive(Debug, Clone, Serialize)]
pub struct AuditDocument {
    pub id: i32,
    pub title: String,
    #[serde(rename = "type")]
    pub audit_type: AuditType,
    pub planned_quarter: i32,
    pub status: AuditStatus,
    pub status_reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    /// The lead's name, only for callers who may read named staff records.
    pub lead: Option<String>,
    pub standards: Vec<String>,
    pub reaudit_of: Option<i32>,
    pub findings: Option<String>,
    pub criteria: Vec<CriterionDocument>,
    pub actions: Vec<ActionDocument>,
}

/// A criterion with its target and result.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionDocument {
    pub description: String,
    pub target_percent: f64,
    pub cases_met: Option<i32>,
    pub cases_checked: Option<i32>,
    pub percent_achieved: Option<f64>,
    pub met_target: Option<bool>,
}

impl From<&CriterionRow> for CriterionDocument {
    fn from(c: &CriterionRow) -> Self {
        CriterionDocument {
            description: c.description.clone(),
            target_percent: c.target_percent,
            cases_met: c.cases_met,
            cases_checked: c.cases_checked,
            percent_achieved: c.percent_achieved,
            met_target: c.met_target,
        }
    }
}

/// An action from an audit.
#[derive(Debug, Clone, Serialize)]
pub struct ActionDocument {
    pub id: i32,
    pub description: String,
    /// The owner's name, only for callers who may read named staff records.
    pub owner: Option<String>,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub closed_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// Where the plan stands with the clinical director: the newest sign-off's signer (named only to
/// those who may read staff names), time (UTC, RFC 3339) and the SHA-256 of the plan as signed.
#[derive(Debug, Clone, Serialize)]
pub struct SignOffDocument {
    /// `draft`, `submitted`, `returned`, `signed_off` or `changed_since_sign_off`.
    pub state: String,
    pub signed_by: Option<String>,
    pub signed_at: Option<String>,
    pub hash: Option<String>,
}

/// What the document is built from, loaded by the route.
pub struct PlanFacts<'a> {
    pub provider_id: ProviderId,
    pub plan: &'a Plan,
    pub audits: &'a [AuditLine],
    pub criteria: &'a [(i32, CriterionRow)],
    pub standards: &'a [(i32, String, String)],
    pub actions: &'a [ActionRecord],
    pub leads: &'a [(crate::db::StaffId, String)],
    pub named: bool,
    /// Where the plan stands with the clinical director (`store::sign_off::summary`).
    pub sign_off: &'a super::store::sign_off::SignOffSummary,
}

/// The document, names left out unless `facts.named`.
pub fn plan_document(facts: &PlanFacts<'_>) -> PlanDocument {
    let counted: Vec<_> =
        facts.audits.iter().map(|a| super::rules::Counted { audit_type: a.audit_type, status: a.status }).collect();
    PlanDocument {
        provider_id: facts.provider_id,
        year: facts.plan.year_url.clone(),
        audits: facts
            .audits
            .iter()
            .map(|a| AuditDocument {
                id: a.id,
                title: a.title.clone(),
                audit_type: a.audit_type,
                planned_quarter: a.planned_quarter,
                status: a.status,
                status_reason: a.status_reason.clone(),
                started_on: a.started_on,
                completed_on: a.completed_on,
                lead: if facts.named {
                    a.lead_staff_id.and_then(|l| facts.leads.iter().find(|(id, _)| *id == l).map(|(_, n)| n.clone()))
                } else {
                    None
                },
                standards: facts.standards.iter().filter(|s| s.0 == a.id).map(|s| s.1.clone()).collect(),
                reaudit_of: a.reaudit_of,
                findings: a.findings.clone(),
                criteria: facts
                    .criteria
                    .iter()
                    .filter(|c| c.0 == a.id)
                    .map(|c| CriterionDocument::from(&c.1))
                    .collect(),
                actions: facts
                    .actions
                    .iter()
                    .filter(|x| x.audit_id == a.id)
                    .map(|x| ActionDocument {
                        id: x.id,
                        description: x.description.clone(),
                        owner: facts.named.then(|| x.owner_name.clone()),
                        due_on: x.due_on,
                        status: x.status,
                        closed_on: x.closed_on,
                        overdue: x.overdue,
                    })
                    .collect(),
            })
            .collect(),
        sector_warnings: super::rules::sector_warnings(&counted),
        sign_off: SignOffDocument {
            state: facts.sign_off.state.to_string(),
            signed_by: facts.sign_off.signed_by.clone().filter(|_| facts.named),
            signed_at: facts
                .sign_off
                .signed_at
                .map(|at| at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            hash: facts.sign_off.hash.clone(),
        },
    }
}
