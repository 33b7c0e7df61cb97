//! The clinical director's sign-off, decided without the database: the snapshot of a plan as it is
//! signed, its canonical JSON and SHA-256, what changed between two snapshots (in words), where a
//! plan stands, and the NHS sector standard's check of a plan.
//!
//! What is signed is the plan, not its execution. The snapshot holds, for each audit: its title,
//! type, standards, service, lead, planned quarter, method, sample size, criteria with their
//! targets, whether it is deferred or cancelled (with the reason), and which audit it re-audits.
//! Progress is left out (in progress or completed, the dates, results, findings, actions and
//! progress reports), so carrying the plan out never invalidates the signature; deferring or
//! cancelling an audit changes the plan and does. An audit in progress or completed is written
//! `"status": "planned"`: it is still the planned audit.
//!
//! Identity in the snapshot is in the field's words, not row ids, so the same plan content hashes
//! the same wherever it is: the provider (by its id) and the year are the only fields that say whose
//! plan it is; an audit is known by its title, a re-audit names the year and title of the audit it
//! repeats, and the lead is the staff record's id with the person's name (both are what was signed).
//!
//! The canonical form is RFC 8785 (JCS): object keys sorted by their UTF-16 code units, no
//! whitespace, strings escaped as JSON.stringify does (which serde_json matches). The writer sorts
//! keys itself rather than trusting serde_json's map order. The snapshot holds no floating-point
//! numbers, so number formatting cannot differ: a target percentage is a decimal string with at most
//! two decimal places and no trailing zeros ("95", "97.5").

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::model::{AuditStatus, AuditType, PlanState};
use crate::clock::FinancialYear;
use crate::form::FieldErrors;

/// A plan as it is signed: whose, which year, and each audit's plan fields (ordered by the audits'
/// ids, so the order is the order they were added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSnapshot {
    pub provider_id: i32,
    /// The year as URLs write it, "2026-27".
    pub year: String,
    pub audits: Vec<AuditSnapshot>,
}

/// One audit's plan fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSnapshot {
    pub title: String,
    /// The `AuditType` code.
    pub audit_type: String,
    /// Catalogue references, sorted.
    pub standards: Vec<String>,
    /// The catalogue reference of the core service or sub-specialism it looks at.
    pub service: Option<String>,
    pub lead: Option<LeadSnapshot>,
    pub planned_quarter: i32,
    pub method: String,
    pub sample_size: Option<i32>,
    /// By position.
    pub criteria: Vec<CriterionSnapshot>,
    /// "planned" (whether planned, in progress or completed), "deferred" or "cancelled".
    pub status: String,
    /// Why it was deferred or cancelled.
    pub status_reason: Option<String>,
    pub reaudit_of: Option<ReauditOf>,
}

/// The audit's lead: the staff record and the person's name as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadSnapshot {
    pub staff_id: i32,
    pub name: String,
}

/// What an audit measures and its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionSnapshot {
    pub position: i32,
    pub description: String,
    /// A decimal string: "95", "97.5".
    pub target_percent: String,
}

/// The audit a re-audit repeats, by its plan's year and its title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReauditOf {
    pub year: String,
    pub title: String,
}

/// The status as signed: progress is not part of the plan (see the module's documentation).
pub fn signed_status(status: AuditStatus) -> &'static str {
    match status {
        AuditStatus::Deferred => "deferred",
        AuditStatus::Cancelled => "cancelled",
        AuditStatus::Planned | AuditStatus::InProgress | AuditStatus::Completed => "planned",
    }
}

/// A percentage as a decimal string with at most two decimal places and no trailing zeros, so the
/// snapshot holds no float: 95.0 is "95", 97.5 is "97.5", 33.333 is "33.33".
pub fn percent_text(value: f64) -> String {
    let hundredths = (value * 100.0).round() as i64;
    let (whole, part) = (hundredths / 100, (hundredths % 100).abs());
    let sign = if hundredths < 0 && whole == 0 { "-" } else { "" };
    match part {
        0 => format!("{sign}{whole}"),
        p if p % 10 == 0 => format!("{sign}{whole}.{}", p / 10),
        p => format!("{sign}{whole}.{p:02}"),
    }
}

