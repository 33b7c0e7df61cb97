//! Audit plans written straight into the tables, at a fixed time, for the tests of what is drawn
//! from them (the sign-off, the signed plan's PDF): the plan's rows are the given, not the test.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ohgov::db::schema::{audit_criteria, audit_plans, audit_standards, audits, catalogue_nodes};
use ohgov::db::{DbConnection, ProviderId, StaffId};

/// 14 May 2026 at this time (UTC): the day the plans are written and signed.
pub fn at(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 5, 14).unwrap().and_hms_opt(hour, minute, 0).unwrap()
}

/// The catalogue node of a standard's or service's reference.
pub fn node(conn: &mut DbConnection, reference: &str) -> i32 {
    catalogue_nodes::table
        .filter(catalogue_nodes::reference.eq(reference))
        .select(catalogue_nodes::id)
        .first(conn)
        .unwrap_or_else(|e| panic!("{reference} is in the catalogue: {e}"))
}

/// A draft plan for the financial year starting in April of `year_start`.
pub fn new_plan(conn: &mut DbConnection, provider: ProviderId, year_start: i32) -> i32 {
    diesel::insert_into(audit_plans::table)
        .values((
            audit_plans::provider_id.eq(provider),
            audit_plans::year_start.eq(year_start),
            audit_plans::created_at.eq(at(9, 0)),
        ))
        .execute(conn)
        .unwrap();
    ohgov::db::last_insert_id(conn).unwrap()
}

/// One audit with its standards and criteria (description, target).
pub struct Audit<'a> {
    pub title: &'a str,
    pub audit_type: &'a str,
    pub standards: &'a [&'a str],
    pub service: Option<&'a str>,
    pub lead: Option<StaffId>,
    pub method: &'a str,
    pub criteria: &'a [(&'a str, f64)],
}

impl Default for Audit<'_> {
    fn default() -> Self {
        Audit {
            title: "",
            audit_type: "local_clinical",
            standards: &[],
            service: None,
            lead: None,
            method: "Retrospective review of case notes",
            criteria: &[],
        }
    }
}

pub fn add_audit(conn: &mut DbConnection, plan: i32, audit: &Audit) -> i32 {
    let service = audit.service.map(|s| node(conn, s));
    diesel::insert_into(audits::table)
        .values((
            audits::plan_id.eq(plan),
            audits::title.eq(audit.title),
            audits::audit_type.eq(audit.audit_type),
            audits::service_node_id.eq(service),
            audits::lead_staff_id.eq(audit.lead.map(|s| s.0)),
            audits::planned_quarter.eq(2),
            audits::method.eq(audit.method),
            audits::sample_size.eq(Some(40)),
            audits::created_at.eq(at(9, 0)),
            audits::updated_at.eq(at(9, 0)),
        ))
        .execute(conn)
        .unwrap();
    let id = ohgov::db::last_insert_id(conn).unwrap();
    for reference in audit.standards {
        let node_id = node(conn, reference);
        diesel::insert_into(audit_standards::table)
            .values((audit_standards::audit_id.eq(id), audit_standards::node_id.eq(node_id)))
            .execute(conn)
            .unwrap();
    }
    for (position, (description, target)) in audit.criteria.iter().enumerate() {
        diesel::insert_into(audit_criteria::table)
            .values((
                audit_criteria::audit_id.eq(id),
                audit_criteria::position.eq(position as i32 + 1),
                audit_criteria::description.eq(*description),
                audit_criteria::target_percent.eq(*target),
            ))
            .execute(conn)
            .unwrap();
    }
    id
}

/// An OH nurse on the staff list, who can lead an audit.
pub fn nurse(conn: &mut DbConnection, provider: ProviderId, number: &str, name: &str) -> StaffId {
    let regulations = ohgov::workforce::store::regulations(conn).unwrap();
    let person = ohgov::workforce::model::StaffInput {
        staff_number: number.into(),
        full_name: name.into(),
        discipline: "oh_nurse".into(),
        registration_number: format!("12A{}E", &number[1..]),
        ..Default::default()
    }
    .parse(&regulations)
    .unwrap();
    ohgov::workforce::store::create_staff(conn, None, provider, &person).unwrap()
}
