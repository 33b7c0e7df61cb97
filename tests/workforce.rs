//! Workforce on both backends: CSV imports (good files, bad rows, re-imports, byte-order marks,
//! CRLF and UK dates), the web import's preview and confirmation, supervision, CPD, and the API.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use ohgov::db::schema::{cpd_records, history, staff};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::workforce::import::{self, ImportKind, RowError};
use support::{browser_signed_in, count, hidden, service, PASSWORD};

const STAFF_HEADER: &str = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte";

/// A staff file: a consultant, a nurse, a physiotherapist, a case worker and an administrator.
fn staff_file(renewal: &str) -> String {
    format!(
        "{STAFF_HEADER}\n\
         D100,Dr Maya Osei,maya.osei@northshire.example,consultant_occupational_physician,gmc,7654321,{renewal},2029-06-30,2026-02-01,Dr K Patel,2019-09-01,,1\n\
         N200,Grace Okafor,grace.okafor@northshire.example,oh_nurse_scphn,nmc,12A3456E,{renewal},2027-08-31,,,2021-01-04,,0.8\n\
         P300,Sam Reid,,physiotherapist,hcpc,PH123456,{renewal},,,,2022-05-01,,0.6\n\
         C400,Jo Bell,,non_clinical_case_worker,none,,,,,,2023-02-01,,1\n\
         A500,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5\n"
    )
}

fn run_import(
    conn: &mut DbConnection,
    provider: ProviderId,
    kind: ImportKind,
    file: &[u8],
) -> Result<import::ImportReport, Vec<RowError>> {
    let today = Utc::now().date_naive();
    let prepared = import::prepare(conn, provider, kind, file, today).unwrap()?;
    Ok(import::commit(conn, None, provider, &prepared, "test", &mut |_| {}).unwrap())
}

on_both_backends!(
    a_good_staff_file_imports_and_a_reimport_updates_in_place,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let report = run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        assert_eq!((report.rows, report.created, report.updated), (5, 5, 0));
        let again = run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 5), "the same file changes nothing");
        let renewed =
            run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2028-03-31").as_bytes()).unwrap();
        assert_eq!((renewed.created, renewed.updated), (0, 3), "three registered people renewed");
        let people: i64 = staff::table.count().get_result(&mut conn).unwrap();
        assert_eq!(people, 5, "no duplicates");
        let nurse: (String, String, Option<NaiveDate>) = staff::table
            .filter(staff::staff_number.eq("N200"))
            .select((staff::tier, staff::regulator, staff::registration_renewal))
            .first(&mut conn)
            .unwrap();
        assert_eq!(nurse, ("clinical".into(), "nmc".into(), NaiveDate::from_ymd_opt(2028, 3, 31)));
        let admin_regulator: String =
            staff::table.filter(staff::staff_number.eq("A500")).select(staff::regulator).first(&mut conn).unwrap();
        assert_eq!(admin_regulator, "none", "a blank regulator follows the discipline");
        let updates: i64 = history::table
            .filter(history::entity.eq("staff"))
            .filter(history::action.eq("update"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(updates, 3, "each change is in the history");
        let cleared = staff_file("2028-03-31").replace("2029-06-30", "");
        let report = run_import(&mut conn, s.provider, ImportKind::Staff, cleared.as_bytes()).unwrap();
        assert_eq!(report.updated, 1);
        let revalidation: Option<NaiveDate> = staff::table
            .filter(staff::staff_number.eq("D100"))
            .select(staff::revalidation_due)
            .first(&mut conn)
            .unwrap();
        assert_eq!(revalidation, None, "a date emptied in the file is emptied in the record");
    }
);

on_both_backends!(
    three_bad_rows_among_a_thousand_are_all_reported_and_nothing_is_written,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let history_before: i64 = history::table.count().get_result(&mut conn).unwrap();
        let mut file = String::from("staff_number,date,title,hours,participatory,reflective\n");
        for i in 0..1_000 {
            // Lines are counted from the header (line 1), so row i is on line i + 2.
            let row = match i {
                99 => "N200,2026-02-30,Impossible date,1,yes,no".to_string(),
                499 => "X999,2026-03-01,Nobody,1,yes,no".to_string(),
                997 => "N200,2026-03-01,Hours wrong,lots,perhaps,no".to_string(),
                _ => format!(
                    "N200,2026-0{}-{:02},Update {i},{}",
                    1 + i % 9,
                    1 + i % 28,
                    if i % 2 == 0 { ",no,y" } else { "1.5,yes,n" }
                ),
            };
            file.push_str(&row);
            file.push('\n');
        }
        let errors = run_import(&mut conn, s.provider, ImportKind::Cpd, file.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [101, 501, 999]);
        assert!(errors[0].message.contains("date:"), "{}", errors[0]);
        assert!(errors[1].message.contains("there is no one with staff number \"X999\""), "{}", errors[1]);
        assert!(errors[2].message.contains("hours:") && errors[2].message.contains("participatory:"), "{}", errors[2]);
        assert_eq!(count(&mut conn, "cpd_records"), 0, "nothing was written");
        let history_after: i64 = history::table.count().get_result(&mut conn).unwrap();
        assert_eq!(history_after, history_before);
    }
);

on_both_backends!(
    a_byte_order_mark_crlf_and_uk_dates_are_read,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            let file = format!("\u{feff}{}", staff_file("31/03/2027").replace('\n', "\r\n"))
                .replace("STAFF_NUMBER", "staff_number")
                .replacen("staff_number,full_name", " Staff_Number , FULL_NAME ", 1)
                .replace("2029-06-30", "30/06/2029");
            let report = run_import(&mut conn, s.provider, ImportKind::Staff, file.as_bytes()).unwrap();
            assert_eq!(report.created, 5);
            let dates: (Option<NaiveDate>, Option<NaiveDate>) = staff::table
                .filter(staff::staff_number.eq("D100"))
                .select((staff::registration_renewal, staff::revalidation_due))
                .first(&mut conn)
                .unwrap();
            assert_eq!(dates, (NaiveDate::from_ymd_opt(2027, 3, 31), NaiveDate::from_ymd_opt(2029, 6, 30)));
            let name: String =
                staff::table.filter(staff::staff_number.eq("A500")).select(staff::full_name).first(&mut conn).unwrap();
            assert_eq!(name, "Alex Kerr", "no carriage return is left on the last value");
            let cpd = "\u{feff}staff_number,date,title,hours,participatory,reflective\r\nN200,23/11/2025,Hearing conservation update,2,Y,0\r\nN200,24/11/2025,Reflective account: the update,,N,1\r\n";
            assert_eq!(run_import(&mut conn, s.provider, ImportKind::Cpd, cpd.as_bytes()).unwrap().created, 2);
            let stored: Vec<(NaiveDate, f64, bool, bool)> = cpd_records::table
                .select((
                    cpd_records::activity_date,
                    cpd_records::hours,
                    cpd_records::participatory,
                    cpd_records::reflective,
                ))
                .order(cpd_records::activity_date)
                .load(&mut conn)
                .unwrap();
            let day = |d| NaiveDate::from_ymd_opt(2025, 11, d).unwrap();
            assert_eq!(stored, [(day(23), 2.0, true, false), (day(24), 0.0, false, true)], "an account has no hours");
        }
);

