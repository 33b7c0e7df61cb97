//! The clinical director's sign-off of an audit plan, on both backends: the hash of the same plan
//! is the same and changes with any field of the plan (not with its progress); a signed plan
//! edited afterwards is flagged with what changed while the signed version stays readable byte for
//! byte; the signer and the time are in the history; neither a clinician nor the submitter signs,
//! unless the single-director setting allows the submitter; returning, submitting twice and signing
//! a draft.
//!
//! The plan-editing pages are another part of the area, so the plans here are written with direct
//! inserts, and "a later change" is an update of a row.

mod support;

use chrono::NaiveDate;
use diesel::prelude::*;
use ohgov::audits::sign_off::{sha256_hex, SignOffStatus};
use ohgov::audits::store::sign_off as store;
use ohgov::db::schema::{audit_criteria, audit_plan_sign_offs, audit_plans, audit_standards, audits, history};
use ohgov::db::{DbConnection, ProviderId, StaffId, UserId};
use support::audits::{add_audit, at, new_plan, node, nurse, Audit};
use support::{browser_signed_in, service, Service, PASSWORD};

/// A plan with the sector standard's audits: two local clinical audits and MoHaWK.
fn standard_plan(conn: &mut DbConnection, provider: ProviderId, year_start: i32, lead: Option<StaffId>) -> (i32, i32) {
    let plan = new_plan(conn, provider, year_start);
    let consent = add_audit(
        conn,
        plan,
        &Audit {
            title: "Consent to referral",
            audit_type: "local_clinical",
            standards: &["GF1", "GF2"],
            service: Some("PREV"),
            lead,
            criteria: &[("Consent recorded", 95.0), ("Consent form signed by the employee", 97.5)],
            ..Default::default()
        },
    );
    add_audit(
        conn,
        plan,
        &Audit {
            title: "Fitness for work reports",
            audit_type: "local_clinical",
            standards: &["GF1"],
            service: None,
            lead,
            criteria: &[("Report sent within 5 working days", 90.0)],
            ..Default::default()
        },
    );
    add_audit(
        conn,
        plan,
        &Audit {
            title: "MoHaWK benchmarking",
            audit_type: "national_benchmarking",
            standards: &[],
            service: None,
            lead: None,
            criteria: &[],
            ..Default::default()
        },
    );
    (plan, consent)
}

fn user(conn: &mut DbConnection, provider: ProviderId, email: &str, name: &str, role: ohgov::accounts::Role) -> UserId {
    let input = ohgov::accounts::model::UserInput {
        email: email.into(),
        name: name.into(),
        password: PASSWORD.into(),
        is_admin: false,
    };
    let grant = ohgov::accounts::store::Grant { organisation_id: provider.0, role, expires_on: None };
    ohgov::accounts::store::create_user(conn, None, &input.parse().unwrap(), Some(grant)).unwrap()
}

fn hash(conn: &mut DbConnection, plan: i32) -> String {
    store::snapshot_of(conn, plan).unwrap().hash()
}

fn sign_off_rows(conn: &mut DbConnection) -> i64 {
    audit_plan_sign_offs::table.count().get_result(conn).unwrap()
}

fn history_rows(conn: &mut DbConnection) -> i64 {
    history::table.count().get_result(conn).unwrap()
}

fn status(conn: &mut DbConnection, plan: i32) -> SignOffStatus {
    store::state(conn, plan).unwrap().status
}

