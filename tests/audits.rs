//! The audit programme on both backends: the plan page and its check against the NHS sector
//! standard, copying a year into the next, re-audits side by side, who may record results and
//! close actions, overdue actions on the overview and the owner's home page, progress reports
//! worked out from the records, refusals that write nothing, the history, and the plan's JSON.

mod support;

use chrono::Duration;
use diesel::prelude::*;
use ohgov::accounts::model::UserInput;
use ohgov::accounts::store::{self as accounts, Grant};
use ohgov::accounts::Role;
use ohgov::audits::model::{ActionChange, AuditInput, AuditPlan, NewAction, Progress};
use ohgov::audits::store::{actions, audits, plans};
use ohgov::clock::FinancialYear;
use ohgov::db::schema::{audit_actions, audit_criteria, audit_plans, audits as audits_table, history};
use ohgov::db::{DbConnection, ProviderId, UserId};
use support::{browser_signed_in, service, PASSWORD};

fn this_year() -> FinancialYear {
    FinancialYear::containing(support::today())
}

fn last_year() -> FinancialYear {
    FinancialYear::starting_in(this_year().start_year() - 1).unwrap()
}

/// A clinician who can sign in, with a staff record of the same email (so they may lead audits).
fn clinician(conn: &mut DbConnection, provider: ProviderId, slug: &str, name: &str, number: &str) -> (UserId, i32) {
    let email = format!("{slug}@clinic.example");
    let user = UserInput { email: email.clone(), name: name.into(), password: PASSWORD.into(), is_admin: false };
    let user = accounts::create_user(
        conn,
        None,
        &user.parse().unwrap(),
        Some(Grant { organisation_id: provider.0, role: Role::Clinician, expires_on: None }),
    )
    .unwrap();
    let regulations = ohgov::workforce::store::regulations(conn).unwrap();
    let person = ohgov::workforce::model::StaffInput {
        staff_number: number.into(),
        full_name: name.into(),
        discipline: "oh_nurse".into(),
        registration_number: format!("12A{}E", &number[1..]),
        email,
        ..Default::default()
    }
    .parse(&regulations)
    .unwrap();
    let staff = ohgov::workforce::store::create_staff(conn, None, provider, &person).unwrap().0;
    (user, staff)
}

/// An audit's plan fields with criteria given as (description, target).
fn audit_plan(title: &str, audit_type: &str, lead: Option<i32>, criteria: &[(&str, &str)]) -> (AuditPlan, Progress) {
    AuditInput {
        title: title.into(),
        audit_type: audit_type.into(),
        planned_quarter: "2".into(),
        method: "Review of 40 case notes".into(),
        lead_staff_id: lead.map(|l| l.to_string()).unwrap_or_default(),
        criterion: criteria.iter().map(|c| c.0.to_string()).collect(),
        target: criteria.iter().map(|c| c.1.to_string()).collect(),
        ..Default::default()
    }
    .parse(support::today())
    .unwrap()
}

fn add_audit(
    conn: &mut DbConnection,
    provider: ProviderId,
    year: FinancialYear,
    title: &str,
    audit_type: &str,
    lead: Option<i32>,
) -> i32 {
    let (plan, progress) = audit_plan(title, audit_type, lead, &[("Consent recorded", "95"), ("Outcome stated", "90")]);
    let framework = support::framework(conn, provider);
    audits::create_audit(conn, None, provider, year, &plan, &progress, framework, support::today()).unwrap()
}

/// Records every criterion's result and completes the audit within `year`.
fn complete(conn: &mut DbConnection, provider: ProviderId, audit: i32, year: FinancialYear, results: &[(i32, i32)]) {
    let record = audits::audit(conn, provider, audit).unwrap().unwrap();
    let given: Vec<_> = record.criteria.iter().zip(results).map(|(c, r)| (c.id, Some(*r))).collect();
    let day = year.starts_on() + Duration::days(30);
    let progress = Progress {
        status: ohgov::audits::model::AuditStatus::Completed,
        status_reason: None,
        started_on: Some(year.starts_on()),
        completed_on: Some(day.min(support::today())),
        findings: Some("Below target on outcomes".into()),
    };
    audits::record_results(conn, None, provider, audit, &given, &progress).unwrap();
}

