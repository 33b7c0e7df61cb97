//! The daily reminders on both backends (issue 17): each kind queued to the right people with the
//! right subject on a fixed day, nothing new on a second run, the dry run writing nothing and
//! listing the same messages, people's choices (an opt-out is theirs alone, sign-off requests go
//! regardless, a manager's weekly digest on Mondays and nothing single on other days), no message
//! carrying a person's CPD titles or supervision minutes, and the `/account/reminders` page.

mod support;

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::reminders::{self, ChoicesInput};
use ohgov::accounts::store::Grant;
use ohgov::accounts::Role;
use ohgov::db::schema::{
    audit_actions, audit_plans, history, outbox_messages, reminder_opt_outs, service_coverage, users,
};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::evidence::model::{EvidenceDetails, EvidenceKind};
use ohgov::mail::reminders::run as remind;
use ohgov::outbox::ReminderKind;
use support::audits::{add_audit, new_plan, node, Audit};
use support::{browser_signed_in, service, PASSWORD};

/// A Tuesday: single reminders go.
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// The next Monday: the digest goes.
fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

fn now_on(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(6, 0, 0).unwrap()
}

fn days(n: i64) -> NaiveDate {
    day() + chrono::Duration::days(n)
}

const CPD_TITLE: &str = "Masterclass on fitness for work after cancer treatment";
const MINUTES: &str = "Discussed a referral about an employee's depression at length";
const NURSE_EMAIL: &str = "ada.nurse@northshire.example";

/// The service the reminders are about.
struct World {
    provider: ProviderId,
    manager: UserId,
    deputy: UserId,
    director: UserId,
    viewer: UserId,
}

fn email_of(conn: &mut DbConnection, user: UserId) -> String {
    users::table.find(user).select(users::email).first(conn).unwrap()
}

fn person(
    conn: &mut DbConnection,
    provider: ProviderId,
    input: ohgov::workforce::model::StaffInput,
) -> ohgov::db::StaffId {
    let regulations = ohgov::workforce::store::regulations(conn).unwrap();
    ohgov::workforce::store::create_staff(conn, None, provider, &input.parse(&regulations).unwrap()).unwrap()
}