on_both_backends!(
    the_hash_is_the_same_for_the_same_plan_and_changes_with_any_field,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let other = service(&mut conn, "Southvale Occupational Health Ltd", "southvale");
        let grace = nurse(&mut conn, s.provider, "E1001", "Grace Okafor");
        let tom = nurse(&mut conn, s.provider, "E1002", "Tom Ashworth");
        let (plan, consent) = standard_plan(&mut conn, s.provider, 2026, Some(grace));
        let signed_hash = hash(&mut conn, plan);
        assert_eq!(signed_hash, hash(&mut conn, plan), "computed twice, the same");

        // Signed, then computed again: the same hash, stored with the canonical JSON it hashes.
        store::submit(&mut conn, plan, s.manager, at(10, 0)).unwrap();
        assert_eq!(store::sign(&mut conn, plan, s.clinical_director, at(11, 0)).unwrap(), 1);
        let (stored, text): (String, String) = audit_plan_sign_offs::table
            .filter(audit_plan_sign_offs::plan_id.eq(plan))
            .select((audit_plan_sign_offs::snapshot_sha256, audit_plan_sign_offs::snapshot))
            .first(&mut conn)
            .unwrap();
        assert_eq!(stored, signed_hash);
        assert_eq!(sha256_hex(text.as_bytes()), stored);
        assert_eq!(text, store::snapshot_of(&mut conn, plan).unwrap().canonical());
        assert_eq!(hash(&mut conn, plan), signed_hash, "signing changes nothing that is signed");
        assert!(text.contains(r#""target_percent":"97.5""#), "targets are decimal strings: {text}");
        assert!(!text.contains(": ") && !text.contains(", "), "no insignificant whitespace: {text}");
        assert_eq!(status(&mut conn, plan), SignOffStatus::SignedOff);

        // The same content for another year of the same provider, and for another provider: the
        // snapshots differ only in the provider and the year.
        let (next_year, _) = standard_plan(&mut conn, s.provider, 2027, Some(grace));
        let mut moved = store::snapshot_of(&mut conn, next_year).unwrap();
        assert_ne!(moved.hash(), signed_hash);
        moved.year = "2026-27".into();
        assert_eq!(moved.hash(), signed_hash, "the same plan content, the same hash");
        let (theirs, _) = standard_plan(&mut conn, other.provider, 2026, None);
        let (ours_unled, _) = standard_plan(&mut conn, s.provider, 2028, None);
        let mut theirs = store::snapshot_of(&mut conn, theirs).unwrap();
        theirs.provider_id = s.provider.0;
        theirs.year = "2028-29".into();
        assert_eq!(theirs.hash(), hash(&mut conn, ours_unled));

        // Carrying the plan out is not part of what was signed.
        diesel::update(audits::table.filter(audits::id.eq(consent)))
            .set((
                audits::status.eq("completed"),
                audits::started_on.eq(Some(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap())),
                audits::completed_on.eq(Some(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap())),
                audits::findings.eq(Some("Consent was recorded in 38 of 40 cases")),
            ))
            .execute(&mut conn)
            .unwrap();
        diesel::update(audit_criteria::table.filter(audit_criteria::audit_id.eq(consent)))
            .set((audit_criteria::cases_met.eq(Some(38)), audit_criteria::cases_checked.eq(Some(40))))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(hash(&mut conn, plan), signed_hash, "progress and results do not change the hash");
        assert_eq!(status(&mut conn, plan), SignOffStatus::SignedOff);

        // Each field of the plan changes it, one after another.
        let gf3 = node(&mut conn, "GF3");
        let rehab = node(&mut conn, "REHAB");
        let the_audit = || audits::table.filter(audits::id.eq(consent));
        let first_criterion = || {
            audit_criteria::table.filter(audit_criteria::audit_id.eq(consent)).filter(audit_criteria::position.eq(1))
        };
        let mut seen = vec![signed_hash.clone()];
        let mut changed = |conn: &mut DbConnection, what: &str| {
            let now = hash(conn, plan);
            assert!(!seen.contains(&now), "{what} changes the hash");
            seen.push(now);
            assert_eq!(status(conn, plan), SignOffStatus::ChangedSinceSignOff, "{what}");
        };
        diesel::update(the_audit())
            .set(audits::title.eq("Consent to referral (all sites)"))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "title");
        diesel::update(the_audit()).set(audits::audit_type.eq("record_keeping")).execute(&mut conn).unwrap();
        changed(&mut conn, "type");
        diesel::insert_into(audit_standards::table)
            .values((audit_standards::audit_id.eq(consent), audit_standards::node_id.eq(gf3)))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "a standard");
        diesel::update(the_audit()).set(audits::service_node_id.eq(Some(rehab))).execute(&mut conn).unwrap();
        changed(&mut conn, "service");
        diesel::update(the_audit()).set(audits::lead_staff_id.eq(Some(tom.0))).execute(&mut conn).unwrap();
        changed(&mut conn, "lead");
        diesel::update(the_audit()).set(audits::planned_quarter.eq(3)).execute(&mut conn).unwrap();
        changed(&mut conn, "quarter");
        diesel::update(the_audit())
            .set(audits::method.eq("Prospective audit of new referrals"))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "method");
        diesel::update(the_audit()).set(audits::sample_size.eq(Some(60))).execute(&mut conn).unwrap();
        changed(&mut conn, "sample size");
        diesel::update(first_criterion())
            .set(audit_criteria::description.eq("Consent recorded before referral"))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "criterion text");
        diesel::update(first_criterion()).set(audit_criteria::target_percent.eq(90.0)).execute(&mut conn).unwrap();
        changed(&mut conn, "target");
        diesel::update(the_audit())
            .set((audits::status.eq("deferred"), audits::status_reason.eq(Some("The lead is on maternity leave"))))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "deferral");
        diesel::update(the_audit())
            .set((audits::status.eq("cancelled"), audits::status_reason.eq(Some("The service was decommissioned"))))
            .execute(&mut conn)
            .unwrap();
        changed(&mut conn, "cancellation");
    }
);

