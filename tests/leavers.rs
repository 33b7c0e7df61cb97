//! Leavers from a full staff extract, on both backends: the people an extract dated a day no longer
//! lists are named in the preview, marked as having left on that day only when confirmed, each
//! change in the history; on the page and on the command line.

mod support;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use ohgov::db::schema::{history, staff};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::workforce::import::{self, ImportKind, Leaver, ReadAs};
use support::{browser_signed_in, hidden, service, PASSWORD};

const STAFF_HEADER: &str = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte";

/// Five people: a consultant, a nurse, a physiotherapist, a case worker and an administrator.
const FIVE: [&str; 5] = [
    "D100,Dr Maya Osei,maya.osei@northshire.example,consultant_occupational_physician,gmc,7654321,2027-03-31,2029-06-30,2026-02-01,Dr K Patel,2019-09-01,,1",
    "N200,Grace Okafor,grace.okafor@northshire.example,oh_nurse_scphn,nmc,12A3456E,2027-03-31,2027-08-31,,,2021-01-04,,0.8",
    "P300,Sam Reid,,physiotherapist,hcpc,PH123456,2027-03-31,,,,2022-05-01,,0.6",
    "C400,Jo Bell,,non_clinical_case_worker,none,,,,,,2023-02-01,,1",
    "A500,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5",
];

fn staff_file(rows: &[&str]) -> String {
    let mut file = format!("{STAFF_HEADER}\n");
    for row in rows {
        file.push_str(row);
        file.push('\n');
    }
    file
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn leaving_date(conn: &mut DbConnection, number: &str) -> Option<NaiveDate> {
    staff::table.filter(staff::staff_number.eq(number)).select(staff::leaving_date).first(conn).unwrap()
}

fn import_staff(
    conn: &mut DbConnection,
    provider: ProviderId,
    file: &str,
    extract: Option<NaiveDate>,
) -> import::Prepared {
    let read_as = ReadAs { full_extract_dated: extract, ..Default::default() };
    let today = Utc::now().date_naive();
    let (prepared, _) =
        import::prepare_read(conn, provider, ImportKind::Staff, file.as_bytes(), &read_as, today).unwrap().unwrap();
    prepared
}

on_both_backends!(
    a_full_extract_marks_the_people_it_no_longer_lists_as_left_on_its_date,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let everyone = import_staff(&mut conn, s.provider, &staff_file(&FIVE), None);
        import::commit(&mut conn, None, s.provider, &everyone, "first", &mut |_| {}).unwrap();
        // A starter after the extract's day is not expected in it; someone who left before it is
        // not marked again.
        let starter = "S600,Priya Shah,,administrator,,,,,,,2026-11-15,,1";
        let gone = "G700,Tom Hale,,administrator,,,,,,,2018-01-01,2026-06-30,1";
        let mut with_others = FIVE.to_vec();
        with_others.extend([starter, gone]);
        let prepared = import_staff(&mut conn, s.provider, &staff_file(&with_others), None);
        import::commit(&mut conn, None, s.provider, &prepared, "second", &mut |_| {}).unwrap();

        // The extract of 31 October 2026 lists three of the five: Sam Reid and Jo Bell have gone.
        let extract = day(2026, 10, 31);
        let listed = [FIVE[0], FIVE[1], FIVE[4]];
        let prepared = import_staff(&mut conn, s.provider, &staff_file(&listed), Some(extract));
        let import::Prepared::Staff { leavers, .. } = &prepared else { panic!("a staff file") };
        assert_eq!(
            leavers,
            &vec![
                Leaver { staff_number: "C400".into(), full_name: "Jo Bell".into(), left_on: extract },
                Leaver { staff_number: "P300".into(), full_name: "Sam Reid".into(), left_on: extract },
            ],
            "the two people in post on the day whom the extract leaves out, by name"
        );
        assert_eq!(leaving_date(&mut conn, "P300"), None, "a preview writes nothing");

        let report = import::commit(&mut conn, None, s.provider, &prepared, "extract", &mut |_| {}).unwrap();
        assert_eq!(report.left, 2);
        assert_eq!(report.in_words(ImportKind::Staff), "No one added, 3 unchanged, 2 people marked as having left");
        assert_eq!(leaving_date(&mut conn, "P300"), Some(extract));
        assert_eq!(leaving_date(&mut conn, "C400"), Some(extract));
        assert_eq!(leaving_date(&mut conn, "S600"), None, "started after the extract's day");
        assert_eq!(leaving_date(&mut conn, "G700"), Some(day(2026, 6, 30)), "left before it: unchanged");
        assert_eq!(leaving_date(&mut conn, "D100"), None);
        let left_in_history: Vec<String> = history::table
            .filter(history::entity.eq("staff"))
            .filter(history::action.eq("update"))
            .select(history::changes)
            .load::<String>(&mut conn)
            .unwrap()
            .into_iter()
            .filter(|changes| changes.contains("leaving_date") && changes.contains("2026-10-31"))
            .collect();
        assert_eq!(left_in_history.len(), 2, "each leaver's change is in the history");

        // The same extract again finds no one new to mark.
        let again = import_staff(&mut conn, s.provider, &staff_file(&listed), Some(extract));
        let import::Prepared::Staff { leavers, .. } = &again else { panic!("a staff file") };
        assert!(leavers.is_empty(), "{leavers:?}");
    }
);

