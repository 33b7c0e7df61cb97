//! The evidence library over HTTP: uploads judged by content, files stored once, versions kept,
//! downloads behind the access rule; on both backends.

mod support;

use diesel::prelude::*;
use reqwest::multipart::{Form, Part};
use support::{browser_signed_in, service, TestApp, PASSWORD};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fn upload(token: &str, title: &str, file: Option<(&str, Vec<u8>)>, extra: &[(&str, &str)]) -> Form {
    let mut form =
        Form::new().text("csrf_token", token.to_string()).text("kind", "file").text("title", title.to_string());
    for (name, value) in extra {
        form = form.text(name.to_string(), value.to_string());
    }
    match file {
        Some((name, bytes)) => form.part("file", Part::bytes(bytes).file_name(name.to_string())),
        None => form,
    }
}

async fn post(client: &reqwest::Client, url: String, form: Form) -> (u16, String, Option<String>) {
    let response = client.post(url).multipart(form).send().await.unwrap();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    (response.status().as_u16(), response.text().await.unwrap(), location)
}

fn counts(db: &support::TestDb) -> (i64, i64, i64) {
    use ohgov::db::schema::{blobs, evidence_items, history};
    let mut conn = db.conn();
    (
        evidence_items::table.count().get_result(&mut conn).unwrap(),
        blobs::table.count().get_result(&mut conn).unwrap(),
        history::table.count().get_result(&mut conn).unwrap(),
    )
}

fn item_id(location: &Option<String>) -> i32 {
    location.as_ref().unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

on_both_backends!(
    the_same_file_uploaded_twice_is_stored_once,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/evidence", app.address, s.provider);
        let first = upload(&token, "OH policy", Some(("policy.pdf", PDF.to_vec())), &[("standards", "GF1")]);
        let (status, _, first_at) = post(&client, url.clone(), first).await;
        assert_eq!(status, 303);
        let again =
            upload(&token, "OH policy (for GF3)", Some(("policy-copy.pdf", PDF.to_vec())), &[("standards", "GF3")]);
        let (status, _, second_at) = post(&client, url.clone(), again).await;
        assert_eq!(status, 303);
        let (items, blobs, _) = counts(&app.db);
        assert_eq!((items, blobs), (2, 1), "two items, one stored file");
        let today = chrono::Utc::now().date_naive();
        let mut conn = app.db.conn();
        let a = ohgov::evidence::store::item(&mut conn, s.provider, item_id(&first_at), today).unwrap().unwrap();
        let b = ohgov::evidence::store::item(&mut conn, s.provider, item_id(&second_at), today).unwrap().unwrap();
        assert_eq!(a.item.sha256, b.item.sha256);
        assert_eq!(a.item.media_type.as_deref(), Some("application/pdf"));
        let page = client.get(format!("{url}/{}", item_id(&first_at))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(a.item.sha256.as_deref().unwrap()), "the page states the hash");
    }
);

on_both_backends!(
    superseding_a_document_keeps_both_versions,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/evidence", app.address, s.provider);
        let form = upload(
            &token,
            "Hand hygiene audit",
            Some(("audit-2025.csv", b"ward,score\nA,92\n".to_vec())),
            &[("standards", "QI2")],
        );
        let (_, _, at) = post(&client, base.clone(), form).await;
        let old = item_id(&at);
        let newer = upload(
            &token,
            "Hand hygiene audit",
            Some(("audit-2026.csv", b"ward,score\nA,95\n".to_vec())),
            &[("review_due", "2027-11-01"), ("effective_on", "2026-11-01")],
        );
        let (status, _, at) = post(&client, format!("{base}/{old}/replace"), newer).await;
        assert_eq!(status, 303);
        let new = item_id(&at);
        assert_ne!(old, new);
        let today = chrono::Utc::now().date_naive();
        let page = ohgov::evidence::store::item(&mut app.db.conn(), s.provider, new, today).unwrap().unwrap();
        let versions: Vec<(i32, Option<i32>)> = page.versions.iter().map(|v| (v.version, v.superseded_by)).collect();
        assert_eq!(versions, [(2, None), (1, Some(new))]);
        assert_eq!(
            page.links.iter().map(|l| l.reference.as_str()).collect::<Vec<_>>(),
            ["QI2"],
            "links stay with the series"
        );
        let old_file = client.get(format!("{base}/{old}/download")).send().await.unwrap();
        assert_eq!(old_file.status().as_u16(), 200, "the old version is still downloadable");
        assert_eq!(old_file.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(old_file.headers()["content-disposition"].to_str().unwrap().contains("filename=\"audit-2025.csv\""));
        assert_eq!(old_file.bytes().await.unwrap().as_ref(), b"ward,score\nA,92\n");
        let library = client.get(&base).send().await.unwrap().text().await.unwrap();
        assert_eq!(library.matches("Hand hygiene audit").count(), 1, "the library lists the current version only");
        let history = client
            .get(format!("{}/providers/{}/history?entity=evidence", app.address, s.provider))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(history.contains("Replaced by a new version"), "the replacement is in the history");
        let again = upload(&token, "Hand hygiene audit", Some(("x.csv", b"a,b\n".to_vec())), &[]);
        let (status, page, _) = post(&client, format!("{base}/{old}/replace"), again).await;
        assert_eq!(status, 422, "a superseded version cannot be replaced again");
        assert!(page.contains("already been replaced"));
    }
);

