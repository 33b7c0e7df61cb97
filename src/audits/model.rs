//! The audit programme's closed lists and the typed values its forms produce. Pure.

crate::vocabulary! {
    /// What kind of audit it is. The NHS sector standard asks for at least two local clinical audits
    /// a year and a national one (MoHaWK benchmarking).
    pub enum AuditType {
        LocalClinical => ("local_clinical", "Local clinical audit"),
        NationalBenchmarking => ("national_benchmarking", "National benchmarking (MoHaWK)"),
        SeqohsInternal => ("seqohs_internal", "SEQOHS internal audit"),
        RecordKeeping => ("record_keeping", "Record-keeping audit"),
        ReportQuality => ("report_quality", "Report-quality (\"handrail\") audit"),
        Other => ("other", "Other"),
    }
    name = "audit type", stored_in = [audits.audit_type];
}

crate::vocabulary! {
    /// Where an audit stands. Deferred and cancelled carry a reason.
    pub enum AuditStatus {
        Planned => ("planned", "Planned"),
        InProgress => ("in_progress", "In progress"),
        Completed => ("completed", "Completed"),
        Deferred => ("deferred", "Deferred"),
        Cancelled => ("cancelled", "Cancelled"),
    }
    name = "audit status", stored_in = [audits.status];
}

impl AuditStatus {
    /// Deferring or cancelling an audit is a decision that needs its reason written down.
    pub fn needs_reason(self) -> bool {
        matches!(self, AuditStatus::Deferred | AuditStatus::Cancelled)
    }
}

crate::vocabulary! {
    /// Where an action from an audit stands. Dropped carries a reason.
    pub enum ActionStatus {
        Open => ("open", "Open"),
        Done => ("done", "Done"),
        Dropped => ("dropped", "Dropped"),
    }
    name = "action status", stored_in = [audit_actions.status];
}

crate::vocabulary! {
    /// Where a plan stands with the clinical director, as stored. "Changed since sign-off" is not
    /// stored: it is a signed-off plan whose content no longer hashes to its newest sign-off.
    pub enum PlanState {
        Draft => ("draft", "Draft"),
        Submitted => ("submitted", "Submitted for sign-off"),
        Returned => ("returned", "Returned with a comment"),
        SignedOff => ("signed_off", "Signed off"),
    }
    name = "plan state", stored_in = [audit_plans.state];
}
