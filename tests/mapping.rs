//! Column mappings on both backends (issue 19): a file with ESR's column names goes to the mapping
//! page with the guesses made, the mapping is saved and the file imported with it; the next file
//! with the same columns is read without asking; values are mapped and unknown ones asked about
//! once; a mapping left out keeps what is recorded; the command line's `--mapping`; the saved
//! mappings changed and deleted, in the history; and no one but a manager sees them.

mod support;

use std::collections::BTreeMap;

use diesel::prelude::*;
use ohgov::db::schema::{history, import_mappings, staff};
use ohgov::db::{DbConnection, ProviderId};
use ohgov::workforce::import::{self, ImportKind, ReadAs};
use ohgov::workforce::mapping::ColumnMapping;
use ohgov::workforce::mapping_store;
use ohgov::workforce::model::{Discipline, Regulator};
use support::{browser_signed_in, hidden, service, PASSWORD};

const ESR_HEADER: &str = "Employee Number,Full Name,Position Title,Professional Registration Body,Professional Registration Number,Registration Expiry Date,Hire Date,FTE";

/// An ESR-style report: a doctor, a nurse, and two people in a role ohgov has no synonym for.
fn esr_file() -> String {
    format!(
        "{ESR_HEADER}\n\
         E1,Dr Maya Osei,Occupational Health Physician,General Medical Council,7654321,31/03/2028,01/09/2019,1\n\
         E2,Grace Okafor,Occupational Health Nurse,Nursing & Midwifery Council,12A3456E,31/08/2027,04/01/2021,0.8\n\
         E3,Jo Bell,Wellbeing Lead,,,,01/02/2023,1\n\
         E4,Sam Reid,Wellbeing Lead,,,,01/05/2022,0.6\n"
    )
}

/// The same columns in another order, another month's people.
fn next_month() -> String {
    "FTE,Full Name,Employee Number,Position Title,Professional Registration Body,Professional Registration Number,Registration Expiry Date,Hire Date\n\
     0.5,Alex Kerr,E5,Wellbeing Lead,,,,01/10/2020\n"
        .to_string()
}

fn esr_headers() -> Vec<String> {
    ESR_HEADER.split(',').map(String::from).collect()
}

/// The mapping a manager would make for [`esr_file`].
fn esr_mapping() -> ColumnMapping {
    let columns: BTreeMap<String, String> = [
        ("staff_number", "Employee Number"),
        ("full_name", "Full Name"),
        ("discipline", "Position Title"),
        ("regulator", "Professional Registration Body"),
        ("registration_number", "Professional Registration Number"),
        ("registration_renewal", "Registration Expiry Date"),
        ("start_date", "Hire Date"),
        ("fte", "FTE"),
    ]
    .into_iter()
    .map(|(f, h)| (f.to_string(), h.to_string()))
    .collect();
    let mut values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (field, value, code) in [
        ("discipline", "Occupational Health Physician", "occupational_physician"),
        ("discipline", "Occupational Health Nurse", "oh_nurse"),
        ("discipline", "Wellbeing Lead", "non_clinical_case_worker"),
        ("regulator", "General Medical Council", "gmc"),
        ("regulator", "Nursing & Midwifery Council", "nmc"),
    ] {
        values.entry(field.into()).or_default().insert(value.into(), code.into());
    }
    ColumnMapping { columns, values }
}

fn save_esr_mapping(conn: &mut DbConnection, provider: ProviderId, name: &str) -> i32 {
    let now = chrono::Utc::now().naive_utc();
    mapping_store::save(conn, None, provider, ImportKind::Staff, name, &esr_headers(), &esr_mapping(), now).unwrap()
}

fn people(conn: &mut DbConnection) -> Vec<(String, String, Discipline, Regulator, Option<String>)> {
    staff::table
        .order(staff::staff_number)
        .select((staff::staff_number, staff::full_name, staff::discipline, staff::regulator, staff::email))
        .load(conn)
        .unwrap()
}

async fn upload(client: &reqwest::Client, url: &str, token: &str, file: String) -> (u16, String) {
    let fields = [("csrf_token", token), ("kind", "staff")];
    support::post_file(client, url, &fields, "ESR staff report.csv", file.into_bytes()).await
}