/// A provider with something due of every kind on [`day`]:
/// - Ada Nurse RN (an address, no account): registration due in 45 days, revalidation in 20, her
///   CPD short (one course);
/// - Dr Ben Doctor, the clinical director's own record (by address): appraisal overdue;
/// - Sam Caseworker (no address): supervision last attended 60 days ago;
/// - Eve Lapsed RN: registration expired, so RP1, marked met, is contradicted by the records;
/// - two evidence items of the viewer's, one due for review in 10 days, one 3 days overdue;
/// - rehabilitation under an arrangement ending in 60 days;
/// - an audit's actions due in 3 days and 2 days overdue; its plan submitted for sign-off;
/// - a commissioner whose contract began 170 days ago, so the customer review is due in 13 days.
fn world(conn: &mut DbConnection) -> World {
    use ohgov::workforce::model::StaffInput;
    let s = service(conn, "Northshire OH Service", "northshire");
    let provider = s.provider;
    let deputy = UserInput {
        email: "deputy@northshire.example".into(),
        name: "Deputy manager".into(),
        password: PASSWORD.into(),
        is_admin: false,
    };
    let deputy = ohgov::accounts::store::create_user(
        conn,
        None,
        &deputy.parse().unwrap(),
        Some(Grant { organisation_id: provider.0, role: Role::Manager, expires_on: None }),
    )
    .unwrap();

    let ada = person(
        conn,
        provider,
        StaffInput {
            staff_number: "N1".into(),
            full_name: "Ada Nurse RN".into(),
            email: NURSE_EMAIL.into(),
            discipline: "oh_nurse".into(),
            registration_number: "12A3456E".into(),
            registration_renewal: days(45).to_string(),
            revalidation_due: days(20).to_string(),
            start_date: "2020-01-06".into(),
            ..Default::default()
        },
    );
    let cpd = ohgov::workforce::model::NewCpd {
        date: days(-100),
        title: CPD_TITLE.into(),
        activity_type: ohgov::workforce::model::CpdType::Course,
        hours: 6.0,
        participatory: true,
        reflective: false,
    };
    ohgov::workforce::store::add_cpd(conn, None, provider, ada, &cpd, None).unwrap();
    let director_email = email_of(conn, s.clinical_director);
    person(
        conn,
        provider,
        StaffInput {
            staff_number: "D1".into(),
            full_name: "Dr Ben Doctor".into(),
            email: director_email,
            discipline: "occupational_physician".into(),
            registration_number: "1234567".into(),
            registration_renewal: days(200).to_string(),
            revalidation_due: days(1000).to_string(),
            last_appraisal: days(-500).to_string(),
            responsible_officer: "Dr R Officer".into(),
            start_date: "2019-04-01".into(),
            ..Default::default()
        },
    );
    person(
        conn,
        provider,
        StaffInput {
            staff_number: "C1".into(),
            full_name: "Sam Caseworker".into(),
            discipline: "non_clinical_case_worker".into(),
            start_date: days(-400).to_string(),
            ..Default::default()
        },
    );
    let session = ohgov::workforce::model::NewSupervision {
        date: days(-60),
        kind: ohgov::workforce::model::SupervisionKind::Individual,
        supervisor: "D1".into(),
        attendees: vec!["C1".into()],
        minutes: MINUTES.into(),
        cases_discussed: 3,
        escalated_gp: 0,
        escalated_clinical: 0,
        escalated_specialist: 0,
    };
    ohgov::workforce::store::add_supervision(conn, None, provider, &session).unwrap();
    person(
        conn,
        provider,
        StaffInput {
            staff_number: "N3".into(),
            full_name: "Eve Lapsed RN".into(),
            discipline: "oh_nurse".into(),
            registration_number: "12A7654E".into(),
            registration_renewal: days(-5).to_string(),
            start_date: "2020-01-06".into(),
            ..Default::default()
        },
    );
    let met = ohgov::assessment::model::AssessmentInput {
        workflow: "done".into(),
        result: "met".into(),
        narrative: "Every registration is checked monthly".into(),
        ..Default::default()
    };
    ohgov::assessment::store::save_assessment(conn, Some(s.manager), provider, "RP1", &met.parse().unwrap(), days(-30))
        .unwrap();

    let framework = support::framework(conn, provider);
    for (title, review) in [("Fire safety policy", days(10)), ("Lone working policy", days(-3))] {
        let details = EvidenceDetails {
            kind: EvidenceKind::Note,
            title: title.into(),
            description: "Approved by the governance group".into(),
            owner_user_id: Some(s.viewer.0),
            effective_on: Some(days(-300)),
            review_due: Some(review),
            contains_patient_data: false,
            link_url: None,
            standards: Vec::new(),
            document_kind: None,
        };
        ohgov::evidence::store::add(conn, None, provider, framework, &details, None).unwrap();
    }

    diesel::insert_into(service_coverage::table)
        .values((
            service_coverage::provider_id.eq(provider),
            service_coverage::node_id.eq(node(conn, "REHAB")),
            service_coverage::delivery.eq("arrangement"),
            service_coverage::partner_name.eq("Southvale Physio Ltd"),
            service_coverage::starts_on.eq(days(-300)),
            service_coverage::ends_on.eq(days(60)),
            service_coverage::notes.eq(""),
            service_coverage::updated_at.eq(now_on(days(-300))),
        ))
        .execute(conn)
        .unwrap();

    let plan = new_plan(conn, provider, 2026);
    let audit = add_audit(conn, plan, &Audit { title: "Consent in referral reports", ..Default::default() });
    for (description, due) in [("Remind clinicians of the consent form", 3), ("Re-audit ten case notes", -2)] {
        diesel::insert_into(audit_actions::table)
            .values((
                audit_actions::audit_id.eq(audit),
                audit_actions::description.eq(description),
                audit_actions::owner_id.eq(s.viewer),
                audit_actions::due_on.eq(days(due)),
                audit_actions::status.eq("open"),
                audit_actions::created_at.eq(now_on(days(-40))),
                audit_actions::updated_at.eq(now_on(days(-40))),
            ))
            .execute(conn)
            .unwrap();
    }
    diesel::update(audit_plans::table.find(plan))
        .set((
            audit_plans::state.eq("submitted"),
            audit_plans::submitted_at.eq(Some(now_on(days(-1)))),
            audit_plans::submitted_by.eq(Some(s.manager)),
        ))
        .execute(conn)
        .unwrap();

    let trust = OrganisationInput {
        kind: "commissioner".into(),
        name: "Northshire Teaching Hospitals NHS Trust".into(),
        organisation_type: "nhs_trust".into(),
        ..Default::default()
    };
    let trust = ohgov::accounts::store::create_organisation(conn, None, &trust.parse().unwrap()).unwrap();
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: provider,
        starts_on: days(-170),
        ends_on: None,
        services: vec!["REHAB".into()],
    };
    ohgov::accounts::store::create_contract(conn, None, &contract).unwrap();

    World { provider, manager: s.manager, deputy, director: s.clinical_director, viewer: s.viewer }
}

