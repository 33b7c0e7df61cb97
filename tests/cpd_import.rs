//! CPD files of any length on both backends (issue 19): checked in one streaming pass and written
//! in a second; bad rows listed by line (a thousand at most, then how many more) with nothing
//! written; a good file written whole with its history line; the web preview, then its
//! confirmation, which checks the file again.

mod support;

use chrono::Duration;
use diesel::prelude::*;
use ohgov::db::schema::{cpd_records, history, staff};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::workforce::import::{self, ImportKind};
use support::{browser_signed_in, hidden, service, PASSWORD};

const CPD_HEADER: &str = "staff_number,date,title,hours,participatory,reflective";

/// Three people: a nurse, a physiotherapist and a case worker.
fn add_staff(conn: &mut DbConnection, provider: ProviderId) {
    let file = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,\
                revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
                N200,Grace Okafor,,oh_nurse_scphn,nmc,12A3456E,2027-03-31,2027-08-31,,,2021-01-04,,0.8\n\
                P300,Sam Reid,,physiotherapist,hcpc,PH123456,2027-03-31,,,,2022-05-01,,0.6\n\
                C400,Jo Bell,,non_clinical_case_worker,none,,,,,,2023-02-01,,1\n";
    let prepared = import::prepare(conn, provider, ImportKind::Staff, file.as_bytes(), support::today())
        .expect("the database answers")
        .expect("a good staff file");
    import::commit(conn, None, provider, &prepared, "staff", &mut |_| {}).expect("the staff are written");
}

/// A good CPD file of `rows` rows for the three people, dated over the last year, in both date
/// forms, every seventh row a reflective account.
fn good_cpd(rows: usize) -> String {
    let today = support::today();
    let mut file = format!("{CPD_HEADER}\n");
    for i in 0..rows {
        let person = ["N200", "P300", "C400"][i % 3];
        let day = today - Duration::days((i % 365) as i64);
        let date = if i % 2 == 0 { day.format("%Y-%m-%d").to_string() } else { day.format("%d/%m/%Y").to_string() };
        let rest = if i % 7 == 0 { ",no,yes" } else { "1.5,yes,no" };
        file.push_str(&format!("{person},{date},\"Activity {i}, part one\",{rest}\n"));
    }
    file
}

fn cpd_count(conn: &mut DbConnection) -> i64 {
    cpd_records::table.count().get_result(conn).expect("a count")
}

fn import_history(conn: &mut DbConnection) -> Vec<String> {
    history::table
        .filter(history::entity.eq("import"))
        .filter(history::entity_id.eq("cpd"))
        .select(history::changes)
        .load::<String>(conn)
        .expect("the history")
}

on_both_backends!(
    a_cpd_file_with_bad_rows_lists_them_by_line_and_writes_nothing,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        add_staff(&mut conn, s.provider);
        let future = (support::today() + Duration::days(3)).format("%Y-%m-%d");
        let file = format!(
            "{CPD_HEADER}\n\
             N200,2026-01-15,Audiometry refresher,2,yes,no\n\
             X999,2026-01-15,Someone else's course,2,yes,no\n\
             P300,31/02/2026,A day that never was,2,no,no\n\
             C400,{future},Booked but not done,1,no,no\n\
             N200,2026-01-16,Reflection,3,no,yes\n\
             P300,2026-01-17,Journal club,1,yes,no\n"
        );
        let errors = import::prepare(&mut conn, s.provider, ImportKind::Cpd, file.as_bytes(), support::today())
            .expect("the database answers")
            .expect_err("the file has bad rows");
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6], "{errors:?}");
        assert!(errors[0].message.contains("there is no one with staff number \"X999\""), "{}", errors[0]);
        assert!(errors[1].message.starts_with("date:"), "{}", errors[1]);
        assert!(errors[2].message.contains("CPD cannot be dated in the future"), "{}", errors[2]);
        assert!(errors[3].message.contains("A reflective account carries no CPD hours"), "{}", errors[3]);
        assert_eq!(errors[0].to_string(), format!("line 3: {}", errors[0].message));
        assert_eq!(import::bad_rows_in_words(&errors), "4 bad rows");
        assert_eq!(cpd_count(&mut conn), 0, "nothing is written");
        assert!(import_history(&mut conn).is_empty(), "no history line for a refused file");
    }
);