on_both_backends!(
    a_supervisor_outside_the_clinical_tiers_is_refused,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
            let header = "date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist";
            let bad = format!("{header}\n2026-11-02,group,A500,C400,Weekly group,6,1,1,0\n");
            let errors = run_import(&mut conn, s.provider, ImportKind::Supervision, bad.as_bytes()).unwrap_err();
            assert_eq!(errors.len(), 1);
            assert!(errors[0].message.contains("A500 is in the non-clinical tier"), "{}", errors[0]);
            let good = format!("{header}\n2026-11-02,group,N200,C400;A500,Weekly group,6,1,1,0\n");
            assert_eq!(run_import(&mut conn, s.provider, ImportKind::Supervision, good.as_bytes()).unwrap().created, 1);
            assert_eq!(count(&mut conn, "supervision_sessions"), 1);
            let overdue = |conn: &mut DbConnection, as_of: NaiveDate| -> bool {
                let report = ohgov::workforce::store::workforce(conn, s.provider, as_of, 30).unwrap();
                let jo = report.people.iter().find(|p| p.staff.staff_number == "C400").unwrap();
                jo.issues.contains(&ohgov::workforce::rules::Issue::SupervisionOverdue)
            };
            let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
            assert!(!overdue(&mut conn, day(2)), "supervised 30 days before");
            assert!(overdue(&mut conn, day(3)), "31 days without supervision");
            assert!(
                overdue(&mut conn, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
                "a later session does not count"
            );
        }
);

async fn upload(client: &reqwest::Client, url: &str, token: &str, kind: &str, file: Vec<u8>) -> (u16, String) {
    support::post_file(client, url, &[("csrf_token", token), ("kind", kind)], "export.csv", file).await
}

on_both_backends!(
    the_web_import_previews_then_writes_only_when_confirmed,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let broken = staff_file("2027-03-31").replace("12A3456E", "12345").replace(",gmc,7654321", ",nmc,7654321");
        let (status, page) = upload(&client, &format!("{base}/import"), &token, "staff", broken.into_bytes()).await;
        assert_eq!(status, 422);
        assert!(page.contains("2 rows need correcting"), "{page}");
        assert!(page.contains("Line 2: registration_number:") && page.contains("registered with the GMC, not the NMC"));
        assert!(page.contains("Line 3: registration_number:"));
        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "staff", staff_file("2027-03-31").into_bytes()).await;
        assert_eq!(status, 200);
        assert!(page.contains("Every one of the 5 rows passed its checks"));
        assert!(page.contains("Read as: CSV, UTF-8"), "the preview says how the file was read");
        assert_eq!(count(&mut app.db.conn(), "staff"), 0, "a preview writes nothing");
        let sha = hidden(&page, "sha256");
        let (other_manager, other_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let elsewhere = other_manager
            .post(format!("{base}/import/confirm"))
            .form(&[("csrf_token", other_token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(elsewhere.status().as_u16(), 409, "only the session that saw the preview can confirm it");
        assert_eq!(count(&mut app.db.conn(), "staff"), 0);
        let confirm = client
            .post(format!("{base}/import/confirm"))
            .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(confirm.status().as_u16(), 303);
        assert_eq!(count(&mut app.db.conn(), "staff"), 5);
        let twice = client
            .post(format!("{base}/import/confirm"))
            .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(twice.status().as_u16(), 409, "a confirmation is used once");
        let imports: i64 =
            history::table.filter(history::entity.eq("import")).count().get_result(&mut app.db.conn()).unwrap();
        assert_eq!(imports, 1, "the file's own history row");
        let page = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Dr Maya Osei") && page.contains("Clinical supervision overdue"), "Jo Bell has had none");
    }
);

on_both_backends!(
    clinicians_add_their_own_cpd_and_managers_anyones,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        ohgov::accounts::store::create_user(
            &mut conn,
            None,
            &ohgov::accounts::model::UserInput {
                email: "grace.okafor@northshire.example".into(),
                name: "Grace Okafor".into(),
                password: PASSWORD.into(),
                is_admin: false,
            }
            .parse()
            .unwrap(),
            Some(ohgov::accounts::store::Grant {
                organisation_id: s.provider.0,
                role: ohgov::accounts::Role::Clinician,
                expires_on: None,
            }),
        )
        .unwrap();
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let id_of = |conn: &mut DbConnection, number: &str| -> i32 {
            staff::table.filter(staff::staff_number.eq(number)).select(staff::id).first(conn).unwrap()
        };
        let (grace, maya) = (id_of(&mut conn, "N200"), id_of(&mut conn, "D100"));
        let (client, token) = browser_signed_in(&app, "grace.okafor@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce/staff", app.address, s.provider);
        let cpd = |token: &str| {
            vec![
                ("csrf_token", token.to_string()),
                ("date", (Utc::now().date_naive() - Duration::days(3)).to_string()),
                ("title", "Audiometry refresher".to_string()),
                ("hours", "3".to_string()),
                ("participatory", "yes".to_string()),
            ]
        };
        let own = client.post(format!("{base}/{grace}/cpd")).form(&cpd(&token)).send().await.unwrap();
        assert_eq!(own.status().as_u16(), 303);
        let page = client.get(format!("{base}/{grace}")).send().await.unwrap().text().await.unwrap();
        let standing: String = page.split("Recorded so far").nth(1).unwrap_or("").chars().take(60).collect();
        assert!(standing.contains("3 of 35 hours"), "her page shows the cycle's count: {standing}");
        assert!(page.contains("0 of 5"), "and the reflective accounts still needed");
        let theirs = client.post(format!("{base}/{maya}/cpd")).form(&cpd(&token)).send().await.unwrap();
        assert_eq!(theirs.status().as_u16(), 403, "a clinician adds only their own");
        let (manager, m_token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let by_manager = manager.post(format!("{base}/{maya}/cpd")).form(&cpd(&m_token)).send().await.unwrap();
        assert_eq!(by_manager.status().as_u16(), 303);
        let mut bad = cpd(&m_token);
        bad[3] = ("hours", "0".to_string());
        let refused = manager.post(format!("{base}/{maya}/cpd")).form(&bad).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        assert_eq!(count(&mut app.db.conn(), "cpd_records"), 2);
    }
);

on_both_backends!(
    the_workforce_api_judges_as_of_any_date,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let token = ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
        let url = format!("{}/api/v1/providers/{}/workforce", app.address, s.provider);
        let judged = |as_of: &'static str| {
            let (client, url, token) = (app.client.clone(), url.clone(), token.clone());
            async move {
                let response = client.get(format!("{url}?as_of={as_of}")).bearer_auth(&token).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200);
                response.json::<serde_json::Value>().await.unwrap()
            }
        };
        // 1 Feb 2027: registrations renew on 31 Mar 2027, 58 days on: due for all three registered.
        let body = judged("2027-02-01").await;
        assert_eq!(body["totals"]["registration_due"], 3);
        assert_eq!(body["totals"]["registration_expired"], 0);
        let maya = body["people"].as_array().unwrap().iter().find(|p| p["staff_number"] == "D100").unwrap();
        assert_eq!(maya["tier"], "specialist");
        assert_eq!(maya["discipline"], "consultant_occupational_physician");
        let codes: Vec<&str> = maya["issues"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(
            codes,
            ["registration_due", "specialist_route_missing", "cpd_short", "cpd_previous_year_short"],
            "no CCT or CESR recorded, no CPD with the year ending in 58 days, and none in the last CPD \
             year with no appraisal since it ended"
        );
        // The day after renewal: expired.
        let body = judged("2027-04-01").await;
        assert_eq!(body["totals"]["registration_expired"], 3);
        assert_eq!(body["totals"]["supervision_overdue"], 1, "the case worker has had no supervision");
        let bad = app.client.get(format!("{url}?as_of=01/04/2027")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
    }
);

on_both_backends!(
    the_import_command_lists_bad_rows_and_writes_nothing,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("staff.csv");
        std::fs::write(&path, staff_file("2027-03-31").replace("PH123456", "PH12")).unwrap();
        let provider = s.provider.to_string();
        let refused = db.ohgov(&["import", "staff", "--provider", &provider, path.to_str().unwrap()]);
        assert!(!refused.status.success());
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains("line 4: registration_number:"), "{stderr}");
        assert!(stderr.contains("1 bad row; nothing was imported"));
        assert_eq!(count(&mut conn, "staff"), 0);
        std::fs::write(&path, staff_file("2027-03-31")).unwrap();
        let done = db.ohgov(&["import", "staff", "--provider", &provider, path.to_str().unwrap()]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let stdout = String::from_utf8_lossy(&done.stdout);
        let said: Vec<&str> = stdout.lines().collect();
        assert_eq!(said, ["read as CSV, UTF-8", "imported 5 rows of staff: 5 created, 0 updated, 0 unchanged"]);
    }
);

