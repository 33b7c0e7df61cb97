//! The access matrix: every route, walked with every role and with no one signed in. A route
//! found in the source but missing from the table fails the test, so no route escapes the check.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::{self, Grant};
use ohgov::accounts::Role;
use ohgov::db::{ProviderId, UserId};

const PEOPLE: [&str; 8] =
    ["anonymous", "manager", "clinical_director", "clinician", "viewer", "commissioner", "assessor", "admin"];

/// Every `.route("PATH", web::METHOD()` in the source, as (METHOD, PATH).
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split(".route(").skip(1) {
                let Some(rest) = piece.trim_start().strip_prefix('"') else { continue };
                let (pattern, after) = rest.split_once('"').unwrap();
                let method = after.split("::").nth(1).and_then(|m| m.split('(').next()).unwrap_or("?");
                found.insert((method.to_uppercase(), pattern.to_string()));
            }
        }
    }
    found
}

/// Routes whose handlers read a multipart upload: their POSTs are sent as multipart forms.
const MULTIPART: [&str; 4] = [
    "/providers/{provider_id}/evidence",
    "/providers/{provider_id}/evidence/{item_id}/replace",
    "/providers/{provider_id}/workforce/import",
    "/providers/{provider_id}/kpis/import",
];
/// POSTs that need no one signed in: signing in and out, and accounts by email.
const OPEN_POSTS: [&str; 5] =
    ["/sign-in", "/sign-out", "/forgot-password", "/reset-password/{token}", "/invitation/{token}"];
/// Routes that end the session (every session of the user, for the second): the walk signs in
/// again after them.
const ENDS_SESSION: [&str; 2] = ["/sign-out", "/sign-out-everywhere"];

/// Minimal bodies for the POSTs whose empty body would change what later rows see: closing the
/// finding with a date before it was raised is refused (303 back to the findings with the problem)
/// after the finding is found, and writes nothing.
const MINIMAL_BODIES: [(&str, &str, &str); 1] =
    [("/providers/{provider_id}/findings/{finding_id}/close", "closed_on", "2000-01-01")];

/// Administration pages: only the admin; anonymous visitors are sent to sign in.
const ADMIN_ONLY: [u16; 8] = [303, 403, 403, 403, 403, 403, 403, 200];
/// An administration form, sent empty: the admin's is refused at its fields, anyone else's is
/// forbidden.
const ADMIN_POST: [u16; 8] = [303, 403, 403, 403, 403, 403, 403, 422];

struct World {
    provider: i32,
    other_provider: i32,
    /// A file in the provider's evidence library, an assessor request, and an open finding.
    evidence: i32,
    request: i32,
    finding: i32,
    /// One of the provider's people.
    person: i32,
    /// A saved column mapping for the provider's staff files.
    mapping: i32,
    /// A file holding patient-identifiable data (only managers download it), attached to the
    /// answer of a second request.
    patient_evidence: i32,
    answered_request: i32,
    /// This financial year's audit plan ("2026-27"), with next year's already started, one audit
    /// with no lead and one criterion, and an action from it owned by the manager.
    year: String,
    audit: i32,
    action: i32,
    /// A customer review the provider recorded with the trust, awaiting the trust's confirmation.
    review: i32,
    /// The commissioner (an NHS trust) holding a current contract with the provider.
    trust: i32,
}