on_both_backends!(
    an_assessor_for_another_provider_gets_404_on_a_download,
    app | app | {
        let mine = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let _theirs = service(&mut app.db.migrated(), "Southvale Occupational Health Ltd", "southvale");
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/evidence", app.address, mine.provider);
        let (_, _, at) =
            post(&manager, base.clone(), upload(&token, "Policy", Some(("policy.pdf", PDF.to_vec())), &[])).await;
        let id = item_id(&at);
        let (assessor, _) = browser_signed_in(&app, "assessor@southvale.example", PASSWORD).await;
        let status = assessor.get(format!("{base}/{id}/download")).send().await.unwrap().status().as_u16();
        assert_eq!(status, 404);
        let status = assessor.get(format!("{base}/{id}")).send().await.unwrap().status().as_u16();
        assert_eq!(status, 404);
        let (own_assessor, _) = browser_signed_in(&app, "assessor@northshire.example", PASSWORD).await;
        let own = own_assessor.get(format!("{base}/{id}/download")).send().await.unwrap();
        assert_eq!(own.status().as_u16(), 200, "the provider's own assessor may download it");
        assert_eq!(own.bytes().await.unwrap().as_ref(), PDF);
    }
);

on_both_backends!(
    patient_identifiable_files_go_only_to_managers,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/evidence", app.address, s.provider);
        let form = upload(
            &token,
            "Case note sample",
            Some(("sample ü.txt", b"Patient: J Smith\n".to_vec())),
            &[("contains_patient_data", "yes")],
        );
        let (_, _, at) = post(&manager, base.clone(), form).await;
        let id = item_id(&at);
        let download = manager.get(format!("{base}/{id}/download")).send().await.unwrap();
        assert_eq!(download.status().as_u16(), 200);
        let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.contains("filename*=UTF-8''sample%20%C3%BC.txt"), "{disposition}");
        let (viewer, _) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        assert_eq!(viewer.get(format!("{base}/{id}/download")).send().await.unwrap().status().as_u16(), 403);
        assert_eq!(
            viewer.get(format!("{base}/{id}")).send().await.unwrap().status().as_u16(),
            200,
            "the entry is visible"
        );
    }
);