/// The body of a page with the entities tera writes turned back into characters.
fn plain(html: &str) -> String {
    html.replace("&#x27;", "'").replace("&#x2F;", "/").replace("&quot;", "\"").replace("&amp;", "&")
}

async fn post(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = client.post(url).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

on_both_backends!(
    editing_a_signed_plan_flags_it_and_the_signed_version_stays_readable,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let grace = nurse(&mut conn, s.provider, "E1001", "Grace Okafor");
        let (plan, consent) = standard_plan(&mut conn, s.provider, 2026, Some(grace));
        let p = s.provider;
        let base = format!("{}/providers/{p}/audit-plans/2026-27", app.address);
        let (manager, manager_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let (director, director_token) =
            browser_signed_in(&app, "clinical_director@northshire.example", PASSWORD).await;

        let page = manager.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Draft: not yet submitted"), "{page}");
        assert!(page.contains("Submit the plan for sign-off"));
        assert!(!page.contains("Sign off the plan"), "a manager is not offered the sign-off");
        let (status, _) = post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await;
        assert_eq!(status, 303);
        let page = director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Submitted: awaiting"), "{page}");
        let reviewed = store::state(&mut conn, plan).unwrap().current_hash;
        let (status, _) = post(
            &director,
            &format!("{base}/sign"),
            &[("csrf_token", &director_token), ("reviewed", "yes"), ("hash", &reviewed)],
        )
        .await;
        assert_eq!(status, 303);
        let page = plain(&director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains("Audit plan 2026/27 signed off"), "the confirmation, in words");
        assert!(page.contains("<strong>Signed off</strong>"), "{page}");
        assert!(page.contains("Version 1") && page.contains(&reviewed));

        // A later change: a target lowered and a standard added.
        diesel::update(
            audit_criteria::table.filter(audit_criteria::audit_id.eq(consent)).filter(audit_criteria::position.eq(1)),
        )
        .set(audit_criteria::target_percent.eq(90.0))
        .execute(&mut conn)
        .unwrap();
        let gf3 = node(&mut conn, "GF3");
        diesel::insert_into(audit_standards::table)
            .values((audit_standards::audit_id.eq(consent), audit_standards::node_id.eq(gf3)))
            .execute(&mut conn)
            .unwrap();
        let now = store::state(&mut conn, plan).unwrap();
        assert_eq!(now.status, SignOffStatus::ChangedSinceSignOff);
        let expected = [
            "Audit 'Consent to referral': standards: GF3 added",
            "Audit 'Consent to referral': target for 'Consent recorded' changed from 95% to 90%",
        ];
        assert_eq!(now.changes, expected);
        let page = plain(&manager.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains("Changed since sign-off"), "{page}");
        for change in expected {
            assert!(page.contains(change), "{change} is listed: {page}");
        }
        assert!(page.contains("Submit the plan for sign-off"), "a changed plan may be submitted again");
        // The plan's page, the list of plans and the JSON say the same.
        let plan_page = plain(&manager.get(&base).send().await.unwrap().text().await.unwrap());
        assert!(plan_page.contains("Changed since sign-off: it must be signed off again"), "{plan_page}");
        // The list judges every plan at once: a second plan, never submitted, reads as a draft.
        let (last_year, _) = standard_plan(&mut conn, p, 2025, None);
        assert_eq!(store::state(&mut conn, last_year).unwrap().status, SignOffStatus::Draft);
        let plans_url = base.rsplit_once('/').unwrap().0;
        let plans_page = plain(&manager.get(plans_url).send().await.unwrap().text().await.unwrap());
        let row = |year: &str| plans_page.split(year).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or("");
        assert!(row(">2026/27<").contains("Changed since sign-off"), "{plans_page}");
        assert!(row(">2025/26<").contains("Draft: not yet submitted"), "{plans_page}");
        let summary = store::summary(&mut conn, plan).unwrap();
        assert_eq!(summary.state, "changed_since_sign_off");
        assert_eq!(summary.hash.as_deref(), Some(reviewed.as_str()));
        assert_eq!(summary.signed_by.as_deref(), Some("Clinical director of Northshire OH Service"));

        // The signed version: a page, and its file exactly as stored and hashed.
        let (stored, stored_hash): (String, String) = audit_plan_sign_offs::table
            .filter(audit_plan_sign_offs::plan_id.eq(plan))
            .filter(audit_plan_sign_offs::version.eq(1))
            .select((audit_plan_sign_offs::snapshot, audit_plan_sign_offs::snapshot_sha256))
            .first(&mut conn)
            .unwrap();
        let response = manager.get(format!("{base}/sign-offs/1.json")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"].to_str().unwrap(), "application/json");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(bytes.as_ref(), stored.as_bytes(), "byte for byte");
        assert_eq!(sha256_hex(&bytes), stored_hash);
        assert_eq!(stored_hash, reviewed);
        let page = plain(&manager.get(format!("{base}/sign-offs/1")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains(&stored_hash), "{page}");
        assert!(page.contains("<td>Consent recorded</td><td>95%</td>"), "the target as signed: {page}");
        assert!(page.contains("Grace Okafor"));
        assert!(!page.contains("The stored file no longer matches"));
        assert_eq!(app.get_text(&format!("/providers/{p}/audit-plans/2026-27/sign-offs/2")).await.0, 303);
        assert_eq!(manager.get(format!("{base}/sign-offs/2")).send().await.unwrap().status().as_u16(), 404);

        // Signed again: version 2, and version 1 is still listed and readable.
        assert_eq!(post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await.0, 303);
        // The clinical director reviewing the resubmitted plan sees what changed since version 1.
        let page = plain(&director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains("Submitted: awaiting") && page.contains(expected[1]), "{page}");
        let (status, _) =
            post(&director, &format!("{base}/sign"), &[("csrf_token", &director_token), ("reviewed", "yes")]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::SignedOff);
        let versions = store::versions(&mut conn, plan).unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);
        let again = manager.get(format!("{base}/sign-offs/1.json")).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(again.as_ref(), stored.as_bytes());

        // A version signed in a form the page no longer lays out is still served, file and hash.
        let earlier = r#"{"plan":"an earlier form"}"#;
        diesel::insert_into(audit_plan_sign_offs::table)
            .values((
                audit_plan_sign_offs::plan_id.eq(plan),
                audit_plan_sign_offs::version.eq(3),
                audit_plan_sign_offs::signed_at.eq(at(12, 0)),
                audit_plan_sign_offs::signed_by.eq(s.clinical_director),
                audit_plan_sign_offs::snapshot.eq(earlier),
                audit_plan_sign_offs::snapshot_sha256.eq(sha256_hex(earlier.as_bytes())),
            ))
            .execute(&mut conn)
            .unwrap();
        let response = manager.get(format!("{base}/sign-offs/3")).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(response.text().await.unwrap().contains("cannot lay out"));
        let file = manager.get(format!("{base}/sign-offs/3.json")).send().await.unwrap().text().await.unwrap();
        assert_eq!(file, earlier);
    }
);

fn status_of(conn: &mut DbConnection, plan: i32) -> SignOffStatus {
    status(conn, plan)
}

on_both_backends!(
    the_signer_and_the_time_are_in_the_history,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (plan, _) = standard_plan(&mut conn, s.provider, 2026, None);
        store::submit(&mut conn, plan, s.manager, at(10, 0)).unwrap();
        store::sign(&mut conn, plan, s.clinical_director, at(11, 30)).unwrap();
        let hash = hash(&mut conn, plan);
        let (user_id, organisation_id, entity_id, changes): (Option<i32>, Option<i32>, String, String) = history::table
            .filter(history::entity.eq("audit_plan"))
            .filter(history::action.eq("sign_off"))
            .select((history::user_id, history::organisation_id, history::entity_id, history::changes))
            .first(&mut conn)
            .unwrap();
        assert_eq!(user_id, Some(s.clinical_director.0), "the signer");
        assert_eq!(organisation_id, Some(s.provider.0));
        assert_eq!(entity_id, plan.to_string());
        let changes: serde_json::Value = serde_json::from_str(&changes).unwrap();
        let after = |field: &str| {
            assert!(changes.get(field).is_some(), "{field} is in {changes}");
            changes[field]["after"].clone()
        };
        assert_eq!(after("signed_at"), serde_json::json!(at(11, 30)), "the time");
        assert_eq!(after("signed_by"), serde_json::json!(s.clinical_director.0));
        assert_eq!(after("snapshot_sha256"), serde_json::json!(hash));
        assert_eq!(after("version"), serde_json::json!(1));
        assert_eq!(after("state"), serde_json::json!("signed_off"));
        // The submission is there too, by the manager; and the trail still verifies.
        let submitted: Option<i32> = history::table
            .filter(history::entity.eq("audit_plan"))
            .filter(history::action.eq("submit"))
            .select(history::user_id)
            .first(&mut conn)
            .unwrap();
        assert_eq!(submitted, Some(s.manager.0));
        let verified = ohgov::history::store::verify(&mut conn, support::history_key()).unwrap();
        assert!(verified.is_ok(), "the history chain verifies");
    }
);

on_both_backends!(
    neither_a_clinician_nor_the_submitter_signs_unless_the_single_director_setting_allows_it,
    app | app | {
        let mut conn = app.db.migrated();
        let s: Service = service(&mut conn, "Northshire OH Service", "northshire");
        user(&mut conn, s.provider, "clinician@northshire.example", "Priya Raman", ohgov::accounts::Role::Clinician);
        let (plan, _) = standard_plan(&mut conn, s.provider, 2026, None);
        let p = s.provider;
        let base = format!("{}/providers/{p}/audit-plans/2026-27", app.address);
        let (director, token) = browser_signed_in(&app, "clinical_director@northshire.example", PASSWORD).await;
        let (clinician, clinician_token) = browser_signed_in(&app, "clinician@northshire.example", PASSWORD).await;
        let (manager, manager_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;

        // The clinical director submits the plan (they may manage), and cannot then sign it.
        assert_eq!(post(&director, &format!("{base}/submit"), &[("csrf_token", &token)]).await.0, 303);
        let history_before = history_rows(&mut conn);
        let sign = [("reviewed", "yes")];
        let with = |t: &str| -> Vec<(String, String)> {
            std::iter::once(("csrf_token".to_string(), t.to_string()))
                .chain(sign.iter().map(|(k, v)| (k.to_string(), v.to_string())))
                .collect()
        };
        let send = |client: &reqwest::Client, form: Vec<(String, String)>| {
            let request = client.post(format!("{base}/sign")).form(&form);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(send(&clinician, with(&clinician_token)).await, 403, "a clinician may not sign off");
        assert_eq!(send(&manager, with(&manager_token)).await, 403, "nor a manager");
        assert_eq!(send(&director, with(&token)).await, 409, "nor whoever submitted it");
        assert_eq!(sign_off_rows(&mut conn), 0, "nothing signed");
        assert_eq!(history_rows(&mut conn), history_before, "nothing in the history");
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::Submitted);
        let page = director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("You submitted this plan, so another clinical director must sign it off"), "{page}");
        assert!(!page.contains(&format!("action=\"/providers/{p}/audit-plans/2026-27/sign\"")), "no sign-off form");
        let page = clinician.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Sign off the plan") && !page.contains("Save the setting"), "{page}");

        // The setting: a choice is needed; off by default; turning it on is in the history.
        assert!(!store::submitter_may_sign_off(&mut conn, p).unwrap());
        let settings = format!("{}/providers/{p}/audit-settings", app.address);
        let (status, _) = post(&director, &settings, &[("csrf_token", &token), ("year", "2026-27")]).await;
        assert_eq!(status, 422);
        let (status, _) =
            post(&clinician, &settings, &[("csrf_token", &clinician_token), ("submitter_may_sign_off", "yes")]).await;
        assert_eq!(status, 403);
        assert!(!store::submitter_may_sign_off(&mut conn, p).unwrap());
        let (status, _) = post(
            &director,
            &settings,
            &[("csrf_token", &token), ("year", "2026-27"), ("submitter_may_sign_off", "yes")],
        )
        .await;
        assert_eq!(status, 303);
        assert!(store::submitter_may_sign_off(&mut conn, p).unwrap());
        let (user_id, changes): (Option<i32>, String) = history::table
            .filter(history::entity.eq("audit_settings"))
            .select((history::user_id, history::changes))
            .first(&mut conn)
            .unwrap();
        assert_eq!(user_id, Some(s.clinical_director.0));
        let changes: serde_json::Value = serde_json::from_str(&changes).unwrap();
        let change = &changes["submitter_may_sign_off"];
        assert_eq!(
            (change["before"].clone(), change["after"].clone()),
            (serde_json::json!(false), serde_json::json!(true))
        );
        let page = director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Whoever submits an audit plan may now also sign it off"), "the confirmation");

        // Now the director who submitted it signs it off.
        assert_eq!(send(&director, with(&token)).await, 303);
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::SignedOff);
        let signer: i32 = audit_plan_sign_offs::table.select(audit_plan_sign_offs::signed_by).first(&mut conn).unwrap();
        assert_eq!(signer, s.clinical_director.0);
    }
);