/// The RFC 8785 (JCS) text of a JSON value: keys sorted by UTF-16 code units, no whitespace,
/// strings escaped as JSON.stringify does. Numbers are written as serde_json writes them; the
/// snapshot holds integers only.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as JSON.stringify writes it: `"` and `\` escaped, \b \f \n \r \t in short form,
/// other control characters as \u00xx (lower-case hex), everything else as it is.
fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl PlanSnapshot {
    /// The canonical JSON text that is stored and hashed.
    pub fn canonical(&self) -> String {
        canonical_json(&serde_json::to_value(self).unwrap_or(Value::Null))
    }

    /// The SHA-256 of the canonical JSON.
    pub fn hash(&self) -> String {
        sha256_hex(self.canonical().as_bytes())
    }

    /// The year as people read it, "2026/27" (as stored when it cannot be read).
    pub fn year_label(&self) -> String {
        year_label(&self.year)
    }
}

/// "2026-27" as "2026/27"; any other text as it is.
pub fn year_label(year: &str) -> String {
    year.parse::<FinancialYear>().map(|y| y.to_string()).unwrap_or_else(|_| year.to_string())
}

fn type_label(code: &str) -> String {
    AuditType::ALL.iter().find(|t| t.as_str() == code).map_or_else(|| code.to_string(), |t| t.label().to_string())
}

/// The NHS sector standard's check of the plan as signed: the one rule the plan page uses
/// (`rules::sector_warnings`), read from the snapshot, where an audit is planned (it will happen),
/// deferred or cancelled.
pub fn sector_standard_warnings(plan: &PlanSnapshot) -> Vec<String> {
    let counted: Vec<super::rules::Counted> = plan
        .audits
        .iter()
        .filter_map(|a| {
            Some(super::rules::Counted {
                audit_type: AuditType::parse(&a.audit_type)?,
                status: AuditStatus::parse(&a.status).unwrap_or(AuditStatus::Planned),
            })
        })
        .collect();
    super::rules::sector_warnings(&counted)
}

fn quoted(text: &str) -> String {
    format!("'{text}'")
}

fn or_none<T>(value: &Option<T>, show: impl Fn(&T) -> String) -> String {
    value.as_ref().map_or_else(|| "none".to_string(), show)
}

/// What changed from one snapshot to the next, field by field, in words: "Audit added: 'Consent to
/// referral'", "Audit 'Consent to referral': target for 'Consent recorded' changed from 95% to
/// 90%". Audits are matched by title; those left over on both sides are taken as renamed, in order.
pub fn changes(before: &PlanSnapshot, after: &PlanSnapshot) -> Vec<String> {
    let mut out = Vec::new();
    if before.provider_id != after.provider_id {
        out.push("The plan is now another provider's".to_string());
    }
    if before.year != after.year {
        out.push(format!("Year changed from {} to {}", year_label(&before.year), year_label(&after.year)));
    }
    let after_titles: BTreeSet<&str> = after.audits.iter().map(|a| a.title.as_str()).collect();
    let before_titles: BTreeSet<&str> = before.audits.iter().map(|a| a.title.as_str()).collect();
    let gone: Vec<&AuditSnapshot> = before.audits.iter().filter(|a| !after_titles.contains(a.title.as_str())).collect();
    let new: Vec<&AuditSnapshot> = after.audits.iter().filter(|a| !before_titles.contains(a.title.as_str())).collect();
    let renamed = gone.len().min(new.len());
    for old in &before.audits {
        if let Some(now) = after.audits.iter().find(|a| a.title == old.title) {
            audit_changes(old, now, &mut out);
        }
    }
    for (old, now) in gone.iter().zip(new.iter()).take(renamed) {
        out.push(format!("Audit {} renamed {}", quoted(&old.title), quoted(&now.title)));
        audit_changes(old, now, &mut out);
    }
    for old in gone.iter().skip(renamed) {
        out.push(format!("Audit removed: {}", quoted(&old.title)));
    }
    for now in new.iter().skip(renamed) {
        out.push(format!("Audit added: {}", quoted(&now.title)));
    }
    out
}