on_both_backends!(
    bad_uploads_are_refused_and_write_nothing,
    app | app | {
        let db = support::TestDb::with(app.db.backend, support::Seed::Catalogue).unwrap();
        let mut settings = db.settings();
        settings.max_upload_mb = 1;
        let app = TestApp::spawn_with(db, settings).await;
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/evidence", app.address, s.provider);
        let before = counts(&app.db);
        let cases: Vec<(Form, &str)> = vec![
            (
                upload(&token, "Too big", Some(("big.txt", vec![b'a'; 1024 * 1024 + 1])), &[]),
                "must be smaller than 1 MB",
            ),
            (
                upload(&token, "Program", Some(("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec())), &[]),
                "The file is a Windows program, which is not accepted",
            ),
            (
                upload(&token, "Renamed", Some(("report.pdf", b"plain words".to_vec())), &[]),
                "named as PDF but its content is Plain text",
            ),
            (upload(&token, "Empty", Some(("empty.pdf", Vec::new())), &[]), "The selected file is empty"),
            (upload(&token, "No file", None, &[]), "Choose a file to upload"),
            (
                upload(
                    &token,
                    "Dates",
                    Some(("a.pdf", PDF.to_vec())),
                    &[("effective_on", "2026-04-01"), ("review_due", "2026-03-31")],
                ),
                "The review date cannot be before the document&#x27;s effective date",
            ),
            (
                upload(&token, "Unknown", Some(("a.pdf", PDF.to_vec())), &[("standards", "ZZ9")]),
                "There is no standard, core service or sub-specialism ZZ9",
            ),
        ];
        for (form, message) in cases {
            let (status, page, _) = post(&client, url.clone(), form).await;
            assert_eq!(status, 422, "{message}");
            assert!(page.contains(message), "{message} is shown:\n{page}");
        }
        assert_eq!(counts(&app.db), before, "nothing was written");
        let (status, _, _) =
            post(&client, url, upload(&token, "At the limit", Some(("a.txt", vec![b'a'; 1024 * 1024])), &[])).await;
        assert_eq!(status, 303, "a file of exactly the limit is accepted");
    }
);

on_both_backends!(
    only_the_forms_own_file_is_kept_and_text_is_bounded,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/evidence", app.address, s.provider);
        let form = upload(&token, "Policy", Some(("policy.pdf", PDF.to_vec())), &[])
            .part("other", Part::bytes(vec![b'x'; 2 * 1024 * 1024]).file_name("smuggled.txt"));
        let (status, _, _) = post(&client, url.clone(), form).await;
        assert_eq!(status, 303);
        let (items, blobs, _) = counts(&app.db);
        assert_eq!((items, blobs), (1, 1), "the extra file part was read through and dropped");
        let long = "d".repeat(300 * 1024);
        let form =
            upload(&token, "Too much text", Some(("policy.pdf", PDF.to_vec())), &[("description", long.as_str())]);
        let (status, _, _) = post(&client, url, form).await;
        assert_eq!(status, 400, "a text field no form of ours sends is refused");
        assert_eq!(counts(&app.db).0, 1, "and nothing is written");
    }
);

on_both_backends!(
    a_text_file_named_as_a_web_page_is_kept_and_served_as_text,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/evidence", app.address, s.provider);
        let body = b"Notes <b>here</b>; alert(document.cookie)\n".to_vec();
        let form = upload(&token, "Web page", Some(("page\u{202E}lmth.html", body.clone())), &[]);
        let (status, _, at) = post(&manager, base.clone(), form).await;
        assert_eq!(status, 303);
        let id = item_id(&at);
        let today = chrono::Utc::now().date_naive();
        let stored = {
            let mut conn = app.db.conn();
            ohgov::evidence::store::item(&mut conn, s.provider, id, today).unwrap().unwrap()
        };
        assert_eq!(stored.item.file_name.as_deref(), Some("pagelmth.txt"));
        let download = manager.get(format!("{base}/{id}/download")).send().await.unwrap();
        assert_eq!(download.status().as_u16(), 200);
        let disposition = download.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(!disposition.to_ascii_lowercase().contains(".htm"), "{disposition}");
        assert!(disposition.contains("pagelmth.txt"), "{disposition}");
        assert!(download.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    }
);

on_both_backends!(
    ohgov_evidence_add_keeps_a_web_page_named_text_file_as_text,
    db | db | {
        let s = service(&mut db.migrated(), "Northshire OH Service", "northshire");
        let dir = std::env::temp_dir().join(format!("ohgov-evidence-add-{}-{:?}", std::process::id(), db.backend));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("page.hta");
        std::fs::write(&file, "Notes, in plain words\n").unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ohgov"))
            .args(["evidence", "add", "--provider", &s.provider.to_string(), "--title", "Notes"])
            .arg(&file)
            .args(["--database-url", &db.url])
            .env_remove("DATABASE_URL")
            .env("OHGOV_HISTORY_KEY_FILE", db.history_key_file())
            .output()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let id: i32 = String::from_utf8_lossy(&output.stdout).trim().parse().unwrap();
        let today = chrono::Utc::now().date_naive();
        let stored = ohgov::evidence::store::item(&mut db.conn(), s.provider, id, today).unwrap().unwrap();
        assert_eq!(stored.item.file_name.as_deref(), Some("page.txt"));
    }
);

on_both_backends!(
    the_add_evidence_form_lists_standards_by_domain_in_catalogue_order,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let url = format!("{}/providers/{}/evidence", app.address, s.provider);
        let page = client.get(format!("{url}/new")).send().await.unwrap().text().await.unwrap();
        let at = |text: &str| page.find(text).unwrap_or_else(|| panic!("{text} is on the form"));
        let choice = |reference: &str| at(&format!("name=\"standards\" value=\"{reference}\""));
        let governance = at("<legend class=\"choice-group__heading\">Governance and finance</legend>");
        let resources = at("<legend class=\"choice-group__heading\">Resources and processes</legend>");
        assert!(governance < choice("GF1") && choice("GF1") < choice("GF2") && choice("GF6") < resources);
        assert!(resources < choice("RP1") && choice("RP1") < choice("RP9"), "each domain under its heading");
        assert!(choice("SS2") < choice("SS10"), "by the catalogue's order, not the text: SS2 before SS10");
        assert!(choice("RP9") < choice("SS1"), "domains in the catalogue's order");
        assert!(page.contains("id=\"standards-filter\""), "a filter box, shown by the script");
        assert!(page.contains("data-for-kind=\"file\"") && page.contains("data-for-kind=\"link\""));
        assert!(!page.contains("Choose the file again"), "nothing was lost yet");
        let refused =
            upload(&token, "", Some(("policy.pdf", PDF.to_vec())), &[("standards", "GF1"), ("standards", "SS10")]);
        let (status, page, _) = post(&client, url, refused).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose the file again"), "the form says plainly that the file was not kept");
        assert!(page.contains("value=\"SS10\" checked"), "the ticked standards are kept");
    }
);

/// An item's stored document kind.
fn document_kind(db: &support::TestDb, id: i32) -> Option<String> {
    use ohgov::db::schema::evidence_items;
    evidence_items::table.find(id).select(evidence_items::document_kind).first(&mut db.conn()).unwrap()
}

on_both_backends!(
    a_document_kind_is_saved_kept_on_a_new_version_and_refused_outside_the_list,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}/evidence", app.address, s.provider);

        // The form offers the catalogue's kinds.
        let form = client.get(format!("{base}/new")).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("value=\"staff_development_plan\">Staff development plan</option>"));

        // A kind outside the list is refused at its field; nothing is written.
        let before = counts(&app.db);
        let bad = upload(&token, "Plan", Some(("plan.pdf", PDF.to_vec())), &[("document_kind", "wish_list")]);
        let (status, page, _) = post(&client, base.clone(), bad).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose a document kind from the list"), "{page}");
        assert_eq!(counts(&app.db), before);

        // Saved, shown on the item's page and in the library, and recorded in the history.
        let plan = upload(
            &token,
            "Staff development plan 2026/27",
            Some(("plan.pdf", PDF.to_vec())),
            &[("document_kind", "staff_development_plan")],
        );
        let (status, _, at) = post(&client, base.clone(), plan).await;
        assert_eq!(status, 303);
        let first = item_id(&at);
        assert_eq!(document_kind(&app.db, first).as_deref(), Some("staff_development_plan"));
        let page = client.get(format!("{base}/{first}")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<dt>Document kind</dt><dd>Staff development plan</dd>"), "{page}");
        let other = upload(&token, "Fire safety policy", Some(("fire.pdf", b"%PDF-1.4\nfire\n%%EOF\n".to_vec())), &[]);
        assert_eq!(post(&client, base.clone(), other).await.0, 303);
        {
            use ohgov::db::schema::history;
            let changes: String = history::table
                .filter(history::entity.eq("evidence"))
                .filter(history::entity_id.eq(first.to_string()))
                .select(history::changes)
                .first(&mut app.db.conn())
                .unwrap();
            assert!(changes.contains("staff_development_plan"), "{changes}");
        }

        // The library filters by kind.
        let filtered = client
            .get(format!("{base}?document_kind=staff_development_plan"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(filtered.contains("Staff development plan 2026") && !filtered.contains("Fire safety policy"));
        let all = client.get(base.clone()).send().await.unwrap().text().await.unwrap();
        assert!(all.contains("Staff development plan 2026") && all.contains("Fire safety policy"));

        // The new-version form keeps the kind; a version sent with it keeps it.
        let replace = client.get(format!("{base}/{first}/replace")).send().await.unwrap().text().await.unwrap();
        assert!(replace.contains("value=\"staff_development_plan\" selected"), "the form keeps the kind");
        let newer = upload(
            &token,
            "Staff development plan 2026/27",
            Some(("plan-v2.pdf", b"%PDF-1.4\nversion 2\n%%EOF\n".to_vec())),
            &[("document_kind", "staff_development_plan")],
        );
        let (status, _, at) = post(&client, format!("{base}/{first}/replace"), newer).await;
        assert_eq!(status, 303);
        let second = item_id(&at);
        assert_ne!(second, first);
        assert_eq!(document_kind(&app.db, second).as_deref(), Some("staff_development_plan"));
        // A new version sent with a kind outside the list is refused, and the item stays as it was.
        let bad = upload(&token, "Plan", Some(("plan-v3.pdf", PDF.to_vec())), &[("document_kind", "wish_list")]);
        assert_eq!(post(&client, format!("{base}/{second}/replace"), bad).await.0, 422);
        assert_eq!(document_kind(&app.db, second).as_deref(), Some("staff_development_plan"));
    }
);