on_both_backends!(
    the_supervision_limit_is_a_setting,
    app | app
        | {
            let header = "date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist";
            let session = format!("{header}\n2026-11-02,group,N200,C400,Weekly group,4,0,1,0\n");
            let overdue_on_10_december = |app: &support::TestApp| {
                let mut conn = app.db.migrated();
                let s = service(&mut conn, "Northshire OH Service", "northshire");
                run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
                run_import(&mut conn, s.provider, ImportKind::Supervision, session.as_bytes()).unwrap();
                let token =
                    ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
                let url = format!("{}/api/v1/providers/{}/workforce?as_of=2026-12-10", app.address, s.provider);
                let (client, token) = (app.client.clone(), token);
                async move {
                    let body: serde_json::Value =
                        client.get(url).bearer_auth(token).send().await.unwrap().json().await.unwrap();
                    body["totals"]["supervision_overdue"].as_i64().unwrap()
                }
            };
            assert_eq!(overdue_on_10_december(&app).await, 1, "38 days is past the default 30");
            let db = support::TestDb::with(app.db.backend, support::Seed::Catalogue).unwrap();
            let mut settings = db.settings();
            settings.supervision_days = 45;
            let lenient = support::TestApp::spawn_with(db, settings).await;
            assert_eq!(overdue_on_10_december(&lenient).await, 0, "within a 45-day limit");
        }
);

on_both_backends!(
    each_session_lists_how_many_attended,
    db | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
            let header = "date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist";
            let file = format!(
                "{header}\n2026-11-02,group,N200,C400;A500;P300,Weekly group,6,1,1,0\n\
             2026-11-09,individual,D100,C400,Case review,2,0,0,0\n"
            );
            run_import(&mut conn, s.provider, ImportKind::Supervision, file.as_bytes()).unwrap();
            let sessions = ohgov::workforce::store::sessions(&mut conn, s.provider, 200).unwrap();
            let counted: Vec<(String, usize)> =
                sessions.iter().map(|(l, n)| (l.session_date.to_string(), *n)).collect();
            assert_eq!(counted, vec![("2026-11-09".to_string(), 1), ("2026-11-02".to_string(), 3)]);
            assert_eq!(count(&mut conn, "supervision_attendees"), 4);
        }
);

/// The files stored, by SHA-256.
fn stored_files(conn: &mut DbConnection) -> std::collections::BTreeSet<String> {
    use ohgov::db::schema::blobs;
    blobs::table.select(blobs::sha256).load::<String>(conn).unwrap().into_iter().collect()
}

fn csv_upload(text: &str) -> ohgov::evidence::model::Upload {
    ohgov::evidence::model::check_upload(text.as_bytes().to_vec(), "export.csv", 1024 * 1024).unwrap()
}

