//! A history line in the field's own words: each change as "Owner: – → Priya Raman", "Linked to
//! RP5", "Tier: Non-clinical", never a column name, a stored code or an id. The one place a history
//! row is turned into what a person reads; the page only lays the lines out.

use std::collections::HashMap;

use serde_json::Value;

use crate::db::{DbConnection, ProviderId};
use crate::history::store::HistoryLine;
use crate::web::templates::{uk_date_text, uk_time_text};

/// The people a page of history names: users by id, staff by id and by staff number.
#[derive(Debug, Clone, Default)]
pub struct Names {
    users: HashMap<i32, String>,
    staff_by_id: HashMap<i32, String>,
    staff_by_number: HashMap<String, String>,
}

/// Fields that hold a user's id.
const USER_FIELDS: [&str; 7] =
    ["owner_user_id", "user_id", "owner_id", "signed_by", "submitted_by", "returned_by", "confirmed_by"];
/// Fields that hold a staff record's id.
const STAFF_ID_FIELDS: [&str; 1] = ["staff_id"];
/// Fields that hold staff numbers, one or a list.
const STAFF_NUMBER_FIELDS: [&str; 2] = ["supervisor", "attendees"];

impl Names {
    /// Everyone the lines name, found in one query for users and one for staff, whatever the
    /// number of lines.
    pub fn for_lines(
        conn: &mut DbConnection,
        provider_id: ProviderId,
        lines: &[HistoryLine],
    ) -> diesel::QueryResult<Names> {
        let (mut user_ids, mut staff_ids, mut numbers) = (Vec::new(), Vec::new(), Vec::new());
        for line in lines {
            if line.entity == "staff" {
                staff_ids.extend(line.entity_id.parse::<i32>().ok());
            }
            for (field, change) in changes(line) {
                for value in [&change["before"], &change["after"]] {
                    if USER_FIELDS.contains(&field.as_str()) {
                        user_ids.extend(value.as_i64().and_then(|id| i32::try_from(id).ok()));
                    } else if STAFF_ID_FIELDS.contains(&field.as_str()) {
                        staff_ids.extend(value.as_i64().and_then(|id| i32::try_from(id).ok()));
                    } else if STAFF_NUMBER_FIELDS.contains(&field.as_str()) {
                        numbers.extend(each(value).filter_map(|v| v.as_str().map(str::to_string)));
                    }
                }
            }
        }
        for list in [&mut user_ids, &mut staff_ids] {
            list.sort_unstable();
            list.dedup();
        }
        numbers.sort();
        numbers.dedup();
        let users = crate::accounts::store::user_names(conn, &user_ids)?;
        let staff = crate::workforce::store::names_for_history(conn, provider_id, &staff_ids, &numbers)?;
        let mut names = Names { users: users.into_iter().collect(), ..Names::default() };
        for (id, number, name) in staff {
            let shown = format!("{name} ({number})");
            names.staff_by_id.insert(id.0, shown.clone());
            names.staff_by_number.insert(number, shown);
        }
        Ok(names)
    }
}

/// A history line as the page shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LineView {
    /// Stored in UTC; the page shows it in London time (`uk_date`, `uk_time`).
    pub recorded_at: chrono::NaiveDateTime,
    pub user_name: Option<String>,
    /// What kind of record, in words ("Person", "Evidence").
    pub entity: String,
    /// Which one ("Deborah Nurse (S004)", "item 12").
    pub record: String,
    /// What was done, in words ("Added", "Changed").
    pub action: String,
    /// Each change as one sentence.
    pub changes: Vec<String>,
}

/// The stored changes of a line, in their stored order; none when the row cannot be read.
fn changes(line: &HistoryLine) -> Vec<(String, Value)> {
    serde_json::from_str::<serde_json::Map<String, Value>>(&line.changes)
        .map(|map| map.into_iter().collect())
        .unwrap_or_default()
}

/// A value's items: a list's, or the value itself.
fn each(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Null => Box::new(std::iter::empty()),
        other => Box::new(std::iter::once(other)),
    }
}