/// The option chosen in the page's `<select id=ID>`, if any.
fn selected(page: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("<select class=\"input\" id=\"{id}\""))?;
    let block = &page[start..start + page[start..].find("</select>")?];
    let at = block.find(" selected>")?;
    let value_at = block[..at].rfind("value=\"")? + 7;
    Some(block[value_at..at].trim_end_matches('"').to_string())
}

/// The fields of the mapping page as shown, to post back with changes.
fn mapping_fields(page: &str) -> Vec<(String, String)> {
    let mut fields = vec![
        ("csrf_token".to_string(), hidden(page, "csrf_token")),
        ("kind".to_string(), hidden(page, "kind")),
        ("sha256".to_string(), hidden(page, "sha256")),
    ];
    for field in ImportKind::Staff.columns() {
        let id = format!("column_{field}");
        fields.push((id.clone(), selected(page, &id).unwrap_or_default()));
    }
    for i in 0.. {
        let name = format!("value_field_{i}");
        if !page.contains(&format!("name=\"{name}\"")) {
            break;
        }
        fields.push((name.clone(), hidden(page, &name)));
        let text = format!("value_text_{i}");
        fields.push((text.clone(), hidden(page, &text).replace("&amp;", "&")));
    }
    fields
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(n, _)| n != name);
    fields.push((name.to_string(), value.to_string()));
}