on_both_backends!(
    previews_not_confirmed_within_a_day_are_swept_with_their_files_and_nothing_else_is,
    db | db | {
        use ohgov::db::StoreError;
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let start = Utc::now();
        let today = start.date_naive();
        let hours = |n: i64| start + Duration::hours(n);
        // An evidence document, stored as a file nothing else refers to.
        let document = csv_upload("policy,version\nlone working,3\n");
        let details = ohgov::evidence::model::EvidenceDetails {
            kind: ohgov::evidence::model::EvidenceKind::File,
            title: "Lone working policy".into(),
            description: String::new(),
            owner_user_id: None,
            effective_on: None,
            review_due: None,
            contains_patient_data: false,
            link_url: None,
            standards: Vec::new(),
            document_kind: None,
        };
        ohgov::evidence::store::add(&mut conn, None, s.provider, None, &details, Some(&document)).unwrap();
        // A preview left a day and more, one made an hour before the sweep, and one confirmed.
        let stale = csv_upload(&staff_file("2027-03-31"));
        import::hold(&mut conn, s.provider, "stale session", ImportKind::Staff, &stale, &Default::default(), start)
            .unwrap();
        let fresh = csv_upload(&staff_file("2028-03-31"));
        import::hold(&mut conn, s.provider, "fresh session", ImportKind::Staff, &fresh, &Default::default(), hours(24))
            .unwrap();
        let confirmed = csv_upload(&staff_file("2029-03-31"));
        import::hold(&mut conn, s.provider, "busy session", ImportKind::Staff, &confirmed, &Default::default(), start)
            .unwrap();
        let report = import::confirm(
            &mut conn,
            None,
            s.provider,
            "busy session",
            ImportKind::Staff,
            &confirmed.sha256,
            today,
            hours(1),
        )
        .unwrap()
        .unwrap();
        assert_eq!(report.created, 5);
        assert_eq!(count(&mut conn, "pending_imports"), 2, "a confirmation deletes its pending row");
        assert!(
            !stored_files(&mut conn).contains(&confirmed.sha256),
            "an imported file is not kept: its rows are in the records and the history names its hash"
        );

        // Nothing has expired a moment before the day is out.
        let before = stored_files(&mut conn);
        assert_eq!(import::sweep(&mut conn, hours(24) - Duration::seconds(1)).unwrap(), import::Swept::default());
        assert_eq!(stored_files(&mut conn), before);

        let swept = import::sweep(&mut conn, hours(25)).unwrap();
        assert_eq!(swept, import::Swept { pending_imports: 1, files: 1 });
        let after = stored_files(&mut conn);
        assert!(!after.contains(&stale.sha256), "the unconfirmed file is deleted");
        assert!(after.contains(&fresh.sha256), "a preview still within its day stays");
        assert!(after.contains(&document.sha256), "evidence stays");
        assert_eq!(count(&mut conn, "pending_imports"), 1);
        let refused = import::confirm(
            &mut conn,
            None,
            s.provider,
            "stale session",
            ImportKind::Staff,
            &stale.sha256,
            today,
            hours(25),
        );
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "a swept preview cannot be confirmed");
        assert_eq!(
            import::sweep(&mut conn, hours(26)).unwrap(),
            import::Swept::default(),
            "a second sweep finds nothing"
        );

        // Not asked to keep it, the blob sweep still never deletes a file evidence holds; and the
        // database refuses to delete it too.
        let wanted: std::collections::HashSet<String> = [fresh.sha256.clone()].into();
        ohgov::db::write_transaction(&mut conn, |conn| {
            ohgov::evidence::store::delete_unreferenced_blobs(conn, &wanted)
        })
        .unwrap();
        assert!(stored_files(&mut conn).contains(&document.sha256));
        use ohgov::db::schema::blobs;
        let forced = diesel::delete(blobs::table.filter(blobs::sha256.eq(&document.sha256))).execute(&mut conn);
        assert!(forced.is_err(), "the foreign key protects evidence files");
    }
);

on_both_backends!(
    a_confirmation_after_the_preview_expired_is_refused_and_writes_nothing,
    app | app | {
        // A server of its own, on a clock the test moves.
        let db = support::TestDb::fresh(app.db.backend).unwrap();
        let start = Utc::now();
        let mut settings = db.settings();
        settings.clock = ohgov::clock::Clock::fixed_at(start);
        // The session outlives the preview, so the preview's own expiry is what refuses.
        settings.session_idle_seconds = 2 * 24 * 60 * 60;
        let clock = settings.clock.clone();
        let s = service(&mut db.migrated(), "Northshire OH Service", "northshire");
        let app = support::TestApp::spawn_with(db, settings.clone()).await;
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let file = staff_file("2027-03-31");
        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "staff", file.clone().into_bytes()).await;
        assert_eq!(status, 200);
        let sha = hidden(&page, "sha256");
        clock.set(start + Duration::hours(24));
        let late = client
            .post(format!("{base}/import/confirm"))
            .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(late.status().as_u16(), 409);
        let page = late.text().await.unwrap();
        assert!(page.contains("This preview has expired"), "{page}");
        let mut conn = app.db.conn();
        assert_eq!(count(&mut conn, "staff"), 0, "nothing was imported");
        let imports: i64 = history::table.filter(history::entity.eq("import")).count().get_result(&mut conn).unwrap();
        assert_eq!(imports, 0);
        assert!(stored_files(&mut conn).contains(&sha), "kept until the sweep");
        // The next start sweeps it.
        ohgov::prepare(settings).unwrap();
        assert!(!stored_files(&mut conn).contains(&sha), "swept at start-up");
        assert_eq!(count(&mut conn, "pending_imports"), 0);
    }
);

on_both_backends!(
    dates_outside_1900_to_2100_are_refused_everywhere_and_a_stored_one_still_draws,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        // A CSV import refuses the row at its date.
        let refused = run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("+10000-01-01").as_bytes())
            .expect_err("a year past 2100 is refused");
        assert!(format!("{refused:?}").contains("Enter a year from 1900 to 2100"), "{refused:?}");
        assert_eq!(count(&mut conn, "staff"), 0, "nothing imported");
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        // A form refuses it at its field, and writes nothing (counted after signing in, which is
        // in the trail itself).
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let before = (count(&mut conn, "staff"), count(&mut conn, "history"));
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        for date in ["+10000-01-01", "-0001-01-01", "1899-12-31", "2101-01-01"] {
            let response = client
                .post(format!("{base}/staff"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("staff_number", "Z900"),
                    ("full_name", "Pat Lee"),
                    ("discipline", "physiotherapist"),
                    ("regulator", "hcpc"),
                    ("registration_number", "PH654321"),
                    ("registration_renewal", date),
                    ("start_date", "2024-01-01"),
                    ("fte", "1"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 422, "{date}");
            let page = response.text().await.unwrap();
            let at_field = page.split("registration_renewal-error").nth(1).unwrap_or_default();
            assert!(at_field.contains("Enter a year from 1900 to 2100"), "{date}: {page}");
            assert_eq!((count(&mut conn, "staff"), count(&mut conn, "history")), before, "{date}: nothing written");
        }
        // The API's as_of.
        let api = ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
        for as_of in ["%2B10000-01-01", "1899-12-31", "2101-01-01"] {
            let url = format!("{}/api/v1/providers/{}/workforce?as_of={as_of}", app.address, s.provider);
            let response = app.client.get(url).bearer_auth(&api).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 400, "{as_of}");
        }
        // A date written before the check (by hand, in the database) is shown as written.
        let odd = if app.db.sqlite_path().is_some() { "'+10000-01-01'" } else { "DATE '10000-01-01'" };
        diesel::sql_query(format!("UPDATE staff SET registration_renewal = {odd} WHERE staff_number = 'P300'"))
            .execute(&mut conn)
            .unwrap();
        let response = client.get(&base).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "the page still draws");
        let page = response.text().await.unwrap();
        assert!(page.contains("+10000-01-01"), "{page}");
    }
);