/// Turns a stored line into words, naming people from `names`.
pub fn describe(line: &HistoryLine, names: &Names) -> LineView {
    let created = line.action == "create";
    if line.entity == "live_check" {
        return LineView {
            recorded_at: line.recorded_at,
            user_name: line.user_name.clone(),
            entity: entity_label(&line.entity).to_string(),
            record: record(line, names),
            action: action_label(&line.action).to_string(),
            changes: vec![verdict_sentence(line)],
        };
    }
    let changes = changes(line)
        .iter()
        .map(|(field, change)| {
            let shown = |value: &Value| show(&line.entity, field, value, names);
            let (before, after) = (&change["before"], &change["after"]);
            if field == "links" {
                return links(&shown(before), &shown(after), before.is_null() || created);
            }
            let label = field_label(&line.entity, field);
            if created || before.is_null() && line.action != "update" {
                format!("{label}: {}", shown(after))
            } else {
                format!("{label}: {} → {}", shown(before), shown(after))
            }
        })
        .collect();
    LineView {
        recorded_at: line.recorded_at,
        user_name: line.user_name.clone(),
        entity: entity_label(&line.entity).to_string(),
        record: record(line, names),
        action: action_label(&line.action).to_string(),
        changes,
    }
}

/// The line as a commissioner may see it: when, what kind of record and what was done, and the
/// fields that changed, without who did it, whose record it is or the values (names, email
/// addresses, a person's details).
pub fn describe_without_personal_details(line: &HistoryLine) -> LineView {
    LineView {
        recorded_at: line.recorded_at,
        user_name: None,
        entity: entity_label(&line.entity).to_string(),
        record: String::new(),
        action: action_label(&line.action).to_string(),
        changes: changes(line).iter().map(|(field, _)| field_label(&line.entity, field)).collect(),
    }
}

/// A live check's verdict first judged or changed, as one sentence: "Now fails — 1 registration
/// expired: S003", or on its first judging "Fails — …".
fn verdict_sentence(line: &HistoryLine) -> String {
    use crate::assessment::model::Verdict;
    let stored = changes(line);
    let value = |field: &str| stored.iter().find(|(f, _)| f == field).map(|(_, change)| change["after"].clone());
    let verdict = value("verdict").and_then(|v| v.as_str().and_then(Verdict::parse));
    let summary = value("summary").and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let said = match verdict {
        Some(Verdict::Holds) => "holds",
        Some(Verdict::Fails) => "fails",
        Some(Verdict::NotEnoughData) | None => "cannot be judged from the records",
    };
    let said = if line.action == "change" {
        format!("Now {said}")
    } else {
        let mut letters = said.chars();
        letters.next().map(|first| first.to_uppercase().chain(letters).collect()).unwrap_or_default()
    };
    if summary.is_empty() {
        said
    } else {
        format!("{said} — {summary}")
    }
}

/// A change of an item's links: "Linked to RP5 and GF1", or what it was linked to before.
fn links(before: &str, after: &str, new: bool) -> String {
    let to = |shown: &str| if shown == "–" { "nothing".to_string() } else { shown.to_string() };
    if new {
        format!("Linked to {}", to(after))
    } else {
        format!("Linked to {} (was {})", to(after), to(before))
    }
}

/// Which record a line is about, in words.
fn record(line: &HistoryLine, names: &Names) -> String {
    let id = line.entity_id.as_str();
    match line.entity.as_str() {
        "staff" => id.parse::<i32>().ok().and_then(|n| names.staff_by_id.get(&n).cloned()).unwrap_or_else(|| id.into()),
        "accreditation" | "evidence_pack" | "document_settings" | "esr_declaration" | "generated" => String::new(),
        "import" => crate::workforce::import::ImportKind::parse(id).map_or(id.to_string(), |k| k.label().to_string()),
        "assessment" | "coverage" | "kpi_target" | "import_mapping" => id.to_string(),
        "live_check" => crate::catalogue::model::LiveCheck::parse(id).map_or(id.to_string(), |c| c.label().to_string()),
        "kpi_value" => crate::quality::rules::Period::from_key(id)
            .map_or(id.to_string(), |(kpi, p)| format!("{kpi}, {}", p.label())),
        _ => format!("number {id}"),
    }
}