fn count_audits(conn: &mut DbConnection) -> i64 {
    audits_table::table.count().get_result(conn).unwrap()
}

fn history_rows(conn: &mut DbConnection, entity: &str) -> i64 {
    history::table.filter(history::entity.eq(entity)).count().get_result(conn).unwrap()
}

async fn post(
    app: &support::TestApp,
    client: &reqwest::Client,
    token: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token)];
    form.extend_from_slice(fields);
    let response = client.post(format!("{}{path}", app.address)).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn get(app: &support::TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, plain(&response.text().await.unwrap()))
}

/// A page with the escapes of `/` and `'` undone, to look for addresses and words in it.
fn plain(page: &str) -> String {
    page.replace("&#x2F;", "/").replace("&#x27;", "'")
}

on_both_backends!(
    the_plan_page_warns_against_the_sector_standard_until_the_plan_meets_it,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let year = this_year();
        let (status, _) =
            post(&app, &manager, &token, &format!("/providers/{p}/audit-plans"), &[("year", &year.to_string())]).await;
        assert_eq!(status, 303, "the plan is started");
        let (status, page) =
            post(&app, &manager, &token, &format!("/providers/{p}/audit-plans"), &[("year", &year.to_string())]).await;
        assert_eq!(status, 422, "one plan a year");
        assert!(page.contains("There is already a plan for"), "{page}");

        let new = format!("/providers/{p}/audit-plans/{}/audits/new", year.url());
        let local = [
            ("title", "Consent in management referrals"),
            ("audit_type", "local_clinical"),
            ("planned_quarter", "1"),
            ("method", "Review of 40 referrals"),
            ("criterion", "Consent recorded"),
            ("target", "95"),
        ];
        let (status, _) = post(&app, &manager, &token, &new, &local).await;
        assert_eq!(status, 303);
        let plan_path = format!("/providers/{p}/audit-plans/{}", year.url());
        let (status, page) = get(&app, &manager, &plan_path).await;
        assert_eq!(status, 200);
        assert!(page.contains("Consent in management referrals"));
        assert!(page.contains("Q1 (April to June)"));
        assert!(page.contains("this plan has 1 local clinical audit."), "{page}");
        assert!(page.contains("no national benchmarking (MoHaWK) audit"));

        let skin: Vec<(&str, &str)> = local
            .iter()
            .map(|(k, v)| match *k {
                "title" => (*k, "Skin surveillance"),
                "planned_quarter" => (*k, "2"),
                _ => (*k, *v),
            })
            .collect();
        assert_eq!(post(&app, &manager, &token, &new, &skin).await.0, 303);
        let mohawk: Vec<(&str, &str)> = local
            .iter()
            .map(|(k, v)| match *k {
                "title" => (*k, "MoHaWK benchmarking"),
                "audit_type" => (*k, "national_benchmarking"),
                "planned_quarter" => (*k, "3"),
                _ => (*k, *v),
            })
            .collect();
        assert_eq!(post(&app, &manager, &token, &new, &mohawk).await.0, 303);
        let (_, page) = get(&app, &manager, &plan_path).await;
        assert!(!page.contains("NHS sector standard asks"), "two local audits and a national one meet it: {page}");
        let first = page.find(">Consent in management referrals</a>").unwrap();
        let third = page.find(">MoHaWK benchmarking</a>").unwrap();
        let second = page.find(">Skin surveillance</a>").unwrap();
        assert!(first < second && second < third, "by quarter: {first} {second} {third}: {page}");

        // Bad input is refused at its field, and nothing is written.
        let (audits_before, history_before) = (count_audits(&mut conn), history_rows(&mut conn, "audit"));
        let blank: Vec<(&str, &str)> =
            local.iter().map(|(k, v)| if *k == "title" { (*k, " ") } else { (*k, *v) }).collect();
        let (status, page) = post(&app, &manager, &token, &new, &blank).await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"title-error\""), "{page}");
        let too_high: Vec<(&str, &str)> =
            local.iter().map(|(k, v)| if *k == "target" { (*k, "120") } else { (*k, *v) }).collect();
        let (status, page) = post(&app, &manager, &token, &new, &too_high).await;
        assert_eq!(status, 422);
        assert!(page.contains("the target must be a percentage from 0 to 100"), "{page}");
        let mut deferred = local.to_vec();
        deferred.push(("status", "deferred"));
        let (status, page) = post(&app, &manager, &token, &new, &deferred).await;
        assert_eq!(status, 422);
        assert!(page.contains("Say why the audit is deferred"), "{page}");
        let today = ohgov::form::form_date(support::today());
        let mut completed_without_results = local.to_vec();
        completed_without_results.extend([("status", "completed"), ("completed_on", today.as_str())]);
        let (status, page) = post(&app, &manager, &token, &new, &completed_without_results).await;
        assert_eq!(status, 422);
        assert!(page.contains("Record the result of every criterion"), "{page}");
        let mut too_early = local.to_vec();
        too_early.extend([("status", "in_progress"), ("started_on", "01/01/2020")]);
        let (status, page) = post(&app, &manager, &token, &new, &too_early).await;
        assert_eq!(status, 422);
        assert!(page.contains("plan cannot start before 1 April"), "{page}");
        assert_eq!((count_audits(&mut conn), history_rows(&mut conn, "audit")), (audits_before, history_before));
        assert_eq!(history_rows(&mut conn, "audit"), 3, "each audit added is in the history");
        assert_eq!(history_rows(&mut conn, "audit_plan"), 1);
    }
);