on_both_backends!(
    each_hcpc_profession_keeps_its_own_number_prefix,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let file = format!(
            "{STAFF_HEADER}\n\
             Q100,Dr Lena Ford,,psychologist,hcpc,PYL12345,2027-03-31,,,,2022-05-01,,1\n\
             Q200,Omar Dale,,other_ahp,hcpc,ODP123456,2027-03-31,,,,2022-05-01,,1\n\
             Q300,Hana Ito,,other_ahp,hcpc,HAD12345,2027-03-31,,,,2022-05-01,,1\n"
        );
        let report = run_import(&mut conn, s.provider, ImportKind::Staff, file.as_bytes()).expect("all three accepted");
        assert_eq!(report.created, 3);
        let bad = file.replace("HAD12345", "ZZ12345");
        let errors = run_import(&mut conn, s.provider, ImportKind::Staff, bad.as_bytes()).unwrap_err();
        assert!(errors.iter().any(|e| format!("{e:?}").contains("is not a HCPC number")), "{errors:?}");
    }
);

on_both_backends!(
    technicians_need_supervision_and_a_new_starters_clock_runs_from_their_start,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let file = format!(
            "{STAFF_HEADER}\n\
             T100,Umar Farooq,,oh_technician,none,,,,,,2024-01-01,,1\n\
             C200,Jo Bell,,non_clinical_case_worker,none,,,,,,2026-11-06,,1\n\
             A300,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5\n"
        );
        let today = Utc::now().date_naive();
        let prepared =
            import::prepare(&mut conn, s.provider, ImportKind::Staff, file.as_bytes(), today).unwrap().unwrap();
        import::commit(&mut conn, None, s.provider, &prepared, "test", &mut |_| {}).unwrap();
        let report = ohgov::workforce::store::workforce(&mut conn, s.provider, as_of, 30).unwrap();
        let issues = |number: &str| {
            let line = report.people.iter().find(|p| p.staff.staff_number == number).unwrap();
            (line.needs_supervision, line.issues.iter().map(|i| i.code()).collect::<Vec<_>>())
        };
        assert_eq!(issues("T100"), (true, vec!["supervision_overdue"]), "a technician needs supervision");
        assert_eq!(issues("C200"), (true, vec![]), "17 days in post: not yet overdue");
        assert_eq!(issues("A300"), (false, vec![]));
        assert_eq!((report.needing_supervision, report.supervised), (2, 1));
        // Once the interval has passed since starting, the new starter is overdue too.
        let later = ohgov::workforce::store::workforce(&mut conn, s.provider, as_of + Duration::days(14), 30).unwrap();
        assert_eq!((later.needing_supervision, later.supervised), (2, 0));
    }
);

on_both_backends!(
    doctors_need_a_responsible_officer_and_consultants_a_cct_or_cesr,
    app | app
        | {
            let mut conn = app.db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            let file = format!(
            "{STAFF_HEADER}\n\
             D100,Dr Maya Osei,,consultant_occupational_physician,gmc,7654321,2030-03-31,2029-06-30,2026-10-01,Dr K Patel,2019-09-01,,1\n\
             D200,Dr Priya Nair,,occupational_physician,gmc,7204918,2030-03-31,2029-06-30,2026-10-01,,2019-09-01,,1\n\
             D300,Dr Tom Ellery,,specialty_registrar,gmc,7311846,2030-03-31,2029-06-30,2024-01-01,Dr K Patel,2019-09-01,,1\n"
        );
            run_import(&mut conn, s.provider, ImportKind::Staff, file.as_bytes()).unwrap();
            let token = ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
            let url = format!("{}/api/v1/providers/{}/workforce?as_of=2026-11-23", app.address, s.provider);
            let response = app.client.get(url).bearer_auth(&token).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            let body = response.json::<serde_json::Value>().await.unwrap();
            let codes = |number: &str| -> Vec<String> {
                let person = body["people"].as_array().unwrap().iter().find(|p| p["staff_number"] == number).unwrap();
                person["issues"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
            };
            assert_eq!(codes("D100"), ["specialist_route_missing"], "a consultant with no CCT or CESR recorded");
            assert_eq!(codes("D200"), ["responsible_officer_missing"], "a doctor with no Responsible Officer");
            assert!(codes("D300").is_empty(), "a registrar follows ARCP, not the appraisal rule: {:?}", codes("D300"));
            assert_eq!(body["totals"]["responsible_officer_missing"], 1);
            assert_eq!(body["totals"]["specialist_route_missing"], 1);
            assert_eq!(body["totals"]["appraisal_overdue"], 0);
        }
);

on_both_backends!(
    a_new_starter_shows_no_supervision_recorded_yet_not_overdue,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let started = Utc::now().date_naive() - Duration::days(10);
        let file = format!("{STAFF_HEADER}\nT100,Umar Farooq,,oh_technician,none,,,,,,{started},,1\n");
        run_import(&mut conn, s.provider, ImportKind::Staff, file.as_bytes()).unwrap();
        let id: i32 = staff::table.filter(staff::staff_number.eq("T100")).select(staff::id).first(&mut conn).unwrap();
        let (client, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let page = client.get(format!("{base}/staff/{id}")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No supervision recorded yet"), "{page}");
        assert!(!page.contains("Clinical supervision overdue"), "{page}");
        let index = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert!(index.contains("1 person needing clinical supervision"), "{index}");
    }
);

/// A clinician's account for Grace Okafor (N200 in the staff file), so her own page lets her add CPD.
fn grace_signs_in_as_herself(conn: &mut DbConnection, provider: ProviderId) {
    ohgov::accounts::store::create_user(
        conn,
        None,
        &ohgov::accounts::model::UserInput {
            email: "grace.okafor@northshire.example".into(),
            name: "Grace Okafor".into(),
            password: PASSWORD.into(),
            is_admin: false,
        }
        .parse()
        .unwrap(),
        Some(ohgov::accounts::store::Grant {
            organisation_id: provider.0,
            role: ohgov::accounts::Role::Clinician,
            expires_on: None,
        }),
    )
    .unwrap();
}

fn staff_id(conn: &mut DbConnection, number: &str) -> i32 {
    staff::table.filter(staff::staff_number.eq(number)).select(staff::id).first(conn).unwrap()
}

/// The text after `label` on a page, for reading one figure.
fn after(page: &str, label: &str) -> String {
    page.split(label).nth(1).unwrap_or("").chars().take(80).collect()
}

fn history_rows(conn: &mut DbConnection) -> i64 {
    history::table.count().get_result(conn).unwrap()
}

on_both_backends!(
    reflective_accounts_are_counted_apart_from_the_hours,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        grace_signs_in_as_herself(&mut conn, s.provider);
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let grace = staff_id(&mut conn, "N200");
        let (client, token) = browser_signed_in(&app, "grace.okafor@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/workforce/staff/{grace}", app.address, s.provider);
        let date = (Utc::now().date_naive() - Duration::days(3)).to_string();
        let record = |title: &str, hours: &str, reflective: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("date", date.clone()),
                ("title", title.to_string()),
                ("hours", hours.to_string()),
                ("reflective", reflective.to_string()),
            ]
        };
        let course = client.post(format!("{url}/cpd")).form(&record("Audiometry refresher", "3", "no")).send();
        assert_eq!(course.await.unwrap().status().as_u16(), 303);
        let account = client.post(format!("{url}/cpd")).form(&record("Reflective account: audiometry", "", "yes"));
        assert_eq!(account.send().await.unwrap().status().as_u16(), 303);
        let page = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(after(&page, "Recorded so far").contains("3 of 35 hours"), "{}", after(&page, "Recorded so far"));
        assert!(after(&page, "Reflective accounts</dt>").contains("1 of 5"), "the account is counted as one");
        let with_hours = record("Reflective account: a difficult case", "2", "yes");
        let refused = client.post(format!("{url}/cpd")).form(&with_hours).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("A reflective account carries no CPD hours"));
        assert_eq!(count(&mut app.db.conn(), "cpd_records"), 2, "the refused account was not written");
        let body = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(after(&body, "Recorded so far").contains("3 of 35 hours"), "the hours did not rise");
    }
);