/// Every queued message: (kind, address, subject, key).
fn queued(conn: &mut DbConnection) -> Vec<(String, String, String, String)> {
    outbox_messages::table
        .select((
            outbox_messages::kind,
            outbox_messages::recipient_email,
            outbox_messages::subject,
            outbox_messages::message_key,
        ))
        .order(outbox_messages::id)
        .load(conn)
        .unwrap()
}

fn count(conn: &mut DbConnection) -> i64 {
    outbox_messages::table.count().get_result(conn).unwrap()
}

/// The addresses a kind of message went to with this subject.
fn sent_to(rows: &[(String, String, String, String)], kind: &str, subject: &str) -> BTreeSet<String> {
    rows.iter().filter(|r| r.0 == kind && r.2 == subject).map(|r| r.1.clone()).collect()
}

fn set(addresses: &[&str]) -> BTreeSet<String> {
    addresses.iter().map(|a| a.to_string()).collect()
}

fn choose(conn: &mut DbConnection, user: UserId, off: &[ReminderKind], digest: bool) {
    let input = ChoicesInput {
        reminders: ReminderKind::ALL.iter().filter(|k| !off.contains(k)).map(|k| k.as_str().to_string()).collect(),
        digest: if digest { "yes".into() } else { String::new() },
    };
    reminders::save(conn, user, &input, day(), now_on(day())).unwrap();
}