on_both_backends!(
    an_esr_file_is_mapped_saved_and_the_next_one_read_without_asking,
    app | app
        | {
            let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
            let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
            let base = format!("{}/providers/{}/workforce", app.address, s.provider);
            let (status, page) = upload(&client, &format!("{base}/import"), &token, esr_file()).await;
            assert_eq!(status, 200, "{page}");
            assert!(
                page.contains("Match the file&#x27;s columns") || page.contains("Match the file's columns"),
                "{page}"
            );
            assert_eq!(selected(&page, "column_staff_number").as_deref(), Some("Employee Number"));
            assert_eq!(selected(&page, "column_full_name").as_deref(), Some("Full Name"));
            assert_eq!(selected(&page, "column_discipline").as_deref(), Some("Position Title"));
            assert_eq!(selected(&page, "column_regulator").as_deref(), Some("Professional Registration Body"));
            assert_eq!(selected(&page, "column_registration_renewal").as_deref(), Some("Registration Expiry Date"));
            assert_eq!(selected(&page, "column_start_date").as_deref(), Some("Hire Date"));
            assert_eq!(selected(&page, "column_email"), None, "no email column: not in this file");
            assert_eq!(
                page.matches("Wellbeing Lead").count(),
                2,
                "the unknown value is asked about once (label and hidden field)"
            );
            assert!(page.contains("(2 rows)"), "with the rows that hold it");
            assert!(!page.contains("Nursing &amp; Midwifery Council&quot; ("), "a known value is not asked about");

            // Posted without a name or a code for the unknown value: refused at the fields, file kept.
            let mut fields = mapping_fields(&page);
            let response = client.post(format!("{base}/import/mapping")).form(&fields).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 422);
            let again = response.text().await.unwrap();
            assert!(again.contains("Name the mapping"), "{again}");
            assert!(again.contains("Choose what &quot;Wellbeing Lead&quot; means as discipline"), "{again}");
            assert_eq!(selected(&again, "column_staff_number").as_deref(), Some("Employee Number"), "choices kept");
            let mut conn = app.db.conn();
            assert_eq!(import_mappings::table.count().get_result::<i64>(&mut conn).unwrap(), 0, "nothing saved");
            assert!(people(&mut conn).is_empty());

            // A column the file does not have and a code no list has: refused at their fields.
            let mut hostile = fields.clone();
            set(&mut hostile, "name", "ESR monthly staff report");
            set(&mut hostile, "column_full_name", "Surname\u{0}<script>");
            set(&mut hostile, "value_0", "chief_executive");
            let response = client.post(format!("{base}/import/mapping")).form(&hostile).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 422);
            let again = response.text().await.unwrap();
            assert!(again.contains("The file has no column"), "{again}");
            assert!(again.contains("Choose what &quot;Wellbeing Lead&quot; means"), "{again}");
            assert!(!again.contains("<script>"), "what was sent is shown escaped, if at all");
            assert_eq!(import_mappings::table.count().get_result::<i64>(&mut conn).unwrap(), 0, "nothing saved");

            set(&mut fields, "name", "ESR monthly staff report");
            set(&mut fields, "value_0", "non_clinical_case_worker");
            let response = client.post(format!("{base}/import/mapping")).form(&fields).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            let preview = response.text().await.unwrap();
            assert!(preview.contains("Every one of the 4 rows passed its checks"), "{preview}");
            assert!(preview.contains("Read with the saved mapping ESR monthly staff report"));
            assert!(people(&mut conn).is_empty(), "a preview writes nothing");
            let sha = hidden(&preview, "sha256");
            let confirm = client
                .post(format!("{base}/import/confirm"))
                .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(confirm.status().as_u16(), 303);
            let imported = people(&mut conn);
            assert_eq!(imported.len(), 4);
            assert_eq!((imported[0].2, imported[0].3), (Discipline::OccupationalPhysician, Regulator::Gmc));
            assert_eq!(
                (imported[1].2, imported[1].3),
                (Discipline::OhNurse, Regulator::Nmc),
                "Nursing & Midwifery Council is nmc"
            );
            assert_eq!(imported[2].2, Discipline::NonClinicalCaseWorker, "as the manager chose");
            let made: i64 = history::table
                .filter(history::entity.eq("import_mapping"))
                .filter(history::entity_id.eq("ESR monthly staff report"))
                .filter(history::action.eq("create"))
                .count()
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(made, 1, "the mapping's saving is in the history");

            // Next month's report, same columns in another order: straight to the preview.
            let (status, preview) = upload(&client, &format!("{base}/import"), &token, next_month()).await;
            assert_eq!(status, 200, "{preview}");
            assert!(preview.contains("The one row passed its checks"), "{preview}");
            assert!(preview.contains("Read with the saved mapping ESR monthly staff report"));
            assert!(preview.contains("Alex Kerr: Non-clinical case worker"));
            // A report with a value the saved mapping does not know: asked about alone, then added to it.
            let coach = next_month().replace("Alex Kerr,E5,Wellbeing Lead", "Alex Kerr,E5,Health Coach");
            let (status, page) = upload(&client, &format!("{base}/import"), &token, coach).await;
            assert_eq!(status, 200);
            assert!(page.contains("name=\"mapping_id\""), "adds to the saved mapping: {page}");
            assert!(page.contains("value=\"ESR monthly staff report\""), "its name shown");
            assert!(
                page.contains("Health Coach") && !page.contains("Wellbeing Lead"),
                "only the new value is asked about"
            );
            let mut fields = mapping_fields(&page);
            fields.push(("mapping_id".into(), hidden(&page, "mapping_id")));
            set(&mut fields, "name", "ESR monthly staff report");
            set(&mut fields, "value_0", "administrator");
            let response = client.post(format!("{base}/import/mapping")).form(&fields).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200);
            let preview = response.text().await.unwrap();
            assert!(preview.contains("Alex Kerr: Administrator"), "{preview}");
            let saved = mapping_store::by_name(&mut conn, s.provider, ImportKind::Staff, "ESR monthly staff report")
                .unwrap()
                .unwrap();
            assert_eq!(saved.mapping.values["discipline"]["Health Coach"], "administrator");
            assert_eq!(saved.mapping.values["discipline"]["Wellbeing Lead"], "non_clinical_case_worker", "kept");
            let changed: i64 = history::table
                .filter(history::entity.eq("import_mapping"))
                .filter(history::action.eq("update"))
                .count()
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(changed, 1, "the added value is in the history");
            // ohgov's own columns are read as they are, without a mapping.
            let own = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
                   A9,Ann Other,,administrator,,,,,,,,,1\n";
            let (status, preview) = upload(&client, &format!("{base}/import"), &token, own.to_string()).await;
            assert_eq!(status, 200);
            assert!(!preview.contains("saved mapping"), "{preview}");
        }
);