on_both_backends!(
    a_manager_withdraws_a_cpd_record_with_a_reason_and_it_stops_counting,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let grace = staff_id(&mut conn, "N200");
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/workforce/staff/{grace}", app.address, s.provider);
        let date = (Utc::now().date_naive() - Duration::days(3)).to_string();
        for (title, hours) in [("Audiometry refresher", "3"), ("Spirometry update", "4")] {
            let form = [("csrf_token", token.as_str()), ("date", &date), ("title", title), ("hours", hours)];
            assert_eq!(manager.post(format!("{url}/cpd")).form(&form).send().await.unwrap().status().as_u16(), 303);
        }
        let page = manager.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(after(&page, "Recorded so far").contains("7 of 35 hours"));
        assert_ids_unique(&page);
        let spirometry: i32 = cpd_records::table
            .filter(cpd_records::title.eq("Spirometry update"))
            .select(cpd_records::id)
            .first(&mut app.db.conn())
            .unwrap();
        let withdraw = format!("{url}/cpd/{spirometry}/withdraw");
        let (viewer, v_token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let before = history_rows(&mut app.db.conn());
        let reason = "Entered against the wrong nurse";
        let by_viewer = viewer.post(&withdraw).form(&[("csrf_token", v_token.as_str()), ("reason", reason)]);
        assert_eq!(by_viewer.send().await.unwrap().status().as_u16(), 403, "only a manager withdraws");
        let blank = manager.post(&withdraw).form(&[("csrf_token", token.as_str()), ("reason", "  ")]).send();
        let blank = blank.await.unwrap();
        assert_eq!(blank.status().as_u16(), 422);
        let blank = blank.text().await.unwrap();
        assert!(blank.contains("Say why it is withdrawn"), "refused at the reason");
        assert_ids_unique(&blank);
        assert_eq!(blank.matches("id=\"reason\"").count(), 1, "the refused row's field is the one the summary names");
        let withdrawn: Option<chrono::NaiveDateTime> =
            cpd_records::table.find(spirometry).select(cpd_records::withdrawn_at).first(&mut app.db.conn()).unwrap();
        assert_eq!(withdrawn, None, "nothing changed");
        assert_eq!(history_rows(&mut app.db.conn()), before);

        let done = manager.post(&withdraw).form(&[("csrf_token", token.as_str()), ("reason", reason)]).send();
        assert_eq!(done.await.unwrap().status().as_u16(), 303);
        let page = manager.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(after(&page, "Recorded so far").contains("3 of 35 hours"), "the total dropped");
        assert!(page.contains("Spirometry update") && page.contains(&format!(": {reason}")), "still listed, marked");
        assert!(page.contains("Withdrawn on"));
        let row: (String, String) = history::table
            .filter(history::entity.eq("cpd"))
            .filter(history::entity_id.eq(spirometry.to_string()))
            .filter(history::action.eq("withdraw"))
            .select((history::action, history::changes))
            .first(&mut app.db.conn())
            .unwrap();
        assert!(row.1.contains(reason), "the history row holds the reason: {}", row.1);

        let again = manager.post(&withdraw).form(&[("csrf_token", token.as_str()), ("reason", "Twice")]).send();
        assert_eq!(again.await.unwrap().status().as_u16(), 404, "a withdrawn record cannot be withdrawn again");
        assert_eq!(history_rows(&mut app.db.conn()), before + 1, "only the one withdrawal was written");
    }
);

on_both_backends!(
    withdrawing_the_only_session_brings_back_supervision_overdue,
    app | app
        | {
            let mut conn = app.db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
            let today = Utc::now().date_naive();
            let header = "date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist";
            let session = format!("{header}\n{},group,N200,C400,Weekly group,6,2,1,0\n", today - Duration::days(5));
            run_import(&mut conn, s.provider, ImportKind::Supervision, session.as_bytes()).unwrap();
            let judged = |conn: &mut DbConnection| {
                let report = ohgov::workforce::store::workforce(conn, s.provider, today, 30).unwrap();
                let jo = report.people.iter().find(|p| p.staff.staff_number == "C400").unwrap();
                let escalated: i64 = report.escalations.iter().map(|m| m.to_gp).sum();
                (
                    jo.issues.contains(&ohgov::workforce::rules::Issue::SupervisionOverdue),
                    jo.last_supervision,
                    escalated,
                )
            };
            assert_eq!(judged(&mut conn), (false, Some(today - Duration::days(5)), 2));
            let session_id: i32 = ohgov::db::schema::supervision_sessions::table
                .select(ohgov::db::schema::supervision_sessions::id)
                .first(&mut conn)
                .unwrap();
            let url = format!("{}/providers/{}/workforce/supervision", app.address, s.provider);
            let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
            let before = history_rows(&mut conn);
            let blank = manager.post(format!("{url}/{session_id}/withdraw")).form(&[("csrf_token", token.as_str())]);
            assert_eq!(blank.send().await.unwrap().status().as_u16(), 422);
            assert!(!judged(&mut conn).0, "a refused withdrawal changes nothing");
            assert_eq!(history_rows(&mut conn), before);
            let reason = "Recorded for the wrong week";
            let done = manager
                .post(format!("{url}/{session_id}/withdraw"))
                .form(&[("csrf_token", token.as_str()), ("reason", reason)])
                .send()
                .await
                .unwrap();
            assert_eq!(done.status().as_u16(), 303);
            assert_eq!(judged(&mut conn), (true, None, 0), "overdue again, no session counted, no escalations");
            let changes: String = history::table
                .filter(history::entity.eq("supervision"))
                .filter(history::action.eq("withdraw"))
                .select(history::changes)
                .first(&mut conn)
                .unwrap();
            assert!(changes.contains(reason), "{changes}");
            let page = manager.get(&url).send().await.unwrap().text().await.unwrap();
            assert!(page.contains(&format!(": {reason}")) && page.contains("Withdrawn on"), "still listed, marked");
            let again = manager
                .post(format!("{url}/{session_id}/withdraw"))
                .form(&[("csrf_token", token.as_str()), ("reason", reason)])
                .send()
                .await
                .unwrap();
            assert_eq!(again.status().as_u16(), 404);
        }
);