on_both_backends!(
    each_kind_goes_to_the_right_people_once,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let w = world(&mut conn);
        let (m, d, v) =
            (email_of(&mut conn, w.manager), email_of(&mut conn, w.director), email_of(&mut conn, w.viewer));
        let deputy = email_of(&mut conn, w.deputy);
        let managers = set(&[&m, &deputy]);

        let report = remind(&mut conn, day(), now_on(day()), false).unwrap();
        let rows = queued(&mut conn);
        assert_eq!(report.queued, rows.len());
        let with_nurse = set(&[NURSE_EMAIL, &m, &deputy]);
        assert_eq!(
            sent_to(&rows, "registration_due", "Registration due for renewal by 15 Jan 2027: Ada Nurse RN"),
            with_nurse
        );
        assert_eq!(sent_to(&rows, "revalidation_due", "Revalidation due by 21 Dec 2026: Ada Nurse RN"), with_nurse);
        assert_eq!(sent_to(&rows, "cpd_short", "CPD short of the requirement: Ada Nurse RN"), with_nurse);
        assert_eq!(sent_to(&rows, "appraisal_overdue", "Appraisal overdue: Dr Ben Doctor"), set(&[&d, &m, &deputy]));
        assert_eq!(sent_to(&rows, "supervision_overdue", "Clinical supervision overdue: Sam Caseworker"), managers);
        assert_eq!(
            sent_to(&rows, "evidence_review_due", "Evidence review due by 11 Dec 2026: Fire safety policy"),
            set(&[&v])
        );
        assert_eq!(
            sent_to(&rows, "evidence_review_overdue", "Evidence review overdue since 28 Nov 2026: Lone working policy"),
            set(&[&v])
        );
        assert_eq!(sent_to(&rows, "arrangement_ending", "Arrangement ending 30 Jan 2027: Rehabilitation"), managers);
        assert_eq!(
            sent_to(&rows, "action_due", "Audit action due by 4 Dec 2026: Consent in referral reports"),
            managers
        );
        assert_eq!(
            sent_to(&rows, "action_overdue", "Audit action overdue since 29 Nov 2026: Consent in referral reports"),
            managers
        );
        assert_eq!(sent_to(&rows, "standard_contradicted", "Standard RP1 is contradicted by the records"), managers);
        let review = "Customer review with Northshire Teaching Hospitals NHS Trust due by 14 Dec 2026";
        assert_eq!(sent_to(&rows, "customer_review_due", review), managers);
        assert_eq!(
            sent_to(&rows, "sign_off_requested", "The audit plan 2026/27 is awaiting your sign-off"),
            set(&[&d])
        );
        let kinds: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(kinds.len(), 13, "every kind but the digest: {kinds:?}");
        // Keys name the episode and the recipient.
        let key = "registration_due:staff-";
        assert!(rows
            .iter()
            .any(|r| r.3.starts_with(key) && r.3.ends_with(&format!(":60:2027-01-15:user-{}", w.manager.0))));
        assert!(rows.iter().any(|r| r.3.ends_with(&format!(":60:2027-01-15:email-{NURSE_EMAIL}"))));

        // A second run, and a run later in the same windows, queue nothing new.
        let again = remind(&mut conn, day(), now_on(day()), false).unwrap();
        assert_eq!((again.queued, again.already_queued), (0, rows.len()));
        assert_eq!(count(&mut conn), rows.len() as i64);
        let later = remind(&mut conn, day() + chrono::Duration::days(1), now_on(day()), false).unwrap();
        assert_eq!(later.queued, 0, "{:?}", later.messages.iter().filter(|m| !m.already_queued).collect::<Vec<_>>());
        // The message names the person and links to where it is put right.
        let body: String = outbox_messages::table
            .filter(outbox_messages::kind.eq("registration_due"))
            .filter(outbox_messages::recipient_email.eq(NURSE_EMAIL))
            .select(outbox_messages::body_text)
            .first(&mut conn)
            .unwrap();
        assert!(body.contains("Your professional registration is due for renewal by 15 Jan 2027"), "{body}");
        assert!(body.contains(&format!("/providers/{}/workforce/staff/", w.provider)), "{body}");
        assert!(body.contains("/account/reminders"), "{body}");
    }
);

on_both_backends!(
    the_dry_run_writes_nothing_and_lists_the_same_messages,
    catalogue_db | db | {
        let mut conn = db.migrated();
        world(&mut conn);
        let dry = remind(&mut conn, day(), now_on(day()), true).unwrap();
        assert_eq!(count(&mut conn), 0, "the dry run wrote nothing");
        assert!(dry.dry_run && dry.queued > 0 && dry.messages.iter().all(|m| !m.already_queued));
        let real = remind(&mut conn, day(), now_on(day()), false).unwrap();
        let listed = |r: &ohgov::mail::reminders::RunReport| -> Vec<(String, String, String)> {
            r.messages.iter().map(|m| (m.key.clone(), m.email.clone(), m.subject.clone())).collect()
        };
        assert_eq!(listed(&dry), listed(&real));
        assert_eq!(count(&mut conn), real.queued as i64);
        let after = remind(&mut conn, day(), now_on(day()), true).unwrap();
        assert_eq!(listed(&after), listed(&real));
        assert!(after.messages.iter().all(|m| m.already_queued), "each marked already queued");
        assert_eq!(count(&mut conn), real.queued as i64);
    }
);