on_both_backends!(
    copying_a_year_carries_unfinished_audits_and_proposes_reaudits_once,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (last, next) = (last_year(), this_year());
        plans::create_plan(&mut conn, None, p, last).unwrap();
        let done = add_audit(&mut conn, p, last, "Consent audit", "local_clinical", None);
        complete(&mut conn, p, done, last, &[(38, 40), (30, 40)]);
        add_audit(&mut conn, p, last, "Record-keeping audit", "record_keeping", None);
        let cancelled = add_audit(&mut conn, p, last, "Abandoned audit", "other", None);
        let record = audits::audit(&mut conn, p, cancelled).unwrap().unwrap();
        let (plan, _) =
            audit_plan("Abandoned audit", "other", None, &[("Consent recorded", "95"), ("Outcome stated", "90")]);
        let stop = Progress {
            status: ohgov::audits::model::AuditStatus::Cancelled,
            status_reason: Some("The service was decommissioned".into()),
            started_on: None,
            completed_on: None,
            findings: None,
        };
        audits::update_audit(&mut conn, None, p, record.id, &plan, &stop, None, support::today()).unwrap();
        let audits_before = count_audits(&mut conn);

        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let copy = format!("/providers/{p}/audit-plans/{}/copy", last.url());
        let plan_history = history_rows(&mut conn, "audit_plan");
        let (status, _) = post(&app, &manager, &token, &copy, &[]).await;
        assert_eq!(status, 303, "one action copies the year");
        assert_eq!(history_rows(&mut conn, "audit_plan"), plan_history + 1, "the copy is in the history");
        let new_plan = plans::plan(&mut conn, p, next).unwrap().expect("next year's plan");
        let lines = audits::plan_audits(&mut conn, new_plan.id).unwrap();
        let titles: Vec<&str> = lines.iter().map(|l| l.title.as_str()).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        assert!(titles.contains(&"Record-keeping audit"), "the unfinished audit is carried over");
        assert!(titles.contains(&"Re-audit: Consent audit"), "the completed one is proposed for re-audit");
        assert!(!titles.iter().any(|t| t.contains("Abandoned")), "the cancelled one stays behind");
        let reaudit = lines.iter().find(|l| l.title == "Re-audit: Consent audit").unwrap();
        assert_eq!(reaudit.reaudit_of, Some(done));
        assert!(lines.iter().all(|l| l.status.as_str() == "planned" && l.started_on.is_none()));
        let copied: Vec<(String, f64, Option<i32>)> = audit_criteria::table
            .filter(audit_criteria::audit_id.eq(reaudit.id))
            .select((audit_criteria::description, audit_criteria::target_percent, audit_criteria::cases_met))
            .order(audit_criteria::position)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            copied,
            vec![("Consent recorded".into(), 95.0, None), ("Outcome stated".into(), 90.0, None)],
            "criteria and targets, no results"
        );
        assert_eq!(count_audits(&mut conn), audits_before + 2);

        let (status, page) = post(&app, &manager, &token, &copy, &[]).await;
        assert_eq!(status, 409, "the next year has a plan now");
        assert!(page.contains("There is already a plan for") && page.contains("was not copied"), "{page}");
        assert_eq!(count_audits(&mut conn), audits_before + 2, "nothing more was written");
        assert_eq!(history_rows(&mut conn, "audit_plan"), plan_history + 1);
        let plans_now: i64 = audit_plans::table.count().get_result(&mut conn).unwrap();
        assert_eq!(plans_now, 2);

        // The re-audit page shows both rounds against the same criteria, and each links the other.
        complete(&mut conn, p, reaudit.id, next, &[(40, 40), (36, 40)]);
        let (status, page) = get(&app, &manager, &format!("/providers/{p}/audits/{}", reaudit.id)).await;
        assert_eq!(status, 200);
        assert!(page.contains("Both rounds side by side"), "{page}");
        assert!(page.contains(&format!("href=\"/providers/{p}/audits/{done}\"")));
        assert!(page.contains("95% (38 of 40) met") && page.contains("100% (40 of 40) met"), "consent, both rounds");
        assert!(page.contains("75% (30 of 40) missed") && page.contains("90% (36 of 40) met"), "outcomes, both rounds");
        let (_, original) = get(&app, &manager, &format!("/providers/{p}/audits/{done}")).await;
        assert!(original.contains(&format!("href=\"/providers/{p}/audits/{}\"", reaudit.id)), "{original}");
    }
);