async fn upload(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    kind: &str,
    extract_date: Option<&str>,
    file: String,
) -> (u16, String) {
    let mut fields = vec![("csrf_token", token), ("kind", kind)];
    if let Some(date) = extract_date {
        fields.extend([("full_extract", "yes"), ("extract_date", date)]);
    }
    support::post_file(client, url, &fields, "esr-extract.csv", file.into_bytes()).await
}

on_both_backends!(
    the_page_names_the_leavers_before_the_manager_confirms,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        {
            let mut conn = app.db.conn();
            let everyone = import_staff(&mut conn, s.provider, &staff_file(&FIVE), None);
            import::commit(&mut conn, None, s.provider, &everyone, "first", &mut |_| {}).unwrap();
        }
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let listed = staff_file(&[FIVE[0], FIVE[1], FIVE[2], FIVE[4]]);

        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "staff", Some(""), listed.clone()).await;
        assert_eq!(status, 422, "a full extract needs its date");
        assert!(page.contains("Enter the date the extract was run"), "{page}");
        assert!(page.contains("id=\"extract_date-error\""), "the message is at the date field");
        let future = Utc::now().date_naive() + chrono::Duration::days(2);
        let future = future.format("%Y-%m-%d").to_string();
        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "staff", Some(&future), listed.clone()).await;
        assert_eq!(status, 422);
        assert!(page.contains("is in the future"), "{page}");
        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "cpd", Some("2026-10-31"), listed.clone()).await;
        assert_eq!(status, 422);
        assert!(page.contains("Only a staff file can be a full extract"), "{page}");

        let (status, page) =
            upload(&client, &format!("{base}/import"), &token, "staff", Some("31/10/2026"), listed).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("1 person in post on that day is not in it"), "{page}");
        assert!(page.contains("Jo Bell (C400)"), "{page}");
        assert!(page.contains("marked as having left on 31 October 2026"), "{page}");
        assert_eq!(leaving_date(&mut app.db.conn(), "C400"), None, "a preview writes nothing");

        let sha = hidden(&page, "sha256");
        let confirm = client
            .post(format!("{base}/import/confirm"))
            .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(confirm.status().as_u16(), 303);
        assert_eq!(leaving_date(&mut app.db.conn(), "C400"), Some(day(2026, 10, 31)));
        let page = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("1 person marked as having left"), "the confirmation says it: {page}");
        let history = client.get(format!("{}/providers/{}/history", app.address, s.provider)).send().await.unwrap();
        let history = history.text().await.unwrap();
        assert!(history.contains("Marked as having left"), "the file's history row counts the leavers");
    }
);

on_both_backends!(
    the_command_lists_the_leavers_and_marks_them_only_with_yes,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let everyone = import_staff(&mut conn, s.provider, &staff_file(&FIVE), None);
        import::commit(&mut conn, None, s.provider, &everyone, "first", &mut |_| {}).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("esr.csv");
        std::fs::write(&path, staff_file(&[FIVE[0], FIVE[1], FIVE[2]])).unwrap();
        let provider = s.provider.0.to_string();
        let file = path.to_str().unwrap();
        let asked = db.ohgov(&["import", "staff", "--provider", &provider, file, "--full-extract", "31/10/2026"]);
        assert!(!asked.status.success());
        let stdout = String::from_utf8_lossy(&asked.stdout);
        assert!(stdout.contains("2 people in post on 31 October 2026 are not in the extract:"), "{stdout}");
        assert!(stdout.contains("  Jo Bell (C400)") && stdout.contains("  Alex Kerr (A500)"), "{stdout}");
        assert!(String::from_utf8_lossy(&asked.stderr).contains("run again with --yes"));
        assert_eq!(leaving_date(&mut conn, "C400"), None, "nothing written without --yes");
        let bad = db.ohgov(&["import", "cpd", "--provider", &provider, file, "--full-extract", "31/10/2026"]);
        assert!(String::from_utf8_lossy(&bad.stderr).contains("Only a staff file can be a full extract"));
        let done =
            db.ohgov(&["import", "staff", "--provider", &provider, file, "--full-extract", "2026-10-31", "--yes"]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        assert!(String::from_utf8_lossy(&done.stdout).contains("2 marked as having left"));
        assert_eq!(leaving_date(&mut conn, "C400"), Some(day(2026, 10, 31)));
        assert_eq!(leaving_date(&mut conn, "A500"), Some(day(2026, 10, 31)));
    }
);