on_both_backends!(
    choices_turn_kinds_off_for_their_owner_only_and_the_digest_goes_on_mondays,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let w = world(&mut conn);
        let (m, d, deputy) =
            (email_of(&mut conn, w.manager), email_of(&mut conn, w.director), email_of(&mut conn, w.deputy));
        choose(&mut conn, w.manager, &[ReminderKind::RegistrationDue], false);
        choose(&mut conn, w.director, ReminderKind::ALL, false);
        choose(&mut conn, w.deputy, &[ReminderKind::CpdShort], true);

        let report = remind(&mut conn, day(), now_on(day()), false).unwrap();
        let rows = queued(&mut conn);
        let subject = "Registration due for renewal by 15 Jan 2027: Ada Nurse RN";
        assert_eq!(sent_to(&rows, "registration_due", subject), set(&[NURSE_EMAIL]), "the manager's opt-out is theirs");
        assert!(rows.iter().any(|r| r.0 == "appraisal_overdue" && r.1 == m), "the manager's other kinds still go");
        assert!(!rows.iter().any(|r| r.1 == d && r.0 != "sign_off_requested"), "the director turned every kind off");
        assert_eq!(
            sent_to(&rows, "sign_off_requested", "The audit plan 2026/27 is awaiting your sign-off"),
            set(&[&d])
        );
        assert!(!rows.iter().any(|r| r.1 == deputy), "nothing single for the digest's manager on a Tuesday");
        assert!(report.held_back > 0);

        let monday_run = remind(&mut conn, monday(), now_on(monday()), false).unwrap();
        let digests: Vec<(String, String, String, String)> =
            queued(&mut conn).into_iter().filter(|r| r.1 == deputy).collect();
        assert_eq!(digests.len(), 1, "one message for the digest's manager: {digests:?}");
        let (kind, _, subject, key) = &digests[0];
        assert_eq!(kind, "weekly_digest");
        assert_eq!(key, &format!("weekly_digest:user-{}:2026-W50", w.deputy.0));
        assert!(subject.starts_with("Your weekly reminders: "), "{subject}");
        let body: String = outbox_messages::table
            .filter(outbox_messages::message_key.eq(key))
            .select(outbox_messages::body_text)
            .first(&mut conn)
            .unwrap();
        for item in [
            "Registration due for renewal by 15 Jan 2027: Ada Nurse RN",
            "Appraisal overdue: Dr Ben Doctor",
            "Standard RP1 is contradicted by the records",
            "Audit action overdue since 29 Nov 2026: Consent in referral reports",
        ] {
            assert!(body.contains(item), "the digest lists {item}: {body}");
        }
        assert!(!body.contains("CPD short"), "a kind turned off is not listed: {body}");
        assert!(monday_run.messages.iter().any(|m| m.key == *key));
        // A second Monday run queues no second digest.
        let again = remind(&mut conn, monday(), now_on(monday()), false).unwrap();
        assert_eq!(again.queued, 0);
    }
);

on_both_backends!(
    no_message_carries_cpd_titles_or_supervision_minutes,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let w = world(&mut conn);
        choose(&mut conn, w.deputy, &[], true);
        remind(&mut conn, day(), now_on(day()), false).unwrap();
        remind(&mut conn, monday(), now_on(monday()), false).unwrap();
        let bodies: Vec<(String, String, String)> = outbox_messages::table
            .select((outbox_messages::subject, outbox_messages::body_text, outbox_messages::body_html))
            .load(&mut conn)
            .unwrap();
        assert!(bodies.iter().any(|(_, text, _)| text.contains("Ada Nurse RN")));
        assert!(bodies.iter().any(|(_, text, _)| text.contains("Sam Caseworker")));
        for (subject, text, html) in &bodies {
            for secret in [CPD_TITLE, MINUTES, "depression", "Masterclass"] {
                assert!(
                    !subject.contains(secret) && !text.contains(secret) && !html.contains(secret),
                    "{subject}: {secret}"
                );
            }
        }
    }
);

