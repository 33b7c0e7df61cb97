//! Saying what happened, and only what the product does: the confirmation after a change, shown
//! once on the next page; the home page's promises; what awaits a clinical director. On both
//! backends.

mod support;

use reqwest::multipart::{Form, Part};
use support::{browser_signed_in, service, TestApp, PASSWORD};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

/// The confirmation banner of a page, if it has one.
fn banner(page: &str) -> Option<String> {
    let start = page.find("<div class=\"flash\" role=\"status\"><p>")? + 36;
    Some(page[start..].split("</p>").next()?.to_string())
}

/// Where a 303 sends the browser, checked to carry no query string.
fn location(response: &reqwest::Response) -> String {
    assert_eq!(response.status().as_u16(), 303, "the change is saved and the browser sent on");
    let to = response.headers().get("location").unwrap().to_str().unwrap().to_string();
    assert!(!to.contains('?'), "no query string says what happened: {to}");
    to
}

/// Opens `path` twice: the banner the first time, none the second.
async fn said_once(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let first = client.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    let said = banner(&first).unwrap_or_else(|| panic!("{path} confirms the change"));
    let again = client.get(format!("{}{path}", app.address)).send().await.unwrap().text().await.unwrap();
    assert_eq!(banner(&again), None, "{path} says it once");
    said
}

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("{name} in the page")) + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}

on_both_backends!(
    an_import_says_how_many_people_it_added_and_updated_once,
    app | app
        | {
            let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
            let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
            let base = format!("{}/providers/{}/workforce", app.address, s.provider);
            let header = "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte";
            let file = |renewal: &str| {
                format!(
                    "{header}\nN200,Grace Okafor,,oh_nurse_scphn,nmc,12A3456E,{renewal},2027-08-31,,,2021-01-04,,0.8\n\
                 C400,Jo Bell,,non_clinical_case_worker,none,,,,,,2023-02-01,,1\n\
                 A500,Alex Kerr,,administrator,,,,,,,2020-10-01,,0.5\n"
                )
            };
            let mut said = Vec::new();
            for renewal in ["2027-03-31", "2028-03-31"] {
                let form = Form::new()
                    .text("csrf_token", token.clone())
                    .text("kind", "staff")
                    .part("file", Part::bytes(file(renewal).into_bytes()).file_name("export.csv"));
                let preview = client.post(format!("{base}/import")).multipart(form).send().await.unwrap();
                let sha = hidden(&preview.text().await.unwrap(), "sha256");
                let confirm = client
                    .post(format!("{base}/import/confirm"))
                    .form(&[("csrf_token", token.as_str()), ("kind", "staff"), ("sha256", sha.as_str())])
                    .send()
                    .await
                    .unwrap();
                said.push(said_once(&app, &client, &location(&confirm)).await);
            }
            assert_eq!(said, ["3 people added", "No one added, 1 updated, 2 unchanged"]);
        }
);

on_both_backends!(
    new_evidence_says_what_it_is_linked_to_and_a_refused_form_says_nothing,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let (client, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let base = format!("{}/providers/{}", app.address, s.provider);
        let form = Form::new()
            .text("csrf_token", token.clone())
            .text("kind", "file")
            .text("title", "OH policy")
            .text("standards", "RP1")
            .text("standards", "RP3")
            .part("file", Part::bytes(PDF.to_vec()).file_name("policy.pdf"));
        let added = client.post(format!("{base}/evidence")).multipart(form).send().await.unwrap();
        let item = location(&added);
        assert_eq!(said_once(&app, &client, &item).await, "Evidence added and linked to RP1 and RP3");

        let links = client
            .post(format!("{}{item}/links", app.address))
            .form(&[("csrf_token", token.as_str()), ("standards", "GF1")])
            .send()
            .await
            .unwrap();
        assert_eq!(said_once(&app, &client, &location(&links)).await, "Linked to GF1");

        // A refused save shows the form again and leaves nothing to say on the next page.
        let refused = client
            .post(format!("{base}/assessment/GF4"))
            .form(&[("csrf_token", token.as_str()), ("workflow", "nonsense"), ("result", "met")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 422);
        assert_eq!(banner(&refused.text().await.unwrap()), None);
        let next = client.get(format!("{base}/assessment/GF4")).send().await.unwrap().text().await.unwrap();
        assert_eq!(banner(&next), None, "nothing was saved, so nothing is confirmed");

        let saved = client
            .post(format!("{base}/assessment/GF4"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("workflow", "in_progress"),
                ("result", "not_assessed"),
                ("narrative", "Drafting"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(said_once(&app, &client, &location(&saved)).await, "GF4 saved");
    }
);

on_both_backends!(
    the_home_page_promises_only_what_the_product_does_for_each_role,
    app | app | {
        let _ = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        for role in ["manager", "clinical_director", "viewer", "assessor"] {
            let (client, _) = browser_signed_in(&app, &format!("{role}@northshire.example"), PASSWORD).await;
            let home = client.get(format!("{}/", app.address)).send().await.unwrap().text().await.unwrap();
            for promise in ["evidence pack", "Sign off", "sign off", "audit plan", "quality report", "approve"] {
                assert!(!home.contains(promise), "{role}: the home page promises \"{promise}\", which does not exist");
            }
            for said in [
                "See readiness against every SEQOHS standard",
                "See what awaits your decision: standards in review",
                "Read the self-assessment and its evidence",
            ] {
                assert!(home.contains(said), "{role}: {said}");
            }
        }
    }
);

on_both_backends!(
    a_clinical_director_lands_on_what_awaits_their_decision,
    app | app | {
        let s = service(&mut app.db.migrated(), "Northshire OH Service", "northshire");
        let base = format!("/providers/{}", s.provider);
        let (director, _) = browser_signed_in(&app, "clinical_director@northshire.example", PASSWORD).await;
        let page = director.get(format!("{}{base}", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Awaiting your decision") && page.contains("Nothing awaits your decision today"));

        let (manager, token) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        for (reference, workflow) in [("GF3", "in_review"), ("GF5", "in_review"), ("RP1", "in_progress")] {
            let saved = manager
                .post(format!("{}{base}/assessment/{reference}", app.address))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("workflow", workflow),
                    ("result", "not_assessed"),
                    ("narrative", "Drafting"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(saved.status().as_u16(), 303, "{reference} saved");
        }
        let page = director.get(format!("{}{base}", app.address)).send().await.unwrap().text().await.unwrap();
        let decisions = page.split("Awaiting your decision").nth(1).unwrap().split("</section>").next().unwrap();
        assert!(decisions.contains("2</span> standards in review"), "{decisions}");
        assert!(decisions.contains("0</span> open findings"), "{decisions}");
        let in_review = director
            .get(format!("{}{base}/assessment/standards?workflow=in_review", app.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(in_review.contains(">GF3<") && in_review.contains(">GF5<") && !in_review.contains(">RP1<"));

        let page = manager.get(format!("{}{base}", app.address)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("Awaiting your decision"), "a manager's overview does not claim their decisions");
    }
);