fn audit_changes(old: &AuditSnapshot, now: &AuditSnapshot, out: &mut Vec<String>) {
    let name = quoted(&now.title);
    let mut say = |what: String| out.push(format!("Audit {name}: {what}"));
    let changed = |field: &str, from: String, to: String| format!("{field} changed from {from} to {to}");
    if old.audit_type != now.audit_type {
        say(changed("type", type_label(&old.audit_type), type_label(&now.audit_type)));
    }
    let (was, is): (BTreeSet<&String>, BTreeSet<&String>) =
        (old.standards.iter().collect(), now.standards.iter().collect());
    let added: Vec<&str> = is.difference(&was).map(|s| s.as_str()).collect();
    let removed: Vec<&str> = was.difference(&is).map(|s| s.as_str()).collect();
    if !added.is_empty() {
        say(format!("standards: {} added", crate::words::listed(&added)));
    }
    if !removed.is_empty() {
        say(format!("standards: {} removed", crate::words::listed(&removed)));
    }
    if old.service != now.service {
        say(changed("service", or_none(&old.service, String::clone), or_none(&now.service, String::clone)));
    }
    if old.lead != now.lead {
        let lead = |l: &LeadSnapshot| l.name.clone();
        say(changed("lead", or_none(&old.lead, lead), or_none(&now.lead, lead)));
    }
    if old.planned_quarter != now.planned_quarter {
        say(changed("planned quarter", format!("Q{}", old.planned_quarter), format!("Q{}", now.planned_quarter)));
    }
    if old.method != now.method {
        say(changed("method", quoted(&old.method), quoted(&now.method)));
    }
    if old.sample_size != now.sample_size {
        say(changed(
            "sample size",
            or_none(&old.sample_size, i32::to_string),
            or_none(&now.sample_size, i32::to_string),
        ));
    }
    for criterion in &old.criteria {
        match now.criteria.iter().find(|c| c.position == criterion.position) {
            None => say(format!("criterion {} removed", quoted(&criterion.description))),
            Some(c) => {
                if c.description != criterion.description {
                    say(changed(
                        &format!("criterion {}", criterion.position),
                        quoted(&criterion.description),
                        quoted(&c.description),
                    ));
                }
                if c.target_percent != criterion.target_percent {
                    say(changed(
                        &format!("target for {}", quoted(&c.description)),
                        format!("{}%", criterion.target_percent),
                        format!("{}%", c.target_percent),
                    ));
                }
            }
        }
    }
    for criterion in now.criteria.iter().filter(|c| !old.criteria.iter().any(|o| o.position == c.position)) {
        say(format!("criterion {} added, target {}%", quoted(&criterion.description), criterion.target_percent));
    }
    if old.status != now.status {
        say(match now.status.as_str() {
            "planned" => format!("no longer {}", old.status),
            status => format!("now {status}: {}", now.status_reason.as_deref().unwrap_or("no reason given")),
        });
    } else if old.status_reason != now.status_reason {
        say(changed(
            &format!("reason it is {}", now.status),
            or_none(&old.status_reason, |r| quoted(r)),
            or_none(&now.status_reason, |r| quoted(r)),
        ));
    }
    if old.reaudit_of != now.reaudit_of {
        let of = |r: &ReauditOf| format!("{} ({})", quoted(&r.title), year_label(&r.year));
        say(match &now.reaudit_of {
            Some(r) => format!("now a re-audit of {}", of(r)),
            None => "no longer a re-audit".to_string(),
        });
    }
}

/// Where a plan stands with the clinical director, as people read it: the stored state, with "signed
/// off" split by whether the plan still hashes to its newest sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffStatus {
    Draft,
    Submitted,
    Returned,
    SignedOff,
    ChangedSinceSignOff,
}

impl SignOffStatus {
    const ALL: [SignOffStatus; 5] = [
        SignOffStatus::Draft,
        SignOffStatus::Submitted,
        SignOffStatus::Returned,
        SignOffStatus::SignedOff,
        SignOffStatus::ChangedSinceSignOff,
    ];