on_both_backends!(
    a_mapping_that_leaves_a_field_out_keeps_what_is_recorded,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            let today = support::today();
            let own = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
                   E2,Grace Okafor,grace.okafor@northshire.example,oh_nurse,nmc,12A3456E,2027-08-31,2027-06-30,,,2021-01-04,,0.8\n";
            let prepared =
                import::prepare(&mut conn, s.provider, ImportKind::Staff, own.as_bytes(), today).unwrap().unwrap();
            import::commit(&mut conn, None, s.provider, &prepared, "one", &mut |_| {}).unwrap();
            // A report with no email and no revalidation column, and a changed FTE.
            let report = format!("{ESR_HEADER}\nE2,Grace Okafor,Occupational Health Nurse,Nursing & Midwifery Council,12A3456E,31/08/2027,04/01/2021,1\n");
            let read_as = ReadAs { mapping: Some(esr_mapping()), ..Default::default() };
            let prepared =
                import::prepare_as(&mut conn, s.provider, ImportKind::Staff, report.as_bytes(), &read_as, today)
                    .unwrap()
                    .unwrap();
            let report = import::commit(&mut conn, None, s.provider, &prepared, "two", &mut |_| {}).unwrap();
            assert_eq!(report.updated, 1);
            let (email, revalidation, fte): (Option<String>, Option<chrono::NaiveDate>, Option<f64>) =
                staff::table.select((staff::email, staff::revalidation_due, staff::fte)).first(&mut conn).unwrap();
            assert_eq!(email.as_deref(), Some("grace.okafor@northshire.example"), "not blanked");
            assert_eq!(revalidation, chrono::NaiveDate::from_ymd_opt(2027, 6, 30));
            assert_eq!(fte, Some(1.0), "what the file holds is written");
        }
);

on_both_backends!(
    the_import_command_reads_with_a_named_mapping_and_refuses_without_one,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("esr.csv");
        std::fs::write(&path, esr_file()).unwrap();
        let (provider, file) = (s.provider.to_string(), path.to_str().unwrap().to_string());
        let none = db.ohgov(&["import", "staff", "--provider", &provider, &file]);
        assert!(!none.status.success());
        let said = String::from_utf8_lossy(&none.stderr);
        assert!(said.contains("there are none for staff files yet"), "{said}");
        assert!(said.contains("nothing was imported"));
        save_esr_mapping(&mut conn, s.provider, "ESR monthly staff report");
        let refused = db.ohgov(&["import", "staff", "--provider", &provider, &file]);
        assert!(!refused.status.success());
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("use --mapping with one of \"ESR monthly staff report\""), "{said}");
        let wrong = db.ohgov(&["import", "staff", "--provider", &provider, &file, "--mapping", "ESR weekly"]);
        assert!(!wrong.status.success());
        assert!(String::from_utf8_lossy(&wrong.stderr)
            .contains("no saved column mapping for staff files called \"ESR weekly\""));
        assert!(people(&mut conn).is_empty());
        let done =
            db.ohgov(&["import", "staff", "--provider", &provider, &file, "--mapping", "esr monthly staff report"]);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let said = String::from_utf8_lossy(&done.stdout);
        assert!(said.contains("read with the saved mapping ESR monthly staff report"), "{said}");
        assert!(said.contains("imported 4 rows of staff: 4 created"), "{said}");
        assert_eq!(people(&mut conn)[1].3, Regulator::Nmc);
    }
);