/// A value in words: people by name, codes by their labels, dates the UK way, yes and no.
fn show(entity: &str, field: &str, value: &Value, names: &Names) -> String {
    match value {
        Value::Null => "–".into(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Array(items) if items.is_empty() => "–".into(),
        Value::Array(items) => {
            let mut shown: Vec<String> = items.iter().map(|item| show(entity, field, item, names)).collect();
            match shown.pop() {
                Some(last) if !shown.is_empty() => format!("{} and {last}", shown.join(", ")),
                last => last.unwrap_or_default(),
            }
        }
        Value::Number(number) => {
            let id = number.as_i64().and_then(|n| i32::try_from(n).ok());
            let name = match id {
                Some(id) if USER_FIELDS.contains(&field) => names.users.get(&id),
                Some(id) if STAFF_ID_FIELDS.contains(&field) => names.staff_by_id.get(&id),
                _ => None,
            };
            name.cloned().unwrap_or_else(|| number.to_string())
        }
        Value::String(text) => {
            if STAFF_NUMBER_FIELDS.contains(&field) {
                return names.staff_by_number.get(text).cloned().unwrap_or_else(|| text.clone());
            }
            if let Some(label) = code_label(entity, field, text) {
                return label.to_string();
            }
            let day = uk_date_text(text);
            match uk_time_text(text) {
                Some(time) => format!("{day}, {time}"),
                None => day,
            }
        }
        Value::Object(_) => value.to_string(),
    }
}

/// The label of a stored code, for the fields that hold one of a closed list.
fn code_label(entity: &str, field: &str, code: &str) -> Option<&'static str> {
    use crate::assessment::model::{
        AccreditationStatus, AssessmentResult, CycleKind, FindingGrade, FindingSource, RequestStatus, Workflow,
    };
    use crate::workforce::model::{CpdType, Discipline, Regulator, SpecialistRoute, SupervisionKind, Tier};
    match (entity, field) {
        ("staff", "discipline") => Discipline::parse(code).map(Discipline::label),
        ("staff", "tier") => Tier::parse(code).map(Tier::label),
        ("staff", "regulator") => Regulator::parse(code).map(Regulator::label),
        ("staff", "specialist_route") => SpecialistRoute::parse(code).map(SpecialistRoute::label),
        ("cpd", "type") => CpdType::parse(code).map(CpdType::label),
        ("supervision", "kind") => SupervisionKind::parse(code).map(SupervisionKind::label),
        ("evidence", "kind") => crate::evidence::model::EvidenceKind::parse(code).map(|k| k.label()),
        ("assessment", "workflow") => Workflow::parse(code).map(Workflow::label),
        ("assessment", "result") => AssessmentResult::parse(code).map(AssessmentResult::label),
        ("accreditation", "status") => AccreditationStatus::parse(code).map(AccreditationStatus::label),
        ("assessment_cycle", "kind") => CycleKind::parse(code).map(CycleKind::label),
        ("finding", "grade") => FindingGrade::parse(code).map(FindingGrade::label),
        ("finding", "source") => FindingSource::parse(code).map(FindingSource::label),
        ("assessor_request", "status") => RequestStatus::parse(code).map(RequestStatus::label),
        ("coverage", "delivery") => crate::coverage::model::Delivery::parse(code).map(|d| d.label()),
        ("audit_plan", "state") => crate::audits::sign_off::SignOffStatus::parse(code).map(|s| s.label()),
        ("audit", "audit_type") => crate::audits::model::AuditType::parse(code).map(|t| t.label()),
        ("audit", "status") => crate::audits::model::AuditStatus::parse(code).map(|s| s.label()),
        ("audit_action", "status") => crate::audits::model::ActionStatus::parse(code).map(|s| s.label()),
        ("customer_review", "recorded_side") => crate::commissioning::model::ReviewSide::parse(code).map(|s| s.label()),
        ("esr_declaration", "interface") => crate::commissioning::model::EsrInterface::parse(code).map(|i| i.label()),
        ("live_exception", "check") => crate::catalogue::model::LiveCheck::parse(code).map(|c| c.label()),
        _ => None,
    }
}