    /// The status a code names (the history's lines read them back into words).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == code)
    }

    /// The code the JSON API writes.
    pub fn as_str(self) -> &'static str {
        match self {
            SignOffStatus::Draft => "draft",
            SignOffStatus::Submitted => "submitted",
            SignOffStatus::Returned => "returned",
            SignOffStatus::SignedOff => "signed_off",
            SignOffStatus::ChangedSinceSignOff => "changed_since_sign_off",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            SignOffStatus::Draft => "Draft: not yet submitted for sign-off",
            SignOffStatus::Submitted => "Submitted: awaiting the clinical director's sign-off",
            SignOffStatus::Returned => "Returned to the service manager with a comment",
            SignOffStatus::SignedOff => "Signed off",
            SignOffStatus::ChangedSinceSignOff => "Changed since sign-off: it must be signed off again",
        }
    }

    /// The status from the stored state and the hashes of the plan now and of its newest sign-off.
    pub fn of(stored: PlanState, current_hash: &str, signed_hash: Option<&str>) -> Self {
        match stored {
            PlanState::Draft => SignOffStatus::Draft,
            PlanState::Submitted => SignOffStatus::Submitted,
            PlanState::Returned => SignOffStatus::Returned,
            PlanState::SignedOff if signed_hash == Some(current_hash) => SignOffStatus::SignedOff,
            PlanState::SignedOff => SignOffStatus::ChangedSinceSignOff,
        }
    }

    /// Whether a manager may submit the plan now: a draft, a returned plan, or one changed since
    /// it was signed off. A submitted plan, or a signed-off one unchanged, may not be.
    pub fn may_submit(self) -> bool {
        matches!(self, SignOffStatus::Draft | SignOffStatus::Returned | SignOffStatus::ChangedSinceSignOff)
    }

    /// Whether the plan awaits a clinical director's decision (sign or return).
    pub fn awaits_decision(self) -> bool {
        self == SignOffStatus::Submitted
    }
}

/// Why `signer` may not sign a submitted plan off, or None when they may: whoever submitted it may
/// not, unless the provider has a single clinical director and has said so.
pub fn signer_refusal(signer: i32, submitted_by: Option<i32>, submitter_may_sign_off: bool) -> Option<&'static str> {
    (submitted_by == Some(signer) && !submitter_may_sign_off).then_some(
        "You submitted this plan, so another clinical director must sign it off. A provider with a single \
         clinical director can allow the submitter to sign off in the setting below.",
    )
}

/// The sign-off form: the box ticked to say the plan was reviewed, and the hash of the plan as the
/// page showed it, so what is signed is what was read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SignInput {
    #[serde(default)]
    pub reviewed: String,
    #[serde(default)]
    pub hash: String,
}

impl SignInput {
    /// The hash the page showed (None when the form carried none), or the problem at the box.
    pub fn parse(&self) -> Result<Option<String>, FieldErrors> {
        if self.reviewed != "yes" {
            return Err(FieldErrors::one("reviewed", "Tick the box to confirm you have reviewed this plan"));
        }
        Ok(Some(self.hash.trim().to_string()).filter(|h| !h.is_empty()))
    }
}

/// The return form: the comment for the service manager (checked by the store).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReturnInput {
    #[serde(default)]
    pub comment: String,
}

/// The single-director setting's form: "yes" or "no".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SettingInput {
    #[serde(default)]
    pub submitter_may_sign_off: String,
}