fn build_world(db: &support::TestDb) -> World {
    let mut conn = db.migrated();
    let org = |conn: &mut _, kind: &str, name: &str| {
        let input = OrganisationInput { kind: kind.into(), name: name.into(), ..Default::default() };
        store::create_organisation(conn, None, &input.parse().unwrap()).unwrap()
    };
    let provider = org(&mut conn, "provider", "Northshire OH Service");
    let other_provider = org(&mut conn, "provider", "Southvale Occupational Health Ltd");
    let trust = org(&mut conn, "commissioner", "Northshire Teaching Hospitals NHS Trust");
    let today = chrono::Utc::now().date_naive();
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: ProviderId(provider),
        starts_on: today - chrono::Duration::days(30),
        ends_on: None,
        services: vec![],
    };
    store::create_contract(&mut conn, None, &contract).unwrap();
    for person in &PEOPLE[1..] {
        let user = UserInput {
            email: format!("{person}@example.nhs.uk"),
            name: person.to_string(),
            password: "a long enough passphrase".into(),
            is_admin: *person == "admin",
        };
        let grant = match *person {
            "admin" => None,
            "commissioner" => Some(Grant { organisation_id: trust, role: Role::Commissioner, expires_on: None }),
            "assessor" => Some(Grant {
                organisation_id: provider,
                role: Role::Assessor,
                expires_on: Some(today + chrono::Duration::days(30)),
            }),
            role => Some(Grant { organisation_id: provider, role: Role::parse(role).unwrap(), expires_on: None }),
        };
        store::create_user(&mut conn, None, &user.parse().unwrap(), grant).unwrap();
    }
    ohgov::catalogue::store::load_if_empty(&mut conn, &ohgov::catalogue::builtin_sources()).unwrap();
    let details = ohgov::evidence::model::EvidenceInput {
        kind: "file".into(),
        title: "Occupational health policy".into(),
        standards: vec!["GF1".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = ohgov::evidence::model::check_upload(b"Policy text".to_vec(), "policy.txt", 1 << 20).unwrap();
    let provider_id = ProviderId(provider);
    let framework = support::framework(&mut conn, provider_id);
    let evidence =
        ohgov::evidence::store::add(&mut conn, None, provider_id, framework, &details, Some(&upload)).unwrap();
    let request =
        ohgov::assessment::store::raise_request(&mut conn, None, provider_id, Some("GF1"), "The signed policy")
            .unwrap();
    let finding = ohgov::assessment::model::FindingInput {
        grade: "minor_nonconformity".into(),
        description: "The policy is not signed".into(),
        action_needed: "Sign the policy".into(),
        raised_on: today.to_string(),
    }
    .parse(today)
    .unwrap();
    let source = ohgov::assessment::model::FindingSource::InternalAudit;
    let finding =
        ohgov::assessment::store::record_finding(&mut conn, None, provider_id, "GF1", source, &finding).unwrap();
    let regulations = ohgov::workforce::store::regulations(&mut conn).unwrap();
    let nurse = ohgov::workforce::model::StaffInput {
        staff_number: "E1001".into(),
        full_name: "Grace Okafor".into(),
        discipline: "oh_nurse".into(),
        registration_number: "12A3456E".into(),
        email: "grace.okafor@northshire.nhs.uk".into(),
        ..Default::default()
    }
    .parse(&regulations)
    .unwrap();
    let person = ohgov::workforce::store::create_staff(&mut conn, None, provider_id, &nurse).unwrap().0;
    let records = ohgov::evidence::model::EvidenceInput {
        kind: "file".into(),
        title: "Case review sample".into(),
        contains_patient_data: true,
        standards: vec!["GF1".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = ohgov::evidence::model::check_upload(b"Patient notes".to_vec(), "cases.txt", 1 << 20).unwrap();
    let patient_evidence =
        ohgov::evidence::store::add(&mut conn, None, provider_id, framework, &records, Some(&upload)).unwrap();
    let answered_request =
        ohgov::assessment::store::raise_request(&mut conn, None, provider_id, Some("GF1"), "A sample of case reviews")
            .unwrap();
    ohgov::assessment::store::answer_request(
        &mut conn,
        None,
        provider_id,
        answered_request,
        "Attached, with patient details",
        &[patient_evidence],
    )
    .unwrap();
    let year = ohgov::clock::FinancialYear::containing(support::today());
    let next = ohgov::clock::FinancialYear::starting_in(year.start_year() + 1).unwrap();
    ohgov::audits::store::plans::create_plan(&mut conn, None, provider_id, year).unwrap();
    ohgov::audits::store::plans::create_plan(&mut conn, None, provider_id, next).unwrap();
    let (plan, progress) = ohgov::audits::model::AuditInput {
        title: "Consent in management referrals".into(),
        audit_type: "local_clinical".into(),
        planned_quarter: "1".into(),
        method: "Review of 40 reports".into(),
        criterion: vec!["Consent recorded".into()],
        target: vec!["95".into()],
        ..Default::default()
    }
    .parse(support::today())
    .unwrap();
    let audit = ohgov::audits::store::audits::create_audit(
        &mut conn,
        None,
        provider_id,
        year,
        &plan,
        &progress,
        framework,
        support::today(),
    )
    .unwrap();
    let manager: i32 = {
        use diesel::prelude::*;
        ohgov::db::schema::users::table
            .filter(ohgov::db::schema::users::email.eq("manager@example.nhs.uk"))
            .select(ohgov::db::schema::users::id)
            .first(&mut conn)
            .unwrap()
    };
    let new_action = ohgov::audits::model::NewAction {
        description: "Add a consent prompt to the template".into(),
        owner_id: manager,
        due_on: support::today() + chrono::Duration::days(30),
    };
    let action = ohgov::audits::store::actions::add_action(&mut conn, None, provider_id, audit, &new_action).unwrap();
    signed_audit_plan(&mut conn, provider_id, support::today());
    approved_quality_report(&mut conn, provider_id, support::today());
    let review = ohgov::commissioning::store::reviews::record(
        &mut conn,
        UserId(manager),
        provider_id,
        &ohgov::commissioning::store::reviews::Standing {
            side: ohgov::commissioning::model::ReviewSide::Provider,
            commissioners: Vec::new(),
        },
        &ohgov::commissioning::model::ReviewInput {
            commissioner_id: trust.to_string(),
            held_on: support::today().to_string(),
            attendees: "The manager; the commissioner".into(),
            topics: "Referral turnaround".into(),
            outcomes: "On target".into(),
            agreed_actions: String::new(),
        },
        support::today(),
        chrono::Utc::now().naive_utc(),
    )
    .unwrap();
    let mapping = {
        let columns =
            [("staff_number", "Employee Number"), ("full_name", "Full Name"), ("discipline", "Position Title")]
                .into_iter()
                .map(|(field, header)| (field.to_string(), header.to_string()))
                .collect();
        let headers: Vec<String> = ["Employee Number", "Full Name", "Position Title"].map(String::from).to_vec();
        ohgov::workforce::mapping_store::save(
            &mut conn,
            None,
            provider_id,
            ohgov::workforce::import::ImportKind::Staff,
            "ESR monthly staff report",
            &headers,
            &ohgov::workforce::mapping::ColumnMapping { columns, values: Default::default() },
            chrono::Utc::now().naive_utc(),
        )
        .unwrap()
    };
    World {
        provider,
        other_provider,
        evidence,
        request,
        finding,
        person,
        mapping,
        patient_evidence,
        answered_request,
        year: year.url(),
        audit,
        action,
        review,
        trust,
    }
}

/// This year's audit plan (made above, with its audit), submitted by the manager and signed off by
/// the clinical director, so the sign-off pages have a signed version (submitting it again is
/// refused: 409).
fn signed_audit_plan(conn: &mut ohgov::db::DbConnection, provider: ProviderId, today: chrono::NaiveDate) {
    use diesel::prelude::*;
    use ohgov::db::schema::{audit_plans, users};
    let year = ohgov::clock::FinancialYear::containing(today);
    let now = chrono::Utc::now().naive_utc();
    let plan: i32 = audit_plans::table
        .filter(audit_plans::provider_id.eq(provider))
        .filter(audit_plans::year_start.eq(year.start_year()))
        .select(audit_plans::id)
        .first(conn)
        .unwrap();
    let mut user =
        |email: &str| UserId(users::table.filter(users::email.eq(email)).select(users::id).first::<i32>(conn).unwrap());
    let (manager, director) = (user("manager@example.nhs.uk"), user("clinical_director@example.nhs.uk"));
    ohgov::audits::store::sign_off::submit(conn, plan, manager, now).unwrap();
    ohgov::audits::store::sign_off::sign(conn, plan, director, now).unwrap();
}

/// This year's quality report approved as version 1 by the clinical director (a stand-in file),
/// so the approved version's download has something to send.
fn approved_quality_report(conn: &mut ohgov::db::DbConnection, provider: ProviderId, today: chrono::NaiveDate) {
    use diesel::prelude::*;
    use ohgov::db::schema::users;
    use ohgov::documents::store::reports::{approve, Approval};
    let director: i32 =
        users::table.filter(users::email.eq("clinical_director@example.nhs.uk")).select(users::id).first(conn).unwrap();
    let bytes = b"%PDF-1.7 approved quality report".to_vec();
    let sha256 = "a".repeat(64);
    let approval = Approval { version: 1, bytes: &bytes, sha256: &sha256, file_name: "quality-report-v1.pdf" };
    let year = ohgov::clock::FinancialYear::containing(today);
    approve(conn, UserId(director), provider, year, &approval, chrono::Utc::now().naive_utc()).unwrap();
}

fn form_token(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + 25;
    html[start..].split('"').next().map(str::to_string)
}

/// A browser for `person` (signed in unless anonymous) and its session's form token, from the
/// sign-in page for an anonymous visitor and from the home page's sign-out form otherwise.
async fn session_with_token(app: &support::TestApp, person: &str) -> (reqwest::Client, String) {
    let client = signed_in(app, person).await;
    let page = if person == "anonymous" { "/sign-in" } else { "/" };
    let html = client.get(format!("{}{page}", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&html).unwrap_or_else(|| panic!("{person}: {page} carries the form token"));
    (client, token)
}

async fn signed_in(app: &support::TestApp, person: &str) -> reqwest::Client {
    let client = support::TestApp::new_browser();
    if person == "anonymous" {
        return client;
    }
    let page = client.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page).unwrap();
    let email = format!("{person}@example.nhs.uk");
    let response = client
        .post(format!("{}/sign-in", app.address))
        .form(&[("csrf_token", token.as_str()), ("email", email.as_str()), ("password", "a long enough passphrase")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303, "{person} signs in");
    client
}

on_both_backends!(
    every_route_answers_every_role_as_the_table_says,
    app | app | {
        let world = build_world(&app.db);
        let (p, q) = (world.provider, world.other_provider);
        let (e, r, s) = (world.evidence, world.request, world.person);
        let m = world.mapping;
        let pe = world.patient_evidence;
        let f = world.finding;
        let (y, au, ac) = (world.year.clone(), world.audit, world.action);
        let t = world.trust;
        // Who may read the assessment and evidence, who may change it (its POST, sent empty, is
        // refused at its fields: 422), and who may assess (record findings, ask for evidence).
        const READS_ASSESSMENT: [u16; 8] = [303, 200, 200, 200, 200, 200, 200, 404];
        const MANAGES: [u16; 8] = [303, 200, 200, 403, 403, 403, 403, 404];
        const HIDDEN: [u16; 8] = [303, 404, 404, 404, 404, 404, 404, 404];
        const COMMISSIONER_ONLY: [u16; 8] = [303, 404, 404, 404, 404, 200, 404, 404];
        const MANAGES_POST: [u16; 8] = [303, 422, 422, 403, 403, 403, 403, 404];
        const ASSESSES_POST: [u16; 8] = [303, 422, 422, 403, 403, 403, 422, 404];
        const READS: [u16; 8] = [303, 200, 200, 200, 200, 200, 403, 404];
        // Named staff records: not for a commissioner (the figures, not the people) or an assessor.
        const READS_STAFF: [u16; 8] = [303, 200, 200, 200, 200, 403, 403, 404];
        // A file holding patient-identifiable data: only those who manage the service download it.
        const DOWNLOADS_PATIENT_DATA: [u16; 8] = [303, 200, 200, 403, 403, 403, 403, 404];
        // Signing off an audit plan, or returning it: only a clinical director (the form, sent
        // empty, is refused at its field).
        const SIGNS_OFF_POST: [u16; 8] = [303, 403, 422, 403, 403, 403, 403, 404];
        // Recording a customer review: managers, clinical directors and the commissioner.
        const REVIEWS: [u16; 8] = [303, 200, 200, 403, 403, 200, 403, 404];
        let rv = world.review;
        let year = ohgov::clock::FinancialYear::containing(chrono::Utc::now().date_naive()).url();
        let plan = format!("/providers/{p}/audit-plans/{year}");
        let other_plan = format!("/providers/{q}/audit-plans/{year}");

        // (method, route pattern, concrete path, expected status for each of PEOPLE in order).
        // Each POST is sent twice. First without a form token: it is refused before anything is
        // done, 403 whatever the provider (the form reader checks the token before the handler
        // asks who may see the provider, so the answer says nothing about it); anonymous callers
        // are sent to sign in unless the route is open. Then with the session's valid token and an empty body (a minimal one
        // where MINIMAL_BODIES says): the table's answer, where an allowed caller gets the form's
        // own answer (422, 303, 200) and a forbidden one 403 or 404.
        let table: Vec<(&str, &str, String, [u16; 8])> = vec![
            ("GET", "/", "/".into(), [200; 8]),
            ("GET", "/healthz", "/healthz".into(), [200; 8]),
            ("GET", "/static/{path:.*}", "/static/ohgov.css".into(), [200; 8]),
            ("GET", "/catalogue", "/catalogue".into(), [200; 8]),
            ("GET", "/sign-in", "/sign-in".into(), [200; 8]),
            // Anyone may try to sign in; with no email or password the page is shown again with 401.
            ("POST", "/sign-in", "/sign-in".into(), [401; 8]),
            ("POST", "/sign-out", "/sign-out".into(), [303; 8]),
            // Accounts by email: open to anyone. A reset request with no email is refused at its
            // field (and not counted against the address); a link that was never sent is 404.
            ("GET", "/forgot-password", "/forgot-password".into(), [200; 8]),
            ("POST", "/forgot-password", "/forgot-password".into(), [422; 8]),
            ("GET", "/reset-password/{token}", "/reset-password/ohgov_not_sent".into(), [404; 8]),
            ("POST", "/reset-password/{token}", "/reset-password/ohgov_not_sent".into(), [404; 8]),
            ("GET", "/invitation/{token}", "/invitation/ohgov_not_sent".into(), [404; 8]),
            ("POST", "/invitation/{token}", "/invitation/ohgov_not_sent".into(), [404; 8]),
            // Inviting people into a provider: those who manage it.
            ("GET", "/providers/{provider_id}/invite", format!("/providers/{p}/invite"), MANAGES),
            ("GET", "/providers/{provider_id}/invite", format!("/providers/{q}/invite"), HIDDEN),
            ("POST", "/providers/{provider_id}/invite", format!("/providers/{p}/invite"), MANAGES_POST),
            ("POST", "/providers/{provider_id}/invite", format!("/providers/{q}/invite"), HIDDEN),
            ("POST", "/sign-out-everywhere", "/sign-out-everywhere".into(), [303; 8]),
            ("GET", "/providers", "/providers".into(), [303, 200, 200, 200, 200, 200, 200, 200]),
            ("GET", "/providers/{provider_id}", format!("/providers/{p}"), [303, 200, 200, 200, 200, 200, 200, 404]),
            ("GET", "/providers/{provider_id}", format!("/providers/{q}"), [303, 404, 404, 404, 404, 404, 404, 404]),
            ("GET", "/providers/{provider_id}", "/providers/999999".into(), [303, 404, 404, 404, 404, 404, 404, 404]),
            (
                "GET",
                "/providers/{provider_id}/history",
                format!("/providers/{p}/history"),
                [303, 200, 200, 200, 200, 200, 403, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/history",
                format!("/providers/{q}/history"),
                [303, 404, 404, 404, 404, 404, 404, 404],
            ),
            // Every list downloads by its page's own address, through the page's own check.
            (
                "GET",
                "/providers/{provider_id}/history",
                format!("/providers/{p}/history?format=xlsx"),
                [303, 200, 200, 200, 200, 200, 403, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/history",
                format!("/providers/{q}/history?format=csv"),
                [303, 404, 404, 404, 404, 404, 404, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/edit",
                format!("/providers/{p}/edit"),
                [303, 200, 200, 403, 403, 403, 403, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/edit",
                format!("/providers/{q}/edit"),
                [303, 404, 404, 404, 404, 404, 404, 404],
            ),
            ("POST", "/providers/{provider_id}", format!("/providers/{p}"), MANAGES_POST),
            ("POST", "/providers/{provider_id}", format!("/providers/{q}"), [303, 404, 404, 404, 404, 404, 404, 404]),
            ("GET", "/providers/{provider_id}/assessment", format!("/providers/{p}/assessment"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/assessment", format!("/providers/{q}/assessment"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/assessment/standards",
                format!("/providers/{p}/assessment/standards?show=no_evidence"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/assessment/{reference}",
                format!("/providers/{p}/assessment/GF1"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/assessment/{reference}",
                format!("/providers/{q}/assessment/GF1"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/assessment/{reference}",
                format!("/providers/{p}/assessment/NOPE9"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}",
                format!("/providers/{p}/assessment/GF1"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}",
                format!("/providers/{q}/assessment/GF1"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/findings",
                format!("/providers/{p}/assessment/GF1/findings"),
                ASSESSES_POST,
            ),
            // An exception to a failing live check: whoever may change the assessment; sent empty,
            // refused at its fields.
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/live-exceptions",
                format!("/providers/{p}/assessment/GF1/live-exceptions"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/live-exceptions",
                format!("/providers/{q}/assessment/GF1/live-exceptions"),
                HIDDEN,
            ),
            // Ending one that is not there: not found for those who may end one.
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/live-exceptions/{exception_id}/end",
                format!("/providers/{p}/assessment/GF1/live-exceptions/999999/end"),
                [303, 404, 404, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/live-exceptions/{exception_id}/end",
                format!("/providers/{q}/assessment/GF1/live-exceptions/999999/end"),
                HIDDEN,
            ),
            ("GET", "/providers/{provider_id}/findings", format!("/providers/{p}/findings"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/findings", format!("/providers/{q}/findings"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/findings",
                format!("/providers/{p}/findings?format=csv"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/findings", format!("/providers/{q}/findings?format=xlsx"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/findings/{finding_id}/close",
                format!("/providers/{p}/findings/{f}/close"),
                [303, 303, 303, 403, 403, 403, 303, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/findings/{finding_id}/withdraw",
                format!("/providers/{p}/findings/{f}/withdraw"),
                MANAGES,
            ),
            // Sent empty, the reason is missing: refused at the field, nothing withdrawn.
            (
                "POST",
                "/providers/{provider_id}/findings/{finding_id}/withdraw",
                format!("/providers/{p}/findings/{f}/withdraw"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/accreditation",
                format!("/providers/{p}/accreditation"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/accreditation", format!("/providers/{q}/accreditation"), HIDDEN),
            ("POST", "/providers/{provider_id}/accreditation", format!("/providers/{p}/accreditation"), MANAGES_POST),
            (
                "POST",
                "/providers/{provider_id}/accreditation/cycles",
                format!("/providers/{p}/accreditation/cycles"),
                MANAGES_POST,
            ),
            ("GET", "/providers/{provider_id}/requests", format!("/providers/{p}/requests"), READS_ASSESSMENT),
            ("POST", "/providers/{provider_id}/requests", format!("/providers/{p}/requests"), ASSESSES_POST),
            (
                "GET",
                "/providers/{provider_id}/requests/{request_id}",
                format!("/providers/{p}/requests/{r}"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/requests/{request_id}", format!("/providers/{q}/requests/{r}"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/requests/{request_id}/answer",
                format!("/providers/{p}/requests/{r}/answer"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/requests/{request_id}/decision",
                format!("/providers/{p}/requests/{r}/decision"),
                ASSESSES_POST,
            ),
            ("GET", "/api/v1/providers/{provider_id}/readiness", format!("/api/v1/providers/{p}/readiness"), [401; 8]),
            ("GET", "/providers/{provider_id}/evidence", format!("/providers/{p}/evidence"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/evidence", format!("/providers/{q}/evidence"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/evidence",
                format!("/providers/{p}/evidence?format=xlsx"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/evidence", format!("/providers/{q}/evidence?format=csv"), HIDDEN),
            ("POST", "/providers/{provider_id}/evidence", format!("/providers/{p}/evidence"), MANAGES_POST),
            ("GET", "/providers/{provider_id}/evidence/new", format!("/providers/{p}/evidence/new"), MANAGES),
            (
                "GET",
                "/providers/{provider_id}/evidence/{item_id}",
                format!("/providers/{p}/evidence/{e}"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/evidence/{item_id}", format!("/providers/{q}/evidence/{e}"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/evidence/{item_id}/download",
                format!("/providers/{p}/evidence/{e}/download"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/evidence/{item_id}/download",
                format!("/providers/{q}/evidence/{e}/download"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/evidence/{item_id}/download",
                format!("/providers/{p}/evidence/{pe}/download"),
                DOWNLOADS_PATIENT_DATA,
            ),
            (
                "GET",
                "/providers/{provider_id}/evidence/{item_id}/replace",
                format!("/providers/{p}/evidence/{e}/replace"),
                MANAGES,
            ),
            (
                "POST",
                "/providers/{provider_id}/evidence/{item_id}/replace",
                format!("/providers/{p}/evidence/{e}/replace"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/evidence/{item_id}/links",
                format!("/providers/{p}/evidence/{e}/links"),
                // No standards ticked is a valid answer: the links are saved (as none).
                [303, 303, 303, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/evidence/{item_id}/withdraw",
                format!("/providers/{p}/evidence/{e}/withdraw"),
                MANAGES_POST,
            ),
            // A snapshot of the records GF1's check reads: whoever may add evidence; a standard
            // naming no check (GF2) is refused in words, one not in the framework is not there.
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/snapshot",
                format!("/providers/{p}/assessment/GF1/snapshot"),
                [303, 303, 303, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/snapshot",
                format!("/providers/{p}/assessment/GF2/snapshot"),
                [303, 409, 409, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/snapshot",
                format!("/providers/{p}/assessment/NOPE9/snapshot"),
                [303, 404, 404, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/assessment/{reference}/snapshot",
                format!("/providers/{q}/assessment/GF1/snapshot"),
                HIDDEN,
            ),
            ("GET", "/providers/{provider_id}/coverage", format!("/providers/{p}/coverage"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/coverage", format!("/providers/{q}/coverage"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/coverage",
                format!("/providers/{p}/coverage?format=csv"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/coverage", format!("/providers/{q}/coverage?format=xlsx"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/coverage/{reference}",
                format!("/providers/{p}/coverage/REHAB"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/coverage/{reference}", format!("/providers/{p}/coverage/GF1"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/coverage/{reference}",
                format!("/providers/{p}/coverage/REHAB"),
                MANAGES_POST,
            ),
            ("POST", "/providers/{provider_id}/coverage/{reference}", format!("/providers/{q}/coverage/REHAB"), HIDDEN),
            ("GET", "/api/v1/providers/{provider_id}/coverage", format!("/api/v1/providers/{p}/coverage"), [401; 8]),
            // The audit plan's sign-off: this year's plan is signed off and unchanged, so submitting
            // it again is refused (409); a sign-off without the ticked box, or a return without a
            // comment, is refused at its field (422) by a clinical director.
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-off",
                format!("{plan}/sign-off"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/audit-plans/{year}/sign-off", format!("{other_plan}/sign-off"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-off",
                format!("/providers/{p}/audit-plans/1999-00/sign-off"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/audit-plans/{year}/submit",
                format!("{plan}/submit"),
                [303, 409, 409, 403, 403, 403, 403, 404],
            ),
            ("POST", "/providers/{provider_id}/audit-plans/{year}/submit", format!("{other_plan}/submit"), HIDDEN),
            ("POST", "/providers/{provider_id}/audit-plans/{year}/sign", format!("{plan}/sign"), SIGNS_OFF_POST),
            ("POST", "/providers/{provider_id}/audit-plans/{year}/sign", format!("{other_plan}/sign"), HIDDEN),
            ("POST", "/providers/{provider_id}/audit-plans/{year}/return", format!("{plan}/return"), SIGNS_OFF_POST),
            ("POST", "/providers/{provider_id}/audit-plans/{year}/return", format!("{other_plan}/return"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-offs/{version}",
                format!("{plan}/sign-offs/1"),
                READS_ASSESSMENT,
            ),
            // The signed file names the audits' leads: for those who read named staff records.
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-offs/{version}",
                format!("{plan}/sign-offs/1.json"),
                READS_STAFF,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-offs/{version}",
                format!("{plan}/sign-offs/2"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/sign-offs/{version}",
                format!("{other_plan}/sign-offs/1"),
                HIDDEN,
            ),
            // The plan as signed, as a PDF: it names the audits' leads, so as the signed file. A plan
            // never signed is a 404 in words for those who may read it.
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/signed.pdf",
                format!("{plan}/signed.pdf"),
                READS_STAFF,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/signed.pdf",
                format!("{other_plan}/signed.pdf"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/signed.pdf",
                format!("/providers/{p}/audit-plans/1999-00/signed.pdf"),
                [303, 404, 404, 404, 404, 403, 403, 404],
            ),
            ("POST", "/providers/{provider_id}/audit-settings", format!("/providers/{p}/audit-settings"), MANAGES_POST),
            ("POST", "/providers/{provider_id}/audit-settings", format!("/providers/{q}/audit-settings"), HIDDEN),
            ("GET", "/providers/{provider_id}/workforce", format!("/providers/{p}/workforce"), READS),
            ("GET", "/providers/{provider_id}/workforce", format!("/providers/{q}/workforce"), HIDDEN),
            // The table's download names people: not for a commissioner, who sees only the figures.
            ("GET", "/providers/{provider_id}/workforce", format!("/providers/{p}/workforce?format=xlsx"), READS_STAFF),
            ("GET", "/providers/{provider_id}/workforce", format!("/providers/{p}/workforce?format=csv"), READS_STAFF),
            ("GET", "/providers/{provider_id}/workforce", format!("/providers/{q}/workforce?format=csv"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/workforce/staff",
                format!("/providers/{p}/workforce/staff"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/staff/new",
                format!("/providers/{p}/workforce/staff/new"),
                MANAGES,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/staff/{staff_id}",
                format!("/providers/{p}/workforce/staff/{s}"),
                READS_STAFF,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/staff/{staff_id}",
                format!("/providers/{q}/workforce/staff/{s}"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/staff/{staff_id}",
                format!("/providers/{p}/workforce/staff/{s}"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/staff/{staff_id}/cpd",
                format!("/providers/{p}/workforce/staff/{s}/cpd"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/staff/{staff_id}/cpd/{cpd_id}/withdraw",
                format!("/providers/{p}/workforce/staff/{s}/cpd/1/withdraw"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/staff/{staff_id}/revalidation",
                format!("/providers/{p}/workforce/staff/{s}/revalidation"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/supervision/{session_id}/withdraw",
                format!("/providers/{p}/workforce/supervision/1/withdraw"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/supervision",
                format!("/providers/{p}/workforce/supervision"),
                READS_STAFF,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/supervision",
                format!("/providers/{p}/workforce/supervision"),
                MANAGES_POST,
            ),
            ("GET", "/providers/{provider_id}/workforce/import", format!("/providers/{p}/workforce/import"), MANAGES),
            (
                "POST",
                "/providers/{provider_id}/workforce/import",
                format!("/providers/{p}/workforce/import"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/import/confirm",
                format!("/providers/{p}/workforce/import/confirm"),
                // The confirm form is the preview's hidden fields (kind, sha256): a body without
                // them is one no page sends, a bad request (400) once the caller is allowed in.
                [303, 400, 400, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/import/mapping",
                format!("/providers/{p}/workforce/import/mapping"),
                // The mapping form carries the upload's hidden fields (kind, sha256): a body without
                // them is a bad request once the caller is allowed in.
                [303, 400, 400, 403, 403, 403, 403, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/import/mappings",
                format!("/providers/{p}/workforce/import/mappings"),
                MANAGES,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/import/mappings",
                format!("/providers/{q}/workforce/import/mappings"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/import/mappings/{mapping_id}",
                format!("/providers/{p}/workforce/import/mappings/{m}"),
                MANAGES,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/import/mappings/{mapping_id}",
                format!("/providers/{q}/workforce/import/mappings/{m}"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/import/mappings/{mapping_id}",
                format!("/providers/{p}/workforce/import/mappings/{m}"),
                // Sent empty: no name and no staff number column, refused at the fields.
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/workforce/import/mappings/{mapping_id}/delete",
                format!("/providers/{p}/workforce/import/mappings/{m}/delete"),
                MANAGES,
            ),
            (
                "POST",
                "/providers/{provider_id}/workforce/import/mappings/{mapping_id}/delete",
                // A mapping that is not there: the walk's own must stay for the rows above (a
                // manager's deletion is tested in tests/mapping.rs).
                format!("/providers/{p}/workforce/import/mappings/{}/delete", m + 1000),
                [303, 404, 404, 403, 403, 403, 403, 404],
            ),
            ("GET", "/api/v1/providers/{provider_id}/workforce", format!("/api/v1/providers/{p}/workforce"), [401; 8]),
            ("GET", "/providers/{provider_id}/audit-plans", format!("/providers/{p}/audit-plans"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/audit-plans", format!("/providers/{q}/audit-plans"), HIDDEN),
            ("POST", "/providers/{provider_id}/audit-plans", format!("/providers/{p}/audit-plans"), MANAGES_POST),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}",
                format!("/providers/{p}/audit-plans/{y}"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/audit-plans/{year}", format!("/providers/{q}/audit-plans/{y}"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}",
                format!("/providers/{p}/audit-plans/{y}?format=xlsx"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}",
                format!("/providers/{p}/audit-plans/{y}?list=actions&format=csv"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}",
                format!("/providers/{q}/audit-plans/{y}?list=actions&format=csv"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/audit-plans/{year}/copy",
                format!("/providers/{p}/audit-plans/{y}/copy"),
                // Next year's plan exists already: copying is refused, with words (409).
                [303, 409, 409, 403, 403, 403, 403, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/audits/new",
                format!("/providers/{p}/audit-plans/{y}/audits/new"),
                MANAGES,
            ),
            (
                "POST",
                "/providers/{provider_id}/audit-plans/{year}/audits/new",
                format!("/providers/{p}/audit-plans/{y}/audits/new"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-plans/{year}/reports",
                format!("/providers/{p}/audit-plans/{y}/reports"),
                READS_ASSESSMENT,
            ),
            (
                "POST",
                "/providers/{provider_id}/audit-plans/{year}/reports",
                format!("/providers/{p}/audit-plans/{y}/reports"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/audits/{audit_id}",
                format!("/providers/{p}/audits/{au}"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/audits/{audit_id}", format!("/providers/{q}/audits/{au}"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/audits/{audit_id}/edit",
                format!("/providers/{p}/audits/{au}/edit"),
                MANAGES,
            ),
            (
                "POST",
                "/providers/{provider_id}/audits/{audit_id}/edit",
                format!("/providers/{p}/audits/{au}/edit"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/audits/{audit_id}/results",
                format!("/providers/{p}/audits/{au}/results"),
                // Nothing given is a planned audit with no results yet, saved as it was; the
                // clinician does not lead this audit.
                [303, 303, 303, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/audits/{audit_id}/actions",
                format!("/providers/{p}/audits/{au}/actions"),
                MANAGES_POST,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-actions/{action_id}",
                format!("/providers/{p}/audit-actions/{ac}"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/audit-actions/{action_id}",
                format!("/providers/{q}/audit-actions/{ac}"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/audit-actions/{action_id}",
                format!("/providers/{p}/audit-actions/{ac}"),
                // The clinician does not own this action.
                [303, 422, 422, 403, 403, 403, 403, 404],
            ),
            (
                "GET",
                "/api/v1/providers/{provider_id}/audit-plans/{year}",
                format!("/api/v1/providers/{p}/audit-plans/{y}"),
                [401; 8],
            ),
            // The annual quality report: the list and approved versions for all who read the
            // assessment (commissioners included); the draft, its page and PDF, for those who may
            // read unpublished documents; the words for managers (sent empty, nothing changes:
            // 303); approving for clinical directors (unticked: 422).
            (
                "GET",
                "/providers/{provider_id}/quality-report",
                format!("/providers/{p}/quality-report"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/quality-report", format!("/providers/{q}/quality-report"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}",
                format!("/providers/{p}/quality-report/{y}"),
                [303, 200, 200, 200, 200, 403, 200, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}",
                format!("/providers/{q}/quality-report/{y}"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}.pdf",
                format!("/providers/{p}/quality-report/{y}.pdf"),
                [303, 200, 200, 200, 200, 403, 200, 404],
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}.pdf",
                format!("/providers/{q}/quality-report/{y}.pdf"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}/edit",
                format!("/providers/{p}/quality-report/{y}/edit"),
                MANAGES,
            ),
            (
                "POST",
                "/providers/{provider_id}/quality-report/{year}/edit",
                format!("/providers/{p}/quality-report/{y}/edit"),
                [303, 303, 303, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/quality-report/{year}/edit",
                format!("/providers/{q}/quality-report/{y}/edit"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/quality-report/{year}/approve",
                format!("/providers/{p}/quality-report/{y}/approve"),
                SIGNS_OFF_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/quality-report/{year}/approve",
                format!("/providers/{q}/quality-report/{y}/approve"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}/versions/{version}.pdf",
                format!("/providers/{p}/quality-report/{y}/versions/1.pdf"),
                READS_ASSESSMENT,
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}/versions/{version}.pdf",
                format!("/providers/{p}/quality-report/{y}/versions/2.pdf"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/quality-report/{year}/versions/{version}.pdf",
                format!("/providers/{q}/quality-report/{y}/versions/1.pdf"),
                HIDDEN,
            ),
            ("GET", "/providers/{provider_id}/kpis", format!("/providers/{p}/kpis"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/kpis", format!("/providers/{q}/kpis"), HIDDEN),
            ("GET", "/providers/{provider_id}/kpis", format!("/providers/{p}/kpis?format=xlsx"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/kpis", format!("/providers/{q}/kpis?format=csv"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/kpis/{reference}",
                format!("/providers/{p}/kpis/M-APPT"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/kpis/{reference}", format!("/providers/{q}/kpis/M-APPT"), HIDDEN),
            // A reference that is no KPI (a standard's) is not found, for everyone allowed in.
            ("GET", "/providers/{provider_id}/kpis/{reference}", format!("/providers/{p}/kpis/GF1"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/kpis/{reference}/values",
                format!("/providers/{p}/kpis/M-APPT/values"),
                MANAGES_POST,
            ),
            (
                "POST",
                "/providers/{provider_id}/kpis/{reference}/values",
                format!("/providers/{q}/kpis/M-APPT/values"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/kpis/{reference}/target",
                format!("/providers/{p}/kpis/M-APPT/target"),
                // An empty target is refused at its field: neither a figure nor "use the default".
                MANAGES_POST,
            ),
            ("GET", "/providers/{provider_id}/kpis/import", format!("/providers/{p}/kpis/import"), MANAGES),
            ("POST", "/providers/{provider_id}/kpis/import", format!("/providers/{p}/kpis/import"), MANAGES_POST),
            (
                "POST",
                "/providers/{provider_id}/kpis/import/confirm",
                format!("/providers/{p}/kpis/import/confirm"),
                // The confirm form is the preview's hidden sha256: a body without it is one no page
                // sends, a bad request (400) once the caller is allowed in.
                [303, 400, 400, 403, 403, 403, 403, 404],
            ),
            ("GET", "/api/v1/providers/{provider_id}/kpis", format!("/api/v1/providers/{p}/kpis"), [401; 8]),
            // A commissioner's providers side by side (issue 15): its own members' alone; any other
            // organisation's address is not found, for everyone.
            ("GET", "/commissioners/{commissioner_id}", format!("/commissioners/{t}"), COMMISSIONER_ONLY),
            ("GET", "/commissioners/{commissioner_id}", format!("/commissioners/{p}"), HIDDEN),
            ("GET", "/commissioners/{commissioner_id}", format!("/commissioners/{t}?format=xlsx"), COMMISSIONER_ONLY),
            ("GET", "/commissioners/{commissioner_id}", format!("/commissioners/{p}?format=csv"), HIDDEN),
            (
                "GET",
                "/commissioners/{commissioner_id}/providers.csv",
                format!("/commissioners/{t}/providers.csv"),
                COMMISSIONER_ONLY,
            ),
            (
                "GET",
                "/commissioners/{commissioner_id}/providers.csv",
                format!("/commissioners/{p}/providers.csv"),
                HIDDEN,
            ),
            (
                "GET",
                "/commissioners/{commissioner_id}/providers.pdf",
                format!("/commissioners/{t}/providers.pdf"),
                COMMISSIONER_ONLY,
            ),
            (
                "GET",
                "/commissioners/{commissioner_id}/providers.pdf",
                format!("/commissioners/{p}/providers.pdf"),
                HIDDEN,
            ),
            (
                "GET",
                "/api/v1/commissioners/{commissioner_id}/providers",
                format!("/api/v1/commissioners/{t}/providers"),
                [401; 8],
            ),
            // The evidence pack (issue 14): its page for whoever reads the assessment; the PDF for
            // the service's people and its assessor, and for a commissioner only once it is shared
            // (it is not here); sharing is the managers' (an empty form leaves it unshared: 303).
            ("GET", "/providers/{provider_id}/pack", format!("/providers/{p}/pack"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/pack", format!("/providers/{q}/pack"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/pack.pdf",
                format!("/providers/{p}/pack.pdf"),
                [303, 200, 200, 200, 200, 403, 200, 404],
            ),
            ("GET", "/providers/{provider_id}/pack.pdf", format!("/providers/{q}/pack.pdf"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/pack/sharing",
                format!("/providers/{p}/pack/sharing"),
                [303, 303, 303, 403, 403, 403, 403, 404],
            ),
            ("POST", "/providers/{provider_id}/pack/sharing", format!("/providers/{q}/pack/sharing"), HIDDEN),
            ("GET", "/api/v1/providers", "/api/v1/providers".into(), [401; 8]),
            // Product bug, reported: a switch with no membership_id is answered 403, as another
            // user's membership is, where it should be a bad request. Every signed-in user may
            // switch among their own memberships (tested below).
            ("POST", "/membership", "/membership".into(), [303, 403, 403, 403, 403, 403, 403, 403]),
            ("GET", "/account", "/account".into(), [303, 200, 200, 200, 200, 200, 200, 200]),
            ("POST", "/account/password", "/account/password".into(), [303, 422, 422, 422, 422, 422, 422, 422]),
            // Everyone signed in chooses their own reminders; an empty form turns every kind off.
            ("GET", "/account/reminders", "/account/reminders".into(), [303, 200, 200, 200, 200, 200, 200, 200]),
            ("POST", "/account/reminders", "/account/reminders".into(), [303, 303, 303, 303, 303, 303, 303, 303]),
            ("GET", "/admin", "/admin".into(), ADMIN_ONLY),
            ("GET", "/admin/organisations/new", "/admin/organisations/new".into(), ADMIN_ONLY),
            ("GET", "/admin/users/new", "/admin/users/new".into(), ADMIN_ONLY),
            ("GET", "/admin/contracts/new", "/admin/contracts/new".into(), ADMIN_ONLY),
            ("GET", "/admin/memberships/new", "/admin/memberships/new".into(), ADMIN_ONLY),
            ("POST", "/admin/memberships", "/admin/memberships".into(), ADMIN_POST),
            ("POST", "/admin/organisations", "/admin/organisations".into(), ADMIN_POST),
            ("POST", "/admin/users", "/admin/users".into(), ADMIN_POST),
            ("POST", "/admin/contracts", "/admin/contracts".into(), ADMIN_POST),
            // The email outbox: every message for administrators, a provider's for its managers.
            // Sending again a message that is not there: not found for those who may.
            ("GET", "/admin/outbox", "/admin/outbox".into(), ADMIN_ONLY),
            (
                "POST",
                "/admin/outbox/{message_id}/send-again",
                "/admin/outbox/999999/send-again".into(),
                [303, 403, 403, 403, 403, 403, 403, 404],
            ),
            ("GET", "/providers/{provider_id}/outbox", format!("/providers/{p}/outbox"), MANAGES),
            ("GET", "/providers/{provider_id}/outbox", format!("/providers/{q}/outbox"), HIDDEN),
            (
                "POST",
                "/providers/{provider_id}/outbox/{message_id}/send-again",
                format!("/providers/{p}/outbox/999999/send-again"),
                [303, 404, 404, 403, 403, 403, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/outbox/{message_id}/send-again",
                format!("/providers/{q}/outbox/999999/send-again"),
                HIDDEN,
            ),
            // Customer reviews: read by the provider's people and its commissioners; recorded by
            // those who may review the service (managers, clinical directors, commissioners); a
            // review the provider recorded is confirmed by the commissioner only (the same side: 409).
            (
                "GET",
                "/providers/{provider_id}/key-questions",
                format!("/providers/{p}/key-questions"),
                READS_ASSESSMENT,
            ),
            ("GET", "/providers/{provider_id}/key-questions", format!("/providers/{q}/key-questions"), HIDDEN),
            ("GET", "/providers/{provider_id}/customer-reviews", format!("/providers/{p}/customer-reviews"), READS),
            ("GET", "/providers/{provider_id}/customer-reviews", format!("/providers/{q}/customer-reviews"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/customer-reviews/new",
                format!("/providers/{p}/customer-reviews/new"),
                REVIEWS,
            ),
            (
                "GET",
                "/providers/{provider_id}/customer-reviews/new",
                format!("/providers/{q}/customer-reviews/new"),
                HIDDEN,
            ),
            (
                "POST",
                "/providers/{provider_id}/customer-reviews",
                format!("/providers/{p}/customer-reviews"),
                [303, 422, 422, 403, 403, 422, 403, 404],
            ),
            ("POST", "/providers/{provider_id}/customer-reviews", format!("/providers/{q}/customer-reviews"), HIDDEN),
            (
                "GET",
                "/providers/{provider_id}/customer-reviews/{review_id}",
                format!("/providers/{p}/customer-reviews/{rv}"),
                READS,
            ),
            (
                "GET",
                "/providers/{provider_id}/customer-reviews/{review_id}",
                format!("/providers/{q}/customer-reviews/{rv}"),
                HIDDEN,
            ),
            (
                "GET",
                "/providers/{provider_id}/customer-reviews/{review_id}",
                format!("/providers/{p}/customer-reviews/999999"),
                [303, 404, 404, 404, 404, 404, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/customer-reviews/{review_id}/confirm",
                format!("/providers/{p}/customer-reviews/{rv}/confirm"),
                [303, 409, 409, 403, 403, 303, 403, 404],
            ),
            (
                "POST",
                "/providers/{provider_id}/customer-reviews/{review_id}/confirm",
                format!("/providers/{q}/customer-reviews/{rv}/confirm"),
                HIDDEN,
            ),
            // The ESR declaration: read with the assessment; made by those who manage the service.
            ("GET", "/providers/{provider_id}/esr", format!("/providers/{p}/esr"), READS_ASSESSMENT),
            ("GET", "/providers/{provider_id}/esr", format!("/providers/{q}/esr"), HIDDEN),
            ("POST", "/providers/{provider_id}/esr", format!("/providers/{p}/esr"), MANAGES_POST),
            ("POST", "/providers/{provider_id}/esr", format!("/providers/{q}/esr"), HIDDEN),
        ];

        let covered: BTreeSet<(String, String)> =
            table.iter().map(|(m, r, _, _)| (m.to_string(), r.to_string())).collect();
        let in_source = routes_in_source();
        let missing: Vec<_> = in_source.difference(&covered).collect();
        assert!(missing.is_empty(), "routes with no row in the access table: {missing:?}");
        let stale: Vec<_> = covered.difference(&in_source).collect();
        assert!(stale.is_empty(), "rows for routes that no longer exist: {stale:?}");

        let mut failures: BTreeMap<String, String> = BTreeMap::new();
        for (i, person) in PEOPLE.iter().enumerate() {
            let (mut client, mut token) = session_with_token(&app, person).await;
            for (method, route, path, expected) in &table {
                let url = format!("{}{}", app.address, path);
                // The body: the form token if given, and any minimal fields; multipart where the
                // route reads an upload.
                let post = |token: Option<&str>| {
                    let mut fields: Vec<(&str, &str)> = token.map(|t| ("csrf_token", t)).into_iter().collect();
                    fields.extend(MINIMAL_BODIES.iter().filter(|b| b.0 == *route).map(|b| (b.1, b.2)));
                    if MULTIPART.contains(route) {
                        let form = fields
                            .into_iter()
                            .fold(reqwest::multipart::Form::new(), |form, (k, v)| form.text(k, v.to_string()));
                        client.post(&url).multipart(form).send()
                    } else {
                        client.post(&url).form(&fields).send()
                    }
                };
                if *method == "POST" {
                    let refused = match *person {
                        "anonymous" if OPEN_POSTS.contains(route) => 403,
                        "anonymous" => 303,
                        _ => 403,
                    };
                    let status = post(None).await.unwrap().status().as_u16();
                    if status != refused {
                        failures.insert(format!("{person} {method} {path} without a token"), format!("{status}"));
                    }
                }
                let response = match *method {
                    "GET" => client.get(&url).send().await.unwrap(),
                    _ => post(Some(&token)).await.unwrap(),
                };
                let status = response.status().as_u16();
                if status != expected[i] {
                    failures.insert(format!("{person} {method} {path}"), format!("{status}, expected {}", expected[i]));
                }
                // A 303 to the sign-in page is the answer to an anonymous caller (and to signing
                // out), never an allowed caller's form answer.
                let location = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
                let to_sign_in = status == 303 && location.starts_with("/sign-in");
                let sent_to_sign_in = status == 303 && (*person == "anonymous" || ENDS_SESSION.contains(route));
                if to_sign_in != sent_to_sign_in {
                    failures.insert(format!("{person} {method} {path} location"), format!("303 to {location:?}"));
                }
                if ENDS_SESSION.contains(route) {
                    (client, token) = session_with_token(&app, person).await;
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

on_both_backends!(
    the_api_lists_only_what_the_caller_may_read,
    app | app | {
        let world = build_world(&app.db);
        let mut conn = app.db.migrated();
        for (person, expected) in [
            ("manager", vec![world.provider]),
            ("commissioner", vec![world.provider]),
            ("assessor", vec![world.provider]),
            ("admin", vec![]),
        ] {
            let token = store::create_token(&mut conn, None, &format!("{person}@example.nhs.uk")).unwrap();
            let response =
                app.client.get(format!("{}/api/v1/providers", app.address)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{person}");
            let body: serde_json::Value = response.json().await.unwrap();
            let ids: Vec<i64> =
                body["providers"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
            assert_eq!(ids, expected.iter().map(|i| *i as i64).collect::<Vec<_>>(), "{person}");
            if let Some(first) = body["providers"].as_array().unwrap().first() {
                let keys: BTreeSet<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
                assert_eq!(keys, BTreeSet::from(["id", "name", "code", "type"]));
            }
            store::revoke_token(&mut conn, None, &token).unwrap();
            let revoked =
                app.client.get(format!("{}/api/v1/providers", app.address)).bearer_auth(&token).send().await.unwrap();
            assert_eq!(revoked.status().as_u16(), 401, "a revoked token is refused");
        }
    }
);

on_both_backends!(
    the_history_page_filters_by_entity_and_user,
    app | app | {
        let world = build_world(&app.db);
        let client = signed_in(&app, "manager").await;
        let all = client.get(format!("{}/providers/{}/history", app.address, world.provider)).send().await.unwrap();
        let all = all.text().await.unwrap();
        assert!(all.contains("<li>Name: Northshire OH Service</li>"), "each change reads in words");
        for entity in ["Organisation", "Contract", "Role"] {
            assert!(all.contains(&format!("<td>{entity} ")), "{entity} changes are listed");
        }
        let only_contracts = client
            .get(format!("{}/providers/{}/history?entity=contract", app.address, world.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(only_contracts.contains("<td>Contract "));
        assert!(!only_contracts.contains("<td>Role "));
        let by_nobody = client
            .get(format!("{}/providers/{}/history?user=12345", app.address, world.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(by_nobody.contains("No changes match."));
    }
);

async fn post_provider_form(
    app: &support::TestApp,
    client: &reqwest::Client,
    provider: i32,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    // Any page of a signed-in user carries the session's form token (in the sign-out form).
    let home = client.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&home).expect("signed in");
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    client.post(format!("{}/providers/{provider}", app.address)).form(&form).send().await.unwrap()
}

fn provider_row(db: &support::TestDb, id: i32) -> (String, Option<String>, Option<i32>) {
    use diesel::prelude::*;
    use ohgov::db::schema::organisations;
    organisations::table
        .find(id)
        .select((organisations::name, organisations::code, organisations::sites))
        .first(&mut db.migrated())
        .unwrap()
}

fn history_count(db: &support::TestDb) -> i64 {
    use diesel::prelude::*;
    ohgov::db::schema::history::table.count().get_result(&mut db.migrated()).unwrap()
}

on_both_backends!(
    a_viewers_post_is_forbidden_and_writes_nothing,
    app | app | {
        let world = build_world(&app.db);
        // Signing in is in the trail itself (issue 11): count from after it.
        let viewer = signed_in(&app, "viewer").await;
        let before = (provider_row(&app.db, world.provider), history_count(&app.db));
        let response = post_provider_form(&app, &viewer, world.provider, &[("name", "Renamed by a viewer")]).await;
        assert_eq!(response.status().as_u16(), 403, "a valid form token does not make a viewer a manager");
        assert_eq!((provider_row(&app.db, world.provider), history_count(&app.db)), before, "nothing was written");
    }
);

on_both_backends!(
    a_manager_changes_details_with_messages_at_each_bad_field,
    app | app | {
        let world = build_world(&app.db);
        let manager = signed_in(&app, "manager").await;
        let before = (provider_row(&app.db, world.provider), history_count(&app.db));

        let refused =
            post_provider_form(&app, &manager, world.provider, &[("name", "  "), ("code", "RX-1"), ("sites", "three")])
                .await;
        assert_eq!(refused.status().as_u16(), 422);
        let page = refused.text().await.unwrap();
        assert!(page.contains("There is a problem"));
        assert!(
            page.contains(
                "id=\"name-error\"><span class=\"visually-hidden\">Error:</span> Enter the organisation&#x27;s name"
            ),
            "{page}"
        );
        assert!(page.contains("id=\"code-error\""));
        assert!(page.contains("id=\"sites-error\""));
        assert!(page.contains("value=\"three\""), "what was typed is kept");
        assert_eq!((provider_row(&app.db, world.provider), history_count(&app.db)), before, "nothing was written");

        let saved = post_provider_form(
            &app,
            &manager,
            world.provider,
            &[("name", "Northshire Occupational Health"), ("code", "rx1oh"), ("sites", "3")],
        )
        .await;
        assert_eq!(saved.status().as_u16(), 303);
        assert_eq!(
            provider_row(&app.db, world.provider),
            ("Northshire Occupational Health".into(), Some("RX1OH".into()), Some(3))
        );
        use diesel::prelude::*;
        use ohgov::db::schema::history;
        let (user, changes): (Option<i32>, String) = history::table
            .order(history::id.desc())
            .select((history::user_id, history::changes))
            .first(&mut app.db.migrated())
            .unwrap();
        assert!(user.is_some(), "the change names who made it");
        assert!(
            changes.contains(r#""name":{"after":"Northshire Occupational Health","before":"Northshire OH Service"}"#),
            "{changes}"
        );
    }
);

/// (path, form fields, the field that is wrong, the start of its message)
type FormCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

async fn admin_post(
    app: &support::TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let home = client.get(format!("{}/admin", app.address)).send().await.unwrap().text().await.unwrap();
    let token = form_token(&home).expect("signed in");
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(format!("{}{path}", app.address)).form(&form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn table_counts(db: &support::TestDb) -> (i64, i64, i64, i64) {
    use diesel::prelude::*;
    use ohgov::db::schema::{contracts, history, organisations, users};
    let mut conn = db.migrated();
    (
        organisations::table.count().get_result(&mut conn).unwrap(),
        users::table.count().get_result(&mut conn).unwrap(),
        contracts::table.count().get_result(&mut conn).unwrap(),
        history::table.count().get_result(&mut conn).unwrap(),
    )
}

on_both_backends!(
    admin_forms_name_each_bad_field_and_write_nothing,
    app | app | {
        let world = build_world(&app.db);
        let admin = signed_in(&app, "admin").await;
        let before = table_counts(&app.db);
        let trust = {
            use diesel::prelude::*;
            use ohgov::db::schema::organisations;
            organisations::table
                .filter(organisations::kind.eq("commissioner"))
                .select(organisations::id)
                .first::<i32>(&mut app.db.migrated())
                .unwrap()
                .to_string()
        };
        let provider = world.provider.to_string();
        let cases: Vec<FormCase> = vec![
            (
                "/admin/organisations",
                vec![("kind", "provider"), ("name", "   ")],
                "name",
                "Enter the organisation&#x27;s name",
            ),
            (
                "/admin/users",
                vec![("name", "Sam Jones"), ("email", "sam@"), ("password", "a long enough passphrase")],
                "email",
                "Enter an email address in the correct format",
            ),
            (
                "/admin/users",
                vec![
                    ("name", "Sam Jones"),
                    ("email", "MANAGER@example.nhs.uk"),
                    ("password", "a long enough passphrase"),
                ],
                "email",
                "A user with this email address already exists",
            ),
            (
                "/admin/contracts",
                vec![
                    ("commissioner_id", trust.as_str()),
                    ("provider_id", provider.as_str()),
                    ("starts_on", "2026-04-01"),
                    ("ends_on", "2026-03-31"),
                ],
                "ends_on",
                "The end date must be the same as or after the start date",
            ),
        ];
        for (path, fields, field, message) in &cases {
            let (status, page) = admin_post(&app, &admin, path, fields).await;
            assert_eq!(status, 422, "{path} {field}");
            let at_field = format!("id=\"{field}-error\"><span class=\"visually-hidden\">Error:</span> {message}");
            assert!(page.contains(&at_field), "{path}: message at {field}: {page}");
            assert!(!page.contains("a long enough passphrase"), "the password is not sent back");
        }
        let viewer_id: i32 = {
            use diesel::prelude::*;
            use ohgov::db::schema::users;
            users::table
                .filter(users::email.eq("viewer@example.nhs.uk"))
                .select(users::id)
                .first(&mut app.db.migrated())
                .unwrap()
        };
        let viewer_id = viewer_id.to_string();
        let (status, page) = admin_post(
            &app,
            &admin,
            "/admin/memberships",
            &[("user_id", viewer_id.as_str()), ("organisation_id", provider.as_str()), ("role", "commissioner")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"role-error\""), "{page}");
        assert_eq!(table_counts(&app.db), before, "nothing was written");

        let other = world.other_provider.to_string();
        let (status, _) = admin_post(
            &app,
            &admin,
            "/admin/memberships",
            &[("user_id", viewer_id.as_str()), ("organisation_id", other.as_str()), ("role", "viewer")],
        )
        .await;
        assert_eq!(status, 303, "a valid role is given");
        let before = table_counts(&app.db);

        let (status, _) = admin_post(
            &app,
            &admin,
            "/admin/organisations",
            &[("kind", "commissioner"), ("name", "Northshire and Vale ICB"), ("organisation_type", "icb")],
        )
        .await;
        assert_eq!(status, 303);
        let after = table_counts(&app.db);
        assert_eq!((after.0, after.3), (before.0 + 1, before.3 + 1), "one organisation and its history row");
    }
);

on_both_backends!(
    a_member_of_two_organisations_switches_between_them,
    app | app | {
        let world = build_world(&app.db);
        {
            let mut conn = app.db.migrated();
            let user_id: i32 = {
                use diesel::prelude::*;
                use ohgov::db::schema::users;
                users::table
                    .filter(users::email.eq("manager@example.nhs.uk"))
                    .select(users::id)
                    .first(&mut conn)
                    .unwrap()
            };
            let grant = Grant { organisation_id: world.other_provider, role: Role::Viewer, expires_on: None };
            store::add_membership(&mut conn, None, UserId(user_id), grant).unwrap();
        }
        let manager = signed_in(&app, "manager").await;
        let home = manager.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(
            home.contains("Northshire OH Service: manager")
                && home.contains("Southvale Occupational Health Ltd: viewer"),
            "{home}"
        );
        assert!(home.contains("Signed in as <strong>manager</strong>, Northshire OH Service: manager"));
        let token = form_token(&home).unwrap();
        let option = |label: &str| {
            let at = home.find(label).unwrap();
            let start = home[..at].rfind("value=\"").unwrap() + 7;
            home[start..].split('"').next().unwrap().to_string()
        };
        let southvale = option("Southvale Occupational Health Ltd: viewer");
        let switched = manager
            .post(format!("{}/membership", app.address))
            .form(&[("csrf_token", token.as_str()), ("membership_id", southvale.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(switched.status().as_u16(), 303);
        let home = manager.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("Signed in as <strong>manager</strong>, Southvale Occupational Health Ltd: viewer"));
        // The switch returns to the page it was made on, and only ever to a local path.
        let host = app.address.trim_start_matches("http://").to_string();
        for (referer, expected) in [
            (format!("{}/standards?tab=1", app.address), "/standards?tab=1"),
            (format!("{}//evil.example/x", app.address), "/"),
            (format!("{}/\\evil.example/x", app.address), "/"),
            ("//evil.example/x".to_string(), "/"),
            ("http://evil.example/x".to_string(), "/"),
            (format!("http://{host}.evil.example/x"), "/"),
        ] {
            let back = manager
                .post(format!("{}/membership", app.address))
                .header("Referer", referer.as_str())
                .form(&[("csrf_token", token.as_str()), ("membership_id", southvale.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(back.status().as_u16(), 303, "{referer}");
            assert_eq!(back.headers()["location"].to_str().unwrap(), expected, "{referer}");
        }
        // Another user's membership cannot be taken on.
        let someone_elses: i32 = {
            use diesel::prelude::*;
            use ohgov::db::schema::{memberships, users};
            memberships::table
                .inner_join(users::table)
                .filter(users::email.eq("commissioner@example.nhs.uk"))
                .select(memberships::id)
                .first(&mut app.db.migrated())
                .unwrap()
        };
        let someone_elses = someone_elses.to_string();
        let refused = manager
            .post(format!("{}/membership", app.address))
            .form(&[("csrf_token", token.as_str()), ("membership_id", someone_elses.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 403);
    }
);

on_both_backends!(
    changing_a_password_needs_the_current_one_and_ends_other_sessions,
    app | app | {
        build_world(&app.db);
        let here = signed_in(&app, "viewer").await;
        let elsewhere = signed_in(&app, "viewer").await;
        let change = |current: &'static str, new: &'static str, again: &'static str| {
            let here = here.clone();
            let address = app.address.clone();
            async move {
                let page = here.get(format!("{address}/account")).send().await.unwrap().text().await.unwrap();
                let token = form_token(&page).unwrap();
                let response = here
                    .post(format!("{address}/account/password"))
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("current_password", current),
                        ("new_password", new),
                        ("confirm_password", again),
                    ])
                    .send()
                    .await
                    .unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let (status, page) = change("not my password", "a brand new passphrase", "a brand new passphrase").await;
        assert_eq!(status, 422);
        assert!(page.contains("id=\"current_password-error\""), "{page}");
        let (status, page) =
            change("a long enough passphrase", "a brand new passphrase", "a different passphrase").await;
        assert_eq!(status, 422);
        assert!(page.contains("The new passwords do not match"));
        let (status, _) = change("a long enough passphrase", "a brand new passphrase", "a brand new passphrase").await;
        assert_eq!(status, 303);

        let still_here = here.get(format!("{}/account", app.address)).send().await.unwrap();
        assert_eq!(still_here.status().as_u16(), 200, "the session that changed it goes on");
        let other = elsewhere.get(format!("{}/account", app.address)).send().await.unwrap();
        assert_eq!(other.status().as_u16(), 303, "every other session ended");
        let fresh = support::TestApp::new_browser();
        let page = fresh.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
        let token = form_token(&page).unwrap();
        let signed = fresh
            .post(format!("{}/sign-in", app.address))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "viewer@example.nhs.uk"),
                ("password", "a brand new passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status().as_u16(), 303, "the new password works");
    }
);

on_both_backends!(
    only_administrators_see_the_administration_link,
    app | app | {
        build_world(&app.db);
        for (person, shown) in [("admin", true), ("manager", false), ("commissioner", false)] {
            let client = signed_in(&app, person).await;
            let home = client.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
            assert_eq!(home.contains("href=\"/admin\""), shown, "{person}");
        }
    }
);

on_both_backends!(
    a_common_or_guessable_new_password_is_refused_and_the_old_one_still_works,
    app | app | {
        build_world(&app.db);
        let here = signed_in(&app, "viewer").await;
        for guessable in
            ["aaaaaaaaaaaa", "Password1234", "abcabcabcabc", "northshire oh service", "VIEWER@example.nhs.uk"]
        {
            let page = here.get(format!("{}/account", app.address)).send().await.unwrap().text().await.unwrap();
            let token = form_token(&page).unwrap();
            let response = here
                .post(format!("{}/account/password", app.address))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("current_password", "a long enough passphrase"),
                    ("new_password", guessable),
                    ("confirm_password", guessable),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 422, "{guessable}");
            let page = response.text().await.unwrap();
            assert!(page.contains("id=\"new_password-error\""), "{guessable}: {page}");
            assert!(page.contains("too common or easy to guess"), "{guessable}");
            assert!(page.contains("three random words"), "{guessable}");
        }
        let fresh = support::TestApp::new_browser();
        let page = fresh.get(format!("{}/sign-in", app.address)).send().await.unwrap().text().await.unwrap();
        let token = form_token(&page).unwrap();
        let signed = fresh
            .post(format!("{}/sign-in", app.address))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", "viewer@example.nhs.uk"),
                ("password", "a long enough passphrase"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed.status().as_u16(), 303, "the old password still works");
    }
);

on_both_backends!(
    a_commissioner_sees_the_workforce_figures_and_the_history_without_the_people,
    app | app | {
        let world = build_world(&app.db);
        let manager_id: i32 = {
            use diesel::prelude::*;
            use ohgov::db::schema::users;
            users::table
                .filter(users::email.eq("manager@example.nhs.uk"))
                .select(users::id)
                .first(&mut app.db.migrated())
                .unwrap()
        };
        // A change a manager made, so the history names someone who changed something.
        {
            let mut conn = app.db.migrated();
            let regulations = ohgov::workforce::store::regulations(&mut conn).unwrap();
            let renamed = ohgov::workforce::model::StaffInput {
                staff_number: "E1001".into(),
                full_name: "Grace Okafor-Bell".into(),
                discipline: "oh_nurse".into(),
                registration_number: "12A3456E".into(),
                email: "grace.okafor@northshire.nhs.uk".into(),
                ..Default::default()
            }
            .parse(&regulations)
            .unwrap();
            ohgov::workforce::store::update_staff(
                &mut conn,
                Some(UserId(manager_id)),
                ProviderId(world.provider),
                ohgov::db::StaffId(world.person),
                &renamed,
            )
            .unwrap();
        }
        let page = |client: reqwest::Client, path: String| {
            let address = app.address.clone();
            async move {
                let response = client.get(format!("{address}{path}")).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let p = world.provider;
        let personal = ["Grace Okafor", "grace.okafor@northshire.nhs.uk", "<td>manager</td>"];

        // A viewer of the service sees the people, and who changed what: the details are there.
        let viewer = signed_in(&app, "viewer").await;
        let (_, workforce) = page(viewer.clone(), format!("/providers/{p}/workforce")).await;
        assert!(workforce.contains("Grace Okafor-Bell"), "{workforce}");
        let (_, history) = page(viewer.clone(), format!("/providers/{p}/history")).await;
        for detail in personal {
            assert!(history.contains(detail), "the viewer's history shows {detail}");
        }

        // The commissioner sees the figures, not the people.
        let commissioner = signed_in(&app, "commissioner").await;
        let (status, workforce) = page(commissioner.clone(), format!("/providers/{p}/workforce")).await;
        assert_eq!(status, 200);
        assert!(workforce.contains("What needs attention"), "the issue totals are shown");
        assert!(workforce.contains("Who is in post"), "the counts are shown");
        assert!(!workforce.contains("Grace Okafor"), "no names: {workforce}");
        assert!(!workforce.contains("/workforce/staff/"), "no links to a person's page");
        assert!(!workforce.contains("/workforce/supervision"), "no link to the supervision page");
        let (status, history) = page(commissioner.clone(), format!("/providers/{p}/history")).await;
        assert_eq!(status, 200);
        for detail in personal {
            assert!(!history.contains(detail), "the commissioner's history shows no {detail}: {history}");
        }
        assert!(history.contains("<td>Person</td>"), "the change to a person's record is still listed: {history}");
        assert!(history.contains("<li>Full name</li>"), "with the field changed, not its values");
        // Asking for one user's changes is not a way to learn who made them.
        let (_, filtered) = page(commissioner.clone(), format!("/providers/{p}/history?user={manager_id}")).await;
        assert_eq!(filtered.matches("<tr>").count(), history.matches("<tr>").count(), "the user filter is ignored");
        for path in [
            format!("/providers/{p}/workforce/staff/{}", world.person),
            format!("/providers/{p}/workforce/supervision"),
        ] {
            assert_eq!(page(commissioner.clone(), path.clone()).await.0, 403, "{path}");
        }

        // The assessor keeps their view: neither the workforce nor the history.
        let assessor = signed_in(&app, "assessor").await;
        for path in [format!("/providers/{p}/workforce"), format!("/providers/{p}/history")] {
            assert_eq!(page(assessor.clone(), path.clone()).await.0, 403, "{path}");
        }
    }
);

/// The same-site links of a page: the `href` of every `<a>`, its entities decoded and its
/// fragment dropped; links to another site, or to `//host`, are left out.
fn links_on(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for tag in html.split("<a ").skip(1) {
        let Some(tag) = tag.split('>').next() else { continue };
        let Some(start) = tag.find("href=\"") else { continue };
        let Some(href) = tag[start + 6..].split('"').next() else { continue };
        let href = href
            .replace("&#x2F;", "/")
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let href = href.split('#').next().unwrap_or_default().to_string();
        if href.starts_with('/') && !href.starts_with("//") {
            links.push(href);
        }
    }
    links
}

/// Pages the crawl opens per person at most: more than the World's pages and their filters.
const CRAWL_LIMIT: usize = 400;

on_both_backends!(
    every_link_a_role_is_shown_opens_for_that_role,
    app | app | {
        let world = build_world(&app.db);
        let mut failures: Vec<String> = Vec::new();
        for person in &PEOPLE[1..] {
            let client = signed_in(&app, person).await;
            // From the home page and the provider pages (the list links each one the person reads).
            let mut queue: std::collections::VecDeque<(String, String)> =
                ["/", "/providers"].iter().map(|p| ("(start)".to_string(), p.to_string())).collect();
            let mut seen: BTreeSet<String> = queue.iter().map(|(_, p)| p.clone()).collect();
            let mut opened = 0;
            while let Some((from, path)) = queue.pop_front() {
                if opened == CRAWL_LIMIT {
                    break;
                }
                opened += 1;
                let response = client.get(format!("{}{path}", app.address)).send().await.unwrap();
                let status = response.status().as_u16();
                let next: Vec<String> = match status {
                    200 => {
                        let html = response
                            .headers()
                            .get("content-type")
                            .is_some_and(|t| t.to_str().unwrap_or_default().starts_with("text/html"));
                        if html {
                            let page = response.text().await.unwrap();
                            // Every provider page carries the provider's tab bar.
                            if path.starts_with("/providers/") && !page.contains("class=\"provider-nav\"") {
                                failures.push(format!("{person}: {path} has no provider tab bar"));
                            }
                            links_on(&page)
                        } else {
                            Vec::new()
                        }
                    }
                    301..=308 => response
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .map(|l| vec![l.to_string()])
                        .unwrap_or_default(),
                    _ => {
                        failures.push(format!("{person}: {from} links to {path}, which answers {status}"));
                        Vec::new()
                    }
                };
                for link in next {
                    // Signing out ends the walk's session; it is a form, but never follow it.
                    if link.starts_with("/sign-out") {
                        continue;
                    }
                    if seen.insert(link.clone()) {
                        queue.push_back((path.clone(), link));
                    }
                }
            }
            // The walk reached the provider's records for everyone who may see them.
            let provider_page = format!("/providers/{}", world.provider);
            assert_eq!(seen.contains(&provider_page), *person != "admin", "{person} reached {provider_page}");
            if *person != "admin" {
                let item = format!("/providers/{}/evidence/{}", world.provider, world.patient_evidence);
                assert!(seen.contains(&item), "{person} reached the patient-identifiable item");
                let request = format!("/providers/{}/requests/{}", world.provider, world.answered_request);
                assert!(seen.contains(&request), "{person} reached the answered request");
            }
            let download = format!("/providers/{}/evidence/{}/download", world.provider, world.patient_evidence);
            let manages = ["manager", "clinical_director"].contains(person);
            assert_eq!(seen.contains(&download), manages, "{person} is linked to the download");
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
);

on_both_backends!(
    error_pages_speak_to_the_signed_in_person_and_say_what_happened,
    app | app | {
        let world = build_world(&app.db);
        let p = world.provider;
        let (assessor, token) = session_with_token(&app, "assessor").await;
        let get = |path: String| {
            let (client, address) = (assessor.clone(), app.address.clone());
            async move {
                let response = client.get(format!("{address}{path}")).send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        // A page the role may not open: in the person's own header, and no word of a form.
        let (status, page) = get(format!("/providers/{p}/workforce")).await;
        assert_eq!(status, 403);
        assert!(page.contains("Signed in as <strong>assessor</strong>"), "{page}");
        assert!(!page.contains("Not signed in"));
        assert!(page.contains("You do not have access to this page"));
        assert!(!page.contains("expired"), "only a page was opened");
        // A page that is not there, or not theirs to see: also in their own header.
        let (status, page) = get(format!("/providers/{}", world.other_provider)).await;
        assert_eq!(status, 404);
        assert!(page.contains("Signed in as <strong>assessor</strong>") && !page.contains("Not signed in"));
        // A form the role may not send says so; a form whose token is refused says it expired.
        let post = |fields: Vec<(&'static str, String)>| {
            let (client, address) = (assessor.clone(), app.address.clone());
            async move {
                let response =
                    client.post(format!("{address}/providers/{p}/evidence/{}/withdraw", world.evidence)).form(&fields);
                let response = response.send().await.unwrap();
                (response.status().as_u16(), response.text().await.unwrap())
            }
        };
        let (status, page) = post(vec![("csrf_token", token.clone()), ("reason", "Wrong file".into())]).await;
        assert_eq!(status, 403);
        assert!(page.contains("Your role does not allow this action") && !page.contains("expired"), "{page}");
        let (status, page) = post(vec![("csrf_token", "stale".into()), ("reason", "Wrong file".into())]).await;
        assert_eq!(status, 403);
        assert!(page.contains("The form had expired"), "{page}");
        assert!(page.contains("Signed in as <strong>assessor</strong>"));
    }
);

on_both_backends!(
    signing_in_lands_on_the_deep_link_or_the_one_provider,
    app | app | {
        let world = build_world(&app.db);
        let p = world.provider;
        let sign_in = |person: &'static str, next: Option<String>| {
            let address = app.address.clone();
            async move {
                let client = support::TestApp::new_browser();
                let page = match &next {
                    Some(next) => {
                        let query = form_urlencoded::Serializer::new(String::new()).append_pair("next", next).finish();
                        client.get(format!("{address}/sign-in?{query}")).send().await.unwrap()
                    }
                    None => client.get(format!("{address}/sign-in")).send().await.unwrap(),
                };
                let page = page.text().await.unwrap();
                let token = form_token(&page).unwrap();
                let mut form = vec![
                    ("csrf_token", token),
                    ("email", format!("{person}@example.nhs.uk")),
                    ("password", "a long enough passphrase".into()),
                ];
                // The field the page carries is the one sent back.
                if let Some(start) = page.find("name=\"next\" value=\"") {
                    let value =
                        page[start + 19..].split('"').next().unwrap().replace("&#x2F;", "/").replace("&amp;", "&");
                    form.push(("next", value));
                }
                let response = client.post(format!("{address}/sign-in")).form(&form).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 303, "{person} signs in");
                response.headers()["location"].to_str().unwrap().to_string()
            }
        };
        // A deep link asked for without a session is remembered in the sign-in address.
        let anonymous = support::TestApp::new_browser();
        let deep = format!("/providers/{p}/evidence?kind=file");
        let sent = anonymous.get(format!("{}{deep}", app.address)).send().await.unwrap();
        assert_eq!(sent.status().as_u16(), 303);
        let location = sent.headers()["location"].to_str().unwrap();
        assert_eq!(location, format!("/sign-in?next=%2Fproviders%2F{p}%2Fevidence%3Fkind%3Dfile"));
        assert_eq!(sign_in("viewer", Some(deep.clone())).await, deep, "back to the deep link");
        // A commissioner: its providers side by side. One provider: its page, not the general
        // home page. None (the admin): home.
        assert_eq!(sign_in("commissioner", None).await, format!("/commissioners/{}", world.trust));
        assert_eq!(sign_in("manager", None).await, format!("/providers/{p}"));
        assert_eq!(sign_in("admin", None).await, "/");
        // Only ever a path on this site.
        for elsewhere in ["//evil.example/x", "https://evil.example/", "/\\evil.example"] {
            assert_eq!(sign_in("viewer", Some(elsewhere.into())).await, format!("/providers/{p}"), "{elsewhere}");
        }
    }
);