on_both_backends!(
    more_than_a_thousand_bad_rows_lists_a_thousand_and_counts_the_rest,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        add_staff(&mut conn, s.provider);
        let mut file = format!("{CPD_HEADER}\nN200,2026-01-15,A good row,2,yes,no\n");
        for i in 0..1_500 {
            file.push_str(&format!("N200,not a date,Row {i},2,yes,no\n"));
        }
        let errors = import::prepare(&mut conn, s.provider, ImportKind::Cpd, file.as_bytes(), support::today())
            .expect("the database answers")
            .expect_err("the file has bad rows");
        assert_eq!(errors.len(), import::BAD_ROWS_LISTED + 1, "a thousand listed, then the count");
        assert_eq!(errors[0].line, 3);
        assert_eq!(errors[999].line, 1_002, "the first thousand, in the file's order");
        let last = errors.last().expect("a last entry");
        assert!(last.is_more());
        assert_eq!(last.to_string(), "and 500 more bad rows");
        assert_eq!(import::bad_rows_in_words(&errors), "more than 1,000 bad rows");
        assert_eq!(cpd_count(&mut conn), 0, "nothing is written");
    }
);

on_both_backends!(
    a_good_file_writes_every_row_with_its_history_line,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        add_staff(&mut conn, s.provider);
        // More rows than two of the write's fixed-size batches, so the last rows go on their own.
        let rows = 700;
        let file = good_cpd(rows);
        let today = support::today();
        let prepared = import::prepare(&mut conn, s.provider, ImportKind::Cpd, file.as_bytes(), today)
            .expect("the database answers")
            .expect("a good file");
        assert_eq!(prepared.len(), rows);
        assert_eq!(cpd_count(&mut conn), 0, "checking writes nothing");
        let mut heard = Vec::new();
        let report = import::commit(&mut conn, None, s.provider, &prepared, "cafe01", &mut |done| heard.push(done))
            .expect("the file is written");
        assert_eq!((report.rows, report.created), (rows, rows));
        assert_eq!(report.in_words(ImportKind::Cpd), "700 CPD entries added");
        assert_eq!(heard.last(), Some(&rows), "progress reaches the last row");
        assert_eq!(cpd_count(&mut conn), rows as i64, "every row is written");
        let grace: i32 =
            staff::table.filter(staff::staff_number.eq("N200")).select(staff::id).first(&mut conn).unwrap();
        let first: (chrono::NaiveDate, String, f64, bool, bool) = cpd_records::table
            .filter(cpd_records::staff_id.eq(grace))
            .filter(cpd_records::title.eq("Activity 0, part one"))
            .select((
                cpd_records::activity_date,
                cpd_records::title,
                cpd_records::hours,
                cpd_records::participatory,
                cpd_records::reflective,
            ))
            .first(&mut conn)
            .expect("line 2's record, for N200");
        assert_eq!(first, (today, "Activity 0, part one".to_string(), 0.0, false, true), "a reflective account");
        let second: (chrono::NaiveDate, f64, bool) = cpd_records::table
            .filter(cpd_records::title.eq("Activity 1, part one"))
            .select((cpd_records::activity_date, cpd_records::hours, cpd_records::participatory))
            .first(&mut conn)
            .expect("line 3's record, its date written 23/11/2026");
        assert_eq!(second, (today - Duration::days(1), 1.5, true));
        let lines = import_history(&mut conn);
        assert_eq!(lines.len(), 1, "one history line for the file");
        assert!(lines[0].contains("cafe01") && lines[0].contains("700"), "{}", lines[0]);
        let indexes: i64 = match &mut conn {
            DbConnection::Sqlite(c) => diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                "(SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'cpd_records_by_staff')",
            ))
            .get_result(c)
            .unwrap(),
            DbConnection::Postgres(_) => 1,
        };
        assert_eq!(indexes, 1, "the CPD index is in place after the write");
    }
);

async fn upload(client: &reqwest::Client, url: &str, token: &str, file: Vec<u8>) -> (u16, String) {
    support::post_file(client, url, &[("csrf_token", token), ("kind", "cpd")], "cpd.csv", file).await
}