/// A stored field's name as the form that sets it calls it.
fn field_label(entity: &str, field: &str) -> String {
    let label = match (entity, field) {
        (_, "owner_user_id") => "Owner",
        (_, "staff_id") => "Person",
        (_, "evidence_id") => "Evidence item",
        (_, "superseded_by") => "Replaced by item",
        (_, "fte") => "Full-time equivalent",
        (_, "email") => "Email",
        (_, "specialist_route") => "Route to the specialist register",
        (_, "registration_renewal") => "Registration to be renewed by",
        (_, "responsible_officer") => "Responsible Officer",
        (_, "leaving_date") => "Leaving date",
        ("cpd", "type") => "Kind of activity",
        ("supervision", "kind") => "Kind of supervision",
        ("supervision", "attendees") => "Attending",
        (_, "escalated_gp") => "Escalated to a GP",
        (_, "escalated_clinical") => "Escalated to the clinical tier",
        (_, "escalated_specialist") => "Escalated to a specialist",
        ("evidence", "series") => "First version",
        ("evidence", "file_name") => "File",
        ("evidence", "sha256") | ("import", "file_sha256") => "SHA-256",
        ("import", "left") => "Marked as having left",
        ("evidence", "link_url") => "Address",
        ("evidence", "effective_on") => "Effective date",
        ("evidence", "contains_patient_data") => "Contains patient-identifiable data",
        ("assessment", "workflow") => "Progress",
        ("assessment", "not_applicable_reason") => "Why not applicable",
        (_, "target_on") => "Target date",
        (_, "carried_over") => "Carried over from the last cycle",
        ("accreditation", "status_on") => "Status since",
        ("accreditation", "registered_on") => "Registered",
        ("accreditation", "self_assessment_completed_on") => "Self-assessment complete",
        ("accreditation", "evidence_submitted_on") => "Evidence submitted",
        ("accreditation", "visit_on") => "Assessment visit",
        ("accreditation", "accredited_on") => "Accredited",
        ("accreditation", "deferred_actions") => "Key actions after deferral",
        ("accreditation", "deferred_due") => "Actions due by",
        ("assessment_cycle", "previous_cycle") => "Previous cycle",
        ("audit", "started_on") => "Started",
        ("audit", "completed_on") => "Completed",
        ("audit", "lead_staff_id") => "Lead",
        ("audit", "status_reason") => "Why deferred or cancelled",
        ("audit_action", "owner_id") => "Owner",
        ("audit_action", "due_on") => "Due",
        ("audit_plan", "state") => "Sign-off",
        ("audit_plan", "signed_by") => "Signed off by",
        ("audit_plan", "signed_at") => "Signed off at",
        ("audit_plan", "submitted_by") => "Submitted by",
        ("audit_plan", "returned_by") => "Returned by",
        ("audit_plan", "return_comment") => "Comment",
        ("audit_plan", "snapshot_sha256") => "SHA-256 of the plan as signed",
        ("audit_settings", "submitter_may_sign_off") => "Whoever submits a plan may also sign it off",
        ("document_settings", "pack_shared_with_commissioners") => "Evidence pack shared with commissioners",
        ("evidence_pack", "sha256") => "SHA-256 of the pack",
        ("evidence_pack", "file_name") => "File",
        ("evidence_pack", "size_bytes") => "Size in bytes",
        (_, "started_on") => "Begins on",
        (_, "raised_on") => "Raised on",
        (_, "closed_on") => "Closed on",
        (_, "withdrawn_at") => "Withdrawn",
        (_, "withdrawal_reason") => "Reason",
        (_, "action_needed") => "Action needed",
        ("live_exception", "ends_on") => "Last day",
        ("live_exception", "ended_at") => "Ended",
        (_, "starts_on") => "Agreement starts",
        (_, "ends_on") => "Agreement ends",
        (_, "partner_name") => "Partner",
        ("evidence", "document_kind") => "Document kind",
        ("customer_review", "commissioner_id") => "Commissioner (organisation number)",
        ("customer_review", "held_on") => "Held on",
        ("customer_review", "agreed_actions") => "Agreed actions",
        ("customer_review", "recorded_side") => "Recorded by",
        ("customer_review", "confirmed_by") => "Confirmed by",
        ("customer_review", "confirmed_at") => "Confirmed at",
        ("esr_declaration", "interface") => "Exchange with ESR",
        ("esr_declaration", "declared_on") => "Declared on",
        (_, "lead_name") => "Lead",
        (_, "rows") => "Rows",
        _ => "",
    };
    if !label.is_empty() {
        return label.to_string();
    }
    // Any other field: its name as words ("cases_discussed" as "Cases discussed").
    let words = field.replace('_', " ");
    let mut letters = words.chars();
    letters.next().map(|first| first.to_uppercase().chain(letters).collect()).unwrap_or_default()
}