impl SettingInput {
    /// On or off, or the problem at the field.
    pub fn parse(&self) -> Result<bool, FieldErrors> {
        match self.submitter_may_sign_off.as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(FieldErrors::one(
                "submitter_may_sign_off",
                "Choose whether whoever submits a plan may also sign it off",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn audit(title: &str) -> AuditSnapshot {
        AuditSnapshot {
            title: title.into(),
            audit_type: "local_clinical".into(),
            standards: vec!["GF1".into(), "GF2".into()],
            service: Some("PREV".into()),
            lead: Some(LeadSnapshot { staff_id: 7, name: "Grace Okafor".into() }),
            planned_quarter: 2,
            method: "Retrospective review of 40 referrals".into(),
            sample_size: Some(40),
            criteria: vec![CriterionSnapshot {
                position: 1,
                description: "Consent recorded".into(),
                target_percent: "95".into(),
            }],
            status: "planned".into(),
            status_reason: None,
            reaudit_of: None,
        }
    }

    fn plan() -> PlanSnapshot {
        let mut national = audit("MoHaWK benchmarking");
        national.audit_type = "national_benchmarking".into();
        PlanSnapshot {
            provider_id: 1,
            year: "2026-27".into(),
            audits: vec![audit("Consent to referral"), audit("Fitness for work reports"), national],
        }
    }

    #[test]
    fn keys_are_sorted_and_there_is_no_whitespace() {
        let value = json!({"b": 1, "a": [true, null, {"z": "x", "A": 2}], "aa": {}});
        assert_eq!(canonical_json(&value), r#"{"a":[true,null,{"A":2,"z":"x"}],"aa":{},"b":1}"#);
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+FB01 sorts before U+1F600 in UTF-8 (and as chars) but after it in UTF-16, where
        // U+1F600 is the surrogate pair 0xD83D 0xDE00.
        let value = json!({"\u{FB01}": 2, "\u{1F600}": 1});
        assert_eq!(canonical_json(&value), "{\"\u{1F600}\":1,\"\u{FB01}\":2}");
    }

    #[test]
    fn strings_are_escaped_as_json_stringify_does() {
        let text = "quote \" slash \\ / tab\t nl\n cr\r bs\u{8} ff\u{c} bell\u{7} £ é";
        let written = canonical_json(&json!(text));
        assert_eq!(written, "\"quote \\\" slash \\\\ / tab\\t nl\\n cr\\r bs\\b ff\\f bell\\u0007 £ é\"");
        assert_eq!(written, serde_json::to_string(text).unwrap(), "serde_json escapes the same");
    }

    #[test]
    fn targets_are_decimal_strings() {
        assert_eq!(percent_text(95.0), "95");
        assert_eq!(percent_text(97.5), "97.5");
        assert_eq!(percent_text(33.333), "33.33");
        assert_eq!(percent_text(0.05), "0.05");
        assert_eq!(percent_text(100.0), "100");
    }

    #[test]
    fn the_same_plan_hashes_the_same() {
        assert_eq!(plan().hash(), plan().hash());
        assert_eq!(plan().hash().len(), 64);
        // Read back from its own canonical text, it is the same plan and the same text.
        let again: PlanSnapshot = serde_json::from_str(&plan().canonical()).unwrap();
        assert_eq!(again, plan());
        assert_eq!(again.canonical(), plan().canonical());
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = plan().hash();
        type Edit = Box<dyn Fn(&mut PlanSnapshot)>;
        let edits: Vec<(&str, Edit)> = vec![
            ("provider", Box::new(|p| p.provider_id = 2)),
            ("year", Box::new(|p| p.year = "2027-28".into())),
            ("title", Box::new(|p| p.audits[0].title.push('s'))),
            ("type", Box::new(|p| p.audits[0].audit_type = "other".into())),
            ("standard", Box::new(|p| p.audits[0].standards.push("GF3".into()))),
            ("service", Box::new(|p| p.audits[0].service = None)),
            ("lead", Box::new(|p| p.audits[0].lead = None)),
            ("lead's name", Box::new(|p| p.audits[0].lead.as_mut().unwrap().name = "Grace Okafor-Ede".into())),
            ("quarter", Box::new(|p| p.audits[0].planned_quarter = 3)),
            ("method", Box::new(|p| p.audits[0].method.push('.'))),
            ("sample size", Box::new(|p| p.audits[0].sample_size = Some(41))),
            ("criterion", Box::new(|p| p.audits[0].criteria[0].description = "Consent documented".into())),
            ("target", Box::new(|p| p.audits[0].criteria[0].target_percent = "90".into())),
            ("deferral", Box::new(|p| p.audits[0].status = "deferred".into())),
            ("reason", Box::new(|p| p.audits[0].status_reason = Some("Lead on leave".into()))),
            (
                "re-audit",
                Box::new(|p| {
                    p.audits[0].reaudit_of = Some(ReauditOf { year: "2025-26".into(), title: "Consent".into() })
                }),
            ),
            ("order", Box::new(|p| p.audits.swap(0, 1))),
            ("audit removed", Box::new(|p| drop(p.audits.pop()))),
        ];
        for (what, edit) in edits {
            let mut changed = plan();
            edit(&mut changed);
            assert_ne!(changed.hash(), base, "{what}");
        }
    }

    #[test]
    fn changes_are_listed_field_by_field_in_words() {
        let before = plan();
        let mut after = plan();
        after.audits[0].criteria[0].target_percent = "90".into();
        after.audits[0].standards.push("GF3".into());
        after.audits[0].standards.retain(|s| s != "GF1");
        after.audits[1].status = "deferred".into();
        after.audits[1].status_reason = Some("The lead is on leave".into());
        after.audits[2].lead = None;
        after.audits.push(audit("Health surveillance recall"));
        assert_eq!(
            changes(&before, &after),
            vec![
                "Audit 'Consent to referral': standards: GF3 added",
                "Audit 'Consent to referral': standards: GF1 removed",
                "Audit 'Consent to referral': target for 'Consent recorded' changed from 95% to 90%",
                "Audit 'Fitness for work reports': now deferred: The lead is on leave",
                "Audit 'MoHaWK benchmarking': lead changed from Grace Okafor to none",
                "Audit added: 'Health surveillance recall'",
            ]
        );
        assert!(changes(&before, &before).is_empty());
    }

    #[test]
    fn removals_renames_and_plan_fields_are_said() {
        let before = plan();
        let mut after = plan();
        after.audits.remove(2);
        after.audits[0].title = "Consent to referral (all sites)".into();
        after.audits[0].audit_type = "record_keeping".into();
        after.audits[0].planned_quarter = 4;
        after.audits[0].sample_size = None;
        assert_eq!(
            changes(&before, &after),
            vec![
                "Audit 'Consent to referral' renamed 'Consent to referral (all sites)'",
                "Audit 'Consent to referral (all sites)': type changed from Local clinical audit to Record-keeping audit",
                "Audit 'Consent to referral (all sites)': planned quarter changed from Q2 to Q4",
                "Audit 'Consent to referral (all sites)': sample size changed from 40 to none",
                "Audit removed: 'MoHaWK benchmarking'",
            ]
        );
    }

    #[test]
    fn the_sector_standard_wants_two_local_audits_and_a_national_one() {
        assert!(sector_standard_warnings(&plan()).is_empty());
        let mut short = plan();
        short.audits[1].status = "cancelled".into();
        short.audits.pop();
        let warnings = sector_standard_warnings(&short);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("this plan has 1 local clinical audit."), "{warnings:?}");
        assert!(warnings[1].contains("national audit"));
    }

    #[test]
    fn status_follows_the_stored_state_and_the_hashes() {
        assert_eq!(SignOffStatus::of(PlanState::SignedOff, "a", Some("a")), SignOffStatus::SignedOff);
        assert_eq!(SignOffStatus::of(PlanState::SignedOff, "b", Some("a")), SignOffStatus::ChangedSinceSignOff);
        assert_eq!(SignOffStatus::of(PlanState::Draft, "b", Some("a")), SignOffStatus::Draft);
        assert!(!SignOffStatus::SignedOff.may_submit());
        assert!(SignOffStatus::ChangedSinceSignOff.may_submit());
        assert!(!SignOffStatus::Submitted.may_submit());
    }

    #[test]
    fn the_forms_say_what_is_missing() {
        assert!(SignInput::default().parse().unwrap_err().get("reviewed").is_some());
        let ticked = SignInput { reviewed: "yes".into(), hash: " abc ".into() };
        assert_eq!(ticked.parse().unwrap(), Some("abc".to_string()));
        assert_eq!(SignInput { reviewed: "yes".into(), hash: String::new() }.parse().unwrap(), None);
        assert!(SettingInput::default().parse().is_err());
        assert_eq!(SettingInput { submitter_may_sign_off: "yes".into() }.parse(), Ok(true));
        assert_eq!(SettingInput { submitter_may_sign_off: "no".into() }.parse(), Ok(false));
    }

    #[test]
    fn the_submitter_signs_only_when_the_provider_allows_it() {
        assert!(signer_refusal(5, Some(5), false).is_some());
        assert!(signer_refusal(5, Some(5), true).is_none());
        assert!(signer_refusal(6, Some(5), false).is_none());
    }
}