async fn confirm(client: &reqwest::Client, base: &str, token: &str, sha: &str) -> (u16, String) {
    let response = client
        .post(format!("{base}/import/confirm"))
        .form(&[("csrf_token", token), ("kind", "cpd"), ("sha256", sha)])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

on_both_backends!(
    the_web_preview_then_confirm_writes_the_rows_once,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        add_staff(&mut conn, s.provider);
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);

        let mut garbage = format!("{CPD_HEADER}\n");
        for i in 0..1_200 {
            garbage.push_str(&format!("Z{i},yesterday,,lots,maybe,perhaps\n"));
        }
        let (status, page) = upload(&client, &format!("{base}/import"), &token, garbage.into_bytes()).await;
        assert_eq!(status, 422);
        assert!(page.contains("More than 1,000 rows need correcting"), "{page}");
        assert_eq!(page.matches("<li>Line ").count(), 1_000, "a thousand bad rows listed");
        assert!(page.contains("And 200 more bad rows"));
        assert!(page.contains("Line 1001: "), "the thousandth bad row is on line 1001");
        assert!(!page.contains("Line 1002: "));

        let (status, page) = upload(&client, &format!("{base}/import"), &token, good_cpd(600).into_bytes()).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Every one of the 600 rows passed its checks"), "{page}");
        assert!(page.contains("Activity 0, part one: reflective account"), "the preview shows the first rows");
        assert_eq!(cpd_count(&mut conn), 0, "a preview writes nothing");
        let sha = hidden(&page, "sha256");
        let (status, _) = confirm(&client, &base, &token, &sha).await;
        assert_eq!(status, 303);
        assert_eq!(cpd_count(&mut conn), 600, "the confirmation writes every row");
        let (status, _) = confirm(&client, &base, &token, &sha).await;
        assert_eq!(status, 409, "a confirmation is used once");
        assert_eq!(cpd_count(&mut conn), 600, "the rows are written once");
        assert_eq!(import_history(&mut conn).len(), 1, "one history line for the file");
    }
);

on_both_backends!(
    a_file_is_checked_again_when_the_staff_changed_after_its_preview,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        add_staff(&mut conn, s.provider);
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce", app.address, s.provider);
        let (status, page) = upload(&client, &format!("{base}/import"), &token, good_cpd(300).into_bytes()).await;
        assert_eq!(status, 200, "{page}");
        let sha = hidden(&page, "sha256");
        // Jo Bell's staff number is corrected in ESR, and so here, between the preview and its
        // confirmation: the file's C400 rows now name no one.
        diesel::update(staff::table.filter(staff::staff_number.eq("C400")))
            .set(staff::staff_number.eq("C401"))
            .execute(&mut conn)
            .unwrap();
        let (status, page) = confirm(&client, &base, &token, &sha).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("The file no longer passes its checks"), "{page}");
        assert!(page.contains("Line 4: staff_number: there is no one with staff number &quot;C400&quot;"), "{page}");
        assert_eq!(cpd_count(&mut conn), 0, "nothing is written");
        assert!(import_history(&mut conn).is_empty());

        // The command line checks, then writes: a change in between refuses the write whole.
        let today = support::today();
        let file = good_cpd(300).replace("C400", "C401");
        let prepared = import::prepare(&mut conn, s.provider, ImportKind::Cpd, file.as_bytes(), today)
            .expect("the database answers")
            .expect("a good file now");
        diesel::update(staff::table.filter(staff::staff_number.eq("P300")))
            .set(staff::staff_number.eq("P301"))
            .execute(&mut conn)
            .unwrap();
        let refused = import::commit(&mut conn, None, s.provider, &prepared, "cafe02", &mut |_| {});
        match refused {
            Err(ohgov::db::StoreError::Conflict(why)) => {
                assert!(why.contains("no longer passes its checks") && why.contains("line 3"), "{why}")
            }
            other => panic!("a conflict, not {other:?}"),
        }
        assert_eq!(cpd_count(&mut conn), 0, "nothing is written");
        assert!(import_history(&mut conn).is_empty());
    }
);