/// A kind of record in words; the history's filter and its lines say it the same way.
pub fn entity_label(entity: &str) -> &str {
    match entity {
        "staff" => "Person",
        "cpd" => "CPD record",
        "supervision" => "Supervision session",
        "import" => "Import",
        "import_mapping" => "Column mapping",
        "evidence" => "Evidence",
        "assessment" => "Standard",
        "assessment_cycle" => "Assessment cycle",
        "accreditation" => "Accreditation",
        "finding" => "Finding",
        "assessor_request" => "Assessor's request",
        "coverage" => "Service coverage",
        "organisation" => "Organisation",
        "contract" => "Contract",
        "membership" => "Role",
        "account_link" => "Link to set a password",
        "audit_plan" => "Audit plan",
        "audit" => "Audit",
        "audit_action" => "Audit action",
        "audit_progress_report" => "Audit progress report",
        "audit_settings" => "Audit sign-off setting",
        "kpi_value" => "Quality indicator value",
        "kpi_target" => "Quality indicator target",
        "evidence_pack" => "Evidence pack",
        "document_settings" => "Document sharing",
        "customer_review" => "Customer review",
        "esr_declaration" => "ESR declaration",
        "generated" => "Generated demo records",
        "live_check" => "Live check",
        "live_exception" => "Exception to a live check",
        "outbox_message" => "Email",
        other => other,
    }
}