on_both_backends!(
    the_lead_records_results_but_not_the_plan_and_owners_close_their_own_actions,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (lead_user, lead_staff) = clinician(&mut conn, p, "grace", "Grace Okafor", "E1001");
        let (_other_user, _) = clinician(&mut conn, p, "sam", "Sam Reid", "E1002");
        let year = this_year();
        plans::create_plan(&mut conn, None, p, year).unwrap();
        let audit = add_audit(&mut conn, p, year, "Consent audit", "local_clinical", Some(lead_staff));
        let record = audits::audit(&mut conn, p, audit).unwrap().unwrap();
        let (c1, c2) = (record.criteria[0].id.to_string(), record.criteria[1].id.to_string());
        let results = format!("/providers/{p}/audits/{audit}/results");
        let started = ohgov::form::form_date(year.starts_on());

        let (lead, lead_token) = browser_signed_in(&app, "grace@clinic.example", PASSWORD).await;
        let (_, page) = get(&app, &lead, &format!("/providers/{p}/audits/{audit}")).await;
        assert!(page.contains("Record results"), "the lead is offered the results form");
        assert!(!page.contains("/edit\""), "but not the plan's form");
        let too_many = [
            ("criterion_id", c1.as_str()),
            ("cases_met", "41"),
            ("cases_checked", "40"),
            ("criterion_id", c2.as_str()),
            ("cases_met", ""),
            ("cases_checked", ""),
            ("status", "in_progress"),
            ("started_on", started.as_str()),
        ];
        let history_before = history_rows(&mut conn, "audit");
        let (status, page) = post(&app, &lead, &lead_token, &results, &too_many).await;
        assert_eq!(status, 422);
        assert!(page.contains("cases met (41) cannot be more than cases checked (40)"), "{page}");
        assert_eq!(history_rows(&mut conn, "audit"), history_before, "nothing written");
        let good = [
            ("criterion_id", c1.as_str()),
            ("cases_met", "38"),
            ("cases_checked", "40"),
            ("criterion_id", c2.as_str()),
            ("cases_met", ""),
            ("cases_checked", ""),
            ("status", "in_progress"),
            ("started_on", started.as_str()),
            ("findings", "Consent is recorded well"),
        ];
        assert_eq!(post(&app, &lead, &lead_token, &results, &good).await.0, 303);
        let saved = audits::audit(&mut conn, p, audit).unwrap().unwrap();
        assert_eq!((saved.criteria[0].cases_met, saved.criteria[0].cases_checked), (Some(38), Some(40)));
        assert_eq!(saved.criteria[0].percent_achieved, Some(95.0));
        assert_eq!(saved.criteria[0].met_target, Some(true));
        assert_eq!(saved.status.as_str(), "in_progress");
        assert_eq!(history_rows(&mut conn, "audit"), history_before + 1, "the results are in the history");
        let (status, _) = post(
            &app,
            &lead,
            &lead_token,
            &format!("/providers/{p}/audits/{audit}/edit"),
            &[
                ("title", "Renamed by the lead"),
                ("audit_type", "local_clinical"),
                ("planned_quarter", "1"),
                ("method", "x"),
            ],
        )
        .await;
        assert_eq!(status, 403, "the lead may not change the plan's fields");
        assert_eq!(audits::audit(&mut conn, p, audit).unwrap().unwrap().title, "Consent audit");

        let (other, other_token) = browser_signed_in(&app, "sam@clinic.example", PASSWORD).await;
        assert_eq!(post(&app, &other, &other_token, &results, &good).await.0, 403, "a clinician who does not lead it");

        // Actions: the owner closes their own; another clinician may not.
        let due = support::today() - Duration::days(3);
        let action = actions::add_action(
            &mut conn,
            Some(s.manager),
            p,
            audit,
            &NewAction {
                description: "Remind clinicians to record consent".into(),
                owner_id: lead_user.0,
                due_on: due,
            },
        )
        .unwrap();
        let path = format!("/providers/{p}/audit-actions/{action}");
        let done = [("status", "done"), ("completion_note", "Reminder sent to every clinician")];
        assert_eq!(post(&app, &other, &other_token, &path, &done).await.0, 403);
        let (status, page) = post(&app, &lead, &lead_token, &path, &[("status", "dropped")]).await;
        assert_eq!(status, 422, "dropping needs a reason");
        assert!(page.contains("Say why the action is dropped"));
        let before = history_rows(&mut conn, "audit_action");
        assert_eq!(post(&app, &lead, &lead_token, &path, &done).await.0, 303);
        let (status, closed_on, note): (String, Option<chrono::NaiveDate>, Option<String>) = audit_actions::table
            .find(action)
            .select((audit_actions::status, audit_actions::closed_on, audit_actions::completion_note))
            .first(&mut conn)
            .unwrap();
        assert_eq!(status, "done");
        assert_eq!(closed_on, Some(support::today()));
        assert_eq!(note.as_deref(), Some("Reminder sent to every clinician"));
        assert_eq!(history_rows(&mut conn, "audit_action"), before + 1);
        let (_, page) = get(&app, &lead, &path).await;
        assert!(page.contains("Action marked done"), "the confirmation, once");
        assert!(page.contains("Done on"), "{page}");

        // A manager may reopen anyone's action; it is open, and not closed, again.
        let (manager, manager_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        assert_eq!(post(&app, &manager, &manager_token, &path, &[("status", "open")]).await.0, 303);
        let (status, closed_on): (String, Option<chrono::NaiveDate>) = audit_actions::table
            .find(action)
            .select((audit_actions::status, audit_actions::closed_on))
            .first(&mut conn)
            .unwrap();
        assert_eq!((status.as_str(), closed_on), ("open", None));
        assert_eq!(history_rows(&mut conn, "audit_action"), before + 2);

        // A manager rewords a criterion: its result no longer counts what it says, so it goes;
        // the other keeps its result.
        let edit = format!("/providers/{p}/audits/{audit}/edit");
        let reworded = [
            ("title", "Consent audit"),
            ("audit_type", "local_clinical"),
            ("planned_quarter", "2"),
            ("method", "Review of 40 case notes"),
            ("lead_staff_id", &lead_staff.to_string()),
            ("criterion", "Consent recorded"),
            ("target", "95"),
            ("criterion", "Outcome stated in the approved words"),
            ("target", "90"),
            ("criterion", ""),
            ("target", ""),
            ("status", "in_progress"),
            ("started_on", started.as_str()),
            ("findings", "Consent is recorded well"),
        ];
        let history_before = history_rows(&mut conn, "audit");
        let (status, _) = post(&app, &manager, &manager_token, &edit, &reworded).await;
        assert_eq!(status, 303);
        let saved = audits::audit(&mut conn, p, audit).unwrap().unwrap();
        assert_eq!(saved.criteria[0].cases_met, Some(38), "unchanged, kept");
        assert_eq!(saved.criteria[1].description, "Outcome stated in the approved words");
        assert_eq!(history_rows(&mut conn, "audit"), history_before + 1);
    }
);