on_both_backends!(
    returning_submitting_twice_and_signing_a_draft,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (plan, _) = standard_plan(&mut conn, s.provider, 2026, None);
        let p = s.provider;
        let base = format!("{}/providers/{p}/audit-plans/2026-27", app.address);
        let (director, token) = browser_signed_in(&app, "clinical_director@northshire.example", PASSWORD).await;
        let (manager, manager_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let ticked = [("csrf_token", token.as_str()), ("reviewed", "yes")];

        // A draft cannot be signed off or returned.
        let before = history_rows(&mut conn);
        assert_eq!(post(&director, &format!("{base}/sign"), &ticked).await.0, 409);
        let (status, _) =
            post(&director, &format!("{base}/return"), &[("csrf_token", &token), ("comment", "Add a MoHaWK audit")])
                .await;
        assert_eq!(status, 409);
        assert_eq!((sign_off_rows(&mut conn), history_rows(&mut conn)), (0, before), "nothing written");
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::Draft);

        // Submitted twice: the second is refused.
        assert_eq!(post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await.0, 303);
        assert_eq!(
            store::awaiting_sign_off(&mut conn, p).unwrap().iter().map(|y| y.url()).collect::<Vec<_>>(),
            ["2026-27"]
        );
        // The director's overview says so, linking to the sign-off; the manager's does not.
        let overview = format!("{}/providers/{p}", app.address);
        let page = director.get(&overview).send().await.unwrap().text().await.unwrap();
        let decisions = page.split("Awaiting your decision").nth(1).unwrap().split("</section>").next().unwrap();
        assert!(decisions.contains("/audit-plans/2026-27/sign-off\""), "{decisions}");
        assert!(plain(decisions).contains("Audit plan 2026/27: submitted, to sign off or return"));
        let page = manager.get(&overview).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("to sign off or return"));
        let before = history_rows(&mut conn);
        assert_eq!(post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await.0, 409);
        assert_eq!(history_rows(&mut conn), before);

        // Returned: a comment is needed; with one, the plan goes back with it.
        let (status, page) =
            post(&director, &format!("{base}/return"), &[("csrf_token", &token), ("comment", "  ")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Say why the plan is returned"), "{page}");
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::Submitted);
        // Not ticking the box signs nothing.
        let (status, page) = post(&director, &format!("{base}/sign"), &[("csrf_token", &token)]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Tick the box to confirm you have reviewed this plan"));
        assert_eq!(sign_off_rows(&mut conn), 0);
        let comment = "Please add the record-keeping audit that the SEQOHS assessor asked for.";
        let (status, _) =
            post(&director, &format!("{base}/return"), &[("csrf_token", &token), ("comment", comment)]).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&mut conn, plan), SignOffStatus::Returned);
        let page = plain(&director.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains("Audit plan 2026/27 returned to the service manager"), "the confirmation, in words");
        let page = plain(&manager.get(format!("{base}/sign-off")).send().await.unwrap().text().await.unwrap());
        assert!(page.contains(comment), "{page}");
        assert!(page.contains("Submit the plan for sign-off"));
        let (returned_by, returned_comment): (Option<i32>, Option<String>) = audit_plans::table
            .filter(audit_plans::id.eq(plan))
            .select((audit_plans::returned_by, audit_plans::return_comment))
            .first(&mut conn)
            .unwrap();
        assert_eq!((returned_by, returned_comment.as_deref()), (Some(s.clinical_director.0), Some(comment)));
        let returned: String = history::table
            .filter(history::entity.eq("audit_plan"))
            .filter(history::action.eq("return"))
            .select(history::changes)
            .first(&mut conn)
            .unwrap();
        assert!(returned.contains(comment));

        // Submitted again and signed; a signed plan that has not changed cannot be submitted.
        assert_eq!(post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await.0, 303);
        let state = store::state(&mut conn, plan).unwrap();
        assert_eq!(state.return_comment, None, "the comment was answered by submitting again");
        // A plan that changed while the director read it is not signed.
        let (status, _) =
            post(&director, &format!("{base}/sign"), &[("csrf_token", &token), ("reviewed", "yes"), ("hash", "0000")])
                .await;
        assert_eq!(status, 409);
        assert_eq!(sign_off_rows(&mut conn), 0);
        assert_eq!(post(&director, &format!("{base}/sign"), &ticked).await.0, 303);
        assert_eq!(post(&manager, &format!("{base}/submit"), &[("csrf_token", &manager_token)]).await.0, 409);
        assert_eq!(post(&director, &format!("{base}/sign"), &ticked).await.0, 409, "signed once");
        assert_eq!(sign_off_rows(&mut conn), 1);
        // No such year, or not a year: no page.
        assert_eq!(
            manager
                .get(format!("{}/providers/{p}/audit-plans/2030-31/sign-off", app.address))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            manager
                .get(format!("{}/providers/{p}/audit-plans/2026/sign-off", app.address))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            404
        );
    }
);