on_both_backends!(
    the_reminders_page_saves_choices_with_history_and_refuses_a_forged_kind,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (browser, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let page = browser.get(format!("{}/account", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("href=\"/account/reminders\""), "linked from the account page");
        let page =
            browser.get(format!("{}/account/reminders", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("value=\"registration_due\" checked"), "on by default");
        assert!(page.contains("Weekly digest"), "a manager is offered the digest");
        assert!(page.contains("Requests to sign off an audit plan"), "sign-off requests shown as always sent");

        let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str()), ("digest", "yes")];
        for kind in ReminderKind::ALL.iter().filter(|k| !matches!(k, ReminderKind::CpdShort | ReminderKind::ActionDue))
        {
            form.push(("reminders", kind.as_str()));
        }
        let trail: i64 = history::table.count().get_result(&mut conn).unwrap();
        let saved = browser.post(format!("{}/account/reminders", app.address)).form(&form).send().await.unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        let page =
            browser.get(format!("{}/account/reminders", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Your reminders are saved: 2 turned off, weekly digest on"), "{page}");
        assert!(!page.contains("value=\"cpd_short\" checked"));
        let off: Vec<String> = reminder_opt_outs::table
            .filter(reminder_opt_outs::user_id.eq(s.manager))
            .select(reminder_opt_outs::kind)
            .order(reminder_opt_outs::kind)
            .load(&mut conn)
            .unwrap();
        assert_eq!(off, vec!["action_due".to_string(), "cpd_short".to_string()]);
        let digest: bool = users::table.find(s.manager).select(users::reminder_digest).first(&mut conn).unwrap();
        assert!(digest);
        let row: (String, String, String) = history::table
            .filter(history::id.gt(trail as i32))
            .select((history::entity, history::action, history::changes))
            .order(history::id.desc())
            .first(&mut conn)
            .unwrap();
        assert_eq!((row.0.as_str(), row.1.as_str()), ("user", "reminders"));
        assert!(row.2.contains("cpd_short") && row.2.contains("reminder_digest"), "{}", row.2);

        // A forged kind is refused at its field, and nothing changes.
        let forged = browser
            .post(format!("{}/account/reminders", app.address))
            .form(&[("csrf_token", token.as_str()), ("reminders", "sign_off_requested")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 422);
        let page = forged.text().await.unwrap();
        assert!(page.contains("id=\"reminders\"") && page.contains("error-message"), "{page}");
        let still: i64 = reminder_opt_outs::table
            .filter(reminder_opt_outs::user_id.eq(s.manager))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(still, 2);

        // Someone who is not a manager cannot take the digest.
        let (viewer, token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let page = viewer.get(format!("{}/account/reminders", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Weekly digest"));
        let refused = viewer
            .post(format!("{}/account/reminders", app.address))
            .form(&[("csrf_token", token.as_str()), ("digest", "yes")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        let saved = viewer
            .post(format!("{}/account/reminders", app.address))
            .form(&[("csrf_token", token.as_str()), ("reminders", "registration_due")])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        let page = viewer.get(format!("{}/account/reminders", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Your reminders are saved: 11 turned off"), "{page}");
    }
);

on_both_backends!(
    the_days_reminders_arrive_at_a_real_smtp_server_to_their_people_once,
    catalogue_db | db | {
        use ohgov::config::MailSettings;
        use ohgov::mail::{sender, transport::Transport};
        let Some(server) = support::smtp::SmtpServer::start() else { return };
        let mut conn = db.migrated();
        world(&mut conn);
        remind(&mut conn, day(), now_on(day()), false).unwrap();
        let rows = queued(&mut conn);
        assert!(rows.len() > 20, "a day of reminders: {}", rows.len());
        let settings = MailSettings {
            smtp_url: Some(server.url()),
            user: None,
            password: None,
            from: "ohgov <ohgov@northshire.example>".into(),
            mail_dir: "unused".into(),
        };
        let transport = Transport::from_settings(&settings).unwrap();
        let at = now_on(day()).and_utc();
        let sent = sender::drain(&mut conn, &transport, &settings.from, "sender-a", at).unwrap();
        assert_eq!((sent.sent, sent.retried, sent.failed), (rows.len(), 0, 0));

        let mut arrived: Vec<(String, String)> = server
            .received()
            .into_iter()
            .map(|message| (message.recipients.join(",").to_lowercase(), message.subject))
            .collect();
        let mut expected: Vec<(String, String)> = rows.iter().map(|r| (r.1.to_lowercase(), r.2.clone())).collect();
        arrived.sort();
        expected.sort();
        assert_eq!(arrived, expected, "each reminder reached its one recipient with its subject");

        // The next day's run and drain send nothing already sent.
        let next_day = day() + chrono::Duration::days(1);
        remind(&mut conn, next_day, now_on(next_day), false).unwrap();
        let again =
            sender::drain(&mut conn, &transport, &settings.from, "sender-a", now_on(next_day).and_utc()).unwrap();
        assert_eq!(again.sent, count(&mut conn) as usize - rows.len());
        assert_eq!(server.received().len(), count(&mut conn) as usize);
    }
);