on_both_backends!(
    overdue_actions_show_on_the_overview_and_the_owners_home_page,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (owner, _) = clinician(&mut conn, p, "grace", "Grace Okafor", "E1001");
        clinician(&mut conn, p, "sam", "Sam Reid", "E1002");
        let year = this_year();
        plans::create_plan(&mut conn, None, p, year).unwrap();
        let audit = add_audit(&mut conn, p, year, "Consent audit", "local_clinical", None);
        let overdue = NewAction {
            description: "Add a consent prompt to the template".into(),
            owner_id: owner.0,
            due_on: support::today() - Duration::days(1),
        };
        let not_yet = NewAction {
            description: "Share the results at the clinical meeting".into(),
            owner_id: owner.0,
            due_on: support::today(),
        };
        let overdue_id = actions::add_action(&mut conn, None, p, audit, &overdue).unwrap();
        actions::add_action(&mut conn, None, p, audit, &not_yet).unwrap();

        let (manager, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let (_, page) = get(&app, &manager, &format!("/providers/{p}")).await;
        assert!(page.contains("Audit actions overdue"), "{page}");
        assert!(page.contains("Add a consent prompt to the template"));
        assert!(!page.contains("Share the results"), "due today is not overdue");
        let (grace, _) = browser_signed_in(&app, "grace@clinic.example", PASSWORD).await;
        let (_, home) = get(&app, &grace, "/").await;
        assert!(home.contains("Your audit actions overdue"), "{home}");
        assert!(home.contains(&format!("href=\"/providers/{p}/audit-actions/{overdue_id}\"")));
        let (sam, _) = browser_signed_in(&app, "sam@clinic.example", PASSWORD).await;
        let (_, home) = get(&app, &sam, "/").await;
        assert!(!home.contains("Your audit actions overdue"), "only the owner's own");

        // Once done it is overdue no more.
        actions::update_action(
            &mut conn,
            Some(owner),
            p,
            overdue_id,
            &ActionChange::Done { note: None },
            support::today(),
        )
        .unwrap();
        let (_, home) = get(&app, &grace, "/").await;
        assert!(!home.contains("Your audit actions overdue"));
    }
);