/// The revalidation form for Grace Okafor, all in order: `feedback` pieces of feedback.
fn revalidation_form(token: &str, feedback: &str) -> Vec<(&'static str, String)> {
    let held = (Utc::now().date_naive() - Duration::days(10)).to_string();
    vec![
        ("csrf_token", token.to_string()),
        ("practice_hours", "450".into()),
        ("feedback_pieces", feedback.into()),
        ("discussion_on", held.clone()),
        ("discussion_with", "Eleanor Price".into()),
        ("discussion_with_pin", "07E5678J".into()),
        ("confirmed_on", held),
        ("confirmer", "Dr Alasdair Finch".into()),
        ("confirmer_role", "other_regulated".into()),
        ("confirmer_pin", "".into()),
    ]
}

on_both_backends!(
    a_nurses_revalidation_is_recorded_and_judged_in_the_last_ninety_days,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        grace_signs_in_as_herself(&mut conn, s.provider);
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2027-03-31").as_bytes()).unwrap();
        let grace = staff_id(&mut conn, "N200");
        let url = format!("{}/providers/{}/workforce/staff/{grace}/revalidation", app.address, s.provider);
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let history_before = history_rows(&mut conn);

        // Refused at the field, nothing written: a count that is not one, a date outside the cycle.
        let mut bad = revalidation_form(&token, "three");
        bad[3].1 = "2024-08-01".into();
        let refused = manager.post(&url).form(&bad).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        let page = refused.text().await.unwrap();
        assert!(page.contains("is not a whole number from 0 to 1000"), "at the feedback field");
        assert_eq!(count(&mut conn, "nmc_revalidations"), 0);
        let outside = manager.post(&url).form(&{
            let mut form = revalidation_form(&token, "3");
            form[3].1 = "2024-08-01".into();
            form
        });
        let outside = outside.send().await.unwrap();
        assert_eq!(outside.status().as_u16(), 422);
        assert!(outside
            .text()
            .await
            .unwrap()
            .contains("The date must fall in the current cycle, 1 Sep 2024 to 31 Aug 2027"));
        assert_eq!(count(&mut conn, "nmc_revalidations"), 0);
        assert_eq!(history_rows(&mut conn), history_before);

        // Only those who may change the staff record may save it: not the nurse herself, not a viewer.
        let (own, own_token) = browser_signed_in(&app, "grace.okafor@northshire.example", PASSWORD).await;
        let by_herself = own.post(&url).form(&revalidation_form(&own_token, "5")).send().await.unwrap();
        assert_eq!(by_herself.status().as_u16(), 403);
        let (viewer, v_token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        assert_eq!(
            viewer.post(&url).form(&revalidation_form(&v_token, "5")).send().await.unwrap().status().as_u16(),
            403
        );
        assert_eq!(count(&mut conn, "nmc_revalidations"), 0);

        let saved = manager.post(&url).form(&revalidation_form(&token, "3")).send().await.unwrap();
        assert_eq!(saved.status().as_u16(), 303);
        assert_eq!(count(&mut conn, "nmc_revalidations"), 1);
        let created: i64 = history::table
            .filter(history::entity.eq("nmc_revalidation"))
            .filter(history::action.eq("create"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(created, 1, "with its history row");

        // Revalidation on 31 Aug 2027: 1 Jun 2027 is 91 days before, 3 Jun 89.
        let api_token = ohgov::accounts::store::create_token(&mut conn, None, "manager@northshire.example").unwrap();
        let api = format!("{}/api/v1/providers/{}/workforce", app.address, s.provider);
        let grace_on = |as_of: &'static str| {
            let (client, api, api_token) = (app.client.clone(), api.clone(), api_token.clone());
            async move {
                let body: serde_json::Value = client
                    .get(format!("{api}?as_of={as_of}"))
                    .bearer_auth(&api_token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body["people"].as_array().unwrap().iter().find(|p| p["staff_number"] == "N200").unwrap().clone()
            }
        };
        let codes = |person: &serde_json::Value| -> Vec<String> {
            person["issues"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
        };
        let early = grace_on("2027-06-01").await;
        assert!(!codes(&early).contains(&"feedback_short".to_string()), "day 91: not judged yet: {early}");
        let late = grace_on("2027-06-03").await;
        let late_codes = codes(&late);
        assert!(late_codes.contains(&"feedback_short".to_string()), "day 89: 3 pieces of 5: {late}");
        for met in ["practice_hours_short", "reflective_discussion_missing", "confirmation_missing"] {
            assert!(!late_codes.contains(&met.to_string()), "{met} is met: {late}");
        }
        assert_eq!(late["nmc_revalidation"]["feedback_pieces"], 3);
        assert_eq!(late["nmc_revalidation"]["practice_hours"], 450);
        assert_eq!(late["nmc_revalidation"]["cycle_end"], "2027-08-31");
        assert_eq!(late["nmc_revalidation"]["confirmer_role"], "other_regulated");

        // The record is changed in place, with an update in the history.
        let again = manager.post(&url).form(&revalidation_form(&token, "5")).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 303);
        assert_eq!(count(&mut conn, "nmc_revalidations"), 1);
        assert!(!codes(&grace_on("2027-06-03").await).contains(&"feedback_short".to_string()), "now 5 of 5");
        let page = manager
            .get(format!("{}/providers/{}/workforce/staff/{grace}", app.address, s.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(after(&page, "Practice-related feedback</dt>").contains("5 of 5 pieces"));
        assert!(page.contains("with Eleanor Price (NMC PIN 07E5678J)"));
    }
);

on_both_backends!(
    the_migration_splits_a_reflective_record_with_hours_into_an_activity_and_an_account,
    empty_db | db | {
        use diesel_migrations::{FileBasedMigrations, MigrationHarness};
        // Every migration but 2026-12-05-000016_nmc_revalidation, which then runs last, as it does on a
        // database that already has the later ones.
        let mut conn = db.conn();
        let folder = |backend: &str| {
            FileBasedMigrations::from_path(format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"))).unwrap()
        };
        let this_one = |version: String| version.replace('-', "") == "20261205000016";
        match &mut conn {
            DbConnection::Sqlite(c) => {
                for m in c.pending_migrations(folder("sqlite")).unwrap() {
                    if !this_one(m.name().version().to_string()) {
                        c.run_migration(m.as_ref()).unwrap();
                    }
                }
            }
            DbConnection::Postgres(c) => {
                for m in c.pending_migrations(folder("postgres")).unwrap() {
                    if !this_one(m.name().version().to_string()) {
                        c.run_migration(m.as_ref()).unwrap();
                    }
                }
            }
        }
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let now = "'2026-11-23 10:00:00'";
        for sql in [
            format!(
                "INSERT INTO staff (provider_id, staff_number, full_name, discipline, tier, regulator, created_at, \
                 updated_at) VALUES ({}, 'N200', 'Grace Okafor', 'oh_nurse', 'clinical', 'nmc', {now}, {now})",
                s.provider
            ),
            // An activity with a reflective account written on it, and a plain activity.
            format!(
                "INSERT INTO cpd_records (staff_id, activity_date, title, activity_type, hours, participatory, \
                 reflective, created_at) SELECT id, '2026-10-01', 'Audiometry refresher', 'course', 3, TRUE, TRUE, \
                 {now} FROM staff"
            ),
            format!(
                "INSERT INTO cpd_records (staff_id, activity_date, title, activity_type, hours, participatory, \
                 reflective, created_at) SELECT id, '2026-10-02', 'Reading', 'reading', 1.5, FALSE, FALSE, {now} \
                 FROM staff"
            ),
        ] {
            diesel::sql_query(sql).execute(&mut conn).unwrap();
        }
        assert_eq!(ohgov::db::run_migrations(&mut conn).unwrap(), 1, "this migration is the one left");
        let rows: Vec<(String, f64, bool, bool)> = cpd_records::table
            .select((cpd_records::title, cpd_records::hours, cpd_records::participatory, cpd_records::reflective))
            .order(cpd_records::id)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            rows,
            [
                ("Audiometry refresher".to_string(), 3.0, true, false),
                ("Reading".to_string(), 1.5, false, false),
                ("Reflective account: Audiometry refresher".to_string(), 0.0, false, true),
            ],
            "the activity keeps its hours, and its account is a record of its own with none"
        );
        // It can be reverted and applied again, and the split is not made twice.
        match &mut conn {
            DbConnection::Sqlite(c) => {
                let migrations =
                    <FileBasedMigrations as diesel::migration::MigrationSource<diesel::sqlite::Sqlite>>::migrations(
                        &folder("sqlite"),
                    )
                    .unwrap();
                let ours = migrations.iter().find(|m| this_one(m.name().version().to_string())).unwrap();
                c.revert_migration(ours.as_ref()).unwrap();
            }
            DbConnection::Postgres(c) => {
                let migrations =
                    <FileBasedMigrations as diesel::migration::MigrationSource<diesel::pg::Pg>>::migrations(&folder(
                        "postgres",
                    ))
                    .unwrap();
                let ours = migrations.iter().find(|m| this_one(m.name().version().to_string())).unwrap();
                c.revert_migration(ours.as_ref()).unwrap();
            }
        }
        assert_eq!(ohgov::db::run_migrations(&mut conn).unwrap(), 1);
        assert_eq!(count(&mut conn, "cpd_records"), 3);
    }
);

/// Fails when two elements of a page share an id: a label or an error link would reach the wrong
/// field.
fn assert_ids_unique(page: &str) {
    let mut seen = std::collections::BTreeSet::new();
    for id in page.split(" id=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
        assert!(seen.insert(id.to_string()), "id {id:?} is used twice: {page}");
    }
}

on_both_backends!(
    dates_accept_both_forms_say_both_when_wrong_and_edit_forms_show_the_uk_form,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        run_import(&mut conn, s.provider, ImportKind::Staff, staff_file("2026-11-23").as_bytes()).unwrap();
        let nurse: i32 =
            staff::table.filter(staff::staff_number.eq("N200")).select(staff::id).first(&mut conn).unwrap();
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/workforce/staff/{nurse}", app.address, s.provider);
        let page = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains(
                r#"name="registration_renewal" type="text" inputmode="numeric" value="23&#x2F;11&#x2F;2026""#
            ),
            "the edit form shows the stored date the UK way"
        );
        assert!(page.contains("For example, 23&#x2F;11&#x2F;2026 or 2026-11-23"), "the field says both forms");
        let form = |renewal: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("staff_number", "N200".to_string()),
                ("full_name", "Grace Okafor".to_string()),
                ("discipline", "oh_nurse_scphn".to_string()),
                ("regulator", "nmc".to_string()),
                ("registration_number", "12A3456E".to_string()),
                ("registration_renewal", renewal.to_string()),
            ]
        };
        let refused = client.post(&url).form(&form("23 November")).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        let page = refused.text().await.unwrap();
        assert!(
            page.contains("&quot;23 November&quot; is not a date: write it like 23&#x2F;11&#x2F;2026 or 2026-11-23"),
            "the error repeats both forms"
        );
        let saved = client.post(&url).form(&form("24/11/2026")).send().await.unwrap();
        assert_eq!(saved.status().as_u16(), 303, "the UK form is accepted");
        let renewal: Option<NaiveDate> =
            staff::table.find(nurse).select(staff::registration_renewal).first(&mut app.db.conn()).unwrap();
        assert_eq!(renewal, NaiveDate::from_ymd_opt(2026, 11, 24));
    }
);