on_both_backends!(
    a_mapping_changed_and_deleted_is_in_the_history_and_hidden_from_others,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let id = save_esr_mapping(&mut conn, s.provider, "ESR monthly staff report");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/workforce/import/mappings", app.address, s.provider);
        let import_page =
            client.get(format!("{}/providers/{}/workforce/import", app.address, s.provider)).send().await.unwrap();
        assert!(import_page.text().await.unwrap().contains("saved column mappings</a>"));
        let list = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("ESR monthly staff report") && list.contains("Staff number: Employee Number"), "{list}");
        let found = client.get(format!("{base}?q=weekly")).send().await.unwrap().text().await.unwrap();
        assert!(!found.contains("ESR monthly staff report"), "searched by name");
        let page = client.get(format!("{base}/{id}")).send().await.unwrap().text().await.unwrap();
        assert_eq!(selected(&page, "column_fte").as_deref(), Some("FTE"));
        // Renamed, the FTE column taken out, one value's code changed; the required number left out is refused.
        let mut form =
            vec![("csrf_token".to_string(), token.clone()), ("name".to_string(), "ESR staff report".to_string())];
        for field in ImportKind::Staff.columns() {
            let id = format!("column_{field}");
            let chosen = selected(&page, &id).unwrap_or_default();
            form.push((id, if *field == "fte" { String::new() } else { chosen }));
        }
        for i in 0.. {
            let name = format!("value_field_{i}");
            if !page.contains(&format!("name=\"{name}\"")) {
                break;
            }
            let (field, text) = (hidden(&page, &name), hidden(&page, &format!("value_text_{i}")).replace("&amp;", "&"));
            let code = esr_mapping().values[&field][&text].clone();
            let code = if text == "Wellbeing Lead" { "administrator".to_string() } else { code };
            form.extend([(name, field), (format!("value_text_{i}"), text), (format!("value_{i}"), code)]);
        }
        let mut missing = form.clone();
        set(&mut missing, "column_staff_number", "");
        let refused = client.post(format!("{base}/{id}")).form(&missing).send().await.unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        assert!(refused.text().await.unwrap().contains("Choose the column that holds the staff number"));
        let changed = client.post(format!("{base}/{id}")).form(&form).send().await.unwrap();
        assert_eq!(changed.status().as_u16(), 303);
        let list = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert!(list.contains("Column mapping ESR staff report changed"), "the confirmation in words");
        let saved = mapping_store::get(&mut conn, s.provider, id).unwrap();
        assert_eq!(saved.name, "ESR staff report");
        assert!(!saved.mapping.columns.contains_key("fte"));
        assert_eq!(saved.mapping.values["discipline"]["Wellbeing Lead"], "administrator");

        // A viewer may not see or change mappings; another provider's manager finds none.
        let (viewer, viewer_token) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        assert_eq!(viewer.get(&base).send().await.unwrap().status().as_u16(), 403);
        let post = viewer.post(format!("{base}/{id}/delete")).form(&[("csrf_token", viewer_token.as_str())]).send();
        assert_eq!(post.await.unwrap().status().as_u16(), 403);
        let other = service(&mut conn, "Southshire OH Service", "southshire");
        let (elsewhere, _) = browser_signed_in(&app, "manager@southshire.example", PASSWORD).await;
        let theirs = format!("{}/providers/{}/workforce/import/mappings/{id}", app.address, other.provider);
        assert_eq!(elsewhere.get(&theirs).send().await.unwrap().status().as_u16(), 404);

        let ask = client.get(format!("{base}/{id}/delete")).send().await.unwrap().text().await.unwrap();
        assert!(ask.contains("Delete the column mapping ESR staff report?"));
        let deleted =
            client.post(format!("{base}/{id}/delete")).form(&[("csrf_token", token.as_str())]).send().await.unwrap();
        assert_eq!(deleted.status().as_u16(), 303);
        assert_eq!(import_mappings::table.count().get_result::<i64>(&mut conn).unwrap(), 0);
        let trail = client
            .get(format!("{}/providers/{}/history?entity=import_mapping", app.address, s.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(trail.contains("Column mapping ESR staff report"), "{trail}");
        assert!(trail.contains("Deleted") && trail.contains("Changed") && trail.contains("Added"), "{trail}");
        assert!(trail.contains("Name: ESR monthly staff report → ESR staff report"), "{trail}");
    }
);

on_both_backends!(
    the_demo_esr_report_imports_with_the_demo_mapping,
    db | db | {
        let mut conn = db.migrated();
        ohgov::cli::demo::build(&mut conn, support::today()).unwrap();
        let provider = ohgov::accounts::demo::demo_provider(&mut conn).unwrap().unwrap();
        let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/esr-staff-report.csv")).unwrap();
        let headers = ohgov::workforce::mapping::headers(&file, None).unwrap();
        let saved = mapping_store::for_headers(&mut conn, provider, ImportKind::Staff, &headers).unwrap().unwrap();
        assert_eq!(saved.name, "ESR monthly staff report");
        let read_as = ReadAs { mapping: Some(saved.mapping), ..Default::default() };
        let prepared = import::prepare_as(&mut conn, provider, ImportKind::Staff, &file, &read_as, support::today())
            .unwrap()
            .unwrap_or_else(|rows| panic!("{rows:?}"));
        assert_eq!(prepared.len(), 40);
        let report = import::commit(&mut conn, None, provider, &prepared, "demo", &mut |_| {}).unwrap();
        assert_eq!(report.created, 0, "the same people, matched by staff number");
        let finch: (Discipline, Regulator, Option<String>) = staff::table
            .filter(staff::staff_number.eq("E10008"))
            .select((staff::discipline, staff::regulator, staff::responsible_officer))
            .first(&mut conn)
            .unwrap();
        assert_eq!((finch.0, finch.1), (Discipline::OhNurseScphn, Regulator::Nmc));
    }
);