on_both_backends!(
    a_progress_report_shows_what_changed_worked_out_from_the_records,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let year = this_year();
        plans::create_plan(&mut conn, None, p, year).unwrap();
        let first = add_audit(&mut conn, p, year, "Consent audit", "local_clinical", None);
        add_audit(&mut conn, p, year, "Skin audit", "local_clinical", None);
        complete(&mut conn, p, first, year, &[(38, 40), (36, 40)]);
        let today = support::today();
        let closed = actions::add_action(
            &mut conn,
            None,
            p,
            first,
            &NewAction { description: "Change the template".into(), owner_id: s.manager.0, due_on: today },
        )
        .unwrap();
        actions::update_action(&mut conn, None, p, closed, &ActionChange::Done { note: None }, today).unwrap();
        actions::add_action(
            &mut conn,
            None,
            p,
            first,
            &NewAction {
                description: "Retrain staff".into(),
                owner_id: s.manager.0,
                due_on: today - Duration::days(2),
            },
        )
        .unwrap();

        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let path = format!("/providers/{p}/audit-plans/{}/reports", year.url());
        let before = history_rows(&mut conn, "audit_progress_report");
        let (status, page) = post(&app, &manager, &token, &path, &[("report_date", ""), ("summary", "")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter the report&#x27;s date") || page.contains("Enter the report's date"), "{page}");
        assert_eq!(history_rows(&mut conn, "audit_progress_report"), before, "nothing written");
        let date = ohgov::form::form_date(today);
        let (status, _) =
            post(&app, &manager, &token, &path, &[("report_date", &date), ("summary", "The consent audit is done.")])
                .await;
        assert_eq!(status, 303);
        assert_eq!(history_rows(&mut conn, "audit_progress_report"), before + 1);
        let (_, page) = get(&app, &manager, &path).await;
        assert!(page.contains("Since the plan began"), "{page}");
        assert!(page.contains("<li>1 audit started</li>"), "{page}");
        assert!(page.contains("<li>1 audit completed</li>"));
        assert!(page.contains("<li>1 action closed</li>"));
        assert!(page.contains("<li>1 action overdue on the day</li>"));
        assert!(page.contains("The consent audit is done."));
    }
);

on_both_backends!(
    the_plan_json_has_audits_criteria_results_actions_and_sign_off,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (owner, lead_staff) = clinician(&mut conn, p, "grace", "Grace Okafor", "E1001");
        let year = this_year();
        plans::create_plan(&mut conn, None, p, year).unwrap();
        let audit = add_audit(&mut conn, p, year, "Consent audit", "local_clinical", Some(lead_staff));
        complete(&mut conn, p, audit, year, &[(38, 40), (30, 40)]);
        actions::add_action(
            &mut conn,
            None,
            p,
            audit,
            &NewAction {
                description: "Retrain staff".into(),
                owner_id: owner.0,
                due_on: support::today() - Duration::days(2),
            },
        )
        .unwrap();
        let token = accounts::create_token(&mut conn, None, "manager@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{p}/audit-plans/{}", app.address, year.url());
        let response = app.client.get(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["year"], year.url());
        assert_eq!(body["sign_off"]["state"], "draft");
        assert!(body["sign_off"]["hash"].is_null() && body["sign_off"]["signed_by"].is_null());
        let first = &body["audits"][0];
        assert_eq!(first["title"], "Consent audit");
        assert_eq!(first["type"], "local_clinical");
        assert_eq!(first["status"], "completed");
        assert_eq!(first["lead"], "Grace Okafor");
        assert_eq!(first["criteria"][0]["target_percent"], 95.0);
        assert_eq!(first["criteria"][0]["cases_met"], 38);
        assert_eq!(first["criteria"][0]["cases_checked"], 40);
        assert_eq!(first["criteria"][0]["percent_achieved"], 95.0);
        assert_eq!(first["criteria"][1]["met_target"], false);
        assert_eq!(first["actions"][0]["description"], "Retrain staff");
        assert_eq!(first["actions"][0]["overdue"], true);
        assert_eq!(first["actions"][0]["owner"], "Grace Okafor");
        assert_eq!(body["sector_warnings"].as_array().unwrap().len(), 2);

        // An assessor reads the plan without the names.
        let assessor = accounts::create_token(&mut conn, None, "assessor@northshire.example").unwrap();
        let body: serde_json::Value =
            app.client.get(&url).bearer_auth(&assessor).send().await.unwrap().json().await.unwrap();
        assert!(body["audits"][0]["lead"].is_null() && body["audits"][0]["actions"][0]["owner"].is_null());

        let bad = app
            .client
            .get(format!("{}/api/v1/providers/{p}/audit-plans/2026-2027", app.address))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        assert!(bad.text().await.unwrap().contains("write it like 2026-27"));
        let none = format!("{}/api/v1/providers/{p}/audit-plans/{}", app.address, last_year().url());
        assert_eq!(app.client.get(&none).bearer_auth(&token).send().await.unwrap().status().as_u16(), 404);
    }
);

on_both_backends!(
    commissioners_and_assessors_read_the_programme_without_names,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let p = s.provider;
        let (_, lead_staff) = clinician(&mut conn, p, "grace", "Grace Okafor", "E1001");
        let year = this_year();
        plans::create_plan(&mut conn, None, p, year).unwrap();
        let audit = add_audit(&mut conn, p, year, "Consent audit", "local_clinical", Some(lead_staff));
        let (viewer, _) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let (_, page) = get(&app, &viewer, &format!("/providers/{p}/audits/{audit}")).await;
        assert!(page.contains("Grace Okafor"), "a viewer of the service sees the lead");
        assert!(!page.contains("Record results"), "but may not record results");
        let (assessor, _) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let (status, page) = get(&app, &assessor, &format!("/providers/{p}/audits/{audit}")).await;
        assert_eq!(status, 200);
        assert!(!page.contains("Grace Okafor") && page.contains("Named lead"), "{page}");
        let (_, plan) = get(&app, &assessor, &format!("/providers/{p}/audit-plans/{}", year.url())).await;
        assert!(!plan.contains("Grace Okafor") && plan.contains("Consent audit"));
    }
);