on_both_backends!(
    a_discipline_is_asked_for_in_words_and_an_import_lists_codes_with_labels,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/workforce/staff", app.address, s.provider);
        let form = |discipline: &str| {
            vec![
                ("csrf_token", token.clone()),
                ("staff_number", "N300".to_string()),
                ("full_name", "Deborah Nurse".to_string()),
                ("discipline", discipline.to_string()),
            ]
        };
        let blank = client.post(&url).form(&form("")).send().await.unwrap();
        assert_eq!(blank.status().as_u16(), 422);
        let page = blank.text().await.unwrap();
        assert!(page.contains("Choose a discipline"), "an empty choice is asked for in words");
        assert!(!page.contains("consultant_occupational_physician,"), "no codes are listed");
        let unknown = client.post(&url).form(&form("nurse")).send().await.unwrap().text().await.unwrap();
        assert!(unknown.contains("is not a discipline: choose Consultant occupational physician"), "labels");
        assert!(unknown.contains("OH nurse on the SCPHN register"));
        assert_eq!(count(&mut app.db.conn(), "staff"), 0);
        let file = format!("{STAFF_HEADER}\nN300,Deborah Nurse,,nurse,,,,,,,,,1\n");
        let errors = run_import(&mut conn, s.provider, ImportKind::Staff, file.as_bytes()).unwrap_err();
        let message = &errors[0].message;
        assert!(message.contains("\"nurse\" is not a discipline: use one of"), "{message}");
        assert!(message.contains("oh_nurse_scphn (OH nurse on the SCPHN register)"), "code and label: {message}");
    }
);