/// What was done, in words.
fn action_label(action: &str) -> &str {
    match action {
        "create" => "Added",
        "send_again" => "Queued to send again",
        "update" => "Changed",
        "delete" => "Deleted",
        "link" => "Links changed",
        "supersede" => "Replaced by a new version",
        "withdraw" => "Withdrawn",
        "close" => "Closed",
        "answer" => "Answered",
        "accept" => "Accepted",
        "return" => "Returned",
        "import" => "Imported",
        "record results" => "Results recorded",
        "submit" => "Submitted for sign-off",
        "sign_off" => "Signed off",
        "replace" => "Replaced",
        "use_default" => "Back to the default",
        "make" => "Made",
        "confirm" => "Confirmed",
        "judge" => "First judged",
        "change" => "Verdict changed",
        "end" => "Ended early",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(entity: &str, entity_id: &str, action: &str, changes: &str) -> HistoryLine {
        HistoryLine {
            id: 1,
            recorded_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(14, 8, 0).unwrap(),
            user_name: None,
            entity: entity.into(),
            entity_id: entity_id.into(),
            action: action.into(),
            changes: changes.into(),
        }
    }

    fn names() -> Names {
        Names {
            users: [(7, "Priya Raman".to_string())].into(),
            staff_by_id: [(4, "Deborah Nurse (S004)".to_string())].into(),
            staff_by_number: [("S004".to_string(), "Deborah Nurse (S004)".to_string())].into(),
        }
    }

    #[test]
    fn ids_become_names_and_codes_become_labels() {
        let owner = line("assessment", "RP5 (cycle 1)", "update", r#"{"owner_user_id":{"before":null,"after":7}}"#);
        assert_eq!(describe(&owner, &names()).changes, ["Owner: – → Priya Raman"]);
        let tier = line("staff", "4", "update", r#"{"tier":{"before":"clinical","after":"non_clinical"}}"#);
        let shown = describe(&tier, &names());
        assert_eq!(shown.changes, ["Tier: Clinical → Non-clinical"]);
        assert_eq!((shown.entity.as_str(), shown.record.as_str()), ("Person", "Deborah Nurse (S004)"));
        let linked = line("evidence", "3", "create", r#"{"links":{"before":null,"after":["RP5"]}}"#);
        assert_eq!(describe(&linked, &names()).changes, ["Linked to RP5"]);
        let cpd = line("cpd", "9", "create", r#"{"staff_id":{"before":null,"after":4}}"#);
        assert_eq!(describe(&cpd, &names()).changes, ["Person: Deborah Nurse (S004)"]);
    }

    #[test]
    fn a_sign_off_reads_as_who_signed_and_where_the_plan_now_stands() {
        let signed = line(
            "audit_plan",
            "3",
            "sign_off",
            r#"{"state":{"before":"submitted","after":"signed_off"},"signed_by":{"before":null,"after":7}}"#,
        );
        let shown = describe(&signed, &names());
        assert_eq!((shown.entity.as_str(), shown.action.as_str()), ("Audit plan", "Signed off"));
        assert_eq!(
            shown.changes,
            [
                "Signed off by: Priya Raman",
                "Sign-off: Submitted: awaiting the clinical director's sign-off → Signed off"
            ]
        );
        let hidden = describe_without_personal_details(&signed);
        assert_eq!(hidden.changes, ["Signed off by", "Sign-off"], "the fields, not the person");
    }

    #[test]
    fn dates_and_times_are_in_words_and_in_london_time() {
        let closed = line("finding", "2", "close", r#"{"closed_on":{"before":null,"after":"2026-11-23"}}"#);
        assert_eq!(describe(&closed, &names()).changes, ["Closed on: 23 Nov 2026"]);
        let withdrawn =
            line("finding", "2", "withdraw", r#"{"withdrawn_at":{"before":null,"after":"2026-07-01T08:30:00.5"}}"#);
        assert_eq!(describe(&withdrawn, &names()).changes, ["Withdrawn: 1 Jul 2026, 09:30 BST"]);
        let flag = line("evidence", "3", "create", r#"{"contains_patient_data":{"before":null,"after":false}}"#);
        assert_eq!(describe(&flag, &names()).changes, ["Contains patient-identifiable data: No"]);
    }

    #[test]
    fn a_live_check_says_its_new_verdict_and_why() {
        let changed = line(
            "live_check",
            "workforce.registrations_current",
            "change",
            r#"{"summary":{"before":"All 3 registrations are current","after":"1 registration expired: S003"},"verdict":{"before":"holds","after":"fails"}}"#,
        );
        let shown = describe(&changed, &names());
        assert_eq!((shown.entity.as_str(), shown.action.as_str()), ("Live check", "Verdict changed"));
        assert_eq!(shown.record, "Every registered clinician's registration is current");
        assert_eq!(shown.changes, ["Now fails — 1 registration expired: S003"]);
        let first = line(
            "live_check",
            "workforce.registrations_current",
            "judge",
            r#"{"summary":{"before":null,"after":"All 3 registrations are current"},"verdict":{"before":null,"after":"holds"}}"#,
        );
        assert_eq!(describe(&first, &names()).changes, ["Holds — All 3 registrations are current"]);
        let exception = line(
            "live_exception",
            "4",
            "create",
            r#"{"check":{"before":null,"after":"workforce.registrations_current"},"ends_on":{"before":null,"after":"2027-01-31"}}"#,
        );
        assert_eq!(
            describe(&exception, &names()).changes,
            ["Check: Every registered clinician's registration is current", "Last day: 31 Jan 2027"]
        );
    }
}
